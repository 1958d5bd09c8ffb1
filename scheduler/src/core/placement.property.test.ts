/**
 * Property tests of decideCycle's placement inside and across hosts (GPU sets,
 * CPU sets, capacity, gangs, topology domains), over seeded random clusters
 * (mulberry32: every run sees the same scenarios; a failure names its seed).
 * A scenario is 4–40 nodes built from the recorded inventories of
 * deploy/hardware/ (8×H100 SXM, 8×A100 SXM, 8×RTX 4090 PCIe, CPU-only), with
 * rack/block labels (a few unlabelled, a few not schedulable), some GPUs
 * unhealthy, some CPUs kept for the system, some nodes without CPU sets or GPU
 * topology, and already-placed pods holding GPUs, CPUs and capacity; plus
 * 1–10 pending gangs of 1–16 pods asking 0–8 GPUs and 0–32 CPUs (millis),
 * some with placement.required / preferred / exclusive. One cycle is decided
 * and checked:
 *
 * 1. GPUs: each pod gets exactly request.gpus distinct healthy GPUs, none
 *    already used and none handed to two pods of the cycle;
 * 2. CPUs (nodes with a cpuTopology): a pod asking cpuMillis > 0 gets exactly
 *    cpusFor(cpuMillis) placeable CPUs, none already used, none shared; a pod
 *    asking none, or on a node without CPU sets, gets no `cpus`;
 * 3. per node, admitted requests fit allocatable − allocated (every
 *    resource) and the pod count stays within maxPods − podCount; only
 *    schedulable nodes are used;
 * 4. NUMA locality: a pod alone (in this cycle) on a node whose CPUs were all
 *    free gets its CPUs on its GPUs' NUMA node(s) (the one with most of its
 *    GPUs first) when they have enough placeable CPUs; a CPU-only pod gets
 *    one NUMA node when one can hold it;
 * 5. gangs are all or nothing: an admitted JobSet has every pod placed
 *    exactly once, every pending JobSet is admitted or pending, once; the
 *    coordinator node is the coordinator pod's;
 * 6. placement.required keeps a JobSet in one domain of its level;
 *    placement.exclusive domains are shared with no other JobSet admitted in
 *    the cycle and had nothing placed in them (no used GPU or CPU, no pod) nor
 *    were held by a running exclusive JobSet; no pod goes into a held domain;
 * 7. determinism: the same snapshot, deep-cloned, gives the same decision,
 *    and the snapshot is left unchanged.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mulberry32, type Prng } from '../../../shared/src/prng.js';
import { RESOURCE_KEYS, type Resources } from '../../../shared/src/resources.js';
import type { NodeInventory } from '../../../shared/src/proto/types.js';
import { cpusFor, cpuTopologyOf } from './cpu-choice.js';
import { decideCycle } from './decide-cycle.js';
import type { PlacementPolicy } from './domains.js';
import { gpuTopologyOf } from './gpu-choice.js';
import type { CycleDecision, NodeSnapshot, PendingJobSet, Snapshot } from './types.js';

const SEEDS = 500;
const GIB = 2 ** 30;
const LEVELS = ['block', 'rack'] as const;

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const INVENTORIES = ['h100-sxm-8gpu', 'a100-sxm-8gpu', 'rtx4090-pcie-8gpu', 'cpu-only'].map(
  (name) => JSON.parse(readFileSync(path.join(repo, 'deploy/hardware', `${name}.json`), 'utf8')) as NodeInventory,
);

const int = (rnd: Prng, lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
const pick = <T>(rnd: Prng, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

/** sample takes `k` distinct elements of `xs` at random (ascending when xs is). */
function sample(rnd: Prng, xs: readonly number[], k: number): number[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out.slice(0, Math.max(0, Math.min(k, out.length))).sort((a, b) => a - b);
}

function randomCpuMillis(rnd: Prng): number {
  const r = rnd();
  if (r < 0.25) return 0;
  if (r < 0.6) return pick(rnd, [250, 500, 1000, 1500, 2000, 4000, 8000, 16000, 32000]);
  return int(rnd, 1, 32000);
}

/** randomNode builds one node from a recorded inventory, with pods already placed on it. */
function randomNode(rnd: Prng, name: string, rack: number | undefined, idle: number): NodeSnapshot {
  const inv = pick(rnd, INVENTORIES);
  const all = inv.gpus.map((g) => g.index).sort((a, b) => a - b);
  const healthy = rnd() < 0.2 ? sample(rnd, all, all.length - int(rnd, 1, 2)) : all;
  const invCpu = Number(inv.allocatable!.cpuMillis);
  // Some CPUs kept for the system (the lowest-numbered are then not placeable), sometimes a fraction of one.
  const cpuMillis = rnd() < 0.3 ? invCpu - int(rnd, 1, 4) * 1000 - (rnd() < 0.5 ? 500 : 0) : invCpu;
  const cpuTopology = rnd() < 0.85 ? cpuTopologyOf({ numaNodes: inv.numaNodes, allocatable: { ...inv.allocatable!, cpuMillis } }) : undefined;
  const gpuTopology = rnd() < 0.9 ? gpuTopologyOf(inv) : undefined;
  const allocatable: Resources = { cpuMillis, memoryBytes: Number(inv.allocatable!.memoryBytes), gpus: healthy.length, rdma: Number(inv.allocatable!.rdma) };
  const allocated: Resources = { cpuMillis: 0, memoryBytes: 0, gpus: 0, rdma: 0 };
  const usedGpus: number[] = [];
  const usedCpus: number[] = [];
  const existing = rnd() < idle ? 0 : int(rnd, 1, 4);
  for (let p = 0; p < existing; p++) {
    // Mostly healthy GPUs; now and then one that went unhealthy after it was bound.
    const freeGpus = (rnd() < 0.1 ? all : healthy).filter((g) => !usedGpus.includes(g));
    const gpus = sample(rnd, freeGpus, int(rnd, 0, Math.min(4, freeGpus.length)));
    const cpu = Math.min(randomCpuMillis(rnd), allocatable.cpuMillis - allocated.cpuMillis);
    const freeCpus = cpuTopology ? cpuTopology.cpus.filter((c) => !usedCpus.includes(c)) : [];
    if (cpuTopology && cpusFor(cpu) > freeCpus.length) continue;
    usedGpus.push(...gpus);
    usedCpus.push(...sample(rnd, freeCpus, cpusFor(cpu)));
    allocated.cpuMillis += cpu;
    allocated.gpus += gpus.length;
    allocated.memoryBytes += Math.min(int(rnd, 0, 64) * GIB, allocatable.memoryBytes - allocated.memoryBytes);
  }
  return {
    name,
    schedulable: rnd() < 0.95,
    allocatable,
    allocated,
    gpuIndices: healthy,
    usedGpuIndices: usedGpus.sort((a, b) => a - b),
    podCount: existing,
    ...(rnd() < 0.2 ? { maxPods: int(rnd, existing, existing + 3) } : {}),
    labels: rack === undefined ? {} : { rack: `r${rack}`, block: `b${Math.floor(rack / 3)}` },
    ...(gpuTopology ? { gpuTopology } : {}),
    ...(cpuTopology ? { cpuTopology, usedCpus: usedCpus.sort((a, b) => a - b) } : {}),
  };
}

const POLICIES: readonly PlacementPolicy[] = [
  { required: 'rack' },
  { required: 'block' },
  { required: 'hostname' },
  { preferred: 'rack' },
  { preferred: 'hostname' },
  { exclusive: 'rack' },
  { exclusive: 'block' },
  { exclusive: 'hostname' },
  { required: 'rack', exclusive: 'rack' },
  { preferred: 'rack', exclusive: 'block' },
];

function randomJobSet(rnd: Prng, name: string, createdMs: number): PendingJobSet {
  const pods: PendingJobSet['pods'] = [];
  const size = int(rnd, 1, 16);
  // One or two replicated jobs, each with its own request shape.
  const split = rnd() < 0.3 ? int(rnd, 1, size) : size;
  for (const [rj, count] of [['w', split], ['x', size - split]] as const) {
    const request: Resources = {
      cpuMillis: randomCpuMillis(rnd),
      memoryBytes: int(rnd, 0, 48) * GIB,
      gpus: rnd() < 0.3 ? 0 : pick(rnd, [1, 1, 1, 2, 2, 4, 4, 8, 3, 5, 6, 7]),
      rdma: rnd() < 0.1 ? 1 : 0,
    };
    for (let i = 0; i < count; i++) pods.push({ podId: `${name}-${rj}-0-${i}`, replicatedJob: rj, jobIndex: 0, podIndex: i, rank: pods.length, request });
  }
  const placement = rnd() < 0.45 ? pick(rnd, POLICIES) : undefined;
  return { name, createdMs, pods, coordinatorPodId: pods[int(rnd, 0, pods.length - 1)]!.podId, ...(placement ? { placement } : {}) };
}

function randomSnapshot(seed: number): Snapshot {
  const rnd = mulberry32(seed);
  const count = int(rnd, 4, 40);
  const racks = int(rnd, 1, Math.max(1, Math.ceil(count / 3)));
  const idle = pick(rnd, [0.3, 0.6, 0.9]); // the share of nodes with nothing placed yet
  const nodes = Array.from({ length: count }, (_, i) => randomNode(rnd, `n${String(i).padStart(2, '0')}`, rnd() < 0.05 ? undefined : int(rnd, 0, racks - 1), idle));
  const pending = Array.from({ length: int(rnd, 1, 10) }, (_, i) => randomJobSet(rnd, `js${i}`, 1000 + int(rnd, 0, 5) * 10 + i));
  const held = rnd() < 0.15 ? [rnd() < 0.7 ? { level: 'rack', key: `r${int(rnd, 0, racks - 1)}` } : { level: 'block', key: 'b0' }] : [];
  return { nodes, pending, usedPorts: [], portRange: { min: 29500, max: 29999 }, topologyLevels: [...LEVELS], ...(held.length > 0 ? { exclusiveHeld: held } : {}) };
}

// ---- Checks.

const domainOf = (n: NodeSnapshot, level: string): string | undefined => (level === 'hostname' ? n.name : n.labels?.[level]);
const busy = (n: NodeSnapshot): boolean => n.usedGpuIndices.length > 0 || (n.usedCpus?.length ?? 0) > 0 || (n.podCount ?? 0) > 0;

/** check returns the violated properties of one decision (empty when all hold). */
function check(snap: Snapshot, d: CycleDecision): string[] {
  const bad: string[] = [];
  const nodes = new Map(snap.nodes.map((n) => [n.name, n]));
  const jobsets = new Map(snap.pending.map((j) => [j.name, j]));
  const gpusOn = new Map<string, Set<number>>();
  const cpusOn = new Map<string, Set<number>>();
  const podsOn = new Map<string, { request: Resources; gpus: number[]; cpus: number[] }[]>();
  const seen = new Map<string, number>();
  for (const name of [...d.admit.map((a) => a.jobset), ...d.pending.map((p) => p.jobset)]) seen.set(name, (seen.get(name) ?? 0) + 1);
  for (const js of snap.pending) if (seen.get(js.name) !== 1) bad.push(`5: ${js.name} is admitted or pending ${seen.get(js.name) ?? 0} times`);

  for (const a of d.admit) {
    const js = jobsets.get(a.jobset)!;
    // 5. Whole gang, each pod once.
    const ids = a.placements.map((p) => p.podId).sort();
    const want = js.pods.map((p) => p.podId).sort();
    if (JSON.stringify(ids) !== JSON.stringify(want)) bad.push(`5: ${a.jobset} places ${ids.join(',')}, its pods are ${want.join(',')}`);
    const coord = a.placements.find((p) => p.podId === js.coordinatorPodId);
    if (coord && coord.node !== a.coordinatorNode) bad.push(`5: ${a.jobset} coordinator pod on ${coord.node}, coordinatorNode ${a.coordinatorNode}`);
    for (const p of a.placements) {
      const pod = js.pods.find((q) => q.podId === p.podId);
      const n = nodes.get(p.node);
      if (!pod || !n) {
        bad.push(`5: ${p.podId} on ${p.node}: unknown pod or node`);
        continue;
      }
      if (!n.schedulable) bad.push(`3: ${p.podId} placed on unschedulable ${n.name}`);
      // 1. GPUs.
      const gpus = gpusOn.get(n.name) ?? gpusOn.set(n.name, new Set(n.usedGpuIndices)).get(n.name)!;
      if (p.gpuIndices.length !== pod.request.gpus) bad.push(`1: ${p.podId} asks ${pod.request.gpus} GPUs, gets [${p.gpuIndices.join(',')}]`);
      for (const g of p.gpuIndices) {
        if (!n.gpuIndices.includes(g)) bad.push(`1: ${p.podId} gets GPU ${g}, not healthy on ${n.name}`);
        if (gpus.has(g)) bad.push(`1: ${p.podId} gets GPU ${g} of ${n.name}, already used or handed out`);
        gpus.add(g);
      }
      // 2. CPUs.
      const want = n.cpuTopology ? cpusFor(pod.request.cpuMillis) : 0;
      if (want === 0 && p.cpus !== undefined) bad.push(`2: ${p.podId} (${pod.request.cpuMillis}m, ${n.cpuTopology ? 'CPU sets' : 'no CPU sets'}) gets cpus [${p.cpus.join(',')}]`);
      if (want > 0) {
        const cpus = cpusOn.get(n.name) ?? cpusOn.set(n.name, new Set(n.usedCpus)).get(n.name)!;
        const got = p.cpus ?? [];
        if (got.length !== want) bad.push(`2: ${p.podId} asks ${pod.request.cpuMillis}m (${want} CPUs), gets ${got.length}`);
        if (JSON.stringify(got) !== JSON.stringify([...got].sort((x, y) => x - y))) bad.push(`2: ${p.podId} cpus not ascending`);
        for (const c of got) {
          if (!n.cpuTopology!.cpus.includes(c)) bad.push(`2: ${p.podId} gets CPU ${c}, not placeable on ${n.name}`);
          if (cpus.has(c)) bad.push(`2: ${p.podId} gets CPU ${c} of ${n.name}, already used or handed out`);
          cpus.add(c);
        }
      }
      (podsOn.get(n.name) ?? podsOn.set(n.name, []).get(n.name)!).push({ request: pod.request, gpus: p.gpuIndices, cpus: p.cpus ?? [] });
    }
  }

  for (const [name, pods] of podsOn) {
    const n = nodes.get(name)!;
    // 3. Capacity and pod slots.
    for (const k of RESOURCE_KEYS) {
      const sum = pods.reduce((acc, p) => acc + p.request[k], 0);
      if (sum > n.allocatable[k] - n.allocated[k]) bad.push(`3: ${name} ${k}: admitted ${sum} > free ${n.allocatable[k] - n.allocated[k]}`);
    }
    if (n.maxPods !== undefined && pods.length > n.maxPods - (n.podCount ?? 0)) bad.push(`3: ${name} takes ${pods.length} pods, room for ${n.maxPods - (n.podCount ?? 0)}`);
    // 4. NUMA locality of a pod alone on a node whose CPUs were all free.
    const topo = n.cpuTopology;
    const only = pods[0]!;
    if (pods.length !== 1 || !topo || only.cpus.length === 0 || (n.usedCpus?.length ?? 0) > 0) continue;
    const numaCount = (numa: ReadonlySet<number>): number => topo.cpus.filter((c) => numa.has(topo.numaOf.get(c)!)).length;
    const onNuma = (numa: ReadonlySet<number>): boolean => only.cpus.every((c) => numa.has(topo.numaOf.get(c)!));
    const gpuNuma = only.gpus.map((g) => n.gpuTopology?.numa[g] ?? -1).filter((x) => x >= 0);
    if (gpuNuma.length > 0) {
      const counts = [...new Set(gpuNuma)].map((x) => [x, gpuNuma.filter((y) => y === x).length] as const).sort((a, b) => b[1] - a[1] || a[0] - b[0]);
      const primary = new Set([counts[0]![0]]);
      const all = new Set(gpuNuma);
      if (numaCount(primary) >= only.cpus.length && !onNuma(primary)) bad.push(`4: ${name}: CPUs [${only.cpus.join(',')}] not all on NUMA ${counts[0]![0]} of most of GPUs [${only.gpus.join(',')}]`);
      else if (numaCount(all) >= only.cpus.length && !onNuma(all)) bad.push(`4: ${name}: CPUs [${only.cpus.join(',')}] not all on the NUMA nodes of GPUs [${only.gpus.join(',')}]`);
    } else if (only.gpus.length === 0) {
      const numas = [...new Set(topo.numaOf.values())];
      const fits = numas.some((x) => numaCount(new Set([x])) >= only.cpus.length);
      if (fits && new Set(only.cpus.map((c) => topo.numaOf.get(c))).size !== 1) bad.push(`4: ${name}: CPU-only pod spans NUMA nodes with CPUs [${only.cpus.join(',')}] though one NUMA node can hold it`);
    }
  }

  // 6. Domains.
  const held = snap.exclusiveHeld ?? [];
  const domainsOf = (name: string, level: string): Set<string | undefined> => new Set(d.admit.find((a) => a.jobset === name)!.placements.map((p) => domainOf(nodes.get(p.node)!, level)));
  for (const a of d.admit) {
    for (const p of a.placements) {
      const h = held.find((x) => domainOf(nodes.get(p.node)!, x.level) === x.key);
      if (h) bad.push(`6: ${p.podId} placed on ${p.node} in ${h.level} ${h.key}, held by a running exclusive JobSet`);
    }
    const policy = jobsets.get(a.jobset)!.placement;
    if (policy?.required) {
      const ds = domainsOf(a.jobset, policy.required);
      if (ds.size !== 1 || ds.has(undefined)) bad.push(`6: ${a.jobset} requires one ${policy.required}, uses ${[...ds].join(',')}`);
    }
    const level = policy?.exclusive;
    if (!level) continue;
    const mine = domainsOf(a.jobset, level);
    if (mine.has(undefined)) bad.push(`6: ${a.jobset} exclusive ${level} uses a node without that label`);
    for (const other of d.admit) {
      if (other.jobset === a.jobset) continue;
      const shared = [...domainsOf(other.jobset, level)].filter((k) => k !== undefined && mine.has(k));
      if (shared.length > 0) bad.push(`6: ${a.jobset} exclusive ${level} shares ${shared.join(',')} with ${other.jobset}`);
    }
    for (const n of snap.nodes) {
      const k = domainOf(n, level);
      const state = `${n.podCount} pods, GPUs [${n.usedGpuIndices.join(',')}], ${n.usedCpus?.length ?? 0} CPUs${n.schedulable ? '' : ', not schedulable'}`;
      if (k !== undefined && mine.has(k) && busy(n)) bad.push(`6e: ${a.jobset} exclusive ${level} ${k}, but ${n.name} there already held pods (${state})`);
    }
  }
  return bad;
}

/** Case is one seed's scenario and decision, with the property violations found. */
interface Case {
  seed: number;
  snap: Snapshot;
  decision: CycleDecision;
  bad: string[];
}

let cases: Case[] | undefined;
function allCases(): Case[] {
  return (cases ??= Array.from({ length: SEEDS }, (_, i) => {
    const snap = randomSnapshot(i + 1);
    const decision = decideCycle(snap);
    return { seed: i + 1, snap, decision, bad: check(snap, decision) };
  }));
}

/** violations lists, seed by seed, the failures of one property (at most 10, and how many seeds failed). */
function violations(prefix: string): string[] {
  const failed = allCases().flatMap((c) => c.bad.filter((b) => b.startsWith(`${prefix}:`)).map((b) => `seed ${c.seed}: ${b}`));
  return failed.length <= 10 ? failed : [...failed.slice(0, 10), `... ${failed.length} violations in all`];
}

const PROPERTIES: readonly [string, string][] = [
  ['1', 'each pod gets exactly its GPUs, healthy, never used nor handed out twice'],
  ['2', 'each pod gets exactly cpusFor(request) placeable CPUs, never used nor shared; none without CPU sets or request'],
  ['3', 'admitted requests fit allocatable − allocated and maxPods, on schedulable nodes only'],
  ['4', 'a pod alone on an idle node gets CPUs on its GPUs’ NUMA node(s) when they have enough'],
  ['5', 'gangs are all or nothing, every pending JobSet decided once, the coordinator node is its pod’s'],
  ['6', 'required keeps a gang in one domain; exclusive domains are shared with no JobSet; held domains take no pod'],
  ['6e', 'exclusive domains had nothing placed in them (no pod, used GPU or CPU on any of their nodes)'],
];

describe(`placement properties over ${SEEDS} random clusters of recorded hosts`, () => {
  it('the scenarios exercise placement (many admissions, some under a placement policy)', () => {
    const admitted = allCases().flatMap((c) => c.decision.admit.map((a) => ({ a, js: c.snap.pending.find((j) => j.name === a.jobset)! })));
    expect(admitted.length).toBeGreaterThan(SEEDS);
    expect(admitted.reduce((n, x) => n + x.a.placements.length, 0)).toBeGreaterThan(SEEDS * 5);
    expect(admitted.filter((x) => x.js.placement?.required).length).toBeGreaterThan(SEEDS / 10);
    expect(admitted.filter((x) => x.js.placement?.exclusive).length).toBeGreaterThan(SEEDS / 10);
  });

  for (const [prefix, title] of PROPERTIES) {
    it(`${prefix}. ${title}`, () => {
      expect(violations(prefix)).toEqual([]);
    });
  }

  it('6e, smallest case: a rack with a draining (not schedulable) node still running a pod is not empty', () => {
    const node = (name: string, schedulable: boolean, pods: number): NodeSnapshot => ({
      name,
      schedulable,
      allocatable: { cpuMillis: 8000, memoryBytes: 64 * GIB, gpus: 8, rdma: 0 },
      allocated: { cpuMillis: 0, memoryBytes: 0, gpus: pods, rdma: 0 },
      gpuIndices: [0, 1, 2, 3, 4, 5, 6, 7],
      usedGpuIndices: pods > 0 ? [0] : [],
      podCount: pods,
      labels: { rack: 'r1', block: 'b1' },
    });
    const request: Resources = { cpuMillis: 1000, memoryBytes: GIB, gpus: 1, rdma: 0 };
    const js: PendingJobSet = { name: 'excl', createdMs: 0, pods: [{ podId: 'excl-w-0-0', replicatedJob: 'w', jobIndex: 0, podIndex: 0, rank: 0, request }], coordinatorPodId: 'excl-w-0-0', placement: { exclusive: 'rack' } };
    const snap: Snapshot = { nodes: [node('a', false, 1), node('b', true, 0)], pending: [js], usedPorts: [], portRange: { min: 29500, max: 29999 }, topologyLevels: [...LEVELS] };
    expect(check(snap, decideCycle(snap))).toEqual([]);
  });

  it('7. the same snapshot, deep-cloned, gives the same decision; the snapshot is left unchanged', () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const snap = randomSnapshot(seed);
      const before = structuredClone(snap);
      const d = decideCycle(snap);
      expect(snap, `seed ${seed}: snapshot changed`).toEqual(before);
      expect(decideCycle(structuredClone(before)), `seed ${seed}: not deterministic`).toEqual(d);
    }
  });
});
