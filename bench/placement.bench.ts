/**
 * Benchmark of topology-aware gang placement: `--nodes` 8-GPU nodes in racks
 * of 32 (racks labelled rack=r<i>, blocks of 8 racks), filled by a seeded
 * stream of gangs of 8–512 pods × 1/2/4/8 GPUs, one gang per cycle (admitted
 * gangs stay; a gang that does not fit is passed over). Two runs on the same
 * stream:
 *
 *   Muster    — each gang `placement.preferred: rack` (one rack if any fits,
 *               tightest first, else one block, else anywhere), GPUs chosen
 *               by link and NUMA inside each node;
 *   first fit — no placement policy: nodes in name order (the baseline).
 *
 * Printed: per-gang cycle latency p50/p99, pods placed per second, racks a
 * gang spans (its all-reduce crosses rack uplinks when > 1), and the
 * fragmentation left: free GPUs stranded on partly used nodes. Then churn:
 * `--churn` steps on the full cluster, each ending one running gang (drawn
 * by the seed) and offering one gang of a mixed stream (1–64 pods × 1/2/4/8
 * GPUs); the fragmentation is sampled after every step (mean stranded GPUs,
 * whole free nodes) with the gangs that did not fit.
 *
 *   npm run build && node dist/bench/placement.bench.js [--nodes 1024] [--gangs 400] [--churn 400] [--seed 1]
 */
import { performance } from 'node:perf_hooks';
import { decideCycle } from '../scheduler/src/core/decide-cycle.js';
import type { NodeSnapshot, PendingJobSet, Snapshot } from '../scheduler/src/core/types.js';
import { isMain, runMain } from './args.js';
import { fmtMs, fmtRate, fmtRatio, mulberry32, summarize, summaryRow, SUMMARY_HEADERS, table, type Summary } from './stats.js';

/** PlacementBenchOptions size the benchmark. */
export interface PlacementBenchOptions {
  nodes: number;
  /** Gangs in the stream. */
  gangs: number;
  /** Churn steps after the fill (0 = none). */
  churn: number;
  seed: number;
}

/** DEFAULT_PLACEMENT_OPTIONS are the defaults of the command line. */
export const DEFAULT_PLACEMENT_OPTIONS: PlacementBenchOptions = { nodes: 1024, gangs: 400, churn: 400, seed: 1 };

/** RunFigures are one strategy's results. */
export interface RunFigures {
  /** Gangs of the stream that did not fit when their turn came. */
  unplaced: number;
  gangs: number;
  pods: number;
  gpus: number;
  perGang: Summary;
  podsPerSecond: number;
  /** Mean and max racks a gang spans. */
  racksMean: number;
  racksMax: number;
  /** Gangs within one rack. */
  oneRack: number;
  /** When the first gang did not fit: free GPUs on partly used nodes, and free GPUs in all. */
  strandedAtFirstMiss: number;
  freeAtFirstMiss: number;
  /** Churn: mean free GPUs stranded on partly used nodes, mean whole free nodes, gangs offered and not placed. */
  churnStranded: number;
  churnWholeNodes: number;
  churnOffered: number;
  churnMissed: number;
}

/** strandedOf counts free GPUs on partly used nodes (fragmentation). */
function strandedOf(nodes: readonly NodeSnapshot[]): number {
  return nodes.reduce((a, n) => a + (n.usedGpuIndices.length > 0 && n.usedGpuIndices.length < 8 ? 8 - n.usedGpuIndices.length : 0), 0);
}

/** PlacementFigures are the measured results. */
export interface PlacementFigures {
  options: PlacementBenchOptions;
  muster: RunFigures;
  firstFit: RunFigures;
}

interface Shape {
  pods: number;
  gpus: number;
}

/** stream draws gang shapes: 8–512 pods (powers of two, small ones likelier) × 1/2/4/8 GPUs. */
function stream(seed: number, count: number): Shape[] {
  const rnd = mulberry32(seed);
  return Array.from({ length: count }, () => ({ pods: 2 ** (3 + Math.floor(rnd() ** 2 * 7)), gpus: [1, 2, 4, 8][Math.floor(rnd() * 4)]! }));
}

/** mixedStream draws the churn's gangs: 1–64 pods (small ones likelier) × 1/2/4/8 GPUs. */
function mixedStream(seed: number, count: number): Shape[] {
  const rnd = mulberry32(seed ^ 0x5eed);
  return Array.from({ length: count }, () => ({ pods: 2 ** Math.floor(rnd() ** 2 * 7), gpus: [1, 2, 4, 8][Math.floor(rnd() * 4)]! }));
}

function run(o: PlacementBenchOptions, shapes: readonly Shape[], preferRack: boolean, churn: readonly Shape[] = []): RunFigures {
  const nodes: NodeSnapshot[] = Array.from({ length: o.nodes }, (_, i) => ({
    name: `n${String(i).padStart(5, '0')}`, schedulable: true,
    allocatable: { cpuMillis: 128_000, memoryBytes: 1024 * 2 ** 30, gpus: 8, rdma: 0 }, allocated: { cpuMillis: 0, memoryBytes: 0, gpus: 0, rdma: 0 },
    gpuIndices: [0, 1, 2, 3, 4, 5, 6, 7], usedGpuIndices: [], podCount: 0,
    labels: { rack: `r${Math.floor(i / 32)}`, block: `b${Math.floor(i / 256)}` },
  }));
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const times: number[] = [];
  const racks: number[] = [];
  let pods = 0;
  let gpus = 0;
  let unplaced = 0;
  let firstMiss: { stranded: number; freeGpus: number } | undefined;
  /** Running gangs: what each pod holds (ended in churn). */
  const live: { node: NodeSnapshot; gpuIndices: number[]; gpus: number }[][] = [];
  const offer = (k: number, s: Shape): { placed: boolean; ms: number; racks: number } => {
    const js: PendingJobSet = {
      name: `g${k}`, createdMs: k, coordinatorPodId: `g${k}/w/0/0`,
      pods: Array.from({ length: s.pods }, (_, p) => ({ podId: `g${k}/w/0/${p}`, replicatedJob: 'w', jobIndex: 0, podIndex: p, rank: p, request: { cpuMillis: s.gpus * 8000, memoryBytes: s.gpus * 64 * 2 ** 30, gpus: s.gpus, rdma: 0 } })),
      ...(preferRack ? { placement: { preferred: 'rack' } } : {}),
    };
    const snap: Snapshot = { nodes, pending: [js], usedPorts: [], portRange: { min: 29500, max: 29999 }, topologyLevels: ['block', 'rack'] };
    const t = performance.now();
    const d = decideCycle(snap);
    const ms = performance.now() - t;
    const adm = d.admit[0];
    if (!adm) return { placed: false, ms, racks: 0 };
    const used = new Set<string>();
    const held: (typeof live)[number] = [];
    for (const p of adm.placements) {
      const n = byName.get(p.node)!;
      n.usedGpuIndices.push(...p.gpuIndices);
      n.allocated = { ...n.allocated, gpus: n.allocated.gpus + p.gpuIndices.length, cpuMillis: n.allocated.cpuMillis + s.gpus * 8000, memoryBytes: n.allocated.memoryBytes + s.gpus * 64 * 2 ** 30 };
      n.podCount = (n.podCount ?? 0) + 1;
      used.add(n.labels!.rack!);
      held.push({ node: n, gpuIndices: p.gpuIndices, gpus: s.gpus });
    }
    live.push(held);
    return { placed: true, ms, racks: used.size };
  };
  const end = (gang: (typeof live)[number]): void => {
    for (const h of gang) {
      const n = h.node;
      n.usedGpuIndices = n.usedGpuIndices.filter((g) => !h.gpuIndices.includes(g));
      n.allocated = { ...n.allocated, gpus: n.allocated.gpus - h.gpuIndices.length, cpuMillis: n.allocated.cpuMillis - h.gpus * 8000, memoryBytes: n.allocated.memoryBytes - h.gpus * 64 * 2 ** 30 };
      n.podCount = (n.podCount ?? 1) - 1;
    }
  };
  for (const [k, s] of shapes.entries()) {
    const r = offer(k, s);
    if (!r.placed) {
      if (unplaced === 0) firstMiss = { stranded: strandedOf(nodes), freeGpus: nodes.reduce((a, n) => a + 8 - n.usedGpuIndices.length, 0) };
      unplaced++; // does not fit now: the stream goes on with the next gang
      continue;
    }
    times.push(r.ms);
    pods += s.pods;
    gpus += s.pods * s.gpus;
    racks.push(r.racks);
  }
  // Churn: one gang ends, one is offered; the same seed picks the one that ends in both runs.
  const pick = mulberry32(o.seed ^ 0xc4a5);
  let stranded = 0;
  let whole = 0;
  let missed = 0;
  for (const [k, s] of churn.entries()) {
    if (live.length > 0) end(live.splice(Math.floor(pick() * live.length), 1)[0]!);
    if (!offer(shapes.length + k, s).placed) missed++;
    stranded += strandedOf(nodes);
    whole += nodes.filter((n) => n.usedGpuIndices.length === 0).length;
  }
  const totalMs = times.reduce((a, b) => a + b, 0);
  return {
    strandedAtFirstMiss: firstMiss?.stranded ?? 0,
    freeAtFirstMiss: firstMiss?.freeGpus ?? 0,
    unplaced,
    gangs: racks.length,
    pods,
    gpus,
    perGang: summarize(times),
    podsPerSecond: totalMs > 0 ? (pods * 1000) / totalMs : 0,
    racksMean: racks.length > 0 ? racks.reduce((a, b) => a + b, 0) / racks.length : 0,
    racksMax: Math.max(0, ...racks),
    oneRack: racks.filter((r) => r === 1).length,
    churnStranded: churn.length > 0 ? stranded / churn.length : 0,
    churnWholeNodes: churn.length > 0 ? whole / churn.length : 0,
    churnOffered: churn.length,
    churnMissed: missed,
  };
}

/** runBench places the same stream both ways and prints the figures. */
export async function runBench(o: PlacementBenchOptions, print: (line: string) => void = console.log): Promise<PlacementFigures> {
  const shapes = stream(o.seed, o.gangs);
  run(o, shapes.slice(0, 20), true); // warm-up
  const churn = mixedStream(o.seed, o.churn);
  const muster = run(o, shapes, true, churn);
  const firstFit = run(o, shapes, false, churn);
  print(`placement: ${o.nodes} nodes (${o.nodes * 8} GPUs) in racks of 32, a stream of ${shapes.length} gangs of 8–512 pods × 1/2/4/8 GPUs, one per cycle (one that does not fit is passed over)`);
  print(table(SUMMARY_HEADERS, [summaryRow('Muster (preferred: rack) per placed gang', muster.perGang), summaryRow('first fit per placed gang', firstFit.perGang)]));
  const row = (label: string, f: RunFigures): (string | number)[] => [label, f.gangs, f.unplaced, f.pods, f.gpus, fmtRate(f.podsPerSecond, 'pods'), `${f.oneRack} (${((100 * f.oneRack) / Math.max(1, f.gangs)).toFixed(0)}%)`, f.racksMean.toFixed(2), f.racksMax, `${f.strandedAtFirstMiss} of ${f.freeAtFirstMiss}`];
  print(table(['', 'gangs placed', 'passed over', 'pods', 'GPUs', 'pods/s (placed gangs)', 'gangs in one rack', 'racks per gang (mean)', 'max', 'stranded of free GPUs at first miss'], [row('Muster', muster), row('first fit', firstFit)]));
  print(`ratio first fit / Muster: racks per gang ${fmtRatio(firstFit.racksMean / Math.max(1e-9, muster.racksMean))}; per-gang p50 ${fmtMs(muster.perGang.p50)} vs ${fmtMs(firstFit.perGang.p50)}`);
  if (churn.length > 0) {
    const crow = (label: string, f: RunFigures): (string | number)[] => [label, f.churnStranded.toFixed(1), f.churnWholeNodes.toFixed(1), `${f.churnMissed} of ${f.churnOffered}`];
    print(`churn: ${churn.length} steps, each ending one running gang and offering one of 1–64 pods × 1/2/4/8 GPUs`);
    print(table(['', 'stranded GPUs (mean)', 'whole free nodes (mean)', 'not placed'], [crow('Muster', muster), crow('first fit', firstFit)]));
    print(`ratio first fit / Muster: stranded GPUs ${fmtRatio(firstFit.churnStranded / Math.max(1e-9, muster.churnStranded))}, whole free nodes ${fmtRatio(muster.churnWholeNodes / Math.max(1e-9, firstFit.churnWholeNodes))} (Muster / first fit)`);
  }
  return { options: o, muster, firstFit };
}

if (isMain(import.meta.url)) {
  runMain({ ...DEFAULT_PLACEMENT_OPTIONS }, 'node dist/bench/placement.bench.js [--nodes 1024] [--gangs 400] [--churn 400] [--seed 1]', (opts) => runBench(opts));
}
