/**
 * Folding pod statuses into JobSet status, pure. The skeleton's policy:
 *
 *   ADMITTED ──every pod started──▶ RUNNING ──success policy met──▶ SUCCEEDED
 *      │                              │
 *      └──────── any pod failed ──────┴──▶ FAILED (the pod and its exit code named)
 *
 * Success follows JobSet's successPolicy: a Job succeeds when all its pods
 * succeeded; `All` needs every Job of the target replicatedJobs, `Any` one.
 * (Failure policies and restarts come with the lifecycle issue.)
 */
import type { JobSet, JobSetCondition, JobSetPhase, JobSetStatus, PodStatus, ReplicatedJobStatus } from '../../../shared/src/proto/types.js';
import { podPhaseName } from '../../../shared/src/phases.js';

/** foldStatus computes a JobSet's next status from its pods (a new object; finished JobSets come back unchanged). */
export function foldStatus(jobset: JobSet, now: number): JobSetStatus {
  const status = jobset.status!;
  if (status.phase !== 'JOB_SET_PHASE_ADMITTED' && status.phase !== 'JOB_SET_PHASE_RUNNING') return status;
  const pods = status.pods;
  const next: JobSetStatus = { ...status, replicatedJobs: countByReplicatedJob(jobset) };

  const failed = pods.filter((p) => p.phase === 'POD_PHASE_FAILED').sort((a, b) => a.finishedMs - b.finishedMs)[0];
  if (failed) return finish(next, 'JOB_SET_PHASE_FAILED', 'PodFailed', failureMessage(failed), now, failed);

  if (successMet(jobset)) return finish(next, 'JOB_SET_PHASE_SUCCEEDED', 'AllJobsCompleted', successMessage(jobset), now);

  const allStarted = pods.length > 0 && pods.every((p) => p.phase === 'POD_PHASE_RUNNING' || p.phase === 'POD_PHASE_SUCCEEDED');
  if (allStarted && status.phase === 'JOB_SET_PHASE_ADMITTED') {
    next.phase = 'JOB_SET_PHASE_RUNNING';
    next.reason = 'AllPodsRunning';
    next.message = `all ${pods.length} pods are running`;
    next.startedMs = now;
    next.conditions = setCondition(next.conditions, { type: 'Running', status: 'True', reason: 'AllPodsRunning', message: next.message, lastTransitionMs: now });
  }
  next.updatedMs = sameCounts(status.replicatedJobs, next.replicatedJobs) && next.phase === status.phase ? status.updatedMs : now;
  return next;
}

function finish(next: JobSetStatus, phase: JobSetPhase, reason: string, message: string, now: number, failedPod?: PodStatus): JobSetStatus {
  const out: JobSetStatus = { ...next, phase, reason, message, finishedMs: now, updatedMs: now };
  // Pods can start and end between two reports; the JobSet then started when its first pod did.
  if (out.startedMs === 0) out.startedMs = Math.min(...next.pods.map((p) => p.startedMs).filter((t) => t > 0), now);
  if (failedPod) {
    out.failedPod = failedPod.podId;
    if (failedPod.exitCode !== undefined) out.exitCode = failedPod.exitCode;
  }
  const type = phase === 'JOB_SET_PHASE_SUCCEEDED' ? 'Completed' : 'Failed';
  out.conditions = setCondition(next.conditions, { type, status: 'True', reason, message, lastTransitionMs: now });
  return out;
}

function failureMessage(p: PodStatus): string {
  const how = p.exitCode !== undefined ? `exit code ${p.exitCode}` : podPhaseName(p.phase);
  const why = p.reason ? ` (${p.reason}${p.message ? ': ' + p.message : ''})` : '';
  return `pod ${p.podId} on ${p.node || '?'} failed with ${how}${why}`;
}

function successMessage(js: JobSet): string {
  const sp = js.spec!.successPolicy;
  const targets = sp && sp.targetReplicatedJobs.length > 0 ? sp.targetReplicatedJobs.join(', ') : 'all replicatedJobs';
  return `success policy ${sp?.operator || 'All'} met for ${targets}`;
}

/** jobKey is `<replicatedJob>/<jobIndex>`. */
function jobKeyOf(podId: string): string {
  const parts = podId.split('/');
  return `${parts[1]}/${parts[2]}`;
}

/** successMet evaluates the successPolicy over Jobs (a Job succeeds when all its pods succeeded). */
export function successMet(js: JobSet): boolean {
  const spec = js.spec!;
  const sp = spec.successPolicy;
  const targets = new Set(sp && sp.targetReplicatedJobs.length > 0 ? sp.targetReplicatedJobs : spec.replicatedJobs.map((r) => r.name));
  const jobs = new Map<string, boolean>();
  for (const p of js.status!.pods) {
    const key = jobKeyOf(p.podId);
    if (!targets.has(key.split('/')[0]!)) continue;
    jobs.set(key, (jobs.get(key) ?? true) && p.phase === 'POD_PHASE_SUCCEEDED');
  }
  const succeeded = [...jobs.values()].filter(Boolean).length;
  const expected = spec.replicatedJobs.filter((r) => targets.has(r.name)).reduce((n, r) => n + (r.replicas ?? 1), 0);
  if ((sp?.operator || 'All') === 'Any') return succeeded >= 1;
  return expected > 0 && succeeded >= expected;
}

/** countByReplicatedJob counts pods by phase per replicatedJob, in spec order. */
export function countByReplicatedJob(js: JobSet): ReplicatedJobStatus[] {
  const counts = new Map<string, ReplicatedJobStatus>(
    js.spec!.replicatedJobs.map((rj) => [rj.name, { name: rj.name, pods: 0, pending: 0, running: 0, succeeded: 0, failed: 0 }]),
  );
  for (const p of js.status!.pods) {
    const c = counts.get(p.podId.split('/')[1]!);
    if (!c) continue;
    c.pods++;
    if (p.phase === 'POD_PHASE_RUNNING') c.running++;
    else if (p.phase === 'POD_PHASE_SUCCEEDED') c.succeeded++;
    else if (p.phase === 'POD_PHASE_FAILED') c.failed++;
    else c.pending++;
  }
  return [...counts.values()];
}

function sameCounts(a: ReplicatedJobStatus[], b: ReplicatedJobStatus[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** setCondition replaces the condition of the same type, or appends it. */
export function setCondition(conds: JobSetCondition[], c: JobSetCondition): JobSetCondition[] {
  return [...conds.filter((x) => x.type !== c.type), c];
}

/** PodUpdateResult says whether a reported pod status was applied, and why not. */
export type PodUpdateResult = 'applied' | 'stale' | 'unknown-pod' | 'wrong-node' | 'old-generation' | 'other-incarnation' | 'unknown-phase';

/**
 * applyPodStatus merges one reported pod status into the JobSet's pods
 * (idempotent by seq). Reports keep being applied after the JobSet finished,
 * so the pods it stopped show how they ended; the JobSet's phase no longer moves.
 */
export function applyPodStatus(js: JobSet, node: string, reported: PodStatus): PodUpdateResult {
  const res = classifyPodReport(js, node, reported);
  if (res !== 'applied') return res;
  const status = js.status!;
  const i = status.pods.findIndex((p) => p.podId === reported.podId);
  status.pods[i] = { ...reported, node, binding: status.pods[i]!.binding, requests: status.pods[i]!.requests };
  return 'applied';
}

/** classifyPodReport says what applyPodStatus would do, without changing anything (cheap enough for every heartbeat). */
export function classifyPodReport(js: JobSet, node: string, reported: PodStatus): PodUpdateResult {
  const status = js.status!;
  const current = status.pods.find((p) => p.podId === reported.podId);
  if (!current) return 'unknown-pod';
  // A JobSet deleted and submitted again under the same name is another JobSet: its old pods' reports do not count.
  if (reported.jobsetUid !== js.metadata!.uid) return 'other-incarnation';
  if (current.node !== node) return 'wrong-node';
  if (reported.generation !== status.restarts) return 'old-generation';
  if (reported.seq <= current.seq) return 'stale';
  // A phase this scheduler does not know (a newer agent) must not overwrite the one it knows.
  if (reported.phase === 'POD_PHASE_UNSPECIFIED') return 'unknown-phase';
  return 'applied';
}
