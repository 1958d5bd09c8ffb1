/**
 * After a commit: push the desired documents of the nodes whose revision
 * moved, announce JobSet changes on NATS and to watchers. Called only after
 * the store committed (persist first, then tell).
 */
import type { JobSet, NodeDesired } from '../../../shared/src/proto/types.js';
import type { SchedulerContext } from '../context.js';

/** desiredFor builds a node's whole desired document from the store. */
export function desiredFor(ctx: SchedulerContext, node: string): NodeDesired {
  const rec = ctx.store.getNode(node);
  return { node, epoch: rec?.node.epoch ?? 0, revision: rec?.revision ?? 0, pods: rec ? ctx.store.assignmentsFor(node) : [] };
}

/** pushDesired publishes the desired documents of `nodes`. */
export function pushDesired(ctx: SchedulerContext, nodes: Iterable<string>): void {
  const now = ctx.clock.now();
  for (const n of nodes) {
    const rec = ctx.store.getNode(n);
    if (!rec) continue;
    rec.lastPushMs = now;
    ctx.out.publishDesired(desiredFor(ctx, n));
  }
}

/** announce tells NATS subscribers and gRPC watchers that a JobSet changed. */
export function announce(ctx: SchedulerContext, jobset: JobSet): void {
  const s = jobset.status!;
  ctx.out.publishJobSetEvent({ name: jobset.metadata!.name, phase: s.phase, reason: s.reason, message: s.message, timeMs: ctx.clock.now() });
  ctx.hub.publish(jobset.metadata!.name, jobset);
}
