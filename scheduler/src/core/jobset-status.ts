/**
 * JobSet status pieces, pure: success policy, per-replicatedJob counts,
 * conditions, and merging reported pod statuses (lifecycle.ts decides what
 * they mean).
 */
import type { JobSet, JobSetCondition, PodStatus, ReplicatedJobStatus } from '../../../shared/src/proto/types.js';

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

/** countByReplicatedJob counts pods by phase and Jobs by state per replicatedJob, in spec order. */
export function countByReplicatedJob(js: JobSet): ReplicatedJobStatus[] {
  const counts = new Map<string, ReplicatedJobStatus>(
    js.spec!.replicatedJobs.map((rj) => [
      rj.name,
      { name: rj.name, pods: 0, pending: 0, running: 0, succeeded: 0, failed: 0, readyJobs: 0, activeJobs: 0, succeededJobs: 0, failedJobs: 0, suspendedJobs: 0 },
    ]),
  );
  const ready = new Map<string, boolean>();
  for (const p of js.status!.pods) {
    const c = counts.get(p.podId.split('/')[1]!);
    if (!c) continue;
    c.pods++;
    if (p.phase === 'POD_PHASE_RUNNING') c.running++;
    else if (p.phase === 'POD_PHASE_SUCCEEDED') c.succeeded++;
    else if (p.phase === 'POD_PHASE_FAILED') c.failed++;
    else c.pending++;
    const key = jobKeyOf(p.podId);
    ready.set(key, (ready.get(key) ?? true) && (p.phase === 'POD_PHASE_RUNNING' || p.phase === 'POD_PHASE_SUCCEEDED'));
  }
  const state = new Map((js.status!.jobs ?? []).map((j) => [`${j.replicatedJob}/${j.jobIndex}`, j.state]));
  for (const rj of js.spec!.replicatedJobs) {
    const c = counts.get(rj.name)!;
    for (let i = 0; i < (rj.replicas ?? 1); i++) {
      const key = `${rj.name}/${i}`;
      const st = state.get(key) ?? 'Active';
      if (st === 'Succeeded') c.succeededJobs++;
      else if (st === 'Failed') c.failedJobs++;
      else if (js.spec!.suspend) c.suspendedJobs++;
      else c.activeJobs++;
      if (st !== 'Failed' && ready.get(key)) c.readyJobs++;
    }
  }
  return [...counts.values()];
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
  status.pods[i] = { ...reported, node, binding: status.pods[i]!.binding, requests: status.pods[i]!.requests, notBeforeMs: status.pods[i]!.notBeforeMs };
  return 'applied';
}

/** classifyPodReport says what applyPodStatus would do, without changing anything (cheap enough for every heartbeat). */
export function classifyPodReport(js: JobSet, node: string, reported: PodStatus): PodUpdateResult {
  const status = js.status!;
  const current = status.pods.find((p) => p.podId === reported.podId);
  if (!current) return 'unknown-pod';
  // A JobSet deleted and submitted again under the same name is another JobSet: its old pods' reports do not count.
  if (reported.jobsetUid !== js.metadata!.uid) return 'other-incarnation';
  // Each pod has its own generation (retries, Job and JobSet restarts raise it): an older incarnation's report does not
  // count — checked before the node, since a pod restarted through the queue has no node (or another one) now.
  if (reported.generation !== current.generation) return 'old-generation';
  if (current.node !== node) return 'wrong-node';
  if (reported.seq <= current.seq) return 'stale';
  // A phase this scheduler does not know (a newer agent) must not overwrite the one it knows.
  if (reported.phase === 'POD_PHASE_UNSPECIFIED') return 'unknown-phase';
  return 'applied';
}
