/**
 * The scheduler's gRPC server: SchedulerService, AgentService and the
 * standard grpc.health.v1 service, bound to `listen` (port 0 = any free port).
 */
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { loadGrpc } from '../../../shared/src/proto/load.js';
import type { SchedulerContext } from '../context.js';
import { agentServiceHandlers } from './agent-service.js';
import { schedulerServiceHandlers } from './scheduler-service.js';

/** MAX_MESSAGE_BYTES bounds one request (a JobSet spec is far smaller). */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** GrpcServerHandle is a started server. */
export interface GrpcServerHandle {
  /** address is host:port actually bound. */
  address: string;
  health: HealthImplementation;
  /** shutdown stops accepting calls and waits (up to graceMs) for running ones. */
  shutdown(graceMs: number): Promise<void>;
}

/** startGrpcServer binds and starts the server. */
export async function startGrpcServer(ctx: SchedulerContext, listen: string): Promise<GrpcServerHandle> {
  const proto = loadGrpc();
  const server = new grpc.Server({ 'grpc.max_receive_message_length': MAX_MESSAGE_BYTES, 'grpc.keepalive_permit_without_calls': 1 });
  server.addService(proto.muster.v1.SchedulerService.service, schedulerServiceHandlers(ctx));
  server.addService(proto.muster.v1.AgentService.service, agentServiceHandlers(ctx));
  const health = new HealthImplementation({ '': 'SERVING', 'muster.v1.SchedulerService': 'SERVING', 'muster.v1.AgentService': 'SERVING' });
  health.addToServer(server);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(listen, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });
  const host = listen.slice(0, listen.lastIndexOf(':'));
  return {
    address: `${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`,
    health,
    shutdown: (graceMs) =>
      new Promise<void>((resolve) => {
        health.setStatus('', 'NOT_SERVING');
        const t = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(t);
          resolve();
        });
      }),
  };
}
