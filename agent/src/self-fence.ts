/**
 * Self-fencing, opt-in (`fencePodsAfter`; Nomad calls it
 * stop_on_client_after): the agent sends its heartbeats as requests, the
 * scheduler acknowledges those of the node's current epoch, and when none has
 * been acknowledged for `afterMs` the agent stops its pods itself. A node cut
 * off by a partition keeps running its pods otherwise — nothing can reach it —
 * while the scheduler, having declared it Lost, runs the gang again
 * elsewhere: with `afterMs` below the scheduler's nodeLostTimeout the old
 * copies are gone before the new ones start.
 *
 * The price is the other side of the same coin: an agent cannot tell "I am
 * cut off" from "NATS or the scheduler is down for everyone", so an outage
 * longer than `afterMs` stops every pod of the cluster. Hence off by default.
 */
import { systemClock, type Clock } from '../../shared/src/clock.js';
import type { Logger } from '../../shared/src/logger.js';
import { realTimers, type Timers } from './heartbeat.js';

/** SelfFenceOptions configure a SelfFence. */
export interface SelfFenceOptions {
  /** Silence (no acknowledged heartbeat) after which the pods are stopped; > 0. */
  afterMs: number;
  /** Stops every pod of the node; `why` is said in their status. */
  fence: (why: string) => void;
  logger: Logger;
  clock?: Clock;
  timers?: Timers;
}

/** SelfFence watches the scheduler's acknowledgements and fences the node once they stop for too long. */
export class SelfFence {
  private lastAckMs: number;
  private fenced = false;
  private handle: unknown;
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly log: Logger;

  constructor(private readonly opts: SelfFenceOptions) {
    if (!(opts.afterMs > 0)) throw new RangeError(`afterMs must be > 0, got ${opts.afterMs}`);
    this.clock = opts.clock ?? systemClock;
    this.timers = opts.timers ?? realTimers;
    this.log = opts.logger.child({ component: 'self-fence' });
    this.lastAckMs = this.clock.now();
  }

  /** isFenced says whether the pods were stopped and no acknowledgement has come since. */
  get isFenced(): boolean {
    return this.fenced;
  }

  /** start checks every quarter of afterMs (at most every second); the silence counts from now. */
  start(): void {
    this.stop();
    this.lastAckMs = this.clock.now();
    this.handle = this.timers.setInterval(() => this.check(), Math.min(1000, Math.max(100, Math.floor(this.opts.afterMs / 4))));
  }

  /** stop ends the checks. */
  stop(): void {
    if (this.handle !== undefined) this.timers.clearInterval(this.handle);
    this.handle = undefined;
  }

  /** acknowledged records that the scheduler took a heartbeat of this node's current epoch. */
  acknowledged(): void {
    this.lastAckMs = this.clock.now();
    if (!this.fenced) return;
    this.fenced = false;
    this.log.warn('the scheduler acknowledges heartbeats again: no longer fenced');
  }

  /** check fences the node once the silence reaches afterMs (once per silence); true when it fenced now. */
  check(): boolean {
    if (this.fenced) return false;
    const silentMs = this.clock.now() - this.lastAckMs;
    if (silentMs < this.opts.afterMs) return false;
    this.fenced = true;
    const why = `fenced: the scheduler has acknowledged no heartbeat for ${(silentMs / 1000).toFixed(1)}s (fencePodsAfter ${this.opts.afterMs / 1000}s), so this node may have been declared Lost and its pods run elsewhere`;
    this.log.error('stopping every pod: the scheduler has not acknowledged a heartbeat in time', { silentMs, fencePodsAfterMs: this.opts.afterMs });
    this.opts.fence(why);
    return true;
  }
}
