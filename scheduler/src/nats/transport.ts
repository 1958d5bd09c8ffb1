/**
 * The scheduler's NATS side: publishes desired documents and JobSet events,
 * answers desired-document resync requests, consumes heartbeats (core NATS)
 * and pod events (JetStream stream MUSTER_EVENTS, durable consumer,
 * at-least-once). Every payload is validated against the proto schema; a bad
 * one is logged and dropped, never fatal.
 */
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages } from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { errorFields, type Logger } from '../../../shared/src/logger.js';
import { decodeJsonText, encodeJson } from '../../../shared/src/proto/json-codec.js';
import type { DesiredRequest, Heartbeat, JobSetEvent, NodeDesired, PodEvent, PodLogsChunk, PodLogsRequest } from '../../../shared/src/proto/types.js';
import { InvalidArgumentError, UnavailableError } from '../../../shared/src/errors.js';
import {
  DESIRED_RESYNC_SUBJECT, EVENTS_STREAM, HEARTBEAT_WILDCARD, POD_EVENTS_WILDCARD, SCHEDULER_CONSUMER,
  desiredSubject, isSubjectToken, jobsetEventSubject, nodeFromSubject, podLogsSubject,
} from '../../../shared/src/subjects.js';
import type { Outbound } from '../context.js';

/** HEARTBEAT_ACK is the reply to a heartbeat sent as a request: empty. */
const HEARTBEAT_ACK = new Uint8Array(0);

/** POD_LOGS_TIMEOUT_MS bounds one logs request to an agent. */
export const POD_LOGS_TIMEOUT_MS = 5000;

/** InboundHandlers are what the transport calls with validated payloads. */
export interface InboundHandlers {
  /** Applies a heartbeat; true when it is of the node's current epoch (a heartbeat sent as a request is then acknowledged). */
  heartbeat(hb: Heartbeat): boolean;
  /** podEvent takes one event; `settle(true)` once it is committed (ack), `settle(false)` to have it redelivered. */
  podEvent(ev: PodEvent, settle: (ok: boolean) => void): void;
  desired(req: DesiredRequest): NodeDesired;
}

/** NatsTransport is the scheduler's connection to NATS. */
export class NatsTransport implements Outbound {
  private subs: Subscription[] = [];
  private messages: ConsumerMessages | undefined;
  private connected = false;
  private closing = false;
  private consumerDone: Promise<void> | undefined;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly log: Logger,
    private readonly eventsMaxAgeMs: number,
  ) {
    this.connected = true;
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') {
          this.connected = false;
          this.log.warn('NATS disconnected');
        } else if (s.type === 'reconnect') {
          this.connected = true;
          this.log.info('NATS reconnected');
        }
      }
    })();
  }

  /** connect connects (waiting for the first connection) and ensures the events stream and durable consumer. */
  static async connect(servers: string, log: Logger, eventsMaxAgeMs: number): Promise<NatsTransport> {
    log.info('connecting to NATS', { servers });
    const started = Date.now();
    const waiting = setInterval(() => log.warn('still waiting for NATS', { servers, waitedMs: Date.now() - started }), 5000);
    let nc: NatsConnection;
    try {
      nc = await connect({ servers: servers.split(','), name: 'muster-scheduler', maxReconnectAttempts: -1, reconnectTimeWait: 500, waitOnFirstConnect: true });
    } finally {
      clearInterval(waiting);
    }
    const t = new NatsTransport(nc, log, eventsMaxAgeMs);
    try {
      await t.ensureEvents();
    } catch (err) {
      await nc.close();
      throw err;
    }
    log.info('NATS connected', { server: nc.getServer(), stream: EVENTS_STREAM });
    return t;
  }

  /** ensureEvents creates or updates the MUSTER_EVENTS stream and the scheduler's durable consumer (idempotent). */
  private async ensureEvents(): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    const cfg = { name: EVENTS_STREAM, subjects: [POD_EVENTS_WILDCARD], max_age: nanos(this.eventsMaxAgeMs), duplicate_window: nanos(Math.min(120_000, this.eventsMaxAgeMs)) };
    try {
      await jsm.streams.info(EVENTS_STREAM);
      await jsm.streams.update(EVENTS_STREAM, cfg);
    } catch {
      await jsm.streams.add(cfg);
    }
    try {
      await jsm.consumers.info(EVENTS_STREAM, SCHEDULER_CONSUMER);
    } catch {
      await jsm.consumers.add(EVENTS_STREAM, { durable_name: SCHEDULER_CONSUMER, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ack_wait: nanos(30_000), max_deliver: -1 });
    }
  }

  /** maxPayload is the largest message the server accepts (its max_payload). */
  maxPayload(): number {
    return this.nc.info?.max_payload ?? 1024 * 1024;
  }

  /** isConnected reports the scheduler's own NATS connection state. */
  isConnected(): boolean {
    return this.connected && !this.nc.isClosed();
  }

  /** publishDesired pushes a node's desired document (core NATS). */
  publishDesired(doc: NodeDesired): void {
    if (!isSubjectToken(doc.node)) return;
    this.nc.publish(desiredSubject(doc.node), encodeJson(doc));
  }

  /** publishJobSetEvent announces a JobSet change (core NATS). */
  publishJobSetEvent(ev: JobSetEvent): void {
    this.nc.publish(jobsetEventSubject(ev.name), encodeJson(ev));
  }

  /** requestPodLogs asks `node`'s agent for a chunk of a pod's output (request/reply, POD_LOGS_TIMEOUT_MS). */
  async requestPodLogs(node: string, req: PodLogsRequest): Promise<PodLogsChunk> {
    if (!isSubjectToken(node)) throw new InvalidArgumentError([{ path: 'node', message: 'is not a valid node name' }]);
    let data: Uint8Array;
    try {
      data = (await this.nc.request(podLogsSubject(node), encodeJson(req), { timeout: POD_LOGS_TIMEOUT_MS })).data;
    } catch (err) {
      throw new UnavailableError(`node ${node} did not answer for the pod's logs (its agent is down or unreachable): ${(err as Error).message}`);
    }
    const res = decodeJsonText<PodLogsChunk>('muster.v1.PodLogsChunk', data);
    if (!res.ok) throw new UnavailableError(`node ${node} answered with a malformed logs reply (${res.issues[0]?.path}: ${res.issues[0]?.message})`);
    return res.value;
  }

  /** start subscribes to heartbeats and resync requests and starts consuming pod events. */
  async start(h: InboundHandlers): Promise<void> {
    this.subs.push(
      this.nc.subscribe(HEARTBEAT_WILDCARD, {
        callback: (err, msg) => {
          if (err) return this.log.warn('heartbeat subscription error', errorFields(err));
          const node = nodeFromSubject(msg.subject);
          const res = decodeJsonText<Heartbeat>('muster.v1.Heartbeat', msg.data);
          if (!res.ok) return this.log.warn('malformed heartbeat dropped', { subject: msg.subject, issues: res.issues.slice(0, 5) });
          if (res.value.node !== node) return this.log.warn('heartbeat for another node dropped', { subject: msg.subject, node: res.value.node });
          this.guard('heartbeat', () => {
            // An agent that fences itself sends its heartbeats as requests: the empty reply says the scheduler took it, in its current epoch.
            if (h.heartbeat(res.value) && msg.reply) msg.respond(HEARTBEAT_ACK);
          });
        },
      }),
    );
    this.subs.push(
      this.nc.subscribe(DESIRED_RESYNC_SUBJECT, {
        callback: (err, msg) => {
          if (err) return this.log.warn('resync subscription error', errorFields(err));
          const res = decodeJsonText<DesiredRequest>('muster.v1.DesiredRequest', msg.data);
          if (!res.ok || !isSubjectToken(res.value.node)) return this.log.warn('malformed resync request dropped', { issues: res.ok ? [{ path: 'node', message: 'invalid' }] : res.issues.slice(0, 5) });
          this.guard('resync', () => msg.respond(encodeJson(h.desired(res.value))));
        },
      }),
    );
    this.consumerDone = this.consumeEvents(h);
  }

  /**
   * consumeEvents pulls pod events from the durable consumer until close().
   * If consuming ends or fails (consumer deleted, stream recreated, JetStream
   * unavailable), it logs why, re-ensures the stream and consumer, and resumes
   * with backoff; it never rejects.
   */
  private async consumeEvents(h: InboundHandlers): Promise<void> {
    let backoffMs = 250;
    while (!this.closing) {
      try {
        await this.ensureEvents();
        const consumer = await jetstream(this.nc).consumers.get(EVENTS_STREAM, SCHEDULER_CONSUMER);
        this.messages = await consumer.consume({ max_messages: 256 });
        backoffMs = 250;
        for await (const m of this.messages) {
          const node = nodeFromSubject(m.subject);
          const res = decodeJsonText<PodEvent>('muster.v1.PodEvent', m.data);
          if (!res.ok || res.value.node !== node) {
            this.log.warn('malformed pod event dropped', { subject: m.subject, seq: m.seq, issues: res.ok ? [{ path: 'node', message: 'does not match the subject' }] : res.issues.slice(0, 5) });
            m.term();
            continue;
          }
          const settle = (ok: boolean): void => {
            if (ok) m.ack();
            else m.nak(1000);
          };
          if (!this.guard('pod event', () => h.podEvent(res.value, settle))) settle(false);
        }
        if (!this.closing) this.log.warn('pod event consumer stopped; resuming', { stream: EVENTS_STREAM, consumer: SCHEDULER_CONSUMER });
      } catch (err) {
        if (this.closing) break;
        this.log.error('pod event consumer failed; retrying', { retryInMs: backoffMs, ...errorFields(err) });
      }
      if (this.closing) break;
      await new Promise((r) => setTimeout(r, backoffMs));
      backoffMs = Math.min(backoffMs * 2, 5000);
    }
  }

  private guard(what: string, fn: () => void): boolean {
    try {
      fn();
      return true;
    } catch (err) {
      this.log.error(`${what} handler failed`, errorFields(err));
      return false;
    }
  }

  /** close stops consuming and drains the connection. */
  async close(): Promise<void> {
    this.closing = true;
    for (const s of this.subs) s.unsubscribe();
    this.messages?.stop();
    await this.consumerDone;
    if (!this.nc.isClosed()) await this.nc.drain().catch(() => undefined);
  }
}
