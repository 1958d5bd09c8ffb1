/** Pod lifecycle events from JetStream: events of an older node epoch are dropped (fencing). */
import type { PodEvent } from '../../../shared/src/proto/types.js';
import type { SchedulerContext } from '../context.js';
import { applyPodReports } from './pod-status.js';

/** handlePodEvent applies one decoded pod event. */
export function handlePodEvent(ctx: SchedulerContext, ev: PodEvent): void {
  const rec = ctx.store.getNode(ev.node);
  if (!rec || ev.epoch !== rec.node.epoch || !ev.pod) {
    ctx.log.debug('pod event of an old epoch dropped', { node: ev.node, epoch: ev.epoch, current: rec?.node.epoch, podId: ev.pod?.podId });
    return;
  }
  applyPodReports(ctx, ev.node, [ev.pod]);
}
