/**
 * Reconciliation, pure: the desired pods of this node × the pods the agent has
 * → the actions that bring the second towards the first (DESIGN §3, §6).
 *
 * - A desired (podId, generation) the agent does not have is started — unless
 *   another incarnation of the same podId is still running (or starting), which
 *   is stopped first; the new one starts on a later pass, once it has exited.
 *   Two incarnations of one podId never run at once.
 * - A local pod that is not desired is stopped while it runs and forgotten once
 *   it is terminal.
 * - A desired pod that has finished stays in the table (and in heartbeats) and
 *   is never restarted: restarts are the scheduler's, by a new generation.
 */
import { isTerminalPod } from '../../shared/src/phases.js';
import type { PodAssignment, PodPhase } from '../../shared/src/proto/types.js';

/** LocalPod is what reconcile needs to know of a pod the agent has. */
export interface LocalPod {
  podId: string;
  generation: number;
  phase: PodPhase;
  /** True once the agent has asked it to stop (no second stop is issued). */
  stopping: boolean;
}

/** StopReason says why the agent stops a pod: a different generation replaces it, or it is no longer desired. */
export type StopReason = 'Superseded' | 'NotDesired';

/** ReconcileAction is one step towards the desired state. */
export type ReconcileAction =
  | { kind: 'start'; assignment: PodAssignment }
  | { kind: 'stop'; podId: string; generation: number; reason: StopReason }
  | { kind: 'forget'; podId: string; generation: number };

function byPodThenGeneration(a: { podId: string; generation: number }, b: { podId: string; generation: number }): number {
  return a.podId < b.podId ? -1 : a.podId > b.podId ? 1 : a.generation - b.generation;
}

/**
 * desiredByPod keeps one assignment per podId: the highest generation (a
 * well-formed document has one; a malformed one must not start two).
 */
function desiredByPod(desired: readonly PodAssignment[]): Map<string, PodAssignment> {
  const out = new Map<string, PodAssignment>();
  for (const a of desired) {
    const cur = out.get(a.podId);
    if (!cur || a.generation > cur.generation) out.set(a.podId, a);
  }
  return out;
}

/** reconcile returns the actions, stops first, then forgets, then starts, each sorted by podId and generation. */
export function reconcile(desired: readonly PodAssignment[], local: readonly LocalPod[]): ReconcileAction[] {
  const want = desiredByPod(desired);
  const stops: ReconcileAction[] = [];
  const forgets: ReconcileAction[] = [];
  const starts: PodAssignment[] = [];

  for (const pod of [...local].sort(byPodThenGeneration)) {
    const d = want.get(pod.podId);
    if (d && d.generation === pod.generation) continue;
    if (isTerminalPod(pod.phase)) forgets.push({ kind: 'forget', podId: pod.podId, generation: pod.generation });
    else if (!pod.stopping)
      stops.push({ kind: 'stop', podId: pod.podId, generation: pod.generation, reason: d ? 'Superseded' : 'NotDesired' });
  }

  const localByPod = new Map<string, LocalPod[]>();
  for (const p of local) localByPod.set(p.podId, [...(localByPod.get(p.podId) ?? []), p]);
  for (const a of want.values()) {
    const mine = localByPod.get(a.podId) ?? [];
    if (mine.some((p) => p.generation === a.generation)) continue;
    if (mine.some((p) => !isTerminalPod(p.phase))) continue; // another incarnation still runs: wait for its exit
    starts.push(a);
  }
  starts.sort(byPodThenGeneration);
  return [...stops, ...forgets, ...starts.map((assignment) => ({ kind: 'start' as const, assignment }))];
}
