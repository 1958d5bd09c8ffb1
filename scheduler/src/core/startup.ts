/**
 * Start order of replicatedJobs, pure: dependsOn (a replicatedJob starts once
 * each one it names is Ready or Complete) and startupPolicy InOrder (each
 * starts once the one before it is Ready). The whole JobSet is placed at
 * admission — the gang is checked against real capacity once — but the pods
 * of a replicatedJob that may not start yet are kept out of their nodes'
 * desired documents until it may. Once started, a replicatedJob stays started
 * for the attempt; a JobSet restart begins the order again.
 *
 * Ready means every Job of the replicatedJob is ready (each pod running or
 * succeeded) or finished; Complete means every Job succeeded (JobSet §1.2).
 */
import type { JobSet, JobSetCondition, JobSetSpec, PodStatus } from '../../../shared/src/proto/types.js';
import { setCondition } from './jobset-status.js';

/** Dependency is "start after `name` reaches `status`". */
export interface Dependency {
  name: string;
  status: 'Ready' | 'Complete';
}

/** dependenciesOf lists what each replicatedJob waits for (dependsOn, or the previous one under InOrder). */
export function dependenciesOf(spec: JobSetSpec): Map<string, Dependency[]> {
  const out = new Map<string, Dependency[]>();
  const inOrder = spec.startupPolicy?.startupPolicyOrder === 'InOrder';
  spec.replicatedJobs.forEach((rj, i) => {
    const prev = spec.replicatedJobs[i - 1];
    if (inOrder && prev) out.set(rj.name, [{ name: prev.name, status: 'Ready' }]);
    else out.set(rj.name, rj.dependsOn.map((d) => ({ name: d.name, status: d.status === 'Complete' ? 'Complete' : 'Ready' })));
  });
  return out;
}

/** hasStartOrder: some replicatedJob waits for another. */
export function hasStartOrder(spec: JobSetSpec): boolean {
  return [...dependenciesOf(spec).values()].some((d) => d.length > 0);
}

function podsOf(pods: readonly PodStatus[], rj: string): PodStatus[] {
  return pods.filter((p) => p.podId.split('/')[1] === rj);
}

/** reached says whether a replicatedJob's pods show the status another waits for. */
export function reached(js: JobSet, rj: string, status: Dependency['status']): boolean {
  const spec = js.spec!;
  const st = js.status!;
  const def = spec.replicatedJobs.find((r) => r.name === rj);
  if (!def) return false;
  const jobState = new Map(st.jobs.filter((j) => j.replicatedJob === rj).map((j) => [j.jobIndex, j.state]));
  const pods = podsOf(st.pods, rj);
  for (let i = 0; i < (def.replicas ?? 1); i++) {
    const state = jobState.get(i) ?? 'Active';
    if (status === 'Complete') {
      if (state !== 'Succeeded') return false;
      continue;
    }
    if (state === 'Succeeded' || state === 'Failed') continue;
    const mine = pods.filter((p) => p.podId.split('/')[2] === String(i));
    if (mine.length === 0 || !mine.every((p) => p.phase === 'POD_PHASE_RUNNING' || p.phase === 'POD_PHASE_SUCCEEDED')) return false;
  }
  return true;
}

/**
 * openReplicatedJobs returns the replicatedJobs allowed to start: those
 * already started, plus every one whose dependencies are all reached (in spec
 * order, so a chain opens one link per call as pods report). Pure.
 */
export function openReplicatedJobs(js: JobSet): string[] {
  const deps = dependenciesOf(js.spec!);
  const open = new Set(js.status!.startedReplicatedJobs);
  for (const rj of js.spec!.replicatedJobs) {
    if (open.has(rj.name)) continue;
    if ((deps.get(rj.name) ?? []).every((d) => open.has(d.name) && reached(js, d.name, d.status))) open.add(rj.name);
  }
  return js.spec!.replicatedJobs.map((r) => r.name).filter((n) => open.has(n));
}

/**
 * withStartupConditions sets JobSet's StartupPolicyInProgress /
 * StartupPolicyCompleted conditions for an InOrder JobSet from the
 * replicatedJobs started so far; other JobSets' conditions are returned as
 * they are.
 */
export function withStartupConditions(spec: JobSetSpec, started: readonly string[], conds: JobSetCondition[], now: number): JobSetCondition[] {
  if (spec.startupPolicy?.startupPolicyOrder !== 'InOrder') return conds;
  const all = spec.replicatedJobs.every((r) => started.includes(r.name));
  if (all) {
    if (conds.some((c) => c.type === 'StartupPolicyCompleted' && c.status === 'True')) return conds;
    const message = 'every replicatedJob has started, in order';
    const out = setCondition(conds, { type: 'StartupPolicyCompleted', status: 'True', reason: 'InOrderStartupPolicyCompleted', message, lastTransitionMs: now });
    return setCondition(out, { type: 'StartupPolicyInProgress', status: 'False', reason: 'InOrderStartupPolicyCompleted', message, lastTransitionMs: now });
  }
  const waiting = spec.replicatedJobs.filter((r) => !started.includes(r.name)).map((r) => r.name);
  const message = `started ${started.length} of ${spec.replicatedJobs.length} replicatedJobs in order; waiting: ${waiting.join(', ')}`;
  const cur = conds.find((c) => c.type === 'StartupPolicyInProgress');
  if (cur?.status === 'True' && cur.message === message) return conds;
  return setCondition(conds, { type: 'StartupPolicyInProgress', status: 'True', reason: 'InOrderStartupPolicyInProgress', message, lastTransitionMs: cur?.status === 'True' ? cur.lastTransitionMs : now });
}
