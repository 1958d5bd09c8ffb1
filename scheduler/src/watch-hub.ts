/** In-process fan-out of JobSet changes to WatchJobSet streams. */
import { EventEmitter } from 'node:events';
import type { JobSet } from '../../shared/src/proto/types.js';

/** WatchHub notifies watchers of one JobSet name. */
export class WatchHub {
  private readonly ee = new EventEmitter();

  constructor() {
    this.ee.setMaxListeners(0);
  }

  /** publish tells watchers of `name` its new state (undefined = deleted). */
  publish(name: string, jobset: JobSet | undefined): void {
    this.ee.emit(name, jobset);
  }

  /** subscribe calls `fn` on each change of `name`; returns the unsubscribe function. */
  subscribe(name: string, fn: (jobset: JobSet | undefined) => void): () => void {
    this.ee.on(name, fn);
    return () => this.ee.off(name, fn);
  }
}
