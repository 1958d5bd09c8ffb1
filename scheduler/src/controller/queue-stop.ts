/**
 * stopPolicy HoldAndDrain (Kueue §3.2): a queue so stopped admits nothing
 * (the cycle sees to that) and its running JobSets are evicted back to it,
 * reason QueueStopped; they are admitted again once its stopPolicy is None.
 * Hold only stops admissions: running JobSets finish.
 */
import { errorFields } from '../../../shared/src/logger.js';
import type { SchedulerContext } from '../context.js';
import { evictedStatus } from '../core/evict.js';
import { stoppedQueues } from '../snapshot.js';
import { isActive } from '../store/store.js';
import { commitEvicted } from './evict.js';

/** drainStoppedQueues evicts every running JobSet admitted through a HoldAndDrain queue; never throws. */
export function drainStoppedQueues(ctx: SchedulerContext): void {
  try {
    const stopped = stoppedQueues(ctx.objects.list('Queue'));
    if (!Object.values(stopped).includes('HoldAndDrain')) return;
    const now = ctx.clock.now();
    for (const rec of ctx.store.allJobSets()) {
      const queue = rec.jobset.status!.admission?.queue;
      if (!queue || stopped[queue] !== 'HoldAndDrain' || !isActive(rec.jobset)) continue;
      const message = `queue ${queue} is stopped (stopPolicy HoldAndDrain): evicted back to it until its stopPolicy is None`;
      const next = structuredClone(rec.jobset);
      next.status = evictedStatus(next, now, { reason: 'QueueStopped', message, condition: { type: 'Evicted', reason: 'QueueStopped' }, event: 'Evicted' });
      commitEvicted(ctx, rec, next);
      ctx.metrics.evicted.inc({ reason: 'QueueStopped' });
      ctx.log.info('jobset evicted: its queue is draining', { jobset: rec.jobset.metadata!.name, queue });
    }
  } catch (err) {
    ctx.log.error('draining stopped queues failed', errorFields(err));
  }
}
