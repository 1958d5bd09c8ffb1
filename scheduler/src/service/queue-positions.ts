/**
 * Where each pending JobSet stands in its queue (Kueue's Visibility API,
 * kueue-jobset.md §3.16): computed on demand from the store, never stored.
 *
 * A queue's order is the one a scheduling cycle takes its JobSets in
 * (core/decide-cycle.ts): priority (highest first), then creation time, then
 * name; position 1 is next. Only Pending JobSets naming a queue are queued: a
 * suspended one waits outside the queue until resumed, and one naming no queue
 * is not subject to quota — neither gets a position (0, shown as `-`).
 * `queuePositions` is pure (the order and priorities are core/queue-order.ts's); `listPendingJobSets` is the
 * ListJobSets(pending_only) behind the user API.
 */
import { InvalidArgumentError } from '../../../shared/src/errors.js';
import { parseJobSetPhase } from '../../../shared/src/phases.js';
import type { ListJobSetsResponse__Output } from '../../../shared/src/proto/generated/muster/v1/ListJobSetsResponse.js';
import type { JobSet } from '../../../shared/src/proto/types.js';
import { priorityOfClass, queueOrder, type PriorityOf, type Queued } from '../core/queue-order.js';
import type { SchedulerContext } from '../context.js';
import { listJobSets } from './jobsets.js';

/** isQueued: a Pending, not suspended JobSet naming a queue is in that queue. */
function isQueued(js: JobSet): boolean {
  return js.status?.phase === 'JOB_SET_PHASE_PENDING' && !js.spec?.suspend && (js.spec?.queue ?? '') !== '';
}

/** queuePositions maps each queued JobSet's name to its 1-based position in its queue; JobSets not queued are absent. */
export function queuePositions(jobsets: readonly JobSet[], priorityOf: PriorityOf): Map<string, number> {
  const byQueue = new Map<string, Queued[]>();
  for (const js of jobsets) {
    if (!isQueued(js)) continue;
    const queue = js.spec!.queue;
    const entry = { name: js.metadata!.name, createdMs: js.metadata!.createdMs, priority: priorityOf(js.spec!.priorityClass) };
    (byQueue.get(queue) ?? byQueue.set(queue, []).get(queue)!).push(entry);
  }
  const out = new Map<string, number>();
  for (const entries of byQueue.values()) {
    entries.sort(queueOrder); // the cycle's order
    entries.forEach((e, i) => out.set(e.name, i + 1));
  }
  return out;
}

/**
 * listPendingJobSets is ListJobSets with pending_only: the Pending JobSets
 * (newest first, `limit` of them when > 0), each with its position in its
 * queue among all pending ones and its effective priority.
 */
export function listPendingJobSets(ctx: SchedulerContext, phase: string, limit: number, withPods = false): ListJobSetsResponse__Output {
  if (phase && parseJobSetPhase(phase) !== 'JOB_SET_PHASE_PENDING')
    throw new InvalidArgumentError([{ path: 'phase', message: 'must be empty or Pending with pending_only' }]);
  const jobsets = listJobSets(ctx, 'Pending', limit, withPods);
  const priorityOf = priorityOfClass(ctx.objects.list('PriorityClass'));
  const positions = queuePositions(
    ctx.store.allJobSets().map((r) => r.jobset),
    priorityOf,
  );
  return {
    jobsets,
    positions: jobsets.map((js) => ({
      jobset: js.metadata!.name,
      position: positions.get(js.metadata!.name) ?? 0,
      priority: priorityOf(js.spec!.priorityClass),
    })),
  };
}
