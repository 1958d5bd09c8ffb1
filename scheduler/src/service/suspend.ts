/**
 * Suspend and resume (JobSet's spec.suspend). Suspending stops every pod and
 * releases the JobSet's nodes (capacity is held until the pods have exited),
 * resets the Jobs' activeDeadlineSeconds timers and keeps the status and the
 * counters; the JobSet stays Pending with reason Suspended. Resuming sends it
 * back through the queue: it is admitted again as a whole, possibly elsewhere.
 */
import { MusterError, NotFoundError } from '../../../shared/src/errors.js';
import { isTerminalJobSet } from '../../../shared/src/phases.js';
import type { JobSet, JobSetStatus } from '../../../shared/src/proto/types.js';
import type { SchedulerContext } from '../context.js';
import { announce, pushDesired } from '../controller/notify.js';
import { countByReplicatedJob, setCondition } from '../core/jobset-status.js';
import { requeuedStatus, withHistory, withoutRunning } from '../core/lifecycle.js';
import { isActive, type JobSetRecord } from '../store/store.js';

function mustBeUnfinished(rec: JobSetRecord | undefined, name: string, verb: string): JobSetRecord {
  if (!rec) throw new NotFoundError('jobset', name);
  const phase = rec.jobset.status!.phase;
  if (isTerminalJobSet(phase)) throw new MusterError('FAILED_PRECONDITION', `jobset "${name}" has finished; a finished JobSet cannot be ${verb}`);
  return rec;
}

/** suspendJobSet suspends a JobSet (idempotent). */
export function suspendJobSet(ctx: SchedulerContext, name: string): JobSet {
  const rec = mustBeUnfinished(ctx.store.getJobSet(name), name, 'suspended');
  if (rec.jobset.spec!.suspend) return rec.jobset;
  const now = ctx.clock.now();
  const next = structuredClone(rec.jobset);
  next.spec!.suspend = true;
  const wasActive = isActive(rec.jobset);
  const message = wasActive ? 'suspended: pods stopped, nodes released' : 'suspended before admission';
  let status = wasActive ? requeuedStatus(next.status!) : { ...next.status! };
  status = { ...status, reason: 'Suspended', message, updatedMs: now };
  status.conditions = setCondition(withoutRunning(status.conditions, 'Suspended', message, now), { type: 'Suspended', status: 'True', reason: 'JobSetSuspended', message, lastTransitionMs: now });
  status.replicatedJobs = wasActive
    ? countByReplicatedJob({ ...next, status })
    : status.replicatedJobs.map((r) => ({ ...r, suspendedJobs: r.suspendedJobs + r.activeJobs, activeJobs: 0 }));
  status = withHistory(status, [{ type: 'Suspended', message }], now);
  next.status = status;
  const nodes = wasActive ? [...new Set(rec.placement?.pods.map((p) => p.node) ?? [])] : [];
  const bumped = ctx.store.commit([{ ...rec, jobset: next, placement: null }], nodes);
  pushDesired(ctx, bumped);
  announce(ctx, next);
  ctx.log.info('jobset suspended', { jobset: name, stoppedPods: rec.jobset.status!.pods.filter((p) => p.phase === 'POD_PHASE_RUNNING').length });
  if (bumped.length > 0) ctx.requestCycle('capacity freed');
  return next;
}

/** resumeJobSet lets a suspended JobSet be admitted again (idempotent). */
export function resumeJobSet(ctx: SchedulerContext, name: string): JobSet {
  const rec = mustBeUnfinished(ctx.store.getJobSet(name), name, 'resumed');
  if (!rec.jobset.spec!.suspend) return rec.jobset;
  const now = ctx.clock.now();
  const next = structuredClone(rec.jobset);
  next.spec!.suspend = false;
  const message = 'resumed: waiting for admission';
  // Resuming clears waitForPodsReady's eviction count and back-off (Kueue resets requeueState on reactivation).
  let status: JobSetStatus = { ...next.status!, reason: 'Queued', message, updatedMs: now, requeueState: null };
  status.conditions = setCondition(status.conditions, { type: 'Suspended', status: 'False', reason: 'JobSetResumed', message, lastTransitionMs: now });
  status.replicatedJobs = status.replicatedJobs.map((r) => ({ ...r, activeJobs: r.activeJobs + r.suspendedJobs, suspendedJobs: 0 }));
  status = withHistory(status, [{ type: 'Resumed', message }], now);
  next.status = status;
  ctx.store.commit([{ ...rec, jobset: next }], []);
  announce(ctx, next);
  ctx.log.info('jobset resumed', { jobset: name });
  ctx.requestCycle('resumed');
  return next;
}
