/**
 * Publishes pod lifecycle events (muster.v1.PodEvent) to the MUSTER_EVENTS
 * JetStream stream, in order, one at a time, with the message id
 * `<podId>@<jobsetUid>@<generation>#<seq>` so that a retried publish is
 * deduplicated by the stream (and a resubmitted JobSet's pods, with a new uid,
 * never collide with the old ones'). Events wait in a bounded queue while NATS or the stream (created by
 * the scheduler) is unavailable; when it is full the oldest is dropped — the
 * heartbeat carries every pod's full status anyway, so nothing is lost for good.
 * The queue stays in memory on purpose: what must outlive this agent process
 * is each pod's latest status, which the pod table keeps on disk and the next
 * process reports in its Register; events this process queued carry its
 * epoch, which the scheduler's fencing drops once another process registers.
 */
import { systemClock, type Clock } from '../../shared/src/clock.js';
import { errorFields, type Logger } from '../../shared/src/logger.js';
import { encodeJson } from '../../shared/src/proto/json-codec.js';
import type { PodEvent, PodStatus } from '../../shared/src/proto/types.js';
import { podEventSubject } from '../../shared/src/subjects.js';
import { Backoff, isAborted, retryLogLevel, sleep } from './backoff.js';
import { podKeyString } from './runtime/driver.js';

/** EVENT_QUEUE_CAPACITY is the default number of events kept while they cannot be published. */
export const EVENT_QUEUE_CAPACITY = 10_000;

/** eventMsgId is the JetStream message id of an event: `<podId>@<jobsetUid>@<generation>#<seq>`. */
export function eventMsgId(pod: Pick<PodStatus, 'podId' | 'jobsetUid' | 'generation' | 'seq'>): string {
  return `${podKeyString(pod)}#${pod.seq}`;
}

/** EventQueue holds events until they are acknowledged, oldest first. */
export interface EventQueue {
  /** push appends an event; returns the event dropped to make room, if any. */
  push(ev: PodEvent): PodEvent | undefined;
  /** peek returns the oldest event without removing it. */
  peek(): PodEvent | undefined;
  /** shift removes the oldest event. */
  shift(): void;
  readonly size: number;
}

/** MemoryEventQueue is an EventQueue in memory, bounded by capacity. */
export class MemoryEventQueue implements EventQueue {
  private items: PodEvent[] = [];
  private head = 0;

  constructor(private readonly capacity = EVENT_QUEUE_CAPACITY) {}

  get size(): number {
    return this.items.length - this.head;
  }

  push(ev: PodEvent): PodEvent | undefined {
    let dropped: PodEvent | undefined;
    if (this.size >= this.capacity) {
      dropped = this.items[this.head];
      this.shift();
    }
    this.items.push(ev);
    return dropped;
  }

  peek(): PodEvent | undefined {
    return this.items[this.head];
  }

  shift(): void {
    if (this.head >= this.items.length) return;
    this.head++;
    // Compact now and then so the array does not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

/** DurablePublisher is the JetStream side the publisher needs (NatsLink, or a fake in tests). */
export interface DurablePublisher {
  publishDurable(subject: string, data: Uint8Array, msgID: string): Promise<void>;
}

/** EventPublisherOptions are the publisher's collaborators. */
export interface EventPublisherOptions {
  node: string;
  /** The node epoch, stamped on each event when it is queued. */
  epoch: () => number;
  logger: Logger;
  queue?: EventQueue;
  clock?: Clock;
  backoff?: () => Backoff;
}

/** EventPublisher queues pod status changes and publishes them in order. */
export class EventPublisher {
  private readonly queue: EventQueue;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly subject: string;
  private sink: DurablePublisher | undefined;
  private pumping = false;
  private readonly stopper = new AbortController();
  private idleWaiters: (() => void)[] = [];
  private failures = 0;

  constructor(private readonly opts: EventPublisherOptions) {
    this.queue = opts.queue ?? new MemoryEventQueue();
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger.child({ component: 'events' });
    this.subject = podEventSubject(opts.node);
  }

  /** pending is the number of events not yet acknowledged by the stream. */
  get pending(): number {
    return this.queue.size;
  }

  /** connect sets where events go (once NATS is connected) and starts publishing what waits. */
  connect(sink: DurablePublisher): void {
    this.sink = sink;
    this.kick();
  }

  /** enqueue queues an event for a pod's new status (a PodTable change listener). */
  enqueue(pod: PodStatus): void {
    const ev: PodEvent = { node: this.opts.node, epoch: this.opts.epoch(), pod, timeMs: this.clock.now() };
    const dropped = this.queue.push(ev);
    if (dropped)
      this.log.error('event queue full: dropped the oldest event (heartbeats still carry the state)', {
        podId: dropped.pod?.podId,
        generation: dropped.pod?.generation,
        seq: dropped.pod?.seq,
      });
    this.kick();
  }

  /** flush resolves once every queued event is published, or after timeoutMs, whichever comes first; true when empty. */
  async flush(timeoutMs: number): Promise<boolean> {
    if (this.queue.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
    if (this.queue.size > 0) this.log.warn('events left unpublished', { pending: this.queue.size });
    return this.queue.size === 0;
  }

  /** stop ends publishing (queued events stay in the queue). */
  stop(): void {
    this.stopper.abort();
  }

  private kick(): void {
    if (this.pumping || !this.sink || this.stopper.signal.aborted) return;
    this.pumping = true;
    void this.pump()
      .catch((err: unknown) => {
        if (!isAborted(err)) this.log.error('event publishing stopped unexpectedly', errorFields(err));
      })
      .finally(() => {
        this.pumping = false;
        if (this.queue.size > 0 && !this.stopper.signal.aborted) this.kick();
      });
  }

  private async pump(): Promise<void> {
    const backoff = this.opts.backoff?.() ?? new Backoff({ initialMs: 200, maxMs: 5000 });
    const signal = this.stopper.signal;
    for (let ev = this.queue.peek(); ev && this.sink && !signal.aborted; ev = this.queue.peek()) {
      const pod = ev.pod!;
      const msgID = eventMsgId(pod);
      try {
        await this.sink.publishDurable(this.subject, encodeJson(ev), msgID);
        // The event may have been dropped while in flight (queue full): remove it only if it is still the head.
        if (this.queue.peek() === ev) this.queue.shift();
        if (this.failures > 0) this.log.info('publishing events again', { afterFailures: this.failures });
        this.failures = 0;
        backoff.reset();
        this.log.debug('event published', { podId: pod.podId, jobsetUid: pod.jobsetUid, generation: pod.generation, seq: pod.seq, phase: pod.phase });
      } catch (err) {
        this.failures++;
        this.log[retryLogLevel(this.failures)]('cannot publish event, retrying', { msgID, failures: this.failures, pending: this.queue.size, ...errorFields(err) });
        await sleep(backoff.next(), signal);
      }
    }
    if (this.queue.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}
