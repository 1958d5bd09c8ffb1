/** Committing an eviction decided by a controller: the JobSet leaves its nodes (pods stopped, capacity held until they exit) and goes back to its queue. */
import type { JobSet } from '../../../shared/src/proto/types.js';
import type { SchedulerContext } from '../context.js';
import type { JobSetRecord } from '../store/store.js';
import { announce, pushDesired } from './notify.js';

/** commitEvicted stores `next` (an evicted JobSet) without its placement, tells its nodes and watchers, and asks for a cycle. */
export function commitEvicted(ctx: SchedulerContext, rec: JobSetRecord, next: JobSet): void {
  const nodes = [...new Set(rec.placement?.pods.map((p) => p.node) ?? [])];
  const bumped = ctx.store.commit([{ ...rec, jobset: next, placement: null }], nodes);
  pushDesired(ctx, bumped);
  announce(ctx, next);
  ctx.requestCycle('capacity freed');
}
