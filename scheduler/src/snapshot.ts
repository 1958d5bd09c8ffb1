/** Building the pure core's Snapshot from the live store (a copy; the core never sees the store). */
import { toResources } from '../../shared/src/resources.js';
import { gangRequest } from './core/decide-cycle.js';
import { buildQuotaTree, chargeUsage, type MutableUsage, type Usage } from './core/quota.js';
import { timeLimitMs } from './core/backfill.js';
import { placementPolicyOf, type PlacementPolicy } from './core/domains.js';
import { exclusiveDomainsOf, placementGroupsOf, type PlacementGroup } from './core/placement-groups.js';
import { cpuTopologyOf, type CpuTopology } from './core/cpu-choice.js';
import { gpuTopologyOf, type GpuTopology } from './core/gpu-choice.js';
import { inRequeueBackoff } from './core/pods-ready.js';
import { mayPreempt } from './core/preemption.js';
import { priorityOfClass, type PriorityOf } from './core/queue-order.js';
import type { AdmittedJobSet, PreemptionPolicy, QuotaSnapshot, RunningJobSet, Snapshot } from './core/types.js';
import type { JobSetSpec, NodeInventory, Queue } from '../../shared/src/proto/types.js';
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
  const priorityOf = priorityOfClass(ctx.objects.list('PriorityClass'));
  const now = ctx.clock.now();
  const quota = quotaSnapshot(ctx, jobsets, priorityOf);
  const bound = store.boundDevices();
  return {
    nodes: store.allNodes().map((n) => ({
      name: n.node.name,
      schedulable: n.node.state === 'NODE_STATE_READY' && !n.node.drain,
      allocatable: toResources(n.node.inventory?.allocatable),
      allocated: toResources(n.node.allocated),
      // A GPU in MIG mode is not placeable whole: its MIG devices are.
      gpuIndices: (n.node.inventory?.gpus ?? []).filter((g) => g.healthy && !g.migEnabled).map((g) => g.index).sort((a, b) => a - b),
      ...withMig(n.node.inventory, bound.get(n.node.name)?.mig),
      usedGpuIndices: bound.get(n.node.name)?.gpus ?? [],
      usedCpus: bound.get(n.node.name)?.cpus ?? [],
      maxPods: ctx.settings.maxPodsPerNode,
      podCount: n.node.pods,
      labels: n.node.labels,
      ...withTopology(n.node.inventory),
      ...withCpuTopology(n.node.inventory),
      stopping: toResources(n.node.lingering),
      stoppingGpuIndices: [...n.lingering.values()].flatMap((l) => l.gpuIndices),
      stoppingCpus: [...n.lingering.values()].flatMap((l) => l.cpus ?? []),
      stoppingPods: n.lingering.size,
    })),
    pending: jobsets
      .filter((r) => r.jobset.status!.phase === 'JOB_SET_PHASE_PENDING' && !r.jobset.spec!.suspend && !blockedByOldPods(ctx, r) && !inRequeueBackoff(r.jobset, now))
      .map((r) => ({
        name: r.jobset.metadata!.name,
        createdMs: r.jobset.metadata!.createdMs,
        pods: r.gang,
        coordinatorPodId: coordinatorPodId(r.jobset.spec!, r.gang),
        queue: r.jobset.spec!.queue,
        priority: priorityOf(r.jobset.spec!.priorityClass),
        ...withTimeLimit(r.jobset.spec!),
        user: r.jobset.metadata!.user,
        ...withPlacement(r.jobset.spec!, r.gang),
      })),
    usedPorts: jobsets
      .filter((r) => isActive(r.jobset) && r.placement)
      .map((r) => ({ node: r.placement!.coordinatorNode, port: r.placement!.coordinatorPort })),
    portRange: ctx.settings.portRange,
    ...(quota ? { quota } : {}),
    nowMs: now,
    topologyLevels: ctx.settings.topologyLevels ?? [],
    exclusiveHeld: exclusiveHeld(ctx, jobsets),
    ...(ctx.settings.backfill ? { running: runningJobSets(jobsets) } : {}),
  };
}

/** quotaUsage is what admitted JobSets hold, by queue, flavor and resource (their status.admission). */
export function quotaUsage(jobsets: readonly JobSetRecord[]): Usage {
  const usage: MutableUsage = {};
  for (const r of jobsets) {
    const adm = r.jobset.status!.admission;
    if (!adm || !isActive(r.jobset)) continue;
    chargeUsage(usage, adm.queue, { flavors: adm.flavors }, gangRequest({ pods: r.gang }));
  }
  return usage;
}

/** quotaSnapshot is the queueing state of the cycle, or undefined when no queue is defined (no JobSet is subject to quota). */
function quotaSnapshot(ctx: SchedulerContext, jobsets: readonly JobSetRecord[], priorityOf: PriorityOf): QuotaSnapshot | undefined {
  const queues = ctx.objects.list('Queue');
  if (queues.length === 0) return undefined;
  const preemption = Object.fromEntries(queues.map((q) => [q.metadata!.name, preemptionPolicy(q)]));
  const anyPreempts = Object.values(preemption).some(mayPreempt);
  const fairSharing = ctx.settings.fairSharing;
  const afs = ctx.afs.snapshot(queues);
  return {
    ...(afs ? { afs } : {}),
    preemption,
    ...(fairSharing ? { fairSharing: { strategies: fairSharing } } : {}),
    // Candidates are only built when some queue may preempt (a cycle with 10k running JobSets need not copy them otherwise).
    ...(anyPreempts ? { admitted: admittedThroughQueues(jobsets, priorityOf) } : {}),
    tree: buildQuotaTree(queues, ctx.objects.list('Cohort')),
    usage: quotaUsage(jobsets),
    flavorLabels: Object.fromEntries(ctx.objects.list('ResourceFlavor').map((f) => [f.metadata!.name, f.spec?.nodeLabels ?? {}])),
    strategies: Object.fromEntries(queues.map((q) => [q.metadata!.name, q.spec?.queueingStrategy || 'BestEffortFIFO'])),
    stopped: stoppedQueues(queues),
  };
}

/** preemptionPolicy is a queue's spec.preemption with Kueue's defaults (Never everywhere, no minimum runtime). */
export function preemptionPolicy(q: Queue): PreemptionPolicy {
  const p = q.spec?.preemption;
  const threshold = p?.borrowWithinCohort?.maxPriorityThreshold;
  return {
    withinQueue: oneOf(p?.withinQueue, ['LowerPriority', 'LowerOrNewerEqualPriority'] as const, 'Never'),
    reclaimWithinCohort: oneOf(p?.reclaimWithinCohort, ['LowerPriority', 'Any'] as const, 'Never'),
    borrowWithinCohort: {
      policy: oneOf(p?.borrowWithinCohort?.policy, ['LowerPriority'] as const, 'Never'),
      ...(threshold !== undefined && threshold !== null ? { maxPriorityThreshold: threshold } : {}),
    },
    minRuntimeMs: (p?.minRuntimeSeconds ?? 0) * 1000,
  };
}

function oneOf<T extends string, D extends string>(v: string | undefined, allowed: readonly T[], fallback: D): T | D {
  return (allowed as readonly string[]).includes(v ?? '') ? (v as T) : fallback;
}

/** admittedThroughQueues lists running JobSets charged to a queue, with what preempting each would free. */
function admittedThroughQueues(jobsets: readonly JobSetRecord[], priorityOf: PriorityOf): AdmittedJobSet[] {
  const out: AdmittedJobSet[] = [];
  for (const r of jobsets) {
    const adm = r.jobset.status!.admission;
    if (!adm || !r.placement || !isActive(r.jobset)) continue;
    out.push({
      name: r.jobset.metadata!.name,
      queue: adm.queue,
      flavors: adm.flavors,
      request: gangRequest({ pods: r.gang }),
      priority: priorityOf(r.jobset.spec!.priorityClass),
      createdMs: r.jobset.metadata!.createdMs,
      admittedMs: r.jobset.status!.admittedMs,
      pods: placedPods(r),
    });
  }
  return out;
}

/** stoppedQueues maps each queue whose stopPolicy is Hold or HoldAndDrain to it. */
export function stoppedQueues(queues: readonly Queue[]): Record<string, 'Hold' | 'HoldAndDrain'> {
  const out: Record<string, 'Hold' | 'HoldAndDrain'> = {};
  for (const q of queues) {
    const p = q.spec?.stopPolicy;
    if (p === 'Hold' || p === 'HoldAndDrain') out[q.metadata!.name] = p;
  }
  return out;
}

function withTimeLimit(spec: JobSetSpec): { timeLimitMs?: number } {
  const limit = timeLimitMs(spec);
  return limit === undefined ? {} : { timeLimitMs: limit };
}

/** runningJobSets lists admitted, unfinished JobSets with their latest end (admission + time limit) for backfill. */
function runningJobSets(jobsets: readonly JobSetRecord[]): RunningJobSet[] {
  const out: RunningJobSet[] = [];
  for (const r of jobsets) {
    if (!r.placement || !isActive(r.jobset)) continue;
    const limit = timeLimitMs(r.jobset.spec!);
    out.push({
      name: r.jobset.metadata!.name,
      ...(limit !== undefined ? { endsByMs: r.jobset.status!.admittedMs + limit } : {}),
      pods: placedPods(r),
    });
  }
  return out;
}

/** withMig lists a node's placeable MIG devices (healthy GPUs in MIG mode; profile and UUID known) and those bound. */
function withMig(inv: NodeInventory | null | undefined, used: readonly string[] | undefined): { migDevices?: { uuid: string; profile: string }[]; usedMig?: readonly string[] } {
  const devices = (inv?.gpus ?? [])
    .filter((g) => g.healthy && g.migEnabled)
    .sort((a, b) => a.index - b.index)
    .flatMap((g) => [...g.migDevices].sort((a, b) => a.index - b.index).filter((m) => m.profile !== '' && m.uuid !== '').map((m) => ({ uuid: m.uuid, profile: m.profile })));
  return devices.length > 0 ? { migDevices: devices, usedMig: used ?? [] } : {};
}

/**
 * perInventory memoises a derivation of a node's inventory per inventory
 * object: an inventory is replaced, never changed, when a node re-registers
 * or rediscovers, so each is derived once, not every cycle.
 */
function perInventory<T>(derive: (inv: NodeInventory) => T | undefined): (inv: NodeInventory | null | undefined) => T | undefined {
  const cache = new WeakMap<object, T | null>();
  return (inv) => {
    if (!inv) return undefined;
    let t = cache.get(inv);
    if (t === undefined) cache.set(inv, (t = derive(inv) ?? null));
    return t ?? undefined;
  };
}

const gpuTopologyCached = perInventory(gpuTopologyOf);
const cpuTopologyCached = perInventory(cpuTopologyOf);

function withTopology(inv: NodeInventory | null | undefined): { gpuTopology?: GpuTopology } {
  const t = gpuTopologyCached(inv);
  return t ? { gpuTopology: t } : {};
}

function withCpuTopology(inv: NodeInventory | null | undefined): { cpuTopology?: CpuTopology } {
  const t = cpuTopologyCached(inv);
  return t ? { cpuTopology: t } : {};
}

function withPlacement(spec: JobSetSpec, gang: JobSetRecord['gang']): { placement?: PlacementPolicy; groups?: PlacementGroup[] } {
  const placement = placementPolicyOf(spec);
  const groups = placementGroupsOf(spec, gang);
  return { ...(placement ? { placement } : {}), ...(groups ? { groups } : {}) };
}

/** exclusiveLevels says whether a JobSet holds any domain exclusively (JobSet-level or per Job). */
function holdsExclusively(spec: JobSetSpec): boolean {
  return !!spec.placement?.exclusive || spec.replicatedJobs.some((rj) => !!rj.placement?.exclusive);
}

/** exclusiveHeld lists the domains running JobSets placed with `exclusive` (JobSet-level or per Job) hold. */
function exclusiveHeld(ctx: SchedulerContext, jobsets: readonly JobSetRecord[]): { level: string; key: string }[] {
  const out = new Map<string, { level: string; key: string }>();
  let labels: Map<string, Record<string, string>> | undefined;
  for (const r of jobsets) {
    const spec = r.jobset.spec!;
    if (!holdsExclusively(spec) || !r.placement || !isActive(r.jobset)) continue;
    labels ??= new Map(ctx.store.allNodes().map((n) => [n.node.name, n.node.labels]));
    const policy = { ...withPlacement(spec, r.gang) };
    const pods = r.placement.pods.map((p) => ({ podId: p.podId, node: { name: p.node, labels: labels!.get(p.node) ?? {} } }));
    for (const d of exclusiveDomainsOf(policy, pods)) out.set(`${d.level}\u0000${d.key}`, d);
  }
  return [...out.values()];
}

/** placedPods lists an admitted JobSet's pods with their nodes, requests and GPUs (what stopping them frees). */
function placedPods(r: JobSetRecord): RunningJobSet['pods'] {
  const req = new Map(r.gang.map((g) => [g.podId, g.request]));
  return (r.placement?.pods ?? []).map((p) => ({ node: p.node, request: req.get(p.podId) ?? toResources(null), gpuIndices: p.gpuIndices, ...(p.cpus ? { cpus: p.cpus } : {}) }));
}
