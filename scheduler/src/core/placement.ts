/**
 * Node capacity during one scheduling cycle, and first-fit gang placement on
 * it. Pure: the cycle owns its FreeNode copies and changes them as it admits.
 *
 * Each node has what is free now and what is *stopping*: capacity held by
 * pods already told to stop (a restart, a suspend, a preemption) that is free
 * once they exit. A plain placement uses only what is free; an optimistic one
 * (a preemptor waiting for its victims) also counts what is stopping, and
 * `reserve` then takes from free first, then from stopping, so nothing placed
 * later in the cycle takes the capacity the preemptor is waiting for.
 *
 * Speed: within a cycle free capacity only shrinks, so once a node cannot take
 * a pod of some request shape it never can again in this cycle. A cursor per
 * shape (FitCursors) therefore skips the nodes already known to be too full,
 * which makes first fit roughly linear in nodes + pods instead of their
 * product. Optimistic placements do not use cursors (stopping capacity grows
 * when a cycle preempts), nor do backfill placements.
 *
 * Backfill (Slurm's, core/backfill.ts): capacity free now may be *held* for a
 * blocked higher-priority JobSet expected to start at some time T; a later
 * JobSet may use it only if it will have ended by T.
 */
import { add, formatResources, RESOURCE_KEYS, sub, ZERO, type Resources } from '../../../shared/src/resources.js';
import { chooseCpus, cpusFor, type CpuTopology } from './cpu-choice.js';
import { chooseGpus, type GpuTopology } from './gpu-choice.js';
import type { GangPod } from '../model/gang.js';
import type { NodeSnapshot, PendingJobSet, PodPlacement, QuotaSnapshot, StillPending } from './types.js';

/** FreeNode is a schedulable node's remaining capacity during a cycle. */
export interface FreeNode {
  name: string;
  labels: Readonly<Record<string, string>>;
  free: Resources;
  /** Free healthy GPU indices, ascending. */
  freeGpus: number[];
  /** How many more pods the node may take. */
  freePods: number;
  /** Held by stopping pods: free once they exit. */
  stopping: Resources;
  stoppingGpus: number[];
  stoppingPods: number;
  /** Free now but held for a blocked higher-priority JobSet (backfill reservation) until heldUntilMs. */
  held: Resources;
  heldGpus: number[];
  heldPods: number;
  /** When the earliest reservation on this node expects to start (+∞ = none). */
  heldUntilMs: number;
  /** The JobSet of that earliest reservation. */
  heldFor?: string;
  /** GPU links and NUMA nodes (which free GPUs a pod gets). */
  topology?: GpuTopology | undefined;
  /** Placeable CPUs by NUMA node; absent = no CPU sets on this node (only cpu millis are counted). */
  cpuTopology?: CpuTopology | undefined;
  /** Free placeable CPUs, ascending (empty without cpuTopology); a pod takes cpusFor(request) of them. */
  freeCpus: number[];
  /** CPUs of stopping pods and CPUs held for a reservation (as the GPU lists above). */
  stoppingCpus: number[];
  heldCpus: number[];
  /** Free MIG devices by profile (UUIDs in discovery order). MIG devices of stopping pods are freed when they are gone; backfill holds none. */
  freeMig: Record<string, string[]>;
  /** Something runs, stops or is held here (an exclusive placement needs whole empty domains). */
  busy: boolean;
}

/** Tentative is what a gang being placed has taken from one node so far. */
interface Tentative {
  used: Resources;
  gpus: number;
  /** Whole CPUs (cpusFor) taken on a node with CPU sets. */
  cpus: number;
  /** MIG devices taken, by profile. */
  mig?: Record<string, number>;
  pods: number;
}

/** NodeTest is, for one pod request, which nodes it may go to; `key` names the test (the same key, the same answer for every node). */
export interface NodeTest {
  key: string;
  accepts(n: FreeNode): boolean;
}

/** NodeFilter gives the node test of a pod request (the flavors its requested resources are charged to). */
export interface NodeFilter {
  forRequest(request: Resources): NodeTest;
}

/** GangPlacement is where each pod of a gang goes, by index into the cycle's node list. */
export type GangPlacement = { podId: string; node: number }[];

/** QUOTA_NAMES maps a request's fields to quota resource names. */
const QUOTA_NAMES: Readonly<Record<keyof Resources, string>> = { cpuMillis: 'cpu', memoryBytes: 'memory', gpus: 'gpus', rdma: 'rdma' };

/**
 * flavorNodes is the node filter of the flavors a gang is charged to: a pod
 * must go to a node carrying every label of the flavor of each resource it
 * requests (a CPU-only pod is not bound by the GPUs' flavor).
 */
export function flavorNodes(flavors: Readonly<Record<string, string>>, labels: QuotaSnapshot['flavorLabels']): NodeFilter {
  const tests = new Map<string, NodeTest>(); // by which resources a request asks for
  return {
    forRequest(request) {
      const asked = RESOURCE_KEYS.filter((k) => request[k] > 0).join(',');
      let test = tests.get(asked);
      if (!test) {
        const used = [...new Set(RESOURCE_KEYS.filter((k) => request[k] > 0).map((k) => flavors[QUOTA_NAMES[k]]).filter((f): f is string => f !== undefined))].sort();
        const wanted = used.flatMap((f) => Object.entries(labels[f] ?? {}));
        test = { key: used.join(','), accepts: (n) => wanted.every(([k, v]) => n.labels[k] === v) };
        tests.set(asked, test);
      }
      return test;
    },
  };
}

/** freeNodes is the cycle's own copy of the schedulable nodes, in name order. */
export function freeNodes(nodes: readonly NodeSnapshot[]): FreeNode[] {
  return nodes
    .filter((n) => n.schedulable)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((n) => {
      const used = new Set(n.usedGpuIndices);
      const healthy = new Set(n.gpuIndices);
      const cpuTopology = n.cpuTopology;
      const usedCpus = new Set(n.usedCpus);
      const stoppingCpus = new Set(n.stoppingCpus);
      const usedMig = new Set(n.usedMig);
      const freeMig: Record<string, string[]> = {};
      for (const m of n.migDevices ?? []) if (!usedMig.has(m.uuid)) (freeMig[m.profile] ??= []).push(m.uuid);
      const freePods = n.maxPods === undefined ? Number.POSITIVE_INFINITY : n.maxPods - (n.podCount ?? 0);
      return {
        name: n.name,
        labels: n.labels ?? {},
        free: sub(n.allocatable, n.allocated),
        freeGpus: n.gpuIndices.filter((i) => !used.has(i)),
        freePods,
        stopping: { ...(n.stopping ?? ZERO) },
        stoppingGpus: (n.stoppingGpuIndices ?? []).filter((i) => healthy.has(i)),
        stoppingPods: n.stoppingPods ?? 0,
        held: { ...ZERO },
        heldGpus: [],
        heldPods: 0,
        heldUntilMs: Number.POSITIVE_INFINITY,
        topology: n.gpuTopology,
        cpuTopology,
        freeCpus: cpuTopology ? cpuTopology.cpus.filter((c) => !usedCpus.has(c)) : [],
        stoppingCpus: cpuTopology ? cpuTopology.cpus.filter((c) => stoppingCpus.has(c)) : [],
        heldCpus: [],
        freeMig,
        busy: (n.podCount ?? 0) > 0 || (n.stoppingPods ?? 0) > 0 || n.usedGpuIndices.length > 0,
      };
    });
}

/**
 * FitCursors remembers, per request shape, the first node that may still fit
 * it given committed placements. Only facts about committed capacity move a
 * cursor; a node full only because of the gang being tried does not.
 */
export class FitCursors {
  private readonly first = new Map<string, number>();

  /** key is the request shape a cursor is kept for. */
  static key(r: Resources): string {
    return `${r.cpuMillis}/${r.memoryBytes}/${r.gpus}/${r.rdma}`;
  }

  /** get is the first node index that may fit the shape. */
  get(key: string): number {
    return this.first.get(key) ?? 0;
  }

  /** advance records that no node before `to` fits the shape. */
  advance(key: string, to: number): void {
    if (to > this.get(key)) this.first.set(key, to);
  }
}

function fitsAfter(need: Resources, n: FreeNode, t: Tentative | undefined, optimistic: boolean, endsByMs: number | undefined, mig?: GangPod['mig']): boolean {
  if (mig && (n.freeMig[mig.profile]?.length ?? 0) < mig.count + (t?.mig?.[mig.profile] ?? 0)) return false;
  const u = t?.used ?? ZERO;
  const s = optimistic ? n.stopping : ZERO;
  // A JobSet that will have ended before a reservation needs the capacity may use it (backfill).
  const useHeld = endsByMs !== undefined && endsByMs <= n.heldUntilMs;
  const h = useHeld ? n.held : ZERO;
  return (
    (t?.pods ?? 0) + 1 <= n.freePods + (optimistic ? n.stoppingPods : 0) + (useHeld ? n.heldPods : 0) &&
    need.gpus + (t?.gpus ?? 0) <= n.freeGpus.length + (optimistic ? n.stoppingGpus.length : 0) + (useHeld ? n.heldGpus.length : 0) &&
    need.gpus + u.gpus <= n.free.gpus + s.gpus + h.gpus &&
    (n.cpuTopology === undefined ||
      cpusFor(need.cpuMillis) + (t?.cpus ?? 0) <= n.freeCpus.length + (optimistic ? n.stoppingCpus.length : 0) + (useHeld ? n.heldCpus.length : 0)) &&
    need.cpuMillis + u.cpuMillis <= n.free.cpuMillis + s.cpuMillis + h.cpuMillis &&
    need.memoryBytes + u.memoryBytes <= n.free.memoryBytes + s.memoryBytes + h.memoryBytes &&
    need.rdma + u.rdma <= n.free.rdma + s.rdma + h.rdma
  );
}

/** PlaceOptions tune placeGang. */
export interface PlaceOptions {
  /** Only nodes (per pod) this filter accepts. */
  eligible?: NodeFilter | undefined;
  /** Count stopping capacity as free (a preemptor waiting for its victims); cursors are not used. */
  optimistic?: boolean;
  /** Backfill: the JobSet ends by then, so it may use capacity held for reservations that start no earlier; cursors are not used. */
  endsByMs?: number | undefined;
  /** Only these node indices, ascending (the nodes that can matter to a preemption search); cursors are not used, a failure says only NoFit. */
  among?: readonly number[];
  /** The nodes of domains at `level` that are empty for this cycle (nothing runs, stops or is held there; none held exclusively by another JobSet): where an exclusive Job may go. */
  emptyAt?: (level: string) => readonly number[];
}

/** placeGang finds a node for every pod (among eligible nodes) against the committed capacity minus what the gang took; all or nothing. */
export function placeGang(js: PendingJobSet, nodes: FreeNode[], cursors: FitCursors, opts: PlaceOptions = {}): GangPlacement | StillPending {
  const { eligible, optimistic = false, endsByMs, among } = opts;
  const noCursors = optimistic || endsByMs !== undefined || among !== undefined;
  const count = among ? among.length : nodes.length;
  const at = (k: number): number => (among ? among[k]! : k);
  const tentative = new Map<number, Tentative>();
  const local = new Map<string, number>(); // shape → first position that may fit, within this gang
  const out: GangPlacement = [];
  for (const pod of js.pods) {
    // A MIG pod is bound to the flavor of the GPUs it asks for, as a whole-GPU pod is.
    const test = eligible?.forRequest(pod.mig ? { ...pod.request, gpus: pod.mig.count } : pod.request);
    // Cursors are kept per request shape (MIG profile included) and node test: a node another test refuses is never one this pod can use.
    const shape = pod.mig ? `${FitCursors.key(pod.request)}|mig:${pod.mig.count}x${pod.mig.profile}` : FitCursors.key(pod.request);
    const key = test ? `${shape}|${test.key}` : shape;
    const start = noCursors ? 0 : cursors.get(key);
    let k = Math.max(start, local.get(key) ?? 0);
    // Within a small node set (a domain, a preemption search), best fit: the node left tightest.
    if (among && count <= BEST_FIT_MAX) k = bestFit(pod, nodes, among, tentative, test, optimistic, endsByMs) ?? count;
    // The cycle-wide cursor may only move over a contiguous run, from itself, of nodes that lack room even without this gang.
    let committedFrontier = !noCursors && k === start;
    for (; k < count; k++) {
      const i = at(k);
      const t = tentative.get(i);
      // A node of another flavor never takes this pod: the cursor (per test) may move past it.
      if (test && !test.accepts(nodes[i]!)) {
        if (committedFrontier) cursors.advance(key, k + 1);
        continue;
      }
      if (fitsAfter(pod.request, nodes[i]!, t, optimistic, endsByMs, pod.mig)) break;
      if (committedFrontier && t === undefined) cursors.advance(key, k + 1);
      else committedFrontier = false;
    }
    local.set(key, k);
    if (k >= count) {
      // A search over a subset (preemption) only needs to know it failed: no message scan over every node.
      if (among) return { jobset: js.name, reason: 'NoFit', message: 'does not fit' };
      const candidates = test ? nodes.filter((n) => test.accepts(n)) : nodes;
      if (candidates.length === 0) return { jobset: js.name, reason: 'NoFit', message: `needs ${js.pods.length} pods; no Ready node carries the labels of the flavors a pod is charged to` };
      return noFit(js, out.length, pod, candidates);
    }
    const i = at(k);
    const t = tentative.get(i) ?? { used: { ...ZERO }, gpus: 0, cpus: 0, pods: 0 };
    t.used = add(t.used, pod.request);
    t.gpus += pod.request.gpus;
    t.cpus += cpusFor(pod.request.cpuMillis);
    if (pod.mig) (t.mig ??= {})[pod.mig.profile] = (t.mig[pod.mig.profile] ?? 0) + pod.mig.count;
    t.pods++;
    tentative.set(i, t);
    out.push({ podId: pod.podId, node: i });
  }
  return out;
}

/** BEST_FIT_MAX bounds the node sets placed by best fit (each pod scans them all); larger ones are placed first fit. */
export const BEST_FIT_MAX = 512;

/**
 * bestFit is the position in `among` of the node that fits the pod and is
 * left with the fewest free GPUs, then the least free CPU (ties: the first):
 * a gang fills the nodes it already uses and partly used nodes before empty
 * ones, which keeps whole nodes free for whole-node pods. Undefined when none fits.
 */
function bestFit(pod: GangPod, nodes: readonly FreeNode[], among: readonly number[], tentative: ReadonlyMap<number, Tentative>, test: NodeTest | undefined, optimistic: boolean, endsByMs: number | undefined): number | undefined {
  let best: number | undefined;
  let bestGpus = Number.POSITIVE_INFINITY;
  let bestCpu = Number.POSITIVE_INFINITY;
  for (let k = 0; k < among.length; k++) {
    const n = nodes[among[k]!]!;
    const t = tentative.get(among[k]!);
    if (test && !test.accepts(n)) continue;
    if (!fitsAfter(pod.request, n, t, optimistic, endsByMs, pod.mig)) continue;
    const gpus = n.freeGpus.length + (optimistic ? n.stoppingGpus.length : 0) - (t?.gpus ?? 0) - pod.request.gpus;
    const cpu = n.free.cpuMillis + (optimistic ? n.stopping.cpuMillis : 0) - (t?.used.cpuMillis ?? 0) - pod.request.cpuMillis;
    if (gpus < bestGpus || (gpus === bestGpus && cpu < bestCpu)) [best, bestGpus, bestCpu] = [k, gpus, cpu];
  }
  return best;
}

/** freePart is how much of `req` the free capacity covers (per resource; free may be negative). */
function freePart(req: Resources, free: Resources): Resources {
  const out = { ...ZERO };
  for (const k of RESOURCE_KEYS) out[k] = Math.min(req[k], Math.max(0, free[k]));
  return out;
}

/** commit takes the gang's resources and GPU indices from the free state (then, for a backfilled gang, from held capacity). */
export function commit(js: PendingJobSet, placed: GangPlacement, nodes: FreeNode[]): PodPlacement[] {
  const byId = new Map(js.pods.map((p) => [p.podId, p]));
  return placed.map((p) => {
    const node = nodes[p.node]!;
    const pod = byId.get(p.podId)!;
    const req = pod.request;
    const fromFree = freePart(req, node.free);
    node.free = sub(node.free, fromFree);
    node.held = sub(node.held, sub(req, fromFree));
    const migUuids = pod.mig ? (node.freeMig[pod.mig.profile] ?? []).splice(0, pod.mig.count) : undefined;
    // The best-linked free GPUs for this pod (core/gpu-choice.ts), then held ones for a backfilled pod.
    const chosen = chooseGpus(node.freeGpus, Math.min(req.gpus, node.freeGpus.length), node.topology);
    node.freeGpus = node.freeGpus.filter((g) => !chosen.includes(g));
    const gpuIndices = [...chosen, ...node.heldGpus.splice(0, req.gpus - chosen.length)];
    const cpus = node.cpuTopology ? takeCpus(node, cpusFor(req.cpuMillis), gpuIndices) : [];
    node.busy = true;
    if (node.freePods > 0) node.freePods--;
    else node.heldPods--;
    return { podId: p.podId, node: node.name, gpuIndices, ...(cpus.length > 0 ? { cpus } : {}), ...(migUuids ? { migUuids } : {}) };
  });
}

/** takeCpus takes a pod's CPUs near its GPUs (core/cpu-choice.ts) from the free ones, then from held ones (a backfilled pod). */
function takeCpus(node: FreeNode, count: number, gpuIndices: readonly number[]): number[] {
  const numa = new Map<number, number>();
  for (const g of gpuIndices) {
    const n = node.topology?.numa[g] ?? -1;
    if (n >= 0) numa.set(n, (numa.get(n) ?? 0) + 1);
  }
  const gpuNuma = [...numa].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([n]) => n);
  const fromFree = chooseCpus(node.freeCpus, count, gpuNuma, node.cpuTopology!);
  const fromHeld = chooseCpus(node.heldCpus, count - fromFree.length, gpuNuma, node.cpuTopology!);
  node.freeCpus = without(node.freeCpus, fromFree);
  node.heldCpus = without(node.heldCpus, fromHeld);
  return [...fromFree, ...fromHeld].sort((a, b) => a - b);
}

function without(list: readonly number[], taken: readonly number[]): number[] {
  if (taken.length === 0) return list as number[];
  const drop = new Set(taken);
  return list.filter((c) => !drop.has(c));
}

/**
 * holdUntil reserves, for a blocked JobSet expected to start at `untilMs` on
 * these nodes, the part of what it will need there that is free now: later
 * JobSets in the cycle may use it only if they end by then (backfill).
 */
export function holdUntil(js: PendingJobSet, placed: GangPlacement, nodes: FreeNode[], untilMs: number): void {
  const byId = new Map(js.pods.map((p) => [p.podId, p]));
  for (const p of placed) {
    const node = nodes[p.node]!;
    const req = byId.get(p.podId)!.request;
    const take = freePart(req, node.free);
    node.free = sub(node.free, take);
    node.held = add(node.held, take);
    node.heldGpus.push(...node.freeGpus.splice(0, Math.min(req.gpus, take.gpus)));
    if (node.cpuTopology) node.heldCpus.push(...node.freeCpus.splice(0, cpusFor(req.cpuMillis)));
    if (node.freePods > 0) {
      node.freePods--;
      node.heldPods++;
    }
    if (untilMs < node.heldUntilMs) [node.heldUntilMs, node.heldFor] = [untilMs, js.name];
    node.busy = true;
  }
}

/**
 * reserve holds an optimistic placement's capacity for the rest of the cycle:
 * from what is free first, then from what is stopping.
 */
export function reserve(js: PendingJobSet, placed: GangPlacement, nodes: FreeNode[]): void {
  const byId = new Map(js.pods.map((p) => [p.podId, p]));
  for (const p of placed) {
    const node = nodes[p.node]!;
    const req = byId.get(p.podId)!.request;
    const fromFree = freePart(req, node.free);
    node.free = sub(node.free, fromFree);
    node.stopping = sub(node.stopping, sub(req, fromFree));
    const gpus = node.freeGpus.splice(0, req.gpus).length;
    node.stoppingGpus.splice(0, req.gpus - gpus);
    const pod = byId.get(p.podId)!;
    if (pod.mig) node.freeMig[pod.mig.profile]?.splice(0, pod.mig.count);
    if (node.cpuTopology) {
      const cpus = node.freeCpus.splice(0, cpusFor(req.cpuMillis)).length;
      node.stoppingCpus.splice(0, cpusFor(req.cpuMillis) - cpus);
    }
    if (node.freePods > 0) node.freePods--;
    else node.stoppingPods--;
    node.busy = true;
  }
}

/** noFit explains, in words a person can act on, why the gang does not fit now. */
function noFit(js: PendingJobSet, placedCount: number, pod: GangPod, nodes: FreeNode[]): StillPending {
  const request = pod.request;
  if (pod.mig) {
    const profile = pod.mig.profile;
    const most = nodes.reduce((best, n) => ((n.freeMig[profile]?.length ?? 0) > (best.freeMig[profile]?.length ?? 0) ? n : best), nodes[0]!);
    const count = most.freeMig[profile]?.length ?? 0;
    const message =
      `needs ${js.pods.length} pods; ${placedCount} of ${js.pods.length} fit on ${nodes.length} Ready node(s) now; ` +
      `a pod needs ${pod.mig.count} MIG device(s) of profile ${profile} and ${formatResources(request)}` +
      (count > 0 ? `, the node with the most free, ${most.name}, has ${count}` : `; no Ready node has a free MIG device of that profile`);
    return { jobset: js.name, reason: 'NoFit', message };
  }
  const total = js.pods.reduce((acc, p) => add(acc, p.request), { ...ZERO });
  const largest = nodes.reduce((best, n) => (score(n.free) > score(best.free) ? n : best), nodes[0]!);
  const short = RESOURCE_KEYS.filter((k) => request[k] > largest.free[k]).map((k) => k.replace('Millis', '').replace('Bytes', ''));
  if (nodes.every((n) => n.freePods < 1)) short.push('pod slots (maxPodsPerNode)');
  if (largest.cpuTopology && cpusFor(request.cpuMillis) > largest.freeCpus.length && !short.includes('cpu')) short.push('unbound CPUs');
  const message =
    `needs ${js.pods.length} pods (${formatResources(total)} in all); ` +
    `${placedCount} of ${js.pods.length} fit on ${nodes.length} Ready node(s) now; ` +
    `a pod needs ${formatResources(request)}, the freest node ${largest.name} has ${formatResources(largest.free)}` +
    (largest.cpuTopology ? ` (${largest.freeCpus.length} unbound CPUs)` : '') +
    (Number.isFinite(largest.freePods) ? ` and room for ${largest.freePods} more pods` : '') +
    (short.length > 0 ? ` (short of ${short.join(', ')})` : '');
  return { jobset: js.name, reason: 'NoFit', message };
}

function score(r: Resources): number {
  return r.gpus * 1e12 + r.cpuMillis * 1e3 + r.memoryBytes / 2 ** 30;
}
