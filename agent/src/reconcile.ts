/**
 * Reconciliation, pure: the desired pods of this node × the pods the agent has
 * → the actions that bring the second towards the first (DESIGN §3, §6).
 *
 * A pod incarnation is (podId, jobsetUid, generation): a JobSet cancelled and
 * submitted again under the same name has a new uid, so its pods are other
 * pods even when their podId and generation are the same as the old ones'.
 *
 * - A desired incarnation the agent does not have is started — unless another
 *   incarnation of the same podId (another generation, or another JobSet uid)
 *   is still running (or starting), which is stopped first; the new one starts
 *   on a later pass, once it has exited. Two incarnations of one podId never
 *   run at once.
 * - A local pod that is not desired is stopped while it runs and forgotten once
 *   it is terminal.
 * - A desired pod that has finished stays in the table (and in heartbeats) and
 *   is never restarted: restarts are the scheduler's, by a new generation.
 */
import { isTerminalPod } from '../../shared/src/phases.js';
import type { PodAssignment, PodPhase } from '../../shared/src/proto/types.js';
import { sameIncarnation, type PodKey } from './runtime/driver.js';

/** LocalPod is what reconcile needs to know of a pod the agent has. */
export interface LocalPod extends PodKey {
  phase: PodPhase;
  /** True once the agent has asked it to stop (no second stop is issued). */
  stopping: boolean;
}

/**
 * StopReason says why the agent stops a pod: another incarnation of its podId
 * (a different generation, or a different JobSet uid) replaces it, or it is no
 * longer desired.
 */
export type StopReason = 'Superseded' | 'NotDesired';

/** ReconcileAction is one step towards the desired state. */
export type ReconcileAction =
  | { kind: 'start'; assignment: PodAssignment }
  | ({ kind: 'stop'; reason: StopReason; by?: PodKey } & PodKey)
  | ({ kind: 'forget' } & PodKey);

function compareKeys(a: PodKey, b: PodKey): number {
  if (a.podId !== b.podId) return a.podId < b.podId ? -1 : 1;
  if (a.jobsetUid !== b.jobsetUid) return a.jobsetUid < b.jobsetUid ? -1 : 1;
  return a.generation - b.generation;
}

function keyOf(p: PodKey): PodKey {
  return { podId: p.podId, jobsetUid: p.jobsetUid, generation: p.generation };
}

/**
 * desiredByPod keeps one assignment per podId: the highest generation, then
 * the greatest uid (a well-formed document has one; a malformed one must not
 * start two).
 */
function desiredByPod(desired: readonly PodAssignment[]): Map<string, PodAssignment> {
  const out = new Map<string, PodAssignment>();
  for (const a of desired) {
    const cur = out.get(a.podId);
    if (!cur || a.generation > cur.generation || (a.generation === cur.generation && a.jobsetUid > cur.jobsetUid)) out.set(a.podId, a);
  }
  return out;
}

/** reconcile returns the actions, stops first, then forgets, then starts, each sorted by podId, jobsetUid and generation. */
export function reconcile(desired: readonly PodAssignment[], local: readonly LocalPod[]): ReconcileAction[] {
  const want = desiredByPod(desired);
  const stops: ReconcileAction[] = [];
  const forgets: ReconcileAction[] = [];
  const starts: PodAssignment[] = [];

  for (const pod of [...local].sort(compareKeys)) {
    const d = want.get(pod.podId);
    if (d && sameIncarnation(d, pod)) continue;
    if (isTerminalPod(pod.phase)) forgets.push({ kind: 'forget', ...keyOf(pod) });
    else if (!pod.stopping) stops.push(d ? { kind: 'stop', ...keyOf(pod), reason: 'Superseded', by: keyOf(d) } : { kind: 'stop', ...keyOf(pod), reason: 'NotDesired' });
  }

  const localByPod = new Map<string, LocalPod[]>();
  for (const p of local) localByPod.set(p.podId, [...(localByPod.get(p.podId) ?? []), p]);
  for (const a of want.values()) {
    const mine = localByPod.get(a.podId) ?? [];
    if (mine.some((p) => sameIncarnation(p, a))) continue;
    if (mine.some((p) => !isTerminalPod(p.phase))) continue; // another incarnation still runs: wait for its exit
    starts.push(a);
  }
  starts.sort(compareKeys);
  return [...stops, ...forgets, ...starts.map((assignment) => ({ kind: 'start' as const, assignment }))];
}
