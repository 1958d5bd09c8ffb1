/**
 * The agent's gRPC client of the scheduler's AgentService: Register with a
 * 5 s deadline per call, retried with backoff until it succeeds or the agent
 * shuts down.
 *
 * ALREADY_EXISTS means another live agent instance holds this node name: two
 * hosts are configured with the same name. That needs a person, so it is
 * logged as an error saying so — and the agent keeps trying (with backoff, up
 * to 30 s apart), since the other host may be renamed or stopped.
 */
import * as grpc from '@grpc/grpc-js';
import { fromGrpcError, type MusterError } from '../../shared/src/errors.js';
import { errorFields, type Logger } from '../../shared/src/logger.js';
import { loadGrpc } from '../../shared/src/proto/load.js';
import type { AgentServiceClient, RegisterRequestInput, RegisterResponse } from '../../shared/src/proto/types.js';
import { AbortedError, Backoff, isAborted, retryLogLevel, sleep } from './backoff.js';

/** REGISTER_DEADLINE_MS bounds one Register call. */
export const REGISTER_DEADLINE_MS = 5000;

/** NAME_CONFLICT_MAX_DELAY_MS is the longest wait between Registers refused because another instance holds the node name. */
export const NAME_CONFLICT_MAX_DELAY_MS = 30_000;

/** RegisterRetryOptions configure registerWithRetry. */
export interface RegisterRetryOptions {
  signal: AbortSignal;
  log: Logger;
  /** Delays between ordinary failures (default 200 ms doubling to 5 s, jittered). */
  backoff?: Backoff;
  /** Delays between refusals for a name conflict (default 1 s doubling to 30 s, jittered). */
  conflictBackoff?: Backoff;
}

/**
 * registerWithRetry calls `once` until it succeeds; rejects with AbortedError
 * when signal aborts. A name conflict (ALREADY_EXISTS) is logged as an error
 * naming the problem (the first time and every tenth), and retried more slowly.
 */
export async function registerWithRetry(
  req: RegisterRequestInput,
  once: (req: RegisterRequestInput) => Promise<RegisterResponse>,
  opts: RegisterRetryOptions,
): Promise<RegisterResponse> {
  const backoff = opts.backoff ?? new Backoff({ initialMs: 200, maxMs: 5000 });
  const conflictBackoff = opts.conflictBackoff ?? new Backoff({ initialMs: 1000, maxMs: NAME_CONFLICT_MAX_DELAY_MS });
  let conflicts = 0;
  for (let attempt = 1; ; attempt++) {
    if (opts.signal.aborted) throw new AbortedError();
    let delayMs: number;
    try {
      const res = await once(req);
      if (conflicts > 0) opts.log.info('registered after the node name conflict ended', { node: req.nodeName, refusals: conflicts });
      return res;
    } catch (err) {
      if (isAborted(err) || opts.signal.aborted) throw new AbortedError();
      const e = err as MusterError;
      if (e.code === 'ALREADY_EXISTS') {
        conflicts++;
        delayMs = conflictBackoff.next();
        const level = conflicts === 1 || conflicts % 10 === 0 ? 'error' : 'debug';
        opts.log[level](
          `two hosts use the same node name "${req.nodeName ?? ''}": the scheduler refused this agent (instance ${req.instanceId ?? '?'}) because another live agent instance holds that name (${e.message}); give each host its own --node-name. Still retrying`,
          { node: req.nodeName, instanceId: req.instanceId, refusals: conflicts, delayMs, code: e.code, ...errorFields(err) },
        );
      } else {
        delayMs = backoff.next();
        // Unavailable is expected while the scheduler starts (said once, then every tenth attempt); anything else needs a person.
        const level = e.retryable ? retryLogLevel(attempt) : 'error';
        opts.log[level]('register failed, retrying', { attempt, delayMs, code: e.code, ...errorFields(err) });
      }
    }
    await sleep(delayMs, opts.signal);
  }
}

/** Registrar is what the agent needs from the scheduler (a fake in tests). */
export interface Registrar {
  /** register calls Register until it succeeds; rejects with AbortedError when signal aborts. */
  register(req: RegisterRequestInput, signal: AbortSignal): Promise<RegisterResponse>;
}

/** SchedulerClient talks gRPC to muster-scheduler. */
export class SchedulerClient implements Registrar {
  private readonly client: AgentServiceClient;
  private readonly log: Logger;

  constructor(
    readonly address: string,
    logger: Logger,
    credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure(),
  ) {
    const { AgentService } = loadGrpc().muster.v1;
    this.client = new AgentService(address, credentials);
    this.log = logger.child({ component: 'scheduler-client', scheduler: address });
  }

  /** registerOnce makes one Register call; rejects with a MusterError. */
  registerOnce(req: RegisterRequestInput): Promise<RegisterResponse> {
    return new Promise((resolve, reject) => {
      this.client.Register(req, { deadline: Date.now() + REGISTER_DEADLINE_MS }, (err, res) => {
        if (err) reject(fromGrpcError(err));
        else if (!res) reject(fromGrpcError(new Error('empty Register response')));
        else resolve(res);
      });
    });
  }

  /** register retries Register with backoff until it succeeds (see registerWithRetry). */
  register(req: RegisterRequestInput, signal: AbortSignal): Promise<RegisterResponse> {
    return registerWithRetry(req, (r) => this.registerOnce(r), { signal, log: this.log });
  }

  /** close releases the channel. */
  close(): void {
    this.client.close();
  }
}
