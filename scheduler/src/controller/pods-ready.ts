/** Evicting admitted JobSets whose pods are not all running in time (core/pods-ready.ts decides). */
import { errorFields } from '../../../shared/src/logger.js';
import type { SchedulerContext } from '../context.js';
import { evictForPodsReady, podsReadyOverdue } from '../core/pods-ready.js';
import { commitEvicted } from './evict.js';

/**
 * evictUnready evicts every overdue JobSet (requeued after its back-off, or
 * suspended past the limit); never throws. Time the scheduler could not hear
 * from agents (warm-up after a start, its own NATS outage) does not count.
 */
export function evictUnready(ctx: SchedulerContext): void {
  const s = ctx.settings.podsReady;
  if (s.timeoutMs <= 0) return;
  // Right after a start, or while NATS is out, pods' states are not known: no one is judged on them.
  if (ctx.holdScheduling()) return;
  try {
    const now = ctx.clock.now();
    for (const rec of ctx.store.allJobSets()) {
      if (!podsReadyOverdue(rec.jobset, now, s, ctx.transportLastDownMs)) continue;
      const next = structuredClone(rec.jobset);
      const ev = evictForPodsReady(next, now, s);
      next.status = ev.status;
      if (ev.suspend) next.spec!.suspend = true;
      commitEvicted(ctx, rec, next);
      ctx.metrics.evicted.inc({ reason: 'PodsReadyTimeout' });
      ctx.log.warn('jobset evicted: pods not ready in time', { jobset: rec.jobset.metadata!.name, reason: ev.status.reason, evictions: ev.status.requeueState?.count, requeueAtMs: ev.status.requeueState?.requeueAtMs });
    }
  } catch (err) {
    ctx.log.error('waitForPodsReady check failed', errorFields(err));
  }
}
