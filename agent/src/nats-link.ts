/**
 * The agent's NATS connection: connected with retries (the first connection
 * too), reconnecting forever, with its connected/disconnected state tracked so
 * heartbeats can be skipped while it is down. It offers exactly what the
 * agent's components use: core publish, request/reply, subscribe, and
 * JetStream publish with a message id.
 */
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { UnavailableError } from '../../shared/src/errors.js';
import { errorFields, type Logger } from '../../shared/src/logger.js';
import { Backoff, retryLogLevel, retryUntilSuccess } from './backoff.js';

/** JS_PUBLISH_TIMEOUT_MS bounds the wait for a JetStream PubAck. */
export const JS_PUBLISH_TIMEOUT_MS = 5000;

/** NatsLinkOptions say where and as whom to connect. */
export interface NatsLinkOptions {
  /** Comma-separated server URLs. */
  natsUrl: string;
  /** Client name shown by the server (`muster-agent <node>`). */
  name: string;
  logger: Logger;
  /** Aborts the first-connection retries. */
  signal: AbortSignal;
}

/** Unsubscribe ends a subscription. */
export type Unsubscribe = () => void;

/** NatsLink is a live NATS connection and its state. */
export class NatsLink {
  private up = true;
  private readonly reconnectListeners: (() => void)[] = [];
  private readonly js: JetStreamClient;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly log: Logger,
  ) {
    this.js = jetstream(nc);
    void this.watchStatus();
  }

  /** connect connects, retrying with backoff until it succeeds or signal aborts. */
  static async connect(opts: NatsLinkOptions): Promise<NatsLink> {
    const log = opts.logger.child({ component: 'nats' });
    const servers = opts.natsUrl.split(',').map((s) => s.trim()).filter(Boolean);
    const nc = await retryUntilSuccess(
      () => connect({ servers, name: opts.name, maxReconnectAttempts: -1, reconnectTimeWait: 500 }),
      {
        signal: opts.signal,
        backoff: new Backoff({ initialMs: 200, maxMs: 5000 }),
        onError: (err, attempt, delayMs) => log[retryLogLevel(attempt)]('cannot connect to NATS, retrying', { servers, attempt, delayMs, ...errorFields(err) }),
      },
    );
    log.info('connected to NATS', { server: nc.getServer() });
    return new NatsLink(nc, log);
  }

  /** onReconnect registers a listener called after each reconnection (messages may have been missed meanwhile). */
  onReconnect(fn: () => void): void {
    this.reconnectListeners.push(fn);
  }

  /** isConnected says whether the connection is up now. */
  isConnected(): boolean {
    return this.up && !this.nc.isClosed();
  }

  /** publish sends on core NATS (fire and forget); throws when the connection is closed. */
  publish(subject: string, data: Uint8Array): void {
    this.nc.publish(subject, data);
  }

  /** request sends a request and resolves with the first reply's data. */
  async request(subject: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    const msg = await this.nc.request(subject, data, { timeout: timeoutMs });
    return msg.data;
  }

  /** subscribe calls handler with each message's data; handler errors are logged, never thrown. */
  subscribe(subject: string, handler: (data: Uint8Array, subject: string) => void): Unsubscribe {
    const sub: Subscription = this.nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err) {
          this.log.warn('subscription error', { subject, ...errorFields(err) });
          return;
        }
        try {
          handler(msg.data, msg.subject);
        } catch (e) {
          this.log.error('message handler failed', { subject, ...errorFields(e) });
        }
      },
    });
    return () => {
      if (!sub.isClosed()) sub.unsubscribe();
    };
  }

  /** serve answers each request on `subject` with what `handler` resolves to; a handler failure is logged and the requester times out. */
  serve(subject: string, handler: (data: Uint8Array) => Promise<Uint8Array>): Unsubscribe {
    const sub: Subscription = this.nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err) {
          this.log.warn('subscription error', { subject, ...errorFields(err) });
          return;
        }
        handler(msg.data).then(
          (reply) => {
            try {
              msg.respond(reply); // throws when the connection is closing or the reply is over max_payload
            } catch (e) {
              this.log.warn('cannot send a reply', { subject, bytes: reply.length, ...errorFields(e) });
            }
          },
          (e: unknown) => this.log.error('request handler failed', { subject, ...errorFields(e) }),
        );
      },
    });
    return () => {
      if (!sub.isClosed()) sub.unsubscribe();
    };
  }

  /** publishDurable publishes through JetStream with a message id (deduplicated by the stream); resolves on the PubAck. */
  async publishDurable(subject: string, data: Uint8Array, msgID: string): Promise<void> {
    if (this.nc.isClosed()) throw new UnavailableError('the NATS connection is closed');
    await this.js.publish(subject, data, { msgID, timeout: JS_PUBLISH_TIMEOUT_MS });
  }

  /** flush waits until the server has processed everything sent so far. */
  async flush(): Promise<void> {
    await this.nc.flush();
  }

  /** drain lets subscriptions and pending publishes finish, then closes the connection. */
  async drain(): Promise<void> {
    if (this.nc.isClosed() || this.nc.isDraining()) return;
    await this.nc.drain();
  }

  private async watchStatus(): Promise<void> {
    try {
      for await (const s of this.nc.status()) {
        switch (s.type) {
          case 'disconnect':
            this.up = false;
            this.log.warn('disconnected from NATS', { server: s.server });
            break;
          case 'reconnect':
            this.up = true;
            this.log.info('reconnected to NATS', { server: s.server });
            for (const fn of this.reconnectListeners) {
              try {
                fn();
              } catch (err) {
                this.log.error('reconnect listener failed', errorFields(err));
              }
            }
            break;
          case 'error':
            this.log.warn('NATS error', errorFields(s.error));
            break;
          case 'close':
            this.up = false;
            break;
          default:
            break;
        }
      }
    } catch (err) {
      this.log.warn('NATS status watch ended', errorFields(err));
    }
  }
}
