/**
 * The agent's registration with the scheduler: the current node epoch, the
 * heartbeat interval the scheduler asked for, and re-registration on demand
 * (an epoch mismatch in a desired document), at most once per 5 s, coalesced.
 */
import { systemClock, type Clock } from '../../shared/src/clock.js';
import { errorFields, type Logger } from '../../shared/src/logger.js';
import type { RegisterRequestInput, RegisterResponse } from '../../shared/src/proto/types.js';
import { isAborted, sleep } from './backoff.js';
import type { Registrar } from './scheduler-client.js';

/** REREGISTER_MIN_INTERVAL_MS is the least time between two registrations asked for by re-registration. */
export const REREGISTER_MIN_INTERVAL_MS = 5000;

/** RegistrationOptions are the registration's collaborators. */
export interface RegistrationOptions {
  registrar: Registrar;
  /** Builds the request (inventory, labels…) at each registration. */
  request: () => RegisterRequestInput;
  /** Interval used until (and unless) the scheduler names one. */
  defaultHeartbeatIntervalMs: number;
  logger: Logger;
  /** Aborted at shutdown: pending registrations stop. */
  signal: AbortSignal;
  clock?: Clock;
  minIntervalMs?: number;
}

/** RegisteredListener hears of each successful registration (with the scheduler's whole answer). */
export type RegisteredListener = (epoch: number, heartbeatIntervalMs: number, res: RegisterResponse) => void;

/** Registration holds the node's epoch and re-registers when asked. */
export class Registration {
  private currentEpoch = 0;
  private interval: number;
  private lastRegisteredMs = Number.NEGATIVE_INFINITY;
  private pending: Promise<void> | undefined;
  private readonly listeners: RegisteredListener[] = [];
  private readonly log: Logger;
  private readonly clock: Clock;

  constructor(private readonly opts: RegistrationOptions) {
    this.interval = opts.defaultHeartbeatIntervalMs;
    this.log = opts.logger.child({ component: 'registration' });
    this.clock = opts.clock ?? systemClock;
  }

  /** epoch is the node epoch of the latest successful registration (0 before the first). */
  get epoch(): number {
    return this.currentEpoch;
  }

  /** heartbeatIntervalMs is the interval the scheduler asked for, else the configured one. */
  get heartbeatIntervalMs(): number {
    return this.interval;
  }

  /** onRegistered adds a listener called after every successful registration. */
  onRegistered(fn: RegisteredListener): void {
    this.listeners.push(fn);
  }

  /** register registers now, retrying until success; rejects with AbortedError at shutdown. */
  async register(): Promise<RegisterResponse> {
    this.lastRegisteredMs = this.clock.now();
    const res = await this.opts.registrar.register(this.opts.request(), this.opts.signal);
    this.currentEpoch = res.epoch;
    if (res.heartbeatIntervalMs > 0) this.interval = res.heartbeatIntervalMs;
    this.log.info('registered', { epoch: res.epoch, heartbeatIntervalMs: this.interval });
    for (const fn of this.listeners) {
      try {
        fn(this.currentEpoch, this.interval, res);
      } catch (err) {
        this.log.error('registration listener failed', errorFields(err));
      }
    }
    return res;
  }

  /**
   * requestReRegister registers again, no sooner than minIntervalMs after the
   * previous registration; requests made while one is pending join it.
   */
  requestReRegister(reason: string): Promise<void> {
    if (this.pending) return this.pending;
    const waitMs = Math.max(0, this.lastRegisteredMs + (this.opts.minIntervalMs ?? REREGISTER_MIN_INTERVAL_MS) - this.clock.now());
    this.log.info('re-registering', { reason, inMs: waitMs, epoch: this.currentEpoch });
    this.pending = (async () => {
      try {
        if (waitMs > 0) await sleep(waitMs, this.opts.signal);
        await this.register();
      } catch (err) {
        if (!isAborted(err)) this.log.error('re-registration failed', errorFields(err));
      } finally {
        this.pending = undefined;
      }
    })();
    return this.pending;
  }
}
