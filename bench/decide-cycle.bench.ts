/**
 * Benchmark of the pure scheduling core: decideCycle over a synthetic,
 * deterministic snapshot (seeded PRNG) of DGX-class nodes and a queue of
 * mixed gang shapes, some of which cannot fit. Baseline, measured in the same
 * run and interleaved with it: structuredClone of the same snapshot (the cost
 * of merely copying the input once).
 *
 *   npm run build && node dist/bench/decide-cycle.bench.js [--nodes 512] [--pending 2000] [--rounds 100] [--seed 1]
 */
import { performance } from 'node:perf_hooks';
import { decideCycle } from '../scheduler/src/core/decide-cycle.js';
import type { CycleDecision, NodeSnapshot, PendingJobSet, PendingReasonCode, PortInUse, Snapshot } from '../scheduler/src/core/types.js';
import { expandGang } from '../scheduler/src/model/gang.js';
import { coordinatorPodId } from '../scheduler/src/model/gang.js';
import { parseJobSetObject } from '../shared/src/spec/document.js';
import { withDefaults } from '../shared/src/spec/validate.js';
import type { JobSetSpec } from '../shared/src/proto/types.js';
import { isMain, runMain } from './args.js';
import {
  fmtBytes, fmtMs, fmtRate, fmtRatio, measureMemory, mulberry32, summarize, summaryRow, SUMMARY_HEADERS, table, type Prng, type Summary,
} from './stats.js';

/** DecideCycleOptions size the benchmark. */
export interface DecideCycleOptions {
  /** Nodes in the snapshot (8 GPUs, 208 CPUs, 2 TiB each). */
  nodes: number;
  /** Pending JobSets in the queue. */
  pending: number;
  /** Timed rounds (after one untimed warm-up round). */
  rounds: number;
  /** PRNG seed: the same seed builds the same snapshot. */
  seed: number;
}

/** DEFAULT_DECIDE_CYCLE_OPTIONS are the defaults of the command line. */
export const DEFAULT_DECIDE_CYCLE_OPTIONS: DecideCycleOptions = { nodes: 512, pending: 2000, rounds: 100, seed: 1 };

/** DecideCycleFigures are the measured results (times in milliseconds, memory in bytes). */
export interface DecideCycleFigures {
  options: DecideCycleOptions;
  /** Nodes that are schedulable in the snapshot. */
  schedulableNodes: number;
  /** Pods across all pending JobSets. */
  pendingPods: number;
  /** JobSets per shape in the queue. */
  mix: Record<string, number>;
  /** One cycle's outcome (identical every round: the core is deterministic). */
  admittedJobSets: number;
  placedPods: number;
  stillPending: Partial<Record<PendingReasonCode, number>>;
  /** decideCycle latency per round. */
  decide: Summary;
  /** Baseline: structuredClone(snapshot) per round. */
  copy: Summary;
  /** JobSets decided (admitted or left pending with a reason) per second of decideCycle time. */
  jobsetsPerSecond: number;
  /** Pods placed per second of decideCycle time. */
  podsPerSecond: number;
  /** decide p50 / copy p50. */
  ratioDecideToCopy: number;
  memory: {
    /** heapUsed after a full GC, before the rounds. */
    heapBefore: number;
    /** Largest heapUsed sampled right after a cycle (no GC) minus heapBefore: live data plus not yet collected garbage. */
    heapPeakDelta: number;
    /** heapUsed after a full GC with the last decision still referenced, minus heapBefore. */
    heapRetainedDelta: number;
    rssBefore: number;
    rssAfter: number;
  };
}

/** Shape is one kind of gang in the synthetic queue. */
interface Shape {
  name: string;
  /** Share of the queue. */
  weight: number;
  replicas: number;
  parallelism: number;
  cpu: number;
  memory: string;
  gpus: number;
}

/** SHAPES: 1×1-GPU, 2×4-GPU, 8×8-GPU and 32×8-GPU gangs, plus one that never fits (16 GPUs in one pod). */
const SHAPES: readonly Shape[] = [
  { name: '1x1gpu', weight: 0.5, replicas: 1, parallelism: 1, cpu: 8, memory: '64Gi', gpus: 1 },
  { name: '2x4gpu', weight: 0.25, replicas: 1, parallelism: 2, cpu: 48, memory: '512Gi', gpus: 4 },
  { name: '8x8gpu', weight: 0.15, replicas: 2, parallelism: 4, cpu: 96, memory: '1Ti', gpus: 8 },
  { name: '32x8gpu', weight: 0.08, replicas: 4, parallelism: 8, cpu: 96, memory: '1Ti', gpus: 8 },
  { name: 'unfit-16gpu', weight: 0.02, replicas: 1, parallelism: 1, cpu: 8, memory: '64Gi', gpus: 16 },
];

const GiB = 2 ** 30;

/** shapeSpec parses a shape as a JobSet file would be, with JobSet's defaults applied (what the scheduler stores). */
function shapeSpec(s: Shape): JobSetSpec {
  const doc = parseJobSetObject({
    apiVersion: 'muster.dev/v1',
    kind: 'JobSet',
    metadata: { name: s.name },
    spec: {
      replicatedJobs: [
        { name: 'workers', replicas: s.replicas, template: { parallelism: s.parallelism, template: { command: ['true'], resources: { cpu: s.cpu, memory: s.memory, gpus: s.gpus } } } },
      ],
    },
  });
  return withDefaults(doc.spec);
}

function pick(rand: Prng, shapes: readonly Shape[]): Shape {
  let x = rand();
  for (const s of shapes) {
    if (x < s.weight) return s;
    x -= s.weight;
  }
  return shapes[shapes.length - 1]!;
}

/**
 * buildSnapshot makes the synthetic snapshot: `nodes` DGX-class nodes (30 %
 * partly busy, 2 % not schedulable, 1 in 64 with an unhealthy GPU) and
 * `pending` JobSets drawn from SHAPES, with 64 coordinator ports in use
 * (ports are held per node: 8 each on the first 8 nodes, so JobSets first fit
 * puts there take a port further up the range).
 */
export function buildSnapshot(opts: Pick<DecideCycleOptions, 'nodes' | 'pending' | 'seed'>): { snapshot: Snapshot; mix: Record<string, number> } {
  const rand = mulberry32(opts.seed);
  const nodes: NodeSnapshot[] = [];
  for (let i = 0; i < opts.nodes; i++) {
    const busyGpus = rand() < 0.3 ? 1 + Math.floor(rand() * 8) : 0;
    const used = Array.from({ length: busyGpus }, (_, g) => g);
    nodes.push({
      name: `node-${String(i + 1).padStart(4, '0')}`,
      schedulable: rand() >= 0.02,
      allocatable: { cpuMillis: 208_000, memoryBytes: 2048 * GiB, gpus: 8, rdma: 8 },
      allocated: { cpuMillis: busyGpus * 12_000, memoryBytes: busyGpus * 128 * GiB, gpus: busyGpus, rdma: 0 },
      gpuIndices: i % 64 === 63 ? [0, 1, 2, 3, 4, 5, 6] : [0, 1, 2, 3, 4, 5, 6, 7],
      usedGpuIndices: used,
    });
  }
  const specs = new Map(SHAPES.map((s) => [s.name, shapeSpec(s)]));
  const mix: Record<string, number> = Object.fromEntries(SHAPES.map((s) => [s.name, 0]));
  const pending: PendingJobSet[] = [];
  for (let i = 0; i < opts.pending; i++) {
    const shape = pick(rand, SHAPES);
    mix[shape.name]! += 1;
    const name = `js-${String(i + 1).padStart(5, '0')}-${shape.name}`;
    // Submission times with jitter, so queue order is not simply name order.
    const spec = specs.get(shape.name)!;
    const pods = expandGang(name, spec);
    pending.push({ name, createdMs: 1_700_000_000_000 + i * 1000 + Math.floor(rand() * 5000), pods, coordinatorPodId: coordinatorPodId(spec, pods) });
  }
  const usedPorts: PortInUse[] =
    nodes.length === 0 ? [] : Array.from({ length: 64 }, (_, i) => ({ node: nodes[Math.floor(i / 8) % nodes.length]!.name, port: 29_500 + (i % 8) }));
  const snapshot: Snapshot = {
    nodes,
    pending,
    usedPorts,
    portRange: { min: 29_500, max: 29_999 },
  };
  return { snapshot, mix };
}

function countReasons(d: CycleDecision): Partial<Record<PendingReasonCode, number>> {
  const out: Partial<Record<PendingReasonCode, number>> = {};
  for (const p of d.pending) out[p.reason] = (out[p.reason] ?? 0) + 1;
  return out;
}

/** run builds the snapshot, times decideCycle and the copy baseline over `rounds` rounds, prints the figures and returns them. */
export function run(partial: Partial<DecideCycleOptions> = {}, print: (line: string) => void = console.log): Promise<DecideCycleFigures> {
  const options = { ...DEFAULT_DECIDE_CYCLE_OPTIONS, ...partial };
  const { snapshot, mix } = buildSnapshot(options);
  const pendingPods = snapshot.pending.reduce((n, js) => n + js.pods.length, 0);

  // Warm-up (JIT), also the reference outcome every timed round must match.
  const reference = decideCycle(snapshot);
  structuredClone(snapshot);
  const admittedJobSets = reference.admit.length;
  const placedPods = reference.admit.reduce((n, a) => n + a.placements.length, 0);

  const mem0 = measureMemory(true);
  let peakHeap = mem0.heapUsed;
  const decideMs: number[] = [];
  const copyMs: number[] = [];
  let last: CycleDecision = reference;
  for (let r = 0; r < options.rounds; r++) {
    {
      const c0 = performance.now();
      const copy = structuredClone(snapshot);
      const c1 = performance.now();
      copyMs.push(c1 - c0);
      if (copy.pending.length !== snapshot.pending.length) throw new Error('copy lost JobSets');
    }
    const d0 = performance.now();
    last = decideCycle(snapshot);
    const d1 = performance.now();
    decideMs.push(d1 - d0);
    if (last.admit.length !== admittedJobSets || last.admit.length + last.pending.length !== snapshot.pending.length)
      throw new Error(`round ${r}: decideCycle is not deterministic (${last.admit.length} admitted, reference ${admittedJobSets})`);
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }
  const mem1 = measureMemory(true);
  const lastAdmitted = last.admit.length; // keeps `last` referenced until after the reading

  const decide = summarize(decideMs);
  const copy = summarize(copyMs);
  const totalDecideS = decideMs.reduce((s, x) => s + x, 0) / 1000;
  const figures: DecideCycleFigures = {
    options,
    schedulableNodes: snapshot.nodes.filter((n) => n.schedulable).length,
    pendingPods,
    mix,
    admittedJobSets: lastAdmitted,
    placedPods,
    stillPending: countReasons(reference),
    decide,
    copy,
    jobsetsPerSecond: (snapshot.pending.length * options.rounds) / totalDecideS,
    podsPerSecond: (placedPods * options.rounds) / totalDecideS,
    ratioDecideToCopy: decide.p50 / copy.p50,
    memory: {
      heapBefore: mem0.heapUsed,
      heapPeakDelta: peakHeap - mem0.heapUsed,
      heapRetainedDelta: mem1.heapUsed - mem0.heapUsed,
      rssBefore: mem0.rss,
      rssAfter: mem1.rss,
    },
  };
  printFigures(figures, print);
  return Promise.resolve(figures);
}

/** printFigures writes the figures as a few lines and a table. */
export function printFigures(f: DecideCycleFigures, print: (line: string) => void): void {
  const o = f.options;
  print(`decideCycle: ${o.nodes} nodes (8 GPUs, 208 CPUs, 2 TiB each; ${f.schedulableNodes} schedulable), ${o.pending} pending JobSets (${f.pendingPods} pods), ${o.rounds} rounds, seed ${o.seed}`);
  print(`queue mix: ${Object.entries(f.mix).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const reasons = Object.entries(f.stillPending).map(([k, v]) => `${k} ${v}`).join(', ');
  print(`each cycle: ${f.admittedJobSets} JobSets admitted (${f.placedPods} pods placed); still pending: ${reasons || 'none'}`);
  print('');
  print(table(SUMMARY_HEADERS, [summaryRow('decideCycle', f.decide), summaryRow('baseline: structuredClone(snapshot)', f.copy)]));
  print('');
  print(
    table(
      ['figure', 'value'],
      [
        ['JobSets decided per second', fmtRate(f.jobsetsPerSecond, 'JobSets')],
        ['pods placed per second', fmtRate(f.podsPerSecond, 'pods')],
        ['ratio decide/copy (p50)', fmtRatio(f.ratioDecideToCopy)],
        ['heap before (after GC)', fmtBytes(f.memory.heapBefore)],
        ['heap peak above idle (after a cycle, no GC)', fmtBytes(f.memory.heapPeakDelta)],
        ['heap retained delta (last decision kept)', fmtBytes(f.memory.heapRetainedDelta)],
        ['RSS before → after', `${fmtBytes(f.memory.rssBefore)} → ${fmtBytes(f.memory.rssAfter)}`],
        ['decideCycle mean', fmtMs(f.decide.mean)],
      ],
    ),
  );
}

if (isMain(import.meta.url)) {
  runMain(
    { ...DEFAULT_DECIDE_CYCLE_OPTIONS },
    'node dist/bench/decide-cycle.bench.js [--nodes 512] [--pending 2000] [--rounds 100] [--seed 1]',
    (opts) => run(opts),
  );
}
