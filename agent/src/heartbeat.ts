/**
 * Heartbeats (muster.v1.Heartbeat on muster.v1.node.<node>.heartbeat, core
 * NATS): every interval the agent says it is alive, which epoch it is in,
 * which desired revision it applied last, and the full status of every pod it
 * has, running or terminal. While NATS is disconnected beats are skipped
 * silently (the next one carries the same full state).
 */
import { systemClock, type Clock } from '../../shared/src/clock.js';
import { errorFields, type Logger } from '../../shared/src/logger.js';
import { encodeJson } from '../../shared/src/proto/json-codec.js';
import type { GpuHealthReport, Heartbeat, PodStatus } from '../../shared/src/proto/types.js';
import { heartbeatSubject } from '../../shared/src/subjects.js';

/** HeartbeatTransport is the part of NATS heartbeats use. */
export interface HeartbeatTransport {
  isConnected(): boolean;
  publish(subject: string, data: Uint8Array): void;
  /** Request/reply, for heartbeats the scheduler acknowledges (self-fencing). */
  request?(subject: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array>;
}

/**
 * HeartbeatAcks asks for an acknowledgement of every heartbeat (sent as a
 * request; each reply is awaited for two intervals, at least 2 s).
 */
export interface HeartbeatAcks {
  /** A timestamp taken when a heartbeat is sent. */
  stamp: () => number;
  /** Called for each heartbeat the scheduler acknowledged, with its send stamp. */
  onAck: (sentStamp: number) => void;
}

/** Timers are the interval functions (injected by tests). */
export interface Timers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

/** realTimers are the global timers. */
export const realTimers: Timers = {
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};

/** HeartbeaterOptions are the heartbeat's sources of state. */
export interface HeartbeaterOptions {
  node: string;
  transport: HeartbeatTransport;
  epoch: () => number;
  desiredRevision: () => number;
  pods: () => PodStatus[];
  /** Each GPU's current health (empty when the agent does not probe). */
  gpuHealth?: () => GpuHealthReport[];
  intervalMs: number;
  logger: Logger;
  clock?: Clock;
  timers?: Timers;
  /** Send heartbeats as requests and report the acknowledgements (the transport must offer request). */
  acks?: HeartbeatAcks;
}

/** Heartbeater publishes heartbeats on a timer. */
export class Heartbeater {
  private handle: unknown;
  private interval: number;
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly log: Logger;
  private readonly subject: string;

  constructor(private readonly opts: HeartbeaterOptions) {
    this.interval = opts.intervalMs;
    this.clock = opts.clock ?? systemClock;
    this.timers = opts.timers ?? realTimers;
    this.log = opts.logger.child({ component: 'heartbeat' });
    this.subject = heartbeatSubject(opts.node);
  }

  /** intervalMs is the current interval. */
  get intervalMs(): number {
    return this.interval;
  }

  /** start beats once now, then every interval. */
  start(): void {
    this.stop();
    this.beat();
    this.handle = this.timers.setInterval(() => this.beat(), this.interval);
  }

  /** stop ends the beats. */
  stop(): void {
    if (this.handle !== undefined) this.timers.clearInterval(this.handle);
    this.handle = undefined;
  }

  /** setIntervalMs changes the interval (after a registration), re-arming the timer when running. */
  setIntervalMs(ms: number): void {
    if (ms === this.interval || ms <= 0) return;
    this.interval = ms;
    if (this.handle !== undefined) {
      this.timers.clearInterval(this.handle);
      this.handle = this.timers.setInterval(() => this.beat(), this.interval);
    }
  }

  /** message builds the heartbeat of this moment. */
  message(): Heartbeat {
    return {
      node: this.opts.node,
      epoch: this.opts.epoch(),
      timeMs: this.clock.now(),
      desiredRevision: this.opts.desiredRevision(),
      pods: this.opts.pods(),
      gpuHealth: this.opts.gpuHealth?.() ?? [],
    };
  }

  /** beat publishes one heartbeat unless disconnected; true when sent. */
  beat(): boolean {
    if (!this.opts.transport.isConnected()) return false;
    try {
      const data = encodeJson(this.message());
      const { acks } = this.opts;
      if (acks && this.opts.transport.request) {
        // No reply (timeout, no responder, an old epoch) is simply no acknowledgement.
        const sent = acks.stamp();
        this.opts.transport.request(this.subject, data, Math.max(2000, 2 * this.interval)).then(
          () => acks.onAck(sent),
          (err: unknown) => this.log.debug('heartbeat not acknowledged', errorFields(err)),
        );
      } else this.opts.transport.publish(this.subject, data);
      return true;
    } catch (err) {
      this.log.debug('heartbeat not sent', errorFields(err));
      return false;
    }
  }
}
