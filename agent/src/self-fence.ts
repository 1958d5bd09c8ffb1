/**
 * Self-fencing, opt-in (`fencePodsAfter`; Nomad calls it
 * stop_on_client_after): the agent sends its heartbeats as requests, the
 * scheduler acknowledges those of the node's current epoch, and when none has
 * been acknowledged for `afterMs` the agent stops its pods itself and starts
 * no new ones until the scheduler is heard again. A node cut off by a
 * partition keeps running its pods otherwise — nothing can reach it — while
 * the scheduler, having declared it Lost, runs the gang again elsewhere.
 *
 * When are the pods gone? At most afterMs + one check (≤ 1 s) + the stop
 * grace period after the scheduler last acknowledged a heartbeat (counted
 * from when that heartbeat was sent): keep that below the scheduler's
 * nodeLostTimeout and the copies never overlap. A successful registration
 * counts as an acknowledgement. The silence is measured on a monotonic clock,
 * from the agent's start: an agent restarted inside a partition fences too.
 *
 * The price is the other side of the same coin: an agent cannot tell "I am
 * cut off" from "NATS or the scheduler is down for everyone", so an outage
 * longer than `afterMs` stops every pod of the cluster. Hence off by default.
 */
import type { Clock } from '../../shared/src/clock.js';
import type { Logger } from '../../shared/src/logger.js';
import { realTimers, type Timers } from './heartbeat.js';

/** monotonicClock is performance.now(): a stepped wall clock neither delays nor hastens a fence. */
export const monotonicClock: Clock = { now: () => performance.now() };

/** SelfFenceOptions configure a SelfFence. */
export interface SelfFenceOptions {
  /** Silence (no acknowledged heartbeat) after which the pods are stopped; > 0. */
  afterMs: number;
  /** Stops every pod of the node and holds back new ones; `why` is said in their status. Called again at every check while the silence lasts. */
  fence: (why: string) => void;
  /** Lets pods start again (the scheduler is heard again). */
  unfence: () => void;
  logger: Logger;
  /** Default: monotonicClock. */
  clock?: Clock;
  timers?: Timers;
}

/** SelfFence watches the scheduler's acknowledgements and fences the node once they stop for too long. */
export class SelfFence {
  private lastAckMs: number;
  private fenced = false;
  private afterMs: number;
  private handle: unknown;
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly log: Logger;

  constructor(private readonly opts: SelfFenceOptions) {
    if (!(opts.afterMs > 0)) throw new RangeError(`afterMs must be > 0, got ${opts.afterMs}`);
    this.afterMs = opts.afterMs;
    this.clock = opts.clock ?? monotonicClock;
    this.timers = opts.timers ?? realTimers;
    this.log = opts.logger.child({ component: 'self-fence' });
    this.lastAckMs = this.clock.now();
  }

  /** isFenced says whether the pods were stopped and no acknowledgement has come since. */
  get isFenced(): boolean {
    return this.fenced;
  }

  /** effectiveAfterMs is the silence that fences: the setting, or more when the heartbeat interval needs it (setMinimumMs). */
  get effectiveAfterMs(): number {
    return this.afterMs;
  }

  /** now is this fence's clock: stamp a heartbeat with it when it is sent, and pass the stamp to acknowledged. */
  now(): number {
    return this.clock.now();
  }

  /** start checks every quarter of the silence (at most a second apart); the silence counts from now. */
  start(): void {
    this.stop();
    this.lastAckMs = this.clock.now();
    this.arm();
  }

  /** stop ends the checks. */
  stop(): void {
    if (this.handle !== undefined) this.timers.clearInterval(this.handle);
    this.handle = undefined;
  }

  /**
   * setMinimumMs raises the silence that fences to at least `ms` (three
   * heartbeat intervals, once the scheduler has named the interval): a fence
   * shorter than a few heartbeats would trip on one late reply.
   */
  setMinimumMs(ms: number): void {
    const next = Math.max(this.opts.afterMs, ms);
    if (next === this.afterMs) return;
    if (next > this.opts.afterMs) this.log.warn('fencePodsAfter is shorter than three heartbeat intervals: using the longer silence', { fencePodsAfterMs: this.opts.afterMs, usingMs: next });
    this.afterMs = next;
    if (this.handle !== undefined) {
      this.timers.clearInterval(this.handle);
      this.arm();
    }
  }

  /** acknowledged records that the scheduler took a heartbeat sent at `sentAt` (this fence's clock; default now), or registered the node. */
  acknowledged(sentAt?: number): void {
    this.lastAckMs = Math.max(this.lastAckMs, sentAt ?? this.clock.now());
    if (!this.fenced) return;
    this.fenced = false;
    this.log.warn('the scheduler acknowledges heartbeats again: no longer fenced');
    this.opts.unfence();
  }

  /** check fences the node once the silence reaches the limit, and keeps it fenced while the silence lasts; true when it fenced now. */
  check(): boolean {
    const silentMs = this.clock.now() - this.lastAckMs;
    if (silentMs < this.afterMs) return false;
    const why = `fenced: the scheduler has acknowledged no heartbeat for ${(silentMs / 1000).toFixed(1)}s (fencePodsAfter ${this.afterMs / 1000}s), so this node may have been declared Lost and its pods run elsewhere`;
    const first = !this.fenced;
    if (first) this.log.error('stopping every pod: the scheduler has not acknowledged a heartbeat in time', { silentMs: Math.round(silentMs), fencePodsAfterMs: this.afterMs });
    this.fenced = true;
    // Again at every check: pods adopted or left starting since the first call are stopped too.
    this.opts.fence(why);
    return first;
  }

  private arm(): void {
    this.handle = this.timers.setInterval(() => this.check(), Math.min(1000, Math.max(100, Math.floor(this.afterMs / 4))));
  }
}

/** FenceMargin is how late a self-fenced node's pods may still run, against when the scheduler declares the node Lost. */
export interface FenceMargin {
  /** Longest time from the last acknowledged heartbeat until the pods are gone: the fence, one check, the stop grace. */
  worstCaseMs: number;
  /** The scheduler's nodeLostTimeout (0 when it did not say). */
  nodeLostTimeoutMs: number;
  /** True when the pods are gone before the scheduler may place them elsewhere (or the scheduler did not say). */
  safe: boolean;
}

/** fenceMargin compares when a fenced node's pods are gone with the scheduler's nodeLostTimeout. */
export function fenceMargin(fenceAfterMs: number, stopGracePeriodMs: number, nodeLostTimeoutMs: number): FenceMargin {
  const worstCaseMs = fenceAfterMs + 1000 + stopGracePeriodMs;
  return { worstCaseMs, nodeLostTimeoutMs, safe: nodeLostTimeoutMs <= 0 || worstCaseMs < nodeLostTimeoutMs };
}
