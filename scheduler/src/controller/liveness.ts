/**
 * Periodic liveness check: Ready → NotReady → Lost by heartbeat age. Pods on a
 * Lost node fail with reason NodeLost. While the scheduler itself cannot reach
 * NATS it judges nobody: it cannot tell a dead node from its own outage.
 */
import { nextNodeState } from '../core/liveness.js';
import type { SchedulerContext } from '../context.js';
import { pushDesired } from './notify.js';
import { failPodsOn } from './pod-status.js';

/** checkLiveness updates node states; `transportUp` false postpones every verdict. */
export function checkLiveness(ctx: SchedulerContext, transportUp: boolean): void {
  const now = ctx.clock.now();
  if (!transportUp) ctx.transportLastDownMs = now;
  for (const rec of ctx.store.allNodes()) {
    const node = rec.node;
    if (!transportUp) continue;
    // Silence that fell inside the scheduler's own outage proves nothing: count from when it could hear again.
    const heardFrom = Math.max(node.lastHeartbeatMs, ctx.transportLastDownMs);
    const next = nextNodeState(node.state, heardFrom, now, ctx.settings);
    if (next === node.state) continue;
    ctx.log.warn('node state changed', { node: node.name, from: node.state, to: next, sinceHeartbeatMs: now - node.lastHeartbeatMs });
    node.state = next;
    if (next === 'NODE_STATE_LOST') {
      failPodsOn(ctx, node.name, 'NodeLost', `node ${node.name} sent no heartbeat for ${Math.round(ctx.settings.nodeLostTimeoutMs / 1000)}s`, now);
      // A Lost node's pods are presumed gone (it must register again); pods held back for them may start elsewhere.
      const released = ctx.store.setLingeringKeys(node.name, new Map());
      if (released.length > 0) pushDesired(ctx, ctx.store.bumpRevisions(ctx.store.nodesWaitingOn(released)));
    }
  }
}
