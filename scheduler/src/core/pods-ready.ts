/**
 * waitForPodsReady (kueue-jobset.md §3.9), pure: a JobSet admitted through a
 * queue holds quota and GPUs from its admission; if its pods are not all
 * running `timeoutMs` later (an image that never pulls, a node that never
 * starts them, a gang stuck half-started), it is evicted — reason
 * PodsReadyTimeout, every pod stopped, quota and nodes given back — and
 * requeued after an exponential back-off (base·2^(n−1), at most max; Kueue adds
 * jitter, Muster does not, so the time a person is shown is the time it
 * happens). After `requeueLimit` evictions it is suspended instead
 * (RequeuingLimitExceeded; `muster resume` clears the count). JobSets that
 * name no queue are not subject to it, as in Kueue.
 *
 * "Ready" means every pod of the replicatedJobs allowed to start is running
 * (or done), within the timeout of when they were allowed to: a pipeline whose
 * next step waits on dependsOn is not evicted while its first step runs, and
 * each step gets its own timeout. A JobSet that reached Running and then
 * restarts a pod is not evicted (Kueue's recoveryTimeout is not implemented).
 */
import type { JobSet, JobSetStatus, PodStatus } from '../../../shared/src/proto/types.js';
import { evictedStatus } from './evict.js';
import { setCondition } from './jobset-status.js';

/** PodsReadySettings configure waitForPodsReady (scheduler config podsReady*). */
export interface PodsReadySettings {
  /** 0 = off. */
  timeoutMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Evictions after which the JobSet is suspended; -1 = never. */
  requeueLimit: number;
}

/** replicatedJobOf is the replicatedJob of a pod id `<jobset>/<rj>/<job>/<pod>`. */
function replicatedJobOf(podId: string): string {
  return podId.split('/')[1] ?? '';
}

/** expectedPods lists the pods of the replicatedJobs allowed to start: those that should be running. */
function expectedPods(st: JobSetStatus): PodStatus[] {
  const started = new Set(st.startedReplicatedJobs);
  return st.pods.filter((p) => started.has(replicatedJobOf(p.podId)));
}

/** isReady: running, or already done. */
function isReady(p: PodStatus): boolean {
  return p.phase === 'POD_PHASE_RUNNING' || p.phase === 'POD_PHASE_SUCCEEDED';
}

/**
 * waveStartMs is when the pods now expected to run were allowed to start:
 * admission, or later when a replicatedJob waiting on dependsOn / InOrder
 * started (its ReplicatedJobStarted event).
 */
function waveStartMs(st: JobSetStatus): number {
  let t = st.admittedMs;
  for (const h of st.history) if (h.type === 'ReplicatedJobStarted' && h.timeMs > t) t = h.timeMs;
  return t;
}

/**
 * podsReadyOverdue says whether an admitted JobSet's time to have its pods
 * running is up at `now`: some pod of a replicatedJob allowed to start is not
 * running (or done) `timeoutMs` after it was allowed to — counted from no
 * earlier than `sinceMs` (the scheduler's own last outage: pods may have
 * started while it could not hear of it). Pods of replicatedJobs still
 * waiting on dependsOn / InOrder are not expected to run yet.
 */
export function podsReadyOverdue(js: JobSet, now: number, s: PodsReadySettings, sinceMs = 0): boolean {
  const st = js.status!;
  if (s.timeoutMs <= 0 || st.phase !== 'JOB_SET_PHASE_ADMITTED' || !st.admission || st.admittedMs <= 0) return false;
  const ranSinceAdmission = st.conditions.some((c) => c.type === 'Running' && c.status === 'True' && c.lastTransitionMs >= st.admittedMs);
  if (ranSinceAdmission) return false;
  const lagging = expectedPods(st).some((p) => !isReady(p));
  return lagging && now >= Math.max(waveStartMs(st), sinceMs) + s.timeoutMs;
}

/** requeueBackoffMs is the wait after the `count`-th eviction: base·2^(count−1), at most max. */
export function requeueBackoffMs(count: number, s: Pick<PodsReadySettings, 'backoffBaseMs' | 'backoffMaxMs'>): number {
  if (count <= 0 || s.backoffBaseMs <= 0) return 0;
  return Math.min(s.backoffMaxMs, s.backoffBaseMs * 2 ** Math.min(count - 1, 40));
}

/** inRequeueBackoff says whether a pending JobSet must still sit out its back-off at `now`. */
export function inRequeueBackoff(js: JobSet, now: number): boolean {
  return Number(js.status!.requeueState?.requeueAtMs ?? 0) > now;
}

/** PodsReadyEviction is an overdue JobSet's next status, and whether it is suspended (limit reached) rather than requeued. */
export interface PodsReadyEviction {
  status: JobSetStatus;
  suspend: boolean;
}

function seconds(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000}m` : `${Math.round(ms / 1000)}s`;
}

/** evictForPodsReady evicts an overdue JobSet: back to its queue after the back-off, or suspended past the limit. */
export function evictForPodsReady(js: JobSet, now: number, s: PodsReadySettings): PodsReadyEviction {
  const before = js.status!;
  const expected = expectedPods(before);
  const running = expected.filter(isReady).length;
  const count = (before.requeueState?.count ?? 0) + 1;
  const since = waveStartMs(before) > before.admittedMs ? 'after its latest replicatedJobs were allowed to start' : 'after admission';
  const why = `${running} of ${expected.length} pods running or done ${seconds(s.timeoutMs)} ${since} (waitForPodsReady)`;
  const suspend = s.requeueLimit >= 0 && count > s.requeueLimit;
  const wait = suspend ? 0 : requeueBackoffMs(count, s);
  const requeueAtMs = now + wait;
  const message = suspend
    ? `${why}; evicted ${count} times, more than podsReadyRequeueLimit ${s.requeueLimit}: suspended (muster resume to try again)`
    : `${why}; evicted (${count}), back in its queue ${wait > 0 ? `at ${new Date(requeueAtMs).toISOString()} (back-off ${seconds(wait)})` : 'now'}`;
  const reason = suspend ? 'RequeuingLimitExceeded' : 'PodsReadyTimeout';
  const status = { ...evictedStatus(js, now, { reason, message, condition: { type: 'Evicted', reason: 'PodsReadyTimeout' }, event: 'Evicted' }), requeueState: { count, requeueAtMs } };
  if (suspend) status.conditions = setCondition(status.conditions, { type: 'Suspended', status: 'True', reason, message, lastTransitionMs: now });
  return { status, suspend };
}
