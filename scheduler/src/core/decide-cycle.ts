/**
 * One scheduling cycle, pure: snapshot in, decision out. Gang admission: a
 * JobSet is admitted only when every one of its pods has a place at once;
 * otherwise nothing of it is placed. Placement is first fit over schedulable
 * nodes in name order (placement quality is the topology issue's job); pods of
 * admitted JobSets reduce what later JobSets in the same cycle can use.
 * Queue order: creation time, then name (BestEffortFIFO: a JobSet that does
 * not fit does not block the ones behind it).
 */
import { add, fits, formatResources, RESOURCE_KEYS, sub, type Resources } from '../../../shared/src/resources.js';
import type { Admission, CycleDecision, NodeSnapshot, PendingJobSet, PodPlacement, Snapshot, StillPending } from './types.js';

interface FreeNode {
  name: string;
  free: Resources;
  freeGpus: number[];
}

/** decideCycle decides which pending JobSets to admit and where their pods go. */
export function decideCycle(snapshot: Snapshot): CycleDecision {
  const nodes = freeNodes(snapshot.nodes);
  const usedPorts = new Set(snapshot.usedPorts);
  const admit: Admission[] = [];
  const pending: StillPending[] = [];
  const queue = [...snapshot.pending].sort((a, b) => a.createdMs - b.createdMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const js of queue) {
    if (nodes.length === 0) {
      pending.push({ jobset: js.name, reason: 'NoReadyNodes', message: 'no Ready node to place pods on' });
      continue;
    }
    const placed = placeGang(js, nodes);
    if ('reason' in placed) {
      pending.push(placed);
      continue;
    }
    const port = lowestFreePort(usedPorts, snapshot.portRange);
    if (port === undefined) {
      pending.push({ jobset: js.name, reason: 'NoCoordinatorPort', message: `every coordinator port in ${snapshot.portRange.min}-${snapshot.portRange.max} is taken` });
      continue;
    }
    usedPorts.add(port);
    commit(js, placed, nodes);
    admit.push({ jobset: js.name, placements: placed, coordinatorPort: port });
  }
  return { admit, pending };
}

function freeNodes(nodes: NodeSnapshot[]): FreeNode[] {
  return nodes
    .filter((n) => n.schedulable)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((n) => {
      const used = new Set(n.usedGpuIndices);
      return { name: n.name, free: sub(n.allocatable, n.allocated), freeGpus: n.gpuIndices.filter((i) => !used.has(i)) };
    });
}

/** placeGang tries every pod on a scratch copy of the free capacity; all or nothing. */
function placeGang(js: PendingJobSet, nodes: FreeNode[]): PodPlacement[] | StillPending {
  const scratch = nodes.map((n) => ({ name: n.name, free: { ...n.free }, freeGpus: [...n.freeGpus] }));
  const placements: PodPlacement[] = [];
  for (const pod of js.pods) {
    const node = scratch.find((n) => fits(pod.request, n.free) && n.freeGpus.length >= pod.request.gpus);
    if (!node) return noFit(js, placements.length, pod.request, nodes);
    node.free = sub(node.free, pod.request);
    const gpuIndices = node.freeGpus.splice(0, pod.request.gpus);
    placements.push({ podId: pod.podId, node: node.name, gpuIndices });
  }
  return placements;
}

function commit(js: PendingJobSet, placements: PodPlacement[], nodes: FreeNode[]): void {
  const byId = new Map(js.pods.map((p) => [p.podId, p]));
  for (const pl of placements) {
    const node = nodes.find((n) => n.name === pl.node)!;
    node.free = sub(node.free, byId.get(pl.podId)!.request);
    node.freeGpus = node.freeGpus.filter((i) => !pl.gpuIndices.includes(i));
  }
}

/** noFit explains, in words a person can act on, why the gang does not fit now. */
function noFit(js: PendingJobSet, placedCount: number, request: Resources, nodes: FreeNode[]): StillPending {
  const total = js.pods.reduce((acc, p) => add(acc, p.request), { cpuMillis: 0, memoryBytes: 0, gpus: 0, rdma: 0 });
  const largest = nodes.reduce((best, n) => (score(n.free) > score(best.free) ? n : best), nodes[0]!);
  const short = RESOURCE_KEYS.filter((k) => request[k] > largest.free[k]).map((k) => k.replace('Millis', '').replace('Bytes', ''));
  const message =
    `needs ${js.pods.length} pods (${formatResources(total)} in all); ` +
    `${placedCount} of ${js.pods.length} fit on ${nodes.length} Ready node(s) now; ` +
    `a pod needs ${formatResources(request)}, the freest node ${largest.name} has ${formatResources(largest.free)}` +
    (short.length > 0 ? ` (short of ${short.join(', ')})` : '');
  return { jobset: js.name, reason: 'NoFit', message };
}

function score(r: Resources): number {
  return r.gpus * 1e12 + r.cpuMillis * 1e3 + r.memoryBytes / 2 ** 30;
}

function lowestFreePort(used: Set<number>, range: { min: number; max: number }): number | undefined {
  for (let p = range.min; p <= range.max; p++) if (!used.has(p)) return p;
  return undefined;
}
