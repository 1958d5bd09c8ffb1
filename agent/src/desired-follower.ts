/**
 * Follows this node's desired document (DESIGN §3): pushes on
 * muster.v1.node.<node>.desired, and a request/reply resync on
 * muster.v1.sched.desired after subscribing, after each registration and after
 * each NATS reconnection. A document is applied when it is for this node, for
 * the current epoch, and newer than the last one applied; a bad message is
 * logged and dropped, never fatal.
 *
 * Epochs: a pushed document of an older, non-zero epoch is stale (published
 * before the scheduler handled the agent's latest Register, delivered after
 * its answer) and ignored. Any other mismatch — a newer epoch, epoch 0 (the
 * scheduler does not know this node, or declared it Lost), or a resync reply
 * of another epoch — means the scheduler's idea of this node differs from the
 * agent's: the agent registers again (at most once per 5 s, joining a
 * registration already under way) and resyncs.
 */
import { DESIRED_RESYNC_SUBJECT, desiredSubject } from '../../shared/src/subjects.js';
import { errorFields, type Logger } from '../../shared/src/logger.js';
import { decodeJsonText, encodeJson } from '../../shared/src/proto/json-codec.js';
import type { DesiredRequest, NodeDesired } from '../../shared/src/proto/types.js';
import { Backoff, isAborted, retryLogLevel, sleep } from './backoff.js';
import type { Unsubscribe } from './nats-link.js';

/** RESYNC_TIMEOUT_MS bounds one resync request. */
export const RESYNC_TIMEOUT_MS = 2000;

/** DesiredTransport is the part of NATS the follower uses (NatsLink, or a fake in tests). */
export interface DesiredTransport {
  subscribe(subject: string, handler: (data: Uint8Array) => void): Unsubscribe;
  request(subject: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array>;
}

/** EpochSource is the registration as the follower sees it. */
export interface EpochSource {
  readonly epoch: number;
  requestReRegister(reason: string): Promise<void>;
}

/** DesiredFollowerOptions are the follower's collaborators. */
export interface DesiredFollowerOptions {
  node: string;
  transport: DesiredTransport;
  registration: EpochSource;
  /** Called with each document to apply. */
  onDesired: (doc: NodeDesired) => void;
  logger: Logger;
  /** Delay policy of the resync retries (default 200 ms doubling to 5 s). */
  backoff?: () => Backoff;
  resyncTimeoutMs?: number;
}

/** Outcome says what became of one desired document. */
export type Outcome = 'applied' | 'old' | 'invalid' | 'stale-epoch' | 're-register';

/** DesiredFollower keeps the agent applying the newest desired document. */
export class DesiredFollower {
  private appliedEpoch = 0;
  private appliedRev = 0;
  private unsubscribe: Unsubscribe | undefined;
  private resyncs = new AbortController();
  private readonly log: Logger;

  constructor(private readonly opts: DesiredFollowerOptions) {
    this.log = opts.logger.child({ component: 'desired' });
  }

  /** appliedRevision is the revision of the last document applied (0 before the first). */
  get appliedRevision(): number {
    return this.appliedRev;
  }

  /** start subscribes to pushes and resyncs. */
  start(): void {
    this.unsubscribe = this.opts.transport.subscribe(desiredSubject(this.opts.node), (data) => {
      this.handle(data, 'push');
    });
    this.resync();
  }

  /** stop unsubscribes and abandons any resync in progress. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.resyncs.abort();
  }

  /** resync asks the scheduler for the current document until a valid reply arrives; a newer call replaces an older one. */
  resync(): void {
    this.resyncs.abort();
    this.resyncs = new AbortController();
    const signal = this.resyncs.signal;
    void this.resyncLoop(signal).catch((err: unknown) => {
      if (!isAborted(err)) this.log.error('resync loop failed', errorFields(err));
    });
  }

  /** handle decodes and applies one document; it never throws. */
  handle(data: Uint8Array | string, via: 'push' | 'resync'): Outcome {
    try {
      return this.handleUnsafe(data, via);
    } catch (err) {
      this.log.error('applying desired document failed', { via, ...errorFields(err) });
      return 'invalid';
    }
  }

  private handleUnsafe(data: Uint8Array | string, via: 'push' | 'resync'): Outcome {
    const decoded = decodeJsonText<NodeDesired>('muster.v1.NodeDesired', data);
    if (!decoded.ok) {
      this.log.warn('dropping invalid desired document', { via, issues: decoded.issues });
      return 'invalid';
    }
    const doc = decoded.value;
    if (doc.node !== this.opts.node) {
      this.log.warn('dropping desired document for another node', { via, docNode: doc.node });
      return 'invalid';
    }
    const epoch = this.opts.registration.epoch;
    if (doc.epoch !== epoch) {
      if (via === 'push' && doc.epoch > 0 && doc.epoch < epoch) {
        this.log.debug('ignoring desired document of an older epoch', { via, docEpoch: doc.epoch, epoch, revision: doc.revision });
        return 'stale-epoch';
      }
      this.log.warn('desired document of another epoch: registering again', { via, docEpoch: doc.epoch, epoch });
      void this.opts.registration.requestReRegister(`desired document has epoch ${doc.epoch}, agent has ${epoch}`);
      return 're-register';
    }
    if (doc.epoch === this.appliedEpoch && doc.revision <= this.appliedRev) {
      this.log.debug('ignoring desired document not newer than the applied one', { via, revision: doc.revision, applied: this.appliedRev });
      return 'old';
    }
    this.appliedEpoch = doc.epoch;
    this.appliedRev = doc.revision;
    this.log.info('applying desired document', { via, epoch: doc.epoch, revision: doc.revision, pods: doc.pods.length });
    this.opts.onDesired(doc);
    return 'applied';
  }

  private async resyncLoop(signal: AbortSignal): Promise<void> {
    const backoff = this.opts.backoff?.() ?? new Backoff({ initialMs: 200, maxMs: 5000 });
    for (let attempt = 1; !signal.aborted; attempt++) {
      const req: DesiredRequest = { node: this.opts.node, epoch: this.opts.registration.epoch };
      try {
        const reply = await this.opts.transport.request(DESIRED_RESYNC_SUBJECT, encodeJson(req), this.opts.resyncTimeoutMs ?? RESYNC_TIMEOUT_MS);
        if (signal.aborted) return;
        if (this.handle(reply, 'resync') !== 'invalid') return;
      } catch (err) {
        if (signal.aborted) return;
        // The scheduler may not be up yet.
        this.log[retryLogLevel(attempt)]('desired resync failed, retrying', { attempt, ...errorFields(err) });
      }
      await sleep(backoff.next(), signal);
    }
  }
}
