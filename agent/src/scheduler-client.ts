/**
 * The agent's gRPC client of the scheduler's AgentService: Register with a
 * 5 s deadline per call, retried with backoff until it succeeds or the agent
 * shuts down.
 */
import * as grpc from '@grpc/grpc-js';
import { fromGrpcError, type MusterError } from '../../shared/src/errors.js';
import { errorFields, type Logger } from '../../shared/src/logger.js';
import { loadGrpc } from '../../shared/src/proto/load.js';
import type { AgentServiceClient, RegisterRequestInput, RegisterResponse } from '../../shared/src/proto/types.js';
import { Backoff, retryLogLevel, retryUntilSuccess } from './backoff.js';

/** REGISTER_DEADLINE_MS bounds one Register call. */
export const REGISTER_DEADLINE_MS = 5000;

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

  /** register retries Register with backoff (200 ms doubling to 5 s, jittered) until it succeeds. */
  register(req: RegisterRequestInput, signal: AbortSignal): Promise<RegisterResponse> {
    return retryUntilSuccess(() => this.registerOnce(req), {
      signal,
      backoff: new Backoff({ initialMs: 200, maxMs: 5000 }),
      onError: (err, attempt, delayMs) => {
        const e = err as MusterError;
        // Unavailable is expected while the scheduler starts (said once, then every tenth attempt); anything else needs a person.
        const level = e.retryable ? retryLogLevel(attempt) : 'error';
        this.log[level]('register failed, retrying', { attempt, delayMs, code: e.code, ...errorFields(err) });
      },
    });
  }

  /** close releases the channel. */
  close(): void {
    this.client.close();
  }
}
