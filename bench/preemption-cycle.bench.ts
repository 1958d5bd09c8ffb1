/**
 * Benchmark of preemption in one scheduling cycle: a full cluster of
 * `--nodes` 8-GPU nodes running low-priority JobSets of `--queues` queues
 * (cohorts of 10; half the queues borrowing from the other half), and
 * `--preemptors` high-priority JobSets that can only run by preempting
 * (withinQueue LowerPriority, reclaimWithinCohort Any). One decideCycle picks
 * every victim set, checked against quota and real placement and minimised.
 *
 * Baseline, in the same run: naive victim choice — per preemptor, evict the
 * lowest-priority, most recently admitted JobSets of its queue (then of
 * borrowing queues of its cohort) until the GPUs they hold cover its request;
 * no placement check, no minimisation. For both, the victims are then removed
 * and a cycle without preemption counts how many preemptors can really start.
 * Printed: cycle latency p50/p99, victims and GPUs evicted, preemptors that can
 * start, and the ratio naive/Muster of evictions per JobSet that can start.
 *
 *   npm run build && node dist/bench/preemption-cycle.bench.js [--queues 100] [--nodes 2000] [--preemptors 500] [--rounds 5] [--seed 1]
 */
import { performance } from 'node:perf_hooks';
import { decideCycle } from '../scheduler/src/core/decide-cycle.js';
import { buildQuotaTree, chargeUsage, cohortRoot, isBorrowing, type MutableUsage } from '../scheduler/src/core/quota.js';
import type { AdmittedJobSet, NodeSnapshot, PendingJobSet, PreemptionPolicy, Snapshot } from '../scheduler/src/core/types.js';
import type { Queue } from '../shared/src/proto/types.js';
import { isMain, runMain } from './args.js';
import { fmtMs, fmtRatio, measureMemory, mulberry32, summarize, summaryRow, SUMMARY_HEADERS, table, fmtBytes, type Summary } from './stats.js';

/** PreemptionCycleOptions size the benchmark. */
export interface PreemptionCycleOptions {
  queues: number;
  nodes: number;
  preemptors: number;
  rounds: number;
  seed: number;
}

/** DEFAULT_PREEMPTION_CYCLE_OPTIONS are the defaults of the command line. */
export const DEFAULT_PREEMPTION_CYCLE_OPTIONS: PreemptionCycleOptions = { queues: 100, nodes: 2000, preemptors: 500, rounds: 5, seed: 1 };

/** PreemptionCycleFigures are the measured results. */
export interface PreemptionCycleFigures {
  options: PreemptionCycleOptions;
  cluster: { gpus: number; running: number; runningGpus: number; preemptorGpus: number };
  muster: { decide: Summary; preemptors: number; victims: number; victimGpus: number; admitted: number; placeable: number };
  baseline: { preemptors: number; victims: number; victimGpus: number; placeable: number };
  ratios: { victims: number; gpus: number };
  memory: { heapBefore: number; heapAfter: number };
}

const FLAVORS = { cpu: 'gpu', memory: 'gpu', gpus: 'gpu' };
const POLICY: PreemptionPolicy = { withinQueue: 'LowerPriority', reclaimWithinCohort: 'Any', borrowWithinCohort: { policy: 'Never' }, minRuntimeMs: 0 };

function queueObject(name: string, cohort: string, gpus: number): Queue {
  return {
    metadata: { name, labels: {}, createdMs: 0, updatedMs: 0 },
    spec: {
      resourceGroups: [{ coveredResources: ['cpu', 'memory', 'gpus'], flavors: [{ name: 'gpu', resources: [{ name: 'cpu', nominalQuota: gpus * 16_000 }, { name: 'memory', nominalQuota: gpus * 128 * 2 ** 30 }, { name: 'gpus', nominalQuota: gpus }] }] }],
      cohort, queueingStrategy: 'BestEffortFIFO', flavorFungibility: null, preemption: null, stopPolicy: 'None', users: [], groups: [], admissionScope: null,
    },
  };
}

/** build makes the deterministic snapshot: a full cluster and the pending preemptors. */
function build(o: PreemptionCycleOptions): { snap: Snapshot; preemptorGpus: number } {
  const rnd = mulberry32(o.seed);
  const gpusTotal = o.nodes * 8;
  // Even queues get 1.5 shares of nominal and use half; odd ones get half a share and borrow the rest.
  const share = gpusTotal / o.queues;
  const queues = Array.from({ length: o.queues }, (_, i) => queueObject(`q${i}`, `c${Math.floor(i / 10)}`, Math.floor(i % 2 === 0 ? share * 1.5 : share * 0.5)));
  const nodes: NodeSnapshot[] = Array.from({ length: o.nodes }, (_, i) => ({
    name: `n${String(i).padStart(5, '0')}`, schedulable: true,
    allocatable: { cpuMillis: 128_000, memoryBytes: 1024 * 2 ** 30, gpus: 8, rdma: 0 }, allocated: { cpuMillis: 0, memoryBytes: 0, gpus: 0, rdma: 0 },
    gpuIndices: [0, 1, 2, 3, 4, 5, 6, 7], usedGpuIndices: [], labels: {}, podCount: 0,
  }));
  // Fill every node with running JobSets of 1-4 pods × 1/2/4/8 GPUs, each queue using about one share.
  const usage: MutableUsage = {};
  const admitted: AdmittedJobSet[] = [];
  let node = 0;
  let seq = 0;
  while (node < o.nodes) {
    const q = seq % o.queues;
    const perPod = [1, 2, 4, 8][Math.floor(rnd() * 4)]!;
    const podCount = 1 + Math.floor(rnd() * 4);
    const pods: AdmittedJobSet['pods'][number][] = [];
    for (let p = 0; p < podCount && node < o.nodes; p++) {
      const n = nodes[node]!;
      const free = 8 - n.usedGpuIndices.length;
      const take = Math.min(perPod, free);
      const idx = Array.from({ length: take }, (_, k) => n.usedGpuIndices.length + k);
      n.usedGpuIndices.push(...idx);
      const request = { cpuMillis: take * 16_000, memoryBytes: take * 128 * 2 ** 30, gpus: take, rdma: 0 };
      n.allocated = { cpuMillis: n.allocated.cpuMillis + request.cpuMillis, memoryBytes: n.allocated.memoryBytes + request.memoryBytes, gpus: n.allocated.gpus + take, rdma: 0 };
      n.podCount = (n.podCount ?? 0) + 1;
      pods.push({ node: n.name, request, gpuIndices: idx });
      if (n.usedGpuIndices.length >= 8) node++;
    }
    const gpus = pods.reduce((a, p) => a + p.request.gpus, 0);
    const request = { cpu: gpus * 16_000, memory: gpus * 128 * 2 ** 30, gpus, rdma: 0 };
    chargeUsage(usage, `q${q}`, { flavors: FLAVORS }, request);
    admitted.push({ name: `r${seq}`, queue: `q${q}`, flavors: FLAVORS, request, priority: Math.floor(rnd() * 3), createdMs: seq, admittedMs: seq, pods });
    seq++;
  }
  const pending: PendingJobSet[] = [];
  let preemptorGpus = 0;
  for (let i = 0; i < o.preemptors; i++) {
    const podCount = 1 + Math.floor(rnd() * 4);
    const q = Math.floor(rnd() * o.queues);
    preemptorGpus += podCount * 8;
    pending.push({
      name: `p${i}`, createdMs: 1_000_000 + i, queue: `q${q}`, priority: 100, coordinatorPodId: `p${i}/w/0/0`,
      pods: Array.from({ length: podCount }, (_, k) => ({ podId: `p${i}/w/0/${k}`, replicatedJob: 'w', jobIndex: 0, podIndex: k, rank: k, request: { cpuMillis: 8 * 16_000, memoryBytes: 8 * 128 * 2 ** 30, gpus: 8, rdma: 0 } })),
    });
  }
  const snap: Snapshot = {
    nodes, pending, usedPorts: [], portRange: { min: 29500, max: 29999 }, nowMs: 2_000_000,
    quota: {
      tree: buildQuotaTree(queues, []), usage, flavorLabels: { gpu: {} },
      strategies: Object.fromEntries(queues.map((q) => [q.metadata!.name, 'BestEffortFIFO'])),
      preemption: Object.fromEntries(queues.map((q) => [q.metadata!.name, POLICY])), admitted,
    },
  };
  return { snap, preemptorGpus };
}

/** naiveVictims is the baseline: per preemptor, lowest priority then newest, own queue then borrowing cohort queues, until their GPUs cover it. */
function naiveVictims(snap: Snapshot): { preemptors: number; victims: number; victimGpus: number; evicted: Set<string> } {
  const q = snap.quota!;
  const taken = new Set<string>();
  const order = (a: AdmittedJobSet, b: AdmittedJobSet): number => a.priority - b.priority || b.admittedMs - a.admittedMs;
  const byQueue = new Map<string, AdmittedJobSet[]>();
  for (const a of q.admitted!) (byQueue.get(a.queue) ?? byQueue.set(a.queue, []).get(a.queue)!).push(a);
  for (const l of byQueue.values()) l.sort(order);
  let preemptors = 0;
  let victims = 0;
  let victimGpus = 0;
  for (const p of snap.pending) {
    const need = p.pods.reduce((a, x) => a + x.request.gpus, 0);
    const root = cohortRoot(q.tree, p.queue!);
    const others = [...byQueue.keys()].filter((k) => k !== p.queue && cohortRoot(q.tree, k) === root && isBorrowing(q.tree, q.usage, k));
    let freed = 0;
    const chosen: AdmittedJobSet[] = [];
    for (const a of [...(byQueue.get(p.queue!) ?? []).filter((x) => x.priority < (p.priority ?? 0)), ...others.flatMap((k) => byQueue.get(k)!)]) {
      if (freed >= need) break;
      if (taken.has(a.name)) continue;
      chosen.push(a);
      freed += a.request.gpus ?? 0;
    }
    if (freed < need) continue;
    preemptors++;
    for (const a of chosen) taken.add(a.name);
    victims += chosen.length;
    victimGpus += freed;
  }
  return { preemptors, victims, victimGpus, evicted: taken };
}

/**
 * placeableAfter evicts `victims` from the snapshot (their pods' GPUs, CPU and
 * memory freed on their nodes, their quota given back) and runs a cycle with
 * preemption off: how many of the pending JobSets can then really start.
 */
function placeableAfter(snap: Snapshot, victims: ReadonlySet<string>): number {
  const q = snap.quota!;
  const gone = q.admitted!.filter((a) => victims.has(a.name));
  const nodes = snap.nodes.map((n) => ({ ...n, allocated: { ...n.allocated }, usedGpuIndices: [...n.usedGpuIndices] }));
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const usage: MutableUsage = {};
  for (const a of q.admitted!) if (!victims.has(a.name)) chargeUsage(usage, a.queue, { flavors: a.flavors }, a.request);
  for (const a of gone)
    for (const p of a.pods) {
      const n = byName.get(p.node)!;
      n.allocated = { cpuMillis: n.allocated.cpuMillis - p.request.cpuMillis, memoryBytes: n.allocated.memoryBytes - p.request.memoryBytes, gpus: n.allocated.gpus - p.request.gpus, rdma: 0 };
      n.usedGpuIndices = n.usedGpuIndices.filter((g) => !p.gpuIndices.includes(g));
      n.podCount = (n.podCount ?? 1) - 1;
    }
  const never: PreemptionPolicy = { withinQueue: 'Never', reclaimWithinCohort: 'Never', borrowWithinCohort: { policy: 'Never' }, minRuntimeMs: 0 };
  const d = decideCycle({ ...snap, nodes, quota: { ...q, usage, admitted: q.admitted!.filter((a) => !victims.has(a.name)), preemption: Object.fromEntries(Object.keys(q.preemption!).map((k) => [k, never])) } });
  return d.admit.length;
}

/** run builds the snapshot, times decideCycle over the rounds, computes the baseline, and prints. */
export async function run(o: PreemptionCycleOptions, print: (line: string) => void = console.log): Promise<PreemptionCycleFigures> {
  const { snap, preemptorGpus } = build(o);
  const heapBefore = measureMemory(true).heapUsed;
  decideCycle(snap); // warm-up
  const times: number[] = [];
  let d = decideCycle(snap);
  for (let r = 0; r < o.rounds; r++) {
    const t = performance.now();
    d = decideCycle(snap);
    times.push(performance.now() - t);
  }
  const heapAfter = measureMemory(false).heapUsed;
  const gpusOf = new Map(snap.quota!.admitted!.map((a) => [a.name, a.request.gpus ?? 0]));
  const victims = d.preempt ?? [];
  const muster = {
    decide: summarize(times),
    preemptors: new Set(victims.map((v) => v.by)).size,
    victims: victims.length,
    victimGpus: victims.reduce((a, v) => a + (gpusOf.get(v.jobset) ?? 0), 0),
    admitted: d.admit.length,
    placeable: placeableAfter(snap, new Set(victims.map((v) => v.jobset))),
  };
  const naive = naiveVictims(snap);
  const baseline = { preemptors: naive.preemptors, victims: naive.victims, victimGpus: naive.victimGpus, placeable: placeableAfter(snap, naive.evicted) };
  const per = (n: number, by: number): number => (by > 0 ? n / by : 0);
  // Per JobSet that can really start after the evictions: what each approach evicted for it.
  const ratios = { victims: per(per(baseline.victims, baseline.placeable), per(muster.victims, muster.placeable)), gpus: per(per(baseline.victimGpus, baseline.placeable), per(muster.victimGpus, muster.placeable)) };
  const figures: PreemptionCycleFigures = {
    options: o,
    cluster: { gpus: o.nodes * 8, running: snap.quota!.admitted!.length, runningGpus: [...gpusOf.values()].reduce((a, b) => a + b, 0), preemptorGpus },
    muster, baseline, ratios, memory: { heapBefore, heapAfter },
  };
  print(`preemption-cycle: ${o.queues} queues, ${o.nodes} nodes (${figures.cluster.gpus} GPUs, all in use by ${figures.cluster.running} low-priority JobSets), ${o.preemptors} high-priority JobSets needing ${preemptorGpus} GPUs`);
  print(table(SUMMARY_HEADERS, [summaryRow('Muster decideCycle (victims chosen, placed, minimised)', muster.decide)]));
  print(
    table(
      ['', 'preemptors', 'victims', 'GPUs evicted', 'can start after', 'victims/started', 'GPUs evicted/started'],
      [
        ['Muster', muster.preemptors, muster.victims, muster.victimGpus, muster.placeable, per(muster.victims, muster.placeable).toFixed(2), per(muster.victimGpus, muster.placeable).toFixed(1)],
        ['naive (lowest first, GPU count only)', baseline.preemptors, baseline.victims, baseline.victimGpus, baseline.placeable, per(baseline.victims, baseline.placeable).toFixed(2), per(baseline.victimGpus, baseline.placeable).toFixed(1)],
      ],
    ),
  );
  print(`ratio naive/Muster, per JobSet that can start: victims ${fmtRatio(ratios.victims)}, GPUs evicted ${fmtRatio(ratios.gpus)}; p50 ${fmtMs(muster.decide.p50)} per cycle; heap ${fmtBytes(heapBefore)} → ${fmtBytes(heapAfter)}`);
  return figures;
}

if (isMain(import.meta.url)) {
  runMain({ ...DEFAULT_PREEMPTION_CYCLE_OPTIONS }, 'node dist/bench/preemption-cycle.bench.js [--queues 100] [--nodes 2000] [--preemptors 500] [--rounds 5] [--seed 1]', (opts) => run(opts));
}
