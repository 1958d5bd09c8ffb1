/** Removing finished JobSets whose time is up (core/ttl.ts decides which). */
import { errorFields } from '../../../shared/src/logger.js';
import type { SchedulerContext } from '../context.js';
import { expiredJobSets } from '../core/ttl.js';
import { deleteJobSet } from '../service/jobsets.js';

/** removeExpired deletes every expired finished JobSet; never throws. */
export function removeExpired(ctx: SchedulerContext, defaultRetentionMs: number): void {
  try {
    const names = expiredJobSets(
      ctx.store.allJobSets().map((r) => r.jobset),
      ctx.clock.now(),
      defaultRetentionMs,
    );
    for (const name of names) {
      deleteJobSet(ctx, name);
      ctx.log.info('finished jobset removed after its TTL', { jobset: name });
    }
  } catch (err) {
    ctx.log.error('removing finished jobsets failed', errorFields(err));
  }
}
