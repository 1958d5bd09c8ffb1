/**
 * Heartbeats: liveness, lagging desired documents, and the pod set each agent
 * reports. A heartbeat from an unknown node, an old epoch or a Lost node is
 * answered with a desired document of another epoch, which tells the agent to
 * register again (DESIGN §3: node epochs).
 */
import type { Heartbeat } from '../../../shared/src/proto/types.js';
import type { SchedulerContext } from '../context.js';
import { pushDesired } from './notify.js';
import { applyPodReports } from './pod-status.js';

/** handleHeartbeat applies one decoded heartbeat. */
export function handleHeartbeat(ctx: SchedulerContext, hb: Heartbeat): void {
  const now = ctx.clock.now();
  const rec = ctx.store.getNode(hb.node);
  const resendAfter = Math.max(1000, ctx.settings.heartbeatIntervalMs);
  if (!rec || hb.epoch !== rec.node.epoch || rec.node.state === 'NODE_STATE_LOST') {
    if (now - (ctx.reRegisterAsked.get(hb.node) ?? 0) < resendAfter * 5) return;
    ctx.reRegisterAsked.set(hb.node, now);
    const why = !rec ? 'unknown node' : rec.node.state === 'NODE_STATE_LOST' ? 'node was declared Lost' : `epoch ${hb.epoch} is not current (${rec.node.epoch})`;
    ctx.log.warn('heartbeat from a node that must register again', { node: hb.node, epoch: hb.epoch, why });
    const epoch = rec && rec.node.state !== 'NODE_STATE_LOST' ? rec.node.epoch : 0;
    ctx.out.publishDesired({ node: hb.node, epoch, revision: 0, pods: [] });
    return;
  }
  rec.node.lastHeartbeatMs = now;
  rec.reportedRevision = hb.desiredRevision;
  if (rec.node.state === 'NODE_STATE_NOT_READY') {
    rec.node.state = 'NODE_STATE_READY';
    ctx.log.info('node ready', { node: hb.node });
    ctx.requestCycle('node ready');
  }
  if (hb.desiredRevision < rec.revision && now - rec.lastPushMs >= resendAfter) {
    ctx.log.debug('agent lags its desired document; resending', { node: hb.node, has: hb.desiredRevision, current: rec.revision });
    pushDesired(ctx, [hb.node]);
  }
  applyPodReports(ctx, hb.node, hb.pods);
}
