/**
 * Evicting an admitted JobSet back to its queue, pure: the status a
 * preemption, a PodsReadyTimeout or a stopped queue gives it. Every pod gets a
 * new generation and no node (they are stopped; their capacity is held until
 * they have exited), its quota is given back, its Jobs start over; a
 * condition says why, and the event is kept in its history. Eviction is not a
 * failure: no restart or failure counter moves.
 */
import type { JobSet, JobSetStatus } from '../../../shared/src/proto/types.js';
import { countByReplicatedJob, setCondition } from './jobset-status.js';
import { requeuedStatus, withHistory, withoutRunning, type LifecycleEvent } from './lifecycle.js';

/** Eviction says why a JobSet goes back to its queue. */
export interface EvictionCause {
  /** status.reason (Preempted, PodsReadyTimeout, QueueStopped…). */
  reason: string;
  message: string;
  /** The condition set True: type (Preempted, Evicted) and its reason (InQueue, PodsReadyTimeout…). */
  condition: { type: string; reason: string };
  /** The history event recorded. */
  event: LifecycleEvent['type'];
}

/** evictedStatus is an admitted JobSet's status once evicted back to its queue. */
export function evictedStatus(js: JobSet, now: number, cause: EvictionCause): JobSetStatus {
  const { reason, message } = cause;
  let status = requeuedStatus(js.status!);
  status = { ...status, reason, message, updatedMs: now };
  status.conditions = setCondition(withoutRunning(status.conditions, reason, message, now), { type: cause.condition.type, status: 'True', reason: cause.condition.reason, message, lastTransitionMs: now });
  status.replicatedJobs = countByReplicatedJob({ ...js, status });
  return withHistory(status, [{ type: cause.event, message: `${cause.condition.reason}: ${message}` }], now);
}
