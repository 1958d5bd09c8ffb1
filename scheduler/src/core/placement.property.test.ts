/**
 * Property tests of decideCycle's placement inside and across hosts (GPU sets,
 * CPU sets, MIG devices, capacity, gangs, topology domains, replicatedJob
 * placements), over seeded random clusters (mulberry32: every run sees the
 * same scenarios; a failure names its seed).
 *
 * A scenario is 4–40 nodes built from the recorded inventories of
 * deploy/hardware/ (8×H100 SXM, 8×A100 SXM, 8×RTX 4090 PCIe, CPU-only, and
 * one H100 in MIG mode: 3g.40gb, 2g.20gb, 2×1g.10gb), with rack/block labels
 * (a few unlabelled, a few not schedulable), some GPUs unhealthy (now and
 * then the MIG host's, which leaves it no placeable device), some CPUs kept
 * for the system, some nodes without CPU sets or GPU topology, and
 * already-placed pods holding GPUs, MIG devices, CPUs and capacity. The MIG
 * host is seen as the snapshot builds it: no whole GPU (`gpuIndices: []`),
 * its devices in `migDevices` (GPU then device index order), those bound in
 * `usedMig`. Pending are 1–10 JobSets built with the test builders
 * (makeJobSet → pendingOf): one or two replicatedJobs of 1–16 pods in all
 * (Jobs of 1, 2 or 4 pods), asking 0–8 whole GPUs or 1–2 MIG devices of a
 * profile (one no host has), 0–32 CPUs (millis); some with a JobSet
 * placement (required / preferred / exclusive), some replicatedJobs with
 * their own (required / preferred, slices of a size dividing their pods,
 * exclusive per Job). One cycle is decided and checked:
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
 *    GPUs first) when they have enough placeable CPUs; a pod with no GPU
 *    gets one NUMA node when one can hold it;
 * 5. gangs are all or nothing: an admitted JobSet has every pod placed
 *    exactly once, every pending JobSet is admitted or pending, once; the
 *    coordinator node is the coordinator pod's;
 * 6. placement.required keeps a JobSet in one domain of its level;
 *    placement.exclusive domains are shared with no other JobSet admitted in
 *    the cycle and had nothing placed in them (no used GPU, CPU or MIG
 *    device, no pod) nor were held by a running exclusive JobSet; no pod
 *    goes into a held domain;
 * 7. determinism: the same snapshot, deep-cloned, gives the same decision,
 *    and the snapshot is left unchanged;
 * 8. MIG: a MIG pod gets `migUuids` of exactly its count, distinct devices
 *    of its profile on its node, none in usedMig, none handed to two pods;
 *    8w: a pod asking no MIG device gets no `migUuids`, and no whole-GPU
 *    pod lands on the MIG host;
 * 9. replicatedJob placements: `required: L` keeps the replicatedJob's pods
 *    in one L; `sliceRequired: L, sliceSize: k` keeps each run of k of its
 *    pods, in rank order, in one L; 9e: `exclusive: L` puts each of its Jobs
 *    in one L, different Jobs in different ones, where no other pod of the
 *    cycle goes (of another JobSet or of its own) and where nothing ran
 *    (every node of the domain idle, schedulable or not);
 * 10. an admission's placements come in rank order (that of pending.pods).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mulberry32, type Prng } from '../../../shared/src/prng.js';
import { RESOURCE_KEYS, type Resources } from '../../../shared/src/resources.js';
import type { JobSet, JobSetSpec, NodeInventory } from '../../../shared/src/proto/types.js';
import { makeJobSet, pendingOf, type PlacementOptions } from '../../../test/helpers/builders.js';
import { cpusFor, cpuTopologyOf } from './cpu-choice.js';
import { decideCycle } from './decide-cycle.js';
import type { PlacementPolicy } from './domains.js';
import { gpuTopologyOf } from './gpu-choice.js';
import type { CycleDecision, NodeSnapshot, PendingJobSet, Snapshot } from './types.js';

const SEEDS = 500;
const GIB = 2 ** 30;
const LEVELS = ['block', 'rack'] as const;

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const INVENTORIES = ['h100-sxm-8gpu', 'a100-sxm-8gpu', 'rtx4090-pcie-8gpu', 'cpu-only', 'h100-mig'].map(
  (name) => JSON.parse(readFileSync(path.join(repo, 'deploy/hardware', `${name}.json`), 'utf8')) as NodeInventory,
);
/** MIG profiles pods ask for: the recorded host has two 1g.10gb, one 2g.20gb, one 3g.40gb, and no 7g.80gb. */
const MIG_PROFILES = ['1g.10gb', '1g.10gb', '2g.20gb', '3g.40gb', '7g.80gb'];

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
  // A GPU in MIG mode is not placeable whole; its MIG devices are (as scheduler/src/snapshot.ts builds a node).
  const all = inv.gpus.filter((g) => !g.migEnabled).map((g) => g.index).sort((a, b) => a - b);
  const healthy = rnd() < 0.2 ? sample(rnd, all, all.length - int(rnd, 1, 2)) : all;
  const migGpus = inv.gpus.filter((g) => g.migEnabled).sort((a, b) => a.index - b.index);
  // Now and then the GPU in MIG mode is unhealthy: none of its devices is placeable.
  const migDevices = migGpus.length > 0 && rnd() < 0.9 ? migGpus.flatMap((g) => [...g.migDevices].sort((a, b) => a.index - b.index).map((m) => ({ uuid: m.uuid, profile: m.profile }))) : [];
  const invCpu = Number(inv.allocatable!.cpuMillis);
  // Some CPUs kept for the system (the lowest-numbered are then not placeable), sometimes a fraction of one.
  const cpuMillis = rnd() < 0.3 ? invCpu - int(rnd, 1, 4) * 1000 - (rnd() < 0.5 ? 500 : 0) : invCpu;
  const cpuTopology = rnd() < 0.85 ? cpuTopologyOf({ numaNodes: inv.numaNodes, allocatable: { ...inv.allocatable!, cpuMillis } }) : undefined;
  const gpuTopology = rnd() < 0.9 ? gpuTopologyOf(inv) : undefined;
  // The MIG host's allocatable counts its GPU, as its inventory does, though it is not placeable whole.
  const gpus = migGpus.length > 0 ? Number(inv.allocatable!.gpus) : healthy.length;
  const allocatable: Resources = { cpuMillis, memoryBytes: Number(inv.allocatable!.memoryBytes), gpus, rdma: Number(inv.allocatable!.rdma) };
  const allocated: Resources = { cpuMillis: 0, memoryBytes: 0, gpus: 0, rdma: 0 };
  const usedGpus: number[] = [];
  const usedCpus: number[] = [];
  const usedMig: string[] = [];
  const existing = rnd() < idle ? 0 : int(rnd, 1, 4);
  for (let p = 0; p < existing; p++) {
    // Mostly healthy GPUs; now and then one that went unhealthy after it was bound.
    const freeGpus = (rnd() < 0.1 ? all : healthy).filter((g) => !usedGpus.includes(g));
    const gpus = sample(rnd, freeGpus, int(rnd, 0, Math.min(4, freeGpus.length)));
    // On the MIG host, some pods hold MIG devices of one profile.
    const freeMig = migDevices.filter((m) => !usedMig.includes(m.uuid));
    const profile = freeMig.length > 0 && rnd() < 0.6 ? pick(rnd, freeMig).profile : undefined;
    const ofProfile = freeMig.filter((m) => m.profile === profile).map((m) => m.uuid);
    const mig = ofProfile.slice(0, int(rnd, 1, Math.max(1, ofProfile.length)));
    const cpu = Math.min(randomCpuMillis(rnd), allocatable.cpuMillis - allocated.cpuMillis);
    const freeCpus = cpuTopology ? cpuTopology.cpus.filter((c) => !usedCpus.includes(c)) : [];
    if (cpuTopology && cpusFor(cpu) > freeCpus.length) continue;
    usedGpus.push(...gpus);
    usedMig.push(...mig);
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
    ...(migGpus.length > 0 ? { migDevices, usedMig } : {}),
  };
}

/** isMigHost: a node whose GPU is in MIG mode (its migDevices are listed, possibly none when that GPU is unhealthy). */
const isMigHost = (n: NodeSnapshot): boolean => n.migDevices !== undefined;

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

/** Placements of one replicatedJob (valid at submit: exclusive alone; slices get a size dividing the replicatedJob's pods). */
const RJ_POLICIES: readonly PlacementOptions[] = [
  { required: 'rack' },
  { required: 'rack' },
  { required: 'block' },
  { required: 'hostname' },
  { preferred: 'rack' },
  { sliceRequired: 'rack' },
  { sliceRequired: 'hostname' },
  { sliceRequired: 'hostname' },
  { required: 'block', sliceRequired: 'rack' },
  { required: 'rack', sliceRequired: 'hostname' },
  { preferred: 'rack', sliceRequired: 'hostname' },
  { exclusive: 'rack' },
  { exclusive: 'rack' },
  { exclusive: 'rack' },
  { exclusive: 'rack' },
  { exclusive: 'hostname' },
];

/** sliceSize picks a divisor of `pods`, more than 1 when one is. */
function sliceSize(rnd: Prng, pods: number): number {
  const divisors = Array.from({ length: pods }, (_, i) => i + 1).filter((k) => pods % k === 0);
  return pick(rnd, divisors.length > 1 ? divisors.slice(1) : divisors);
}

/** randomJobSet builds a JobSet (pending, spec defaulted) of one or two replicatedJobs, 1–16 pods in all. */
function randomJobSet(rnd: Prng, name: string, createdMs: number, migHosts: boolean): JobSet {
  let b = makeJobSet(name).createdAt(createdMs);
  const two = rnd() < 0.3;
  const shapes: { name: string; replicas: number; parallelism: number }[] = [];
  for (const rj of two ? ['w', 'x'] : ['w']) {
    // MIG pods (only in clusters with a MIG host): few, 1–2 devices each. Exclusive Jobs: 1–3 small ones (each needs an idle domain).
    const mig = migHosts && rnd() < 0.2;
    const policy = rnd() < 0.35 ? pick(rnd, RJ_POLICIES) : undefined;
    const parallelism = mig ? 1 : pick(rnd, policy?.exclusive ? [1, 1, 2] : [1, 1, 1, 2, 4]);
    const replicas = int(rnd, 1, mig ? 4 : policy?.exclusive ? 3 : Math.max(1, Math.floor((two ? 8 : 16) / parallelism)));
    const cpu = randomCpuMillis(rnd);
    const placement = policy?.sliceRequired ? { ...policy, sliceSize: sliceSize(rnd, replicas * parallelism) } : policy;
    b = b.replicatedJob(rj, {
      replicas,
      parallelism,
      cpu: `${cpu}m`,
      memory: int(rnd, 0, 48) * GIB,
      gpus: mig ? pick(rnd, [1, 1, 2]) : rnd() < 0.3 ? 0 : pick(rnd, [1, 1, 1, 2, 2, 4, 4, 8, 3, 5, 6, 7]),
      rdma: rnd() < 0.1 ? 1 : 0,
      ...(mig ? { migProfile: pick(rnd, MIG_PROFILES) } : {}),
      ...(placement ? { placement } : {}),
    });
    shapes.push({ name: rj, replicas, parallelism });
  }
  const c = pick(rnd, shapes);
  b = b.coordinator(c.name, int(rnd, 0, c.replicas - 1), int(rnd, 0, c.parallelism - 1));
  if (rnd() < 0.35) b = b.placement(pick(rnd, POLICIES));
  return b.build();
}

/** Scenario is one seed's snapshot, with the specs its pending JobSets were built from (their replicatedJob placements). */
interface Scenario {
  snap: Snapshot;
  specs: ReadonlyMap<string, JobSetSpec>;
}

function randomScenario(seed: number): Scenario {
  const rnd = mulberry32(seed);
  const count = int(rnd, 4, 40);
  const racks = int(rnd, 1, Math.max(1, Math.ceil(count / 3)));
  const idle = pick(rnd, [0.3, 0.6, 0.9]); // the share of nodes with nothing placed yet
  const nodes = Array.from({ length: count }, (_, i) => randomNode(rnd, `n${String(i).padStart(2, '0')}`, rnd() < 0.05 ? undefined : int(rnd, 0, racks - 1), idle));
  const migHosts = nodes.some(isMigHost);
  const built = Array.from({ length: int(rnd, 1, 10) }, (_, i) => randomJobSet(rnd, `js${i}`, 1000 + int(rnd, 0, 5) * 10 + i, migHosts));
  const held = rnd() < 0.15 ? [rnd() < 0.7 ? { level: 'rack', key: `r${int(rnd, 0, racks - 1)}` } : { level: 'block', key: 'b0' }] : [];
  const snap: Snapshot = {
    nodes,
    pending: built.map(pendingOf),
    usedPorts: [],
    portRange: { min: 29500, max: 29999 },
    topologyLevels: [...LEVELS],
    ...(held.length > 0 ? { exclusiveHeld: held } : {}),
  };
  return { snap, specs: new Map(built.map((js) => [js.metadata!.name, js.spec!])) };
}

// ---- Checks.

const domainOf = (n: NodeSnapshot, level: string): string | undefined => (level === 'hostname' ? n.name : n.labels?.[level]);
const busy = (n: NodeSnapshot): boolean => n.usedGpuIndices.length > 0 || (n.usedCpus?.length ?? 0) > 0 || (n.usedMig?.length ?? 0) > 0 || (n.podCount ?? 0) > 0;

/** check returns the violated properties of one decision (empty when all hold); `specs` gives the replicatedJob placements to check (9). */
function check(snap: Snapshot, d: CycleDecision, specs: ReadonlyMap<string, JobSetSpec> = new Map()): string[] {
  const bad: string[] = [];
  const nodes = new Map(snap.nodes.map((n) => [n.name, n]));
  const jobsets = new Map(snap.pending.map((j) => [j.name, j]));
  const gpusOn = new Map<string, Set<number>>();
  const cpusOn = new Map<string, Set<number>>();
  const migOn = new Map<string, Set<string>>();
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
    // 10. Rank order.
    const rank = new Map(js.pods.map((p, i) => [p.podId, i]));
    const ranks = a.placements.map((p) => rank.get(p.podId) ?? -1);
    if (ranks.some((r, i) => i > 0 && r <= ranks[i - 1]!)) bad.push(`10: ${a.jobset} placements in order ${a.placements.map((p) => p.podId).join(',')}, not rank order`);
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
      // 8. MIG devices.
      if (pod.mig) {
        const { profile, count } = pod.mig;
        const mig = migOn.get(n.name) ?? migOn.set(n.name, new Set(n.usedMig)).get(n.name)!;
        const got = p.migUuids ?? [];
        if (got.length !== count) bad.push(`8: ${p.podId} asks ${count} × ${profile}, gets [${got.join(',')}] on ${n.name}`);
        for (const u of got) {
          const dev = n.migDevices?.find((m) => m.uuid === u);
          if (!dev) bad.push(`8: ${p.podId} gets ${u}, not a placeable MIG device of ${n.name}`);
          else if (dev.profile !== profile) bad.push(`8: ${p.podId} asks ${profile}, gets ${u} of profile ${dev.profile}`);
          if (mig.has(u)) bad.push(`8: ${p.podId} gets ${u} of ${n.name}, already bound or handed out`);
          mig.add(u);
        }
      } else if (p.migUuids !== undefined) bad.push(`8w: ${p.podId} asks no MIG device, gets migUuids [${p.migUuids.join(',')}]`);
      if (isMigHost(n) && (pod.request.gpus > 0 || p.gpuIndices.length > 0)) bad.push(`8w: ${p.podId} (${pod.request.gpus} whole GPUs) placed on MIG host ${n.name} with GPUs [${p.gpuIndices.join(',')}]`);
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

  // 9. replicatedJob placements.
  const everyPod = d.admit.flatMap((a) => a.placements.map((p) => ({ jobset: a.jobset, podId: p.podId, node: nodes.get(p.node)! })));
  for (const a of d.admit) {
    const js = jobsets.get(a.jobset)!;
    const nodeOf = new Map(a.placements.map((p) => [p.podId, nodes.get(p.node)!]));
    const domains = (podIds: readonly string[], level: string): (string | undefined)[] => [...new Set(podIds.map((id) => domainOf(nodeOf.get(id)!, level)))];
    for (const rj of specs.get(a.jobset)?.replicatedJobs ?? []) {
      const pl = rj.placement;
      if (!pl) continue;
      const pods = js.pods.filter((p) => p.replicatedJob === rj.name); // rank order
      const ids = pods.map((p) => p.podId);
      if (ids.some((id) => !nodeOf.has(id))) continue; // 5 says so
      if (pl.required) {
        const ds = domains(ids, pl.required);
        if (ds.length !== 1 || ds.includes(undefined)) bad.push(`9: ${a.jobset} replicatedJob ${rj.name} requires one ${pl.required}, uses ${ds.join(',')}`);
      }
      if (pl.sliceRequired && pl.sliceSize > 0) {
        for (let s = 0; s < ids.length; s += pl.sliceSize) {
          const slice = ids.slice(s, s + pl.sliceSize);
          const ds = domains(slice, pl.sliceRequired);
          if (ds.length !== 1 || ds.includes(undefined)) bad.push(`9: ${a.jobset} slice ${slice.join(',')} of ${rj.name} requires one ${pl.sliceRequired}, uses ${ds.join(',')}`);
        }
      }
      const level = pl.exclusive;
      if (!level) continue;
      const taken = new Map<string, number>(); // domain → the Job there
      for (const job of [...new Set(pods.map((p) => p.jobIndex))]) {
        const own = new Set(pods.filter((p) => p.jobIndex === job).map((p) => p.podId));
        const ds = domains([...own], level);
        if (ds.length !== 1 || ds[0] === undefined) {
          bad.push(`9e: ${a.jobset} job ${rj.name}/${job} exclusive ${level} uses ${ds.join(',')}`);
          continue;
        }
        const key = ds[0];
        if (taken.has(key)) bad.push(`9e: ${a.jobset} jobs ${rj.name}/${taken.get(key)} and ${rj.name}/${job} share ${level} ${key}`);
        taken.set(key, job);
        const intruders = everyPod.filter((x) => !(x.jobset === a.jobset && own.has(x.podId)) && domainOf(x.node, level) === key).map((x) => x.podId);
        if (intruders.length > 0) bad.push(`9e: ${a.jobset} job ${rj.name}/${job} exclusive ${level} ${key} also takes ${intruders.join(',')}`);
        for (const n of snap.nodes) {
          const state = `${n.podCount} pods, GPUs [${n.usedGpuIndices.join(',')}], ${n.usedCpus?.length ?? 0} CPUs, MIG [${(n.usedMig ?? []).join(',')}]${n.schedulable ? '' : ', not schedulable'}`;
          if (domainOf(n, level) === key && busy(n)) bad.push(`9e: ${a.jobset} job ${rj.name}/${job} exclusive ${level} ${key}, but ${n.name} there already held pods (${state})`);
        }
      }
    }
  }
  return bad;
}

/** Case is one seed's scenario and decision, with the property violations found. */
interface Case extends Scenario {
  seed: number;
  decision: CycleDecision;
  bad: string[];
}

let cases: Case[] | undefined;
function allCases(): Case[] {
  return (cases ??= Array.from({ length: SEEDS }, (_, i) => {
    const { snap, specs } = randomScenario(i + 1);
    const decision = decideCycle(snap);
    return { seed: i + 1, snap, specs, decision, bad: check(snap, decision, specs) };
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
  ['6e', 'exclusive domains had nothing placed in them (no pod, used GPU, CPU or MIG device on any of their nodes)'],
  ['8', 'a MIG pod gets exactly its count of free devices of its profile on its node, none bound nor handed out twice'],
  ['8w', 'a pod asking no MIG device gets no migUuids; no whole-GPU pod lands on the MIG host'],
  ['9', 'a replicatedJob’s required keeps its pods in one domain; each slice of sliceSize pods (rank order) in one domain'],
  ['9e', 'an exclusive replicatedJob puts each Job in a domain of its own, idle before, that no other pod of the cycle enters'],
  ['10', 'placements come in rank order'],
];

describe(`placement properties over ${SEEDS} random clusters of recorded hosts`, () => {
  it('the scenarios exercise placement (many admissions, some under a placement policy, MIG pods, replicatedJob placements)', () => {
    const admitted = allCases().flatMap((c) => c.decision.admit.map((a) => ({ c, a, js: c.snap.pending.find((j) => j.name === a.jobset)!, rjs: c.specs.get(a.jobset)!.replicatedJobs })));
    expect(admitted.length).toBeGreaterThan(SEEDS);
    expect(admitted.reduce((n, x) => n + x.a.placements.length, 0)).toBeGreaterThan(SEEDS * 5);
    expect(admitted.filter((x) => x.js.placement?.required).length).toBeGreaterThan(SEEDS / 10);
    expect(admitted.filter((x) => x.js.placement?.exclusive).length).toBeGreaterThan(SEEDS / 10);
    // MIG: pods placed, on hosts with devices already bound, and several on one host in a cycle.
    const mig = admitted.flatMap((x) => x.a.placements.filter((p) => p.migUuids).map((p) => ({ seed: x.c.seed, node: x.c.snap.nodes.find((n) => n.name === p.node)! })));
    expect(mig.length).toBeGreaterThan(SEEDS / 5);
    expect(mig.filter((m) => (m.node.usedMig?.length ?? 0) > 0).length).toBeGreaterThan(SEEDS / 25);
    expect(new Set(mig.map((m) => `${m.seed}/${m.node.name}`)).size).toBeLessThan(mig.length - SEEDS / 25);
    // replicatedJob placements: required over several pods, several slices of several pods, exclusive with several Jobs.
    const podsOf = (x: (typeof admitted)[number], rj: string): number => x.js.pods.filter((p) => p.replicatedJob === rj).length;
    expect(admitted.filter((x) => x.rjs.some((rj) => rj.placement?.required && podsOf(x, rj.name) > 1)).length).toBeGreaterThan(SEEDS / 10);
    expect(admitted.filter((x) => x.rjs.some((rj) => rj.placement?.sliceRequired && rj.placement.sliceSize > 1 && podsOf(x, rj.name) > rj.placement.sliceSize)).length).toBeGreaterThan(SEEDS / 10);
    expect(admitted.filter((x) => x.rjs.some((rj) => rj.placement?.exclusive && (rj.replicas ?? 1) > 1)).length).toBeGreaterThan(SEEDS / 25);
    expect(admitted.filter((x) => x.rjs.some((rj) => rj.placement?.exclusive === 'rack')).length).toBeGreaterThan(SEEDS / 25);
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
      const { snap } = randomScenario(seed);
      const before = structuredClone(snap);
      const d = decideCycle(snap);
      expect(snap, `seed ${seed}: snapshot changed`).toEqual(before);
      expect(decideCycle(structuredClone(before)), `seed ${seed}: not deterministic`).toEqual(d);
    }
  });
});

