/**
 * GPU health from heartbeats: each heartbeat carries the health of every GPU
 * as the agent last probed it. A GPU whose health changed is updated in the
 * node's inventory (and so in the snapshot placement reads: unhealthy GPUs are
 * never offered), capacity and allocatable GPUs follow the healthy count, the
 * change is persisted and logged, and a scheduling round is requested. Pods
 * already bound to a GPU that turned unhealthy keep running by default (a
 * failing pod fails as usual, and is not retried on that GPU); with
 * `unhealthyGpuPods: evict` they fail at once with reason GPUUnhealthy, a
 * disruption handled like a lost node (requeued without a failurePolicy).
 */
import type { GpuHealthReport, NodeInventory } from '../../../shared/src/proto/types.js';
import type { SchedulerContext } from '../context.js';
import { failPodsOn } from './pod-status.js';

/** One GPU whose health changed. */
export interface GpuHealthChange {
  index: number;
  uuid: string;
  healthy: boolean;
  reasons: string[];
}

function sameReasons(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((r, i) => r === b[i]);
}

/**
 * mergeGpuHealth applies reports to an inventory: the new inventory and the
 * GPUs that changed, or undefined when nothing did. Reports for unknown UUIDs
 * are ignored (a re-discovery registers new GPUs). Pure.
 */
export function mergeGpuHealth(inv: NodeInventory, reports: readonly GpuHealthReport[]): { inventory: NodeInventory; changes: GpuHealthChange[] } | undefined {
  if (reports.length === 0 || inv.gpus.length === 0) return undefined;
  const byUuid = new Map(reports.filter((r) => r.uuid).map((r) => [r.uuid, r]));
  const changes: GpuHealthChange[] = [];
  const gpus = inv.gpus.map((g) => {
    const r = byUuid.get(g.uuid);
    if (!g.uuid || !r || (r.healthy === g.healthy && sameReasons(r.reasons, g.healthReasons))) return g;
    changes.push({ index: g.index, uuid: g.uuid, healthy: r.healthy, reasons: [...r.reasons] });
    return { ...g, healthy: r.healthy, healthReasons: [...r.reasons] };
  });
  if (changes.length === 0) return undefined;
  const delta = gpus.filter((g) => g.healthy).length - inv.gpus.filter((g) => g.healthy).length;
  const shift = (rl: NodeInventory['capacity']) => (rl ? { ...rl, gpus: Math.max(0, rl.gpus + delta) } : rl);
  return { inventory: { ...inv, gpus, capacity: shift(inv.capacity), allocatable: shift(inv.allocatable) }, changes };
}

/** applyGpuHealth merges a heartbeat's GPU health into the node's inventory; true when something changed. */
export function applyGpuHealth(ctx: SchedulerContext, node: string, reports: readonly GpuHealthReport[]): boolean {
  const rec = ctx.store.getNode(node);
  if (!rec?.node.inventory) return false;
  const merged = mergeGpuHealth(rec.node.inventory, reports);
  if (!merged) return false;
  ctx.store.setNodeInventory(node, merged.inventory);
  for (const c of merged.changes) {
    if (c.healthy) ctx.log.info('GPU healthy again', { node, gpu: c.index, uuid: c.uuid });
    else ctx.log.warn('GPU unhealthy: no longer offered to placement', { node, gpu: c.index, uuid: c.uuid, reasons: c.reasons });
  }
  const failing = merged.changes.filter((c) => !c.healthy);
  if (ctx.settings.unhealthyGpuPods === 'evict' && failing.length > 0) {
    const bad = new Set(failing.map((c) => c.index));
    const why = failing.map((c) => `GPU ${c.index}${c.reasons.length > 0 ? ` (${c.reasons.join('; ')})` : ''}`).join(', ');
    const n = failPodsOn(ctx, node, 'GPUUnhealthy', `${why} of node ${node} turned unhealthy`, ctx.clock.now(), (p) => (p.binding?.gpuIndices ?? []).some((i) => bad.has(i)));
    if (n > 0) ctx.log.warn('evicted the pods bound to an unhealthy GPU', { node, pods: n });
  }
  ctx.requestCycle('GPU health changed');
  return true;
}
