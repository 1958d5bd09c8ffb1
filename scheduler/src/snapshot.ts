/** Building the pure core's Snapshot from the live store (a copy; the core never sees the store). */
import { toResources } from '../../shared/src/resources.js';
import type { Snapshot } from './core/types.js';
import type { SchedulerContext } from './context.js';
import { isActive, type JobSetRecord } from './store/store.js';
import { coordinatorPodId } from './model/gang.js';

/** blockedByOldPods: a BlockingRecreate restart starts nothing new while any pod of the previous attempt is still stopping. */
function blockedByOldPods(ctx: SchedulerContext, r: JobSetRecord): boolean {
  return r.jobset.spec!.failurePolicy?.restartStrategy === 'BlockingRecreate' && ctx.store.lingeringPodsOf(r.jobset.metadata!.uid) > 0;
}

/** takeSnapshot copies what one scheduling cycle needs. */
export function takeSnapshot(ctx: SchedulerContext): Snapshot {
  const store = ctx.store;
  const jobsets = store.allJobSets();
  return {
    nodes: store.allNodes().map((n) => ({
      name: n.node.name,
      schedulable: n.node.state === 'NODE_STATE_READY',
      allocatable: toResources(n.node.inventory?.allocatable),
      allocated: toResources(n.node.allocated),
      gpuIndices: (n.node.inventory?.gpus ?? []).filter((g) => g.healthy).map((g) => g.index).sort((a, b) => a - b),
      usedGpuIndices: store.usedGpuIndices(n.node.name),
      maxPods: ctx.settings.maxPodsPerNode,
      podCount: n.node.pods,
    })),
    pending: jobsets
      .filter((r) => r.jobset.status!.phase === 'JOB_SET_PHASE_PENDING' && !r.jobset.spec!.suspend && !blockedByOldPods(ctx, r))
      .map((r) => ({ name: r.jobset.metadata!.name, createdMs: r.jobset.metadata!.createdMs, pods: r.gang, coordinatorPodId: coordinatorPodId(r.jobset.spec!, r.gang) })),
    usedPorts: jobsets
      .filter((r) => isActive(r.jobset) && r.placement)
      .map((r) => ({ node: r.placement!.coordinatorNode, port: r.placement!.coordinatorPort })),
    portRange: ctx.settings.portRange,
  };
}
