/**
 * The JobSet lifecycle, pure: a JobSet (spec + status with its pods as last
 * reported) and now in, the next status and what must happen out.
 *
 *   ADMITTED ──every pod started──▶ RUNNING ──success policy met──▶ SUCCEEDED
 *      ▲  │                           │
 *      │  └── a pod fails ──▶ podFailurePolicy / backoffLimit ──▶ retry the pod (new generation, same node)
 *      │                                   │
 *      │                            the Job fails ──▶ failurePolicy ──▶ FAILED
 *      │                                                 │
 *      └──── RestartJobSet InPlace / RestartJob ◀────────┤ (new generation of every pod / of the Job's pods)
 *                                                        └──▶ RestartJobSet Recreate / BlockingRecreate:
 *                                                             placement released, back to PENDING
 *
 * The first failure that decides the outcome acts at once; nothing waits for
 * the other pods to end (JobSet #928). Each pod carries its own generation: a
 * new incarnation of a pod always has a generation above every earlier one of
 * the JobSet, so agents stop the old incarnation before starting the new.
 */
import type { JobSet, JobSetStatus, JobStatus, PodStatus } from '../../../shared/src/proto/types.js';
import { DEFAULT_BACKOFF_LIMIT, chooseFailureAction, describePodFailure, judgePodFailure, type FailurePolicyChoice, type Unusable } from './failure-policy.js';
import { countByReplicatedJob, setCondition, successMet } from './jobset-status.js';
import { dependenciesOf, hasStartOrder, openReplicatedJobs, withStartupConditions } from './startup.js';

/** LifecycleEvent is one thing that happened, for logs and the JobSet's event history. */
export interface LifecycleEvent {
  type:
    | 'Submitted'
    | 'Admitted'
    | 'Suspended'
    | 'Resumed'
    | 'PodRetried'
    | 'PodFailureIgnored'
    | 'IndexFailed'
    | 'JobFailed'
    | 'JobRestarted'
    | 'JobSetRestarted'
    | 'JobSetFailed'
    | 'JobSetCompleted'
    | 'ReplicatedJobStarted'
    | 'AllPodsRunning'
    | 'Requeued'
    | 'Preempted'
    | 'Evicted';
  message: string;
}

/** LifecycleDecision is the next status and the work it implies. */
export interface LifecycleDecision {
  status: JobSetStatus;
  /** Pods given a new generation that run again where they are (retry, RestartJob, InPlace restart). */
  restartPods: string[];
  /** The placement is released: the JobSet is back in the queue (Recreate, BlockingRecreate, or InPlace on a lost node). */
  releasePlacement: boolean;
  /** Pods whose replicatedJob may now start (dependsOn / InOrder met): they join their nodes' desired documents. */
  startPods: string[];
  events: LifecycleEvent[];
}

/** MAX_HISTORY bounds the event history kept in a JobSet's status. */
export const MAX_HISTORY = 100;

/** withHistory appends events to a status's history, keeping the latest MAX_HISTORY. */
export function withHistory(status: JobSetStatus, events: readonly LifecycleEvent[], now: number): JobSetStatus {
  if (events.length === 0) return status;
  const history = [...status.history, ...events.map((e) => ({ timeMs: now, type: e.type, message: e.message }))];
  return { ...status, history: history.slice(-MAX_HISTORY) };
}

/** LifecycleContext is what the lifecycle needs besides the JobSet. */
export interface LifecycleContext {
  now: number;
  /** Nodes declared Lost: an InPlace restart cannot reuse them. */
  lostNodes?: ReadonlySet<string>;
  /** Why a pod could not run again where it is (its node Lost, or a GPU bound to it unhealthy); undefined when it can. */
  unusable?: (pod: PodStatus) => Unusable | undefined;
  /** First back-off before a retried pod starts (doubled per failure of its Job, at most MAX_RETRY_BACKOFF_MS); 0 or absent = at once. */
  retryBackoffMs?: number;
  /**
   * How many times a JobSet without a failurePolicy is placed again after
   * losing running pods with a node (nodeLossRequeueLimit); past it, the
   * next such loss fails the Job. -1 or absent = no limit.
   */
  lostRequeueLimit?: number;
}

/** MAX_RETRY_BACKOFF_MS caps the back-off of a retried pod (batch/v1: 6 minutes). */
export const MAX_RETRY_BACKOFF_MS = 6 * 60_000;

/** retryBackoff is the wait before the retry that follows the Job's n-th failure (n ≥ 1): base × 2^(n−1), capped. */
export function retryBackoff(baseMs: number, n: number): number {
  if (baseMs <= 0) return 0;
  return Math.min(MAX_RETRY_BACKOFF_MS, baseMs * 2 ** Math.min(30, Math.max(0, n - 1)));
}

/** withoutRunning turns Admitted and Running False when the JobSet goes back to the queue. */
export function withoutRunning(conds: JobSetStatus['conditions'], reason: string, message: string, now: number): JobSetStatus['conditions'] {
  let out = conds;
  for (const type of ['Admitted', 'Running'])
    if (out.some((c) => c.type === type && c.status === 'True')) out = setCondition(out, { type, status: 'False', reason, message, lastTransitionMs: now });
  return out;
}

/** jobKey is `<replicatedJob>/<jobIndex>`. */
export function jobKey(replicatedJob: string, jobIndex: number): string {
  return `${replicatedJob}/${jobIndex}`;
}

function podRef(podId: string): { job: string; podIndex: number } {
  const [, rj, j, p] = podId.split('/');
  return { job: `${rj}/${j}`, podIndex: Number(p) };
}

/** newJobStatus is a Job at the start of an attempt. */
export function newJobStatus(replicatedJob: string, jobIndex: number): JobStatus {
  return {
    replicatedJob,
    jobIndex,
    failures: 0,
    ignoredFailures: 0,
    indexFailures: [],
    failedIndexes: [],
    state: 'Active',
    failureReason: '',
    failureMessage: '',
    finishedMs: 0,
    restarts: 0,
    restartsCountTowardsMax: 0,
    startedMs: 0,
  };
}

/** jobsOf returns the JobSet's Job statuses, one per Job of the spec, keeping what is known. */
export function jobsOf(js: JobSet): JobStatus[] {
  const known = new Map((js.status?.jobs ?? []).map((j) => [jobKey(j.replicatedJob, j.jobIndex), j]));
  const out: JobStatus[] = [];
  for (const rj of js.spec!.replicatedJobs)
    for (let i = 0; i < (rj.replicas ?? 1); i++) out.push(structuredClone(known.get(jobKey(rj.name, i))) ?? newJobStatus(rj.name, i));
  return out;
}

/** resetPod is a pod's next incarnation: same node and binding, a new generation, nothing run yet. */
function resetPod(p: PodStatus, generation: number, keepNode: boolean): PodStatus {
  const { exitCode: _dropped, ...rest } = p;
  return {
    ...rest,
    generation,
    phase: 'POD_PHASE_PENDING',
    signal: '',
    reason: '',
    message: '',
    startedMs: 0,
    finishedMs: 0,
    seq: 0,
    pid: 0,
    node: keepNode ? p.node : '',
    binding: keepNode ? p.binding : null,
    notBeforeMs: 0,
  };
}

/** deadlineDue says whether some Active Job of the JobSet is past its activeDeadlineSeconds at `now` (cheap; no copy). */
export function deadlineDue(js: JobSet, now: number): boolean {
  const limits = new Map(js.spec!.replicatedJobs.map((rj) => [rj.name, rj.template?.activeDeadlineSeconds]));
  if (![...limits.values()].some((d) => d !== undefined && d !== null)) return false;
  for (const j of js.status!.jobs) {
    const d = limits.get(j.replicatedJob);
    if (j.state === 'Active' && j.startedMs > 0 && d !== undefined && d !== null && now >= j.startedMs + Number(d) * 1000) return true;
  }
  return false;
}

/**
 * requeuedStatus is a JobSet's status when its pods go back to the queue
 * without a restart (suspend): every pod gets a new generation and no node,
 * the start order begins again, every Job is Active again with its timer
 * reset; failure counters and restarts are kept.
 */
export function requeuedStatus(status: JobSetStatus): JobSetStatus {
  const nextGeneration = Math.max(0, ...status.pods.map((p) => p.generation)) + 1;
  return {
    ...status,
    phase: 'JOB_SET_PHASE_PENDING',
    pods: status.pods.map((p) => resetPod(p, nextGeneration, false)),
    // Every Job runs again from the start (failure counters kept, as batch/v1 keeps a suspended Job's).
    jobs: status.jobs.map((j) => ({ ...j, state: 'Active', failureReason: '', failureMessage: '', finishedMs: 0, startedMs: 0, failedIndexes: [] })),
    startedReplicatedJobs: [],
    coordinatorPort: 0,
    admission: null, // its quota is given back; the next admission charges it again
  };
}

/**
 * evaluateJobSet decides what a JobSet's latest pod statuses (and the clock,
 * for activeDeadlineSeconds) mean; the events are also appended to the
 * status's history. Finished or pending JobSets come back unchanged.
 */
export function evaluateJobSet(js: JobSet, ctx: LifecycleContext): LifecycleDecision {
  const d = decide(js, ctx);
  return d.events.length === 0 ? d : { ...d, status: withHistory(d.status, d.events, ctx.now) };
}

function decide(js: JobSet, ctx: LifecycleContext): LifecycleDecision {
  const before = js.status!;
  const none: LifecycleDecision = { status: before, restartPods: [], releasePlacement: false, startPods: [], events: [] };
  if (before.phase !== 'JOB_SET_PHASE_ADMITTED' && before.phase !== 'JOB_SET_PHASE_RUNNING') return none;
  const { now } = ctx;
  const spec = js.spec!;
  const status: JobSetStatus = { ...before, pods: before.pods.map((p) => ({ ...p })), jobs: jobsOf(js) };
  const events: LifecycleEvent[] = [];
  const jobs = new Map(status.jobs.map((j) => [jobKey(j.replicatedJob, j.jobIndex), j]));
  const templates = new Map(spec.replicatedJobs.map((rj) => [rj.name, rj.template]));
  const nextGeneration = Math.max(0, ...status.pods.map((p) => p.generation)) + 1;
  const retry = new Set<string>();
  const requeue: string[] = [];
  const lostLimit = ctx.lostRequeueLimit ?? -1;
  const lostRequeues = before.lostRequeues ?? 0;
  // A JobSet that keeps losing its nodes may be what brings them down: placed again only so often.
  const requeuesExhausted = lostLimit >= 0 && lostRequeues >= lostLimit ? `placed again after losing a node ${lostRequeues} time(s) already, the most nodeLossRequeueLimit (${lostLimit}) allows` : undefined;
  let lostRequeue = false;

  // 1. Each failed pod of an Active Job: podFailurePolicy, then the backoff limits.
  const failedPods = status.pods.filter((p) => p.phase === 'POD_PHASE_FAILED').sort((a, b) => a.finishedMs - b.finishedMs || a.podId.localeCompare(b.podId));
  for (const p of failedPods) {
    const ref = podRef(p.podId);
    const job = jobs.get(ref.job);
    if (!job || job.state !== 'Active' || job.failedIndexes.includes(ref.podIndex)) continue;
    const tmpl = templates.get(job.replicatedJob);
    // A JobSet without a failurePolicy is requeued when a node is lost or drained under it (requeueLost).
    const outcome = judgePodFailure(tmpl, job, p, ref.podIndex, ctx.unusable?.(p), !spec.failurePolicy, requeuesExhausted);
    if (outcome.kind === 'requeue') {
      requeue.push(outcome.message);
      if (outcome.counted) lostRequeue = true;
    } else if (outcome.kind === 'retry') {
      retry.add(p.podId);
      events.push(
        outcome.ignored
          ? { type: 'PodFailureIgnored', message: `${describePodFailure(p)}; a podFailurePolicy Ignore rule matched: replaced without counting` }
          : { type: 'PodRetried', message: `${describePodFailure(p)}; replaced on ${p.node}${waitText(retryBackoff(ctx.retryBackoffMs ?? 0, job.failures + job.ignoredFailures))} (Job ${ref.job}: ${job.failures} of ${tmpl?.backoffLimit ?? DEFAULT_BACKOFF_LIMIT} failures allowed)` },
      );
    } else if (outcome.kind === 'failIndex') events.push({ type: 'IndexFailed', message: outcome.message });
    else failJob(job, outcome.reason, outcome.message, p.finishedMs || now, events);
  }

  // 1b. When each Job started, on the scheduler's clock (agents' clocks may differ): the first report of a started pod.
  for (const job of jobs.values()) {
    if (job.state !== 'Active' || job.startedMs !== 0) continue;
    const key = jobKey(job.replicatedJob, job.jobIndex);
    if (status.pods.some((p) => podRef(p.podId).job === key && p.startedMs > 0)) job.startedMs = now;
  }

  // 2. Jobs that ended: all pods succeeded; or every index settled with some failed for good.
  for (const job of jobs.values()) {
    if (job.state !== 'Active') continue;
    const pods = status.pods.filter((p) => podRef(p.podId).job === jobKey(job.replicatedJob, job.jobIndex));
    if (pods.length === 0) continue;
    const settled = (p: PodStatus) => p.phase === 'POD_PHASE_SUCCEEDED' || job.failedIndexes.includes(podRef(p.podId).podIndex);
    if (!pods.every(settled)) continue;
    if (job.failedIndexes.length > 0) failJob(job, 'FailedIndexes', `index(es) ${job.failedIndexes.join(',')} failed`, now, events);
    else {
      job.state = 'Succeeded';
      job.finishedMs = now;
    }
  }

  // 2b. Jobs still active past their activeDeadlineSeconds.
  for (const job of jobs.values()) {
    const deadline = templates.get(job.replicatedJob)?.activeDeadlineSeconds;
    if (job.state !== 'Active' || deadline === undefined || deadline === null || job.startedMs === 0) continue;
    const end = job.startedMs + Number(deadline) * 1000;
    if (now >= end)
      failJob(job, 'DeadlineExceeded', `Job ${jobKey(job.replicatedJob, job.jobIndex)} was active for ${Math.round((now - job.startedMs) / 1000)}s, past its activeDeadlineSeconds (${deadline})`, end, events);
  }

  // 3. Failed Jobs: the JobSet's failurePolicy acts on the first that decides.
  const failedJobs = [...jobs.values()].filter((j) => j.state === 'Failed');
  if (failedJobs.length > 0) return applyFailurePolicy(js, status, chooseFailureAction(spec, failedJobs), nextGeneration, ctx, events, retry);

  // 3b. Pods lost before they could fail: the gang is placed again, nothing counted.
  if (requeue.length > 0) {
    const message = requeue.join('; ') + (lostRequeue && lostLimit >= 0 ? ` (after a node loss: ${lostRequeues + 1} of at most ${lostLimit})` : '');
    events.push({ type: 'Requeued', message });
    const next = requeuedStatus(status);
    if (lostRequeue) next.lostRequeues = lostRequeues + 1;
    next.reason = 'Requeued';
    next.message = message;
    next.updatedMs = now;
    next.conditions = withoutRunning(next.conditions, 'Requeued', message, now);
    next.replicatedJobs = countByReplicatedJob({ ...js, status: next });
    return { status: next, restartPods: [], releasePlacement: true, startPods: [], events };
  }

  // 4. Success.
  const withPods: JobSet = { ...js, status };
  if (successMet(withPods)) {
    const message = successMessage(js);
    events.push({ type: 'JobSetCompleted', message });
    status.replicatedJobs = countByReplicatedJob(withPods);
    return { status: finish(status, 'JOB_SET_PHASE_SUCCEEDED', 'AllJobsCompleted', message, now), restartPods: [], releasePlacement: false, startPods: [], events };
  }

  // 5. Retries start again where they ran, after the back-off.
  for (const id of retry) {
    const i = status.pods.findIndex((p) => p.podId === id);
    const job = jobs.get(podRef(id).job)!;
    const wait = retryBackoff(ctx.retryBackoffMs ?? 0, job.failures + job.ignoredFailures);
    status.pods[i] = { ...resetPod(status.pods[i]!, nextGeneration, true), notBeforeMs: wait > 0 ? now + wait : 0 };
  }
  // 6. replicatedJobs whose dependencies are now met may start.
  const startPods = openNext(js, status, events, now);
  return { status: progress(js, before, status, now, events), restartPods: [...retry], releasePlacement: false, startPods, events };
}

function waitText(ms: number): string {
  return ms > 0 ? ` in ${ms >= 60_000 ? `${Math.round(ms / 60_000)}m` : `${Math.round(ms / 1000)}s`}` : '';
}

/** openNext records the replicatedJobs that may start now and returns the pods that join desired documents. */
function openNext(js: JobSet, status: JobSetStatus, events: LifecycleEvent[], now: number): string[] {
  if (!hasStartOrder(js.spec!)) return [];
  const was = new Set(status.startedReplicatedJobs);
  const open = openReplicatedJobs({ ...js, status });
  const opened = open.filter((rj) => !was.has(rj));
  if (opened.length === 0) return [];
  status.startedReplicatedJobs = open;
  status.conditions = withStartupConditions(js.spec!, open, status.conditions, now);
  for (const rj of opened) events.push({ type: 'ReplicatedJobStarted', message: `replicatedJob ${rj} may start: ${startReason(js, rj)}` });
  return status.pods.filter((p) => opened.includes(p.podId.split('/')[1]!)).map((p) => p.podId);
}

function startReason(js: JobSet, rj: string): string {
  const deps = dependenciesOf(js.spec!).get(rj) ?? [];
  return deps.length === 0 ? 'it depends on nothing' : deps.map((d) => `${d.name} is ${d.status}`).join(', ');
}

/** failJob marks a Job Failed at `at` (when its deciding pod failed: the earliest failed Job is the one policies act on). */
function failJob(job: JobStatus, reason: string, message: string, at: number, events: LifecycleEvent[]): void {
  job.state = 'Failed';
  job.failureReason = reason;
  job.failureMessage = message;
  job.finishedMs = at;
  events.push({ type: 'JobFailed', message: `Job ${jobKey(job.replicatedJob, job.jobIndex)} failed (${reason}): ${message}` });
}

function applyFailurePolicy(
  js: JobSet,
  status: JobSetStatus,
  choice: FailurePolicyChoice,
  nextGeneration: number,
  ctx: LifecycleContext,
  events: LifecycleEvent[],
  retry: ReadonlySet<string>,
): LifecycleDecision {
  const { now } = ctx;
  const spec = js.spec!;
  const fp = spec.failurePolicy;
  const job = choice.job;
  const jobName = jobKey(job.replicatedJob, job.jobIndex);
  const cause = `Job ${jobName} failed (${job.failureReason}): ${job.failureMessage}`;
  const failedPod = firstFailedPod(status, jobName);
  const fail = (reason: string, message: string): LifecycleDecision => {
    events.push({ type: 'JobSetFailed', message });
    status.replicatedJobs = countByReplicatedJob({ ...js, status });
    return { status: finish(status, 'JOB_SET_PHASE_FAILED', reason, message, now, failedPod), restartPods: [], releasePlacement: false, startPods: [], events };
  };
  if (choice.action === 'FailJobSet') return fail(choice.reason === 'FailedJobs' ? 'FailedJobs' : 'FailJobSetFailurePolicyAction', cause);

  const counts = choice.action === 'RestartJobSet' || choice.action === 'RestartJob';
  if (counts) {
    const used = status.restartsCountTowardsMax + status.jobs.reduce((n, j) => n + j.restartsCountTowardsMax, 0);
    const max = fp?.maxRestarts ?? 0;
    if (used >= max) return fail('ReachedMaxRestarts', `${cause}; the JobSet has used ${used} of ${max} restart(s) (failurePolicy.maxRestarts)`);
  }
  // Pods that cannot run again where they are (lost node, unhealthy GPU): no restart in place.
  const lost = (p: PodStatus) => p.reason === 'NodeLost' || p.reason === 'NodeDrained' || (p.node !== '' && (ctx.lostNodes?.has(p.node) ?? false)) || ctx.unusable?.(p) !== undefined;

  if (choice.action === 'RestartJob' || choice.action === 'RestartJobAndIgnoreMaxRestarts') {
    const pods = status.pods.filter((p) => podRef(p.podId).job === jobName);
    // A Job whose pods cannot run where they were restarts the whole JobSet through the queue instead.
    if (!pods.some(lost)) {
      const fresh = { ...newJobStatus(job.replicatedJob, job.jobIndex), restarts: job.restarts + 1, restartsCountTowardsMax: job.restartsCountTowardsMax + (counts ? 1 : 0) };
      // Pods of other Active Jobs retried in this evaluation (already counted) start again too.
      const active = new Set(status.jobs.filter((j) => j.state === 'Active').map((j) => jobKey(j.replicatedJob, j.jobIndex)));
      const again = (p: PodStatus) => podRef(p.podId).job === jobName || (retry.has(p.podId) && active.has(podRef(p.podId).job));
      const restartPods = status.pods.filter(again).map((p) => p.podId);
      status.jobs = status.jobs.map((j) => (jobKey(j.replicatedJob, j.jobIndex) === jobName ? fresh : j));
      status.pods = status.pods.map((p) => (again(p) ? resetPod(p, nextGeneration, true) : p));
      const message = `${cause}; restarting Job ${jobName} (attempt ${fresh.restarts})`;
      events.push({ type: 'JobRestarted', message });
      status.conditions = setCondition(status.conditions, { type: 'RestartingJobSet', status: 'True', reason: choice.reason, message, lastTransitionMs: now });
      return { status: progress(js, js.status!, status, now, events), restartPods, releasePlacement: false, startPods: [], events };
    }
  }

  // RestartJobSet (and a RestartJob that cannot stay in place).
  status.restarts += 1;
  if (counts) status.restartsCountTowardsMax += 1;
  status.jobs = status.jobs.map((j) => ({ ...newJobStatus(j.replicatedJob, j.jobIndex), restarts: j.restarts, restartsCountTowardsMax: j.restartsCountTowardsMax }));
  const strategy = fp?.restartStrategy || 'Recreate';
  const inPlace = strategy === 'InPlace' && !status.pods.some(lost);
  const how = inPlace ? 'in place, same nodes and GPUs' : strategy === 'InPlace' ? 'through the queue (a node was lost or a GPU turned unhealthy, so not in place)' : `through the queue (${strategy})`;
  const message = `${cause}; restarting the JobSet ${how}, attempt ${status.restarts}`;
  events.push({ type: 'JobSetRestarted', message });
  status.conditions = setCondition(status.conditions, { type: 'RestartingJobSet', status: 'True', reason: choice.reason, message, lastTransitionMs: now });
  status.pods = status.pods.map((p) => resetPod(p, nextGeneration, inPlace));
  status.failedPod = failedPod?.podId ?? '';
  if (failedPod?.exitCode !== undefined) status.exitCode = failedPod.exitCode;
  status.replicatedJobs = countByReplicatedJob({ ...js, status });
  status.updatedMs = now;
  // The start order begins again with the new attempt.
  status.startedReplicatedJobs = [];
  if (inPlace) {
    status.phase = 'JOB_SET_PHASE_ADMITTED';
    status.reason = 'Restarting';
    status.message = message;
    if (hasStartOrder(spec)) {
      status.startedReplicatedJobs = openReplicatedJobs({ ...js, status });
      status.conditions = withStartupConditions(spec, status.startedReplicatedJobs, status.conditions, now);
    }
    return { status, restartPods: status.pods.map((p) => p.podId), releasePlacement: false, startPods: [], events };
  }
  status.phase = 'JOB_SET_PHASE_PENDING';
  status.reason = 'Restarting';
  status.message = message;
  status.coordinatorPort = 0;
  status.admission = null;
  status.conditions = withoutRunning(status.conditions, 'Restarting', message, now);
  return { status, restartPods: [], releasePlacement: true, startPods: [], events };
}

function firstFailedPod(status: JobSetStatus, job: string): PodStatus | undefined {
  return status.pods
    .filter((p) => p.phase === 'POD_PHASE_FAILED' && podRef(p.podId).job === job)
    .sort((a, b) => a.finishedMs - b.finishedMs)[0];
}

/** progress moves ADMITTED → RUNNING once every pod has started, and clears RestartingJobSet then. */
function progress(js: JobSet, before: JobSetStatus, status: JobSetStatus, now: number, events: LifecycleEvent[]): JobSetStatus {
  const next: JobSetStatus = { ...status, replicatedJobs: countByReplicatedJob({ ...js, status }) };
  const pods = next.pods;
  const failedForGood = new Set(next.jobs.flatMap((j) => j.failedIndexes.map((i) => `${j.replicatedJob}/${j.jobIndex}/${i}`)));
  const settled = (p: PodStatus) => failedForGood.has(p.podId.split('/').slice(1).join('/'));
  const allStarted = pods.length > 0 && pods.every((p) => p.phase === 'POD_PHASE_RUNNING' || p.phase === 'POD_PHASE_SUCCEEDED' || settled(p));
  if (allStarted) {
    if (next.phase === 'JOB_SET_PHASE_ADMITTED') {
      next.phase = 'JOB_SET_PHASE_RUNNING';
      next.reason = 'AllPodsRunning';
      next.message = `all ${pods.length} pods are running`;
      if (next.startedMs === 0) next.startedMs = now;
      next.conditions = setCondition(next.conditions, { type: 'Running', status: 'True', reason: 'AllPodsRunning', message: next.message, lastTransitionMs: now });
      events.push({ type: 'AllPodsRunning', message: `all ${pods.length} pods are running (attempt ${next.restarts})` });
    }
    if (next.conditions.some((c) => c.type === 'RestartingJobSet' && c.status === 'True'))
      next.conditions = setCondition(next.conditions, { type: 'RestartingJobSet', status: 'False', reason: 'JobsReady', message: 'every pod of the new attempt is running', lastTransitionMs: now });
  } else if (next.phase === 'JOB_SET_PHASE_RUNNING' && pods.some((p) => p.phase === 'POD_PHASE_PENDING')) {
    // A retried pod is starting again: the JobSet waits for it as at admission.
    next.phase = 'JOB_SET_PHASE_ADMITTED';
    next.reason = 'PodsRestarting';
    next.message = `${pods.filter((p) => p.phase === 'POD_PHASE_PENDING').length} pod(s) starting again`;
  }
  const changed = next.phase !== before.phase || JSON.stringify(next.replicatedJobs) !== JSON.stringify(before.replicatedJobs) || next.pods.some((p, i) => p.generation !== before.pods[i]?.generation);
  next.updatedMs = changed ? now : before.updatedMs;
  return next;
}

function finish(status: JobSetStatus, phase: 'JOB_SET_PHASE_SUCCEEDED' | 'JOB_SET_PHASE_FAILED', reason: string, message: string, now: number, failedPod?: PodStatus): JobSetStatus {
  const out: JobSetStatus = { ...status, phase, reason, message, finishedMs: now, updatedMs: now };
  out.terminalState = phase === 'JOB_SET_PHASE_SUCCEEDED' ? 'Completed' : 'Failed';
  // Pods can start and end between two reports; the JobSet then started when its first pod did.
  // On the scheduler's clock: when its first Job was seen started (agents' clocks may differ).
  if (out.startedMs === 0) out.startedMs = Math.min(...status.jobs.map((j) => j.startedMs).filter((t) => t > 0), now);
  if (failedPod) {
    out.failedPod = failedPod.podId;
    if (failedPod.exitCode !== undefined) out.exitCode = failedPod.exitCode;
  }
  const type = phase === 'JOB_SET_PHASE_SUCCEEDED' ? 'Completed' : 'Failed';
  out.conditions = setCondition(status.conditions, { type, status: 'True', reason, message, lastTransitionMs: now });
  if (out.conditions.some((c) => c.type === 'RestartingJobSet' && c.status === 'True'))
    out.conditions = setCondition(out.conditions, { type: 'RestartingJobSet', status: 'False', reason: phase === 'JOB_SET_PHASE_SUCCEEDED' ? 'JobSetCompleted' : 'JobSetFailed', message, lastTransitionMs: now });
  return out;
}

function successMessage(js: JobSet): string {
  const sp = js.spec!.successPolicy;
  const targets = sp && sp.targetReplicatedJobs.length > 0 ? sp.targetReplicatedJobs.join(', ') : 'all replicatedJobs';
  return `success policy ${sp?.operator || 'All'} met for ${targets}`;
}
