/**
 * The JobSet operations behind the user API: submit (validate, default,
 * persist, queue), get, list, delete. Transport-free: gRPC handlers call these.
 */
import { randomUUID } from 'node:crypto';
import { AlreadyExistsError, InvalidArgumentError, MusterError, NotFoundError, type FieldIssue } from '../../../shared/src/errors.js';
import { isTerminalJobSet, parseJobSetPhase } from '../../../shared/src/phases.js';
import type { JobSet, JobSetMeta, JobSetSpec } from '../../../shared/src/proto/types.js';
import { MAX_LABELS, validateJobSet, withDefaults } from '../../../shared/src/spec/validate.js';
import type { SchedulerContext } from '../context.js';
import { submitRefusal } from './queue-access.js';
import { announce, pushDesired } from '../controller/notify.js';
import { isActive } from '../store/store.js';

/** SubmitInput is a decoded SubmitJobSetRequest. */
export interface SubmitInput {
  metadata: JobSetMeta | null;
  spec: JobSetSpec | null;
}

/** submitJobSet validates and stores a JobSet; it waits for the next cycle. */
export function submitJobSet(ctx: SchedulerContext, req: SubmitInput): JobSet {
  const name = req.metadata?.name ?? '';
  const issues = validateJobSet(name, req.spec);
  if (Object.keys(req.metadata?.labels ?? {}).length > MAX_LABELS) issues.push({ path: 'metadata.labels', message: `at most ${MAX_LABELS} labels` });
  for (const [k, v] of Object.entries(req.metadata?.labels ?? {}))
    if (k.length === 0 || k.length > 253 || v.length > 63) issues.push({ path: `metadata.labels.${k}`, message: 'label keys are 1-253 characters, values at most 63' });
  const pc = req.spec?.priorityClass ?? '';
  if (pc && !ctx.objects.list('PriorityClass').some((c) => c.metadata!.name === pc))
    issues.push({ path: 'spec.priorityClass', message: `no PriorityClass named "${pc}" (muster priorityclasses lists them; muster apply creates one)` });
  issues.push(...placementIssues(req.spec?.placement, ctx.settings.topologyLevels ?? []));
  (req.spec?.replicatedJobs ?? []).forEach((rj, i) => issues.push(...placementIssues(rj.placement, ctx.settings.topologyLevels ?? [], `spec.replicatedJobs[${i}].placement`, podsOf(rj))));
  if (issues.length > 0) throw new InvalidArgumentError(issues, 'invalid JobSet');
  if (ctx.store.getJobSet(name)) throw new AlreadyExistsError('jobset', name);
  // A JobSet naming no queue goes to the configured default queue, when there is one.
  const queue = req.spec!.queue || ctx.settings.defaultQueue || '';
  const user = req.metadata?.user || 'unknown';
  const refused = submitRefusal(ctx.objects.list('Queue').find((q) => q.metadata!.name === queue), user, ctx.groupsOf);
  if (refused) throw new MusterError('PERMISSION_DENIED', `spec.queue: ${refused}`);
  const now = ctx.clock.now();
  const jobset: JobSet = {
    metadata: {
      name,
      labels: req.metadata?.labels ?? {},
      uid: randomUUID(),
      createdMs: now,
      user,
      userVerified: false,
      submitDir: req.metadata?.submitDir ?? '',
    },
    spec: withDefaults({ ...req.spec!, queue }),
    status: {
      phase: 'JOB_SET_PHASE_PENDING', reason: 'Queued', message: 'waiting for the next scheduling cycle', restarts: 0,
      admittedMs: 0, startedMs: 0, finishedMs: 0, replicatedJobs: [], pods: [], conditions: [], failedPod: '', coordinatorPort: 0, updatedMs: now,
      restartsCountTowardsMax: 0, terminalState: '', jobs: [], startedReplicatedJobs: [], history: [], admission: null,
      requeueState: null, lostRequeues: 0,
    },
  };
  // Before admission every pod of the gang is pending (counted before the insert, so they are persisted too).
  jobset.status!.replicatedJobs = jobset.spec!.replicatedJobs.map((rj) => {
    const pods = (rj.replicas ?? 1) * (rj.template?.parallelism ?? 1);
    const jobs = rj.replicas ?? 1;
    const suspended = req.spec!.suspend ? jobs : 0;
    return { name: rj.name, pods, pending: pods, running: 0, succeeded: 0, failed: 0, readyJobs: 0, activeJobs: jobs - suspended, succeededJobs: 0, failedJobs: 0, suspendedJobs: suspended };
  });
  const st = jobset.status!;
  if (jobset.spec!.suspend) {
    st.reason = 'Suspended';
    st.message = 'submitted suspended: admitted once resumed';
    st.conditions = [{ type: 'Suspended', status: 'True', reason: 'JobSetSuspended', message: st.message, lastTransitionMs: now }];
  }
  st.history = [{ timeMs: now, type: 'Submitted', message: `submitted by ${jobset.metadata!.user}${jobset.spec!.suspend ? ', suspended' : ''}` }];
  const rec = ctx.store.insertJobSet(jobset);
  ctx.log.info('jobset submitted', { jobset: name, pods: rec.gang.length, user: jobset.metadata!.user });
  announce(ctx, jobset);
  ctx.requestCycle('submitted');
  return jobset;
}

/** getJobSet returns one JobSet or throws NotFoundError. */
export function getJobSet(ctx: SchedulerContext, name: string): JobSet {
  const rec = ctx.store.getJobSet(name);
  if (!rec) throw new NotFoundError('jobset', name);
  return rec.jobset;
}

/** listJobSets returns JobSets newest first, optionally of one phase; without `withPods` each status omits its pod list. */
export function listJobSets(ctx: SchedulerContext, phase: string, limit: number, withPods = false): JobSet[] {
  let want: ReturnType<typeof parseJobSetPhase>;
  if (phase) {
    want = parseJobSetPhase(phase);
    if (!want) throw new InvalidArgumentError([{ path: 'phase', message: 'must be Pending, Admitted, Running, Succeeded or Failed' }]);
  }
  if (limit < 0) throw new InvalidArgumentError([{ path: 'limit', message: 'must be ≥ 0' }]);
  const all = ctx.store
    .allJobSets()
    .map((r) => r.jobset)
    .filter((j) => !want || j.status!.phase === want)
    .sort((a, b) => b.metadata!.createdMs - a.metadata!.createdMs);
  const page = limit > 0 ? all.slice(0, limit) : all;
  return withPods ? page : page.map((j) => ({ ...j, status: { ...j.status!, pods: [], history: [] } }));
}

/** deleteJobSet removes a JobSet; agents stop its pods when their desired documents drop them. */
export function deleteJobSet(ctx: SchedulerContext, name: string): { name: string; stoppedPods: number } {
  const rec = ctx.store.getJobSet(name);
  if (!rec) throw new NotFoundError('jobset', name);
  const stoppedPods = isActive(rec.jobset) ? rec.jobset.status!.pods.filter((p) => p.phase === 'POD_PHASE_RUNNING').length : 0;
  const bumped = ctx.store.deleteJobSet(name);
  pushDesired(ctx, bumped);
  ctx.hub.publish(name, undefined);
  ctx.log.info('jobset deleted', { jobset: name, stoppedPods, wasFinished: isTerminalJobSet(rec.jobset.status!.phase) });
  if (bumped.length > 0) ctx.requestCycle('capacity freed');
  return { name, stoppedPods };
}

/** podsOf counts a replicatedJob's pods: replicas × parallelism, defaulted as withDefaults does (parallelism from completions, else 1). */
function podsOf(rj: NonNullable<JobSetSpec['replicatedJobs']>[number]): number {
  return (rj.replicas ?? 1) * (rj.template?.parallelism ?? rj.template?.completions ?? 1);
}

/**
 * placementIssues checks a placement (spec.placement, or a replicatedJob's
 * with its pod count) against the cluster's topology levels: one of required
 * or preferred, known levels, slices only on a replicatedJob and dividing it,
 * exclusive Jobs alone.
 */
function placementIssues(p: JobSetSpec['placement'] | undefined, levels: readonly string[], at = 'spec.placement', pods?: number): FieldIssue[] {
  const out: FieldIssue[] = [];
  if (!p) return out;
  if (p.required && p.preferred) out.push({ path: at, message: 'set required or preferred, not both' });
  const known = ['hostname', ...levels];
  for (const f of ['required', 'preferred', 'exclusive', 'sliceRequired'] as const) {
    const v = p[f];
    if (v && !known.includes(v)) out.push({ path: `${at}.${f}`, message: `must be a topology level of this cluster: ${known.join(', ')}` });
  }
  const size = p.sliceSize ?? 0;
  if (pods === undefined) {
    if (p.sliceRequired || size !== 0) out.push({ path: `${at}.sliceRequired`, message: 'slices are set on a replicatedJob (spec.replicatedJobs[].placement)' });
    return out;
  }
  if (p.sliceRequired && !(size >= 1)) out.push({ path: `${at}.sliceSize`, message: 'must be at least 1 with sliceRequired' });
  if (!p.sliceRequired && size !== 0) out.push({ path: `${at}.sliceRequired`, message: 'must name a topology level when sliceSize is set' });
  if (p.sliceRequired && size >= 1 && pods % size !== 0) out.push({ path: `${at}.sliceSize`, message: `must divide the replicatedJob's ${pods} pods` });
  if (p.exclusive && (p.required || p.preferred || p.sliceRequired)) out.push({ path: `${at}.exclusive`, message: 'each Job gets a domain of its own: set it alone (no required, preferred or slices)' });
  return out;
}
