/**
 * Applying a cycle's preemptions: each victim is evicted back to its queue as
 * a suspend would (every pod stopped with a new generation, its nodes
 * released once the pods have exited, its quota given back at once), with
 * reason Preempted and a Preempted condition naming the rule (InQueue,
 * InCohortReclamation, InCohortReclaimWhileBorrowing) and who took its place.
 * Preemption is not a failure: no restart or failure counter moves.
 */
import { evictedStatus } from '../core/evict.js';
import type { Preemption } from '../core/types.js';
import type { SchedulerContext } from '../context.js';
import { isActive, type JobSetRecord } from '../store/store.js';

/** Eviction is a preempted JobSet's new record and the nodes whose desired documents change. */
export interface Eviction {
  record: JobSetRecord;
  nodes: string[];
}

/**
 * evictForPreemption builds the evicted record of a victim, or undefined when
 * it no longer runs through a queue (it finished, was deleted or suspended
 * since the snapshot: nothing to preempt).
 */
export function evictForPreemption(ctx: SchedulerContext, p: Preemption, now: number): Eviction | undefined {
  const rec = ctx.store.getJobSet(p.jobset);
  if (!rec || !isActive(rec.jobset) || !rec.jobset.status!.admission) return undefined;
  const next = structuredClone(rec.jobset);
  next.status = evictedStatus(next, now, { reason: 'Preempted', message: p.message, condition: { type: 'Preempted', reason: p.reason }, event: 'Preempted' });
  return { record: { ...rec, jobset: next, placement: null }, nodes: [...new Set(rec.placement?.pods.map((x) => x.node) ?? [])] };
}
