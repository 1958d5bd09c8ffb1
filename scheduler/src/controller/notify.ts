/**
 * After a commit: push the desired documents of the nodes whose revision
 * moved, announce JobSet changes on NATS and to watchers. Called only after
 * the store committed (persist first, then tell).
 */
import type { JobSet, NodeDesired } from '../../../shared/src/proto/types.js';
import { errorFields } from '../../../shared/src/logger.js';
import type { SchedulerContext } from '../context.js';

/** desiredFor builds a node's whole desired document from the store: its pods and, once per JobSet, the hostfile. */
export function desiredFor(ctx: SchedulerContext, node: string): NodeDesired {
  const rec = ctx.store.getNode(node);
  const pods = rec ? ctx.store.assignmentsFor(node, ctx.clock.now()) : [];
  const uids = new Set(pods.map((p) => p.jobsetUid));
  const hostfiles = [...uids].map((uid) => ({ jobsetUid: uid, hosts: ctx.store.hostsOf(uid) }));
  return { node, epoch: rec?.node.epoch ?? 0, revision: rec?.revision ?? 0, pods, hostfiles };
}

/**
 * pushDesired publishes the desired documents of `nodes`. A document that
 * cannot be sent (e.g. larger than the NATS max_payload) is logged with its
 * size and the node keeps its previous one; it never breaks the caller.
 */
export function pushDesired(ctx: SchedulerContext, nodes: Iterable<string>): void {
  const now = ctx.clock.now();
  for (const n of nodes) {
    const rec = ctx.store.getNode(n);
    if (!rec) continue;
    rec.lastPushMs = now;
    const doc = desiredFor(ctx, n);
    try {
      ctx.out.publishDesired(doc);
    } catch (err) {
      ctx.log.error('desired document not sent', { node: n, revision: doc.revision, pods: doc.pods.length, bytes: JSON.stringify(doc).length, ...errorFields(err) });
    }
  }
}

/** announce tells NATS subscribers and gRPC watchers that a JobSet changed. */
export function announce(ctx: SchedulerContext, jobset: JobSet): void {
  const s = jobset.status!;
  try {
    ctx.out.publishJobSetEvent({ name: jobset.metadata!.name, phase: s.phase, reason: s.reason, message: s.message, timeMs: ctx.clock.now() });
  } catch (err) {
    ctx.log.warn('jobset event not published', { jobset: jobset.metadata!.name, ...errorFields(err) });
  }
  ctx.hub.publish(jobset.metadata!.name, jobset);
}
