/**
 * Queueing objects behind the user API: apply (validate against what is
 * stored, default, persist; the whole request or nothing) and list (with
 * each queue's pending and admitted JobSets and its fair share). Transport-free.
 */
import { InvalidArgumentError } from '../../../shared/src/errors.js';
import type { QueueingObject } from '../../../shared/src/queues/document.js';
import { validateObjects, withQueueDefaults } from '../../../shared/src/queues/validate.js';
import type { ApplyObjectsRequest__Output } from '../../../shared/src/proto/generated/muster/v1/ApplyObjectsRequest.js';
import type { ApplyObjectsResponse__Output } from '../../../shared/src/proto/generated/muster/v1/ApplyObjectsResponse.js';
import type { ListQueueingResponse__Output } from '../../../shared/src/proto/generated/muster/v1/ListQueueingResponse.js';
import type { SchedulerContext } from '../context.js';
import { describeShare, FairShares } from '../core/fair-share.js';
import { buildQuotaTree } from '../core/quota.js';
import { quotaUsage } from '../snapshot.js';
import { isActive } from '../store/store.js';

/** objectsOf lists a request's objects in a fixed order (flavors, cohorts, queues, priority classes). */
function objectsOf(req: ApplyObjectsRequest__Output): QueueingObject[] {
  return [
    ...req.flavors.map((object) => ({ kind: 'ResourceFlavor' as const, object })),
    ...req.cohorts.map((object) => ({ kind: 'Cohort' as const, object })),
    ...req.queues.map((object) => ({ kind: 'Queue' as const, object: withQueueDefaults(object) })),
    ...req.priorityClasses.map((object) => ({ kind: 'PriorityClass' as const, object })),
  ];
}

/** applyObjects validates every object against the stored ones and applies them all, or none. */
export function applyObjects(ctx: SchedulerContext, req: ApplyObjectsRequest__Output): ApplyObjectsResponse__Output {
  const objects = objectsOf(req);
  if (objects.length === 0) throw new InvalidArgumentError([{ path: '', message: 'no objects to apply' }], 'nothing to apply');
  const issues = validateObjects(objects, ctx.objects.all());
  if (issues.length > 0) throw new InvalidArgumentError(issues, 'invalid queueing objects');
  const applied = ctx.objects.apply(objects, ctx.clock.now());
  const changed = applied.filter((a) => a.action !== 'unchanged');
  if (changed.length > 0) {
    ctx.log.info('queueing objects applied', { objects: changed.map((a) => `${a.kind}/${a.name} ${a.action}`) });
    ctx.requestCycle('queueing objects changed');
  }
  return { applied };
}

/**
 * listQueueing returns every queueing object and each queue's JobSet counts,
 * with its weighted fair share in its cohort (core/fair-share.ts, Kueue's
 * status.fairSharing.weightedShare) under what its admitted JobSets hold.
 */
export function listQueueing(ctx: SchedulerContext): ListQueueingResponse__Output {
  const queues = ctx.objects.list('Queue');
  const cohorts = ctx.objects.list('Cohort');
  const jobsets = ctx.store.allJobSets();
  const usage = quotaUsage(jobsets);
  const shares = new FairShares(buildQuotaTree(queues, cohorts));
  const counts = new Map(
    queues.map((q) => {
      const name = q.metadata!.name;
      const used = Object.entries(usage[name] ?? {}).flatMap(([flavor, byResource]) => Object.entries(byResource).map(([resource, n]) => ({ flavor, resource, used: n })));
      const share = shares.shareOf(usage, name);
      return [name, { queue: name, pending: 0, admitted: 0, usage: used, weightedShare: share.share, shareExplanation: describeShare(share) }];
    }),
  );
  for (const rec of jobsets) {
    const c = counts.get(rec.jobset.spec!.queue);
    if (!c) continue;
    if (rec.jobset.status!.phase === 'JOB_SET_PHASE_PENDING') c.pending++;
    else if (isActive(rec.jobset)) c.admitted++;
  }
  return {
    flavors: ctx.objects.list('ResourceFlavor'),
    queues,
    cohorts,
    priorityClasses: ctx.objects.list('PriorityClass'),
    counts: [...counts.values()],
  };
}
