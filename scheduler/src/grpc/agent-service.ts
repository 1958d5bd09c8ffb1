/** gRPC handlers of muster.v1.AgentService (what agents call). */
import type { AgentServiceHandlers } from '../../../shared/src/proto/types.js';
import type { SchedulerContext } from '../context.js';
import { registerNode } from '../service/nodes.js';
import { unary } from './handlers.js';

/** agentServiceHandlers binds the agent API to a scheduler context. */
export function agentServiceHandlers(ctx: SchedulerContext): AgentServiceHandlers {
  const log = ctx.log.child({ component: 'grpc' });
  return { Register: unary(log, 'Register', (req) => registerNode(ctx, req)) };
}
