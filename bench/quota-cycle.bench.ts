/**
 * Benchmark of admission against queue quotas (Kueue's model): one
 * decideCycle over a synthetic, deterministic cluster (seeded PRNG) of
 * `--queues` queues in cohorts of 10, `--nodes` 8-GPU nodes in two flavors and
 * `--pending` JobSets. Baseline, measured in the same run and rounds: Kueue's
 * "one admission per queue per cycle", emulated by giving decideCycle only the
 * head of each queue per cycle and looping, with each cycle's admissions
 * carried into the next snapshot, until no queue has a JobSet left to try.
 *
 *   npm run build && node dist/bench/quota-cycle.bench.js [--queues 1000] [--nodes 10000] [--pending 10000] [--rounds 5] [--seed 1]
 */
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import { decideCycle, gangRequest } from '../scheduler/src/core/decide-cycle.js';
import { addUsage, buildQuotaTree, withinLimits, type Usage } from '../scheduler/src/core/quota.js';
import type { CycleDecision, NodeSnapshot, PendingJobSet, PendingReasonCode, PortInUse, QuotaSnapshot, Snapshot } from '../scheduler/src/core/types.js';
import { coordinatorPodId, expandGang } from '../scheduler/src/model/gang.js';
import type { FieldIssue } from '../shared/src/errors.js';
import type { Cohort, JobSetSpec, PriorityClass, Queue, ResourceFlavor } from '../shared/src/proto/types.js';
import { parseObject, type QueueingObject } from '../shared/src/queues/document.js';
import { validateObjects, withQueueDefaults } from '../shared/src/queues/validate.js';
import { add } from '../shared/src/resources.js';
import { parseJobSetObject } from '../shared/src/spec/document.js';
import { withDefaults } from '../shared/src/spec/validate.js';
import { isMain, runMain } from './args.js';
import {
  fmtBytes, fmtMs, fmtRate, fmtRatio, measureMemory, mulberry32, summarize, summaryRow, SUMMARY_HEADERS, table, type Prng, type Summary,
} from './stats.js';

/** QuotaCycleOptions size the benchmark. */
export interface QuotaCycleOptions {
  /** Queues, in cohorts of 10, each with quota in both flavors. */
  queues: number;
  /** Nodes (8 GPUs, 64 CPUs, 512 GiB each), half labelled gpu=h100, half gpu=a100. */
  nodes: number;
  /** Pending JobSets spread over the queues. */
  pending: number;
  /** Timed rounds (after one untimed warm-up round), each: one Muster cycle and one baseline run. */
  rounds: number;
  /** PRNG seed: the same seed builds the same cluster and queue. */
  seed: number;
}

/** DEFAULT_QUOTA_CYCLE_OPTIONS are the defaults of the command line. */
export const DEFAULT_QUOTA_CYCLE_OPTIONS: QuotaCycleOptions = { queues: 1000, nodes: 10_000, pending: 10_000, rounds: 5, seed: 1 };

/** QuotaCycleFigures are the measured results (times in milliseconds, memory in bytes). */
export interface QuotaCycleFigures {
  options: QuotaCycleOptions;
  cluster: { gpus: number; cohorts: number; strictFifoQueues: number; nominalGpus: number; pendingPods: number; pendingGpus: number };
  /** Pending JobSets per priority class. */
  priorities: Record<string, number>;
  /** Muster: every pending JobSet decided in one cycle (identical every round). */
  muster: {
    admittedJobSets: number;
    admittedGpus: number;
    placedPods: number;
    stillPending: Partial<Record<PendingReasonCode, number>>;
    /** decideCycle latency per round. */
    decide: Summary;
    /** Admitted JobSets per second of decideCycle time. */
    admissionsPerSecond: number;
  };
  /** Baseline: one head per queue per cycle, looped until no queue has a JobSet left to try (identical every round). */
  baseline: {
    cycles: number;
    admittedJobSets: number;
    admittedGpus: number;
    /** JobSets admitted so far after each cycle. */
    admittedAfter: number[];
    /** Latency of each baseline decideCycle call (all cycles of all rounds). */
    cycle: Summary;
    /** Sum of the decideCycle times of one whole baseline run, per round. */
    total: Summary;
    /** The same plus carrying admissions into the next snapshot, per round. */
    wall: Summary;
    /** First cycle after which the baseline has admitted as many JobSets as Muster's one cycle; undefined = never. */
    cyclesToMatch: number | undefined;
    /** Sum of decideCycle times up to cyclesToMatch, per round (empty when never matched). */
    toMatch: Summary;
    /** Admitted JobSets per second of decideCycle time (whole run). */
    admissionsPerSecond: number;
  };
  ratios: {
    /** Baseline cycles (to match Muster's admitted count, or all of them when it never does) ÷ Muster's 1. */
    cycles: number;
    /** Baseline decideCycle time (p50, same span as `cycles`) ÷ Muster decideCycle p50. */
    time: number;
    /** Admitted JobSets: Muster ÷ baseline (whole run). */
    admitted: number;
  };
  memory: {
    /** heapUsed after a full GC, before the rounds. */
    heapBefore: number;
    /** Largest heapUsed sampled right after a Muster cycle (no GC) minus heapBefore. */
    heapPeakDelta: number;
    /** heapUsed after a full GC with the last decision still referenced, minus heapBefore. */
    heapRetainedDelta: number;
    rssBefore: number;
    rssAfter: number;
  };
}

const GiB = 2 ** 30;
const FLAVORS = ['h100', 'a100'] as const;
const GPUS_PER_NODE = 8;
const COHORT_SIZE = 10;
/** Per GPU, pods ask for (and quotas hold) 8 CPUs and 64 GiB: a full node's worth at 8 GPUs. */
const CPU_PER_GPU = 8;
const MEMORY_GIB_PER_GPU = 64;
/** Priority classes (Kueue §3.6): name, value, share of the queue; `normal` is the global default. */
const PRIORITY_CLASSES: readonly { name: string; value: number; weight: number }[] = [
  { name: 'low', value: 0, weight: 0.3 },
  { name: 'normal', value: 100, weight: 0.5 },
  { name: 'high', value: 1000, weight: 0.2 },
];

/** QuotaCycleCluster is the synthetic input: the snapshot Muster decides on, and each queue's JobSets in queue order. */
export interface QuotaCycleCluster {
  snapshot: Snapshot & { quota: QuotaSnapshot };
  /** Queue → its pending JobSets in decideCycle's order (priority, then creation, then name). */
  byQueue: Map<string, PendingJobSet[]>;
  priorities: Record<string, number>;
  cohorts: number;
  nominalGpus: number;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** parseAll parses queueing documents as `muster apply -f` would and validates them together; throws on any issue. */
function parseAll(docs: readonly unknown[]): QueueingObject[] {
  const issues: FieldIssue[] = [];
  const out: QueueingObject[] = [];
  docs.forEach((d, i) => {
    const o = parseObject(d, `[${i}].`, issues);
    if (o) out.push(o);
  });
  issues.push(...validateObjects(out));
  if (issues.length > 0) throw new Error(`synthetic queueing objects are invalid: ${issues.slice(0, 5).map((x) => `${x.path}: ${x.message}`).join('; ')}`);
  return out;
}

/** gangSpec parses a gang of `pods` pods × `gpus` GPUs as a JobSet file would be, with JobSet's defaults applied. */
function gangSpec(pods: number, gpus: number): JobSetSpec {
  const doc = parseJobSetObject({
    apiVersion: 'muster.dev/v1',
    kind: 'JobSet',
    metadata: { name: `g${pods}x${gpus}` },
    spec: {
      replicatedJobs: [
        {
          name: 'workers',
          replicas: 1,
          template: { parallelism: pods, template: { command: ['true'], resources: { cpu: gpus * CPU_PER_GPU, memory: `${gpus * MEMORY_GIB_PER_GPU}Gi`, gpus } } },
        },
      ],
    },
  });
  return withDefaults(doc.spec);
}

function pickClass(rand: Prng): (typeof PRIORITY_CLASSES)[number] {
  let x = rand();
  for (const c of PRIORITY_CLASSES) {
    if (x < c.weight) return c;
    x -= c.weight;
  }
  return PRIORITY_CLASSES[PRIORITY_CLASSES.length - 1]!;
}

/**
 * buildCluster makes the synthetic cluster. Nodes `node-00001`… alternate
 * flavors (odd h100, even a100), all empty and schedulable. Queue i is in
 * cohort `cohort-⌊i/10⌋` (implicit roots, no quota of their own); its nominal
 * GPUs per flavor are a random weight (0.5–1.5) of that flavor's GPUs, so the
 * queues' nominal quota adds up to about the cluster's GPUs; CPU and memory
 * quota follow (8 CPUs, 64 GiB per GPU). A third of the queues lend only half
 * their GPUs, another third may borrow at most their nominal; half prefer
 * a100 over h100; 1 in 10 is StrictFIFO. Pending JobSets go to a uniformly
 * drawn queue, 1–8 pods × 1–8 GPUs, a priority class from PRIORITY_CLASSES,
 * jittered creation times.
 */
export function buildCluster(opts: Pick<QuotaCycleOptions, 'queues' | 'nodes' | 'pending' | 'seed'>): QuotaCycleCluster {
  const rand = mulberry32(opts.seed);
  const nodes: NodeSnapshot[] = [];
  const flavorGpus: Record<string, number> = { h100: 0, a100: 0 };
  for (let i = 0; i < opts.nodes; i++) {
    const flavor = FLAVORS[i % 2]!;
    flavorGpus[flavor]! += GPUS_PER_NODE;
    nodes.push({
      name: `node-${pad(i + 1, 5)}`,
      schedulable: true,
      allocatable: { cpuMillis: 64_000, memoryBytes: 512 * GiB, gpus: GPUS_PER_NODE, rdma: 0 },
      allocated: { cpuMillis: 0, memoryBytes: 0, gpus: 0, rdma: 0 },
      gpuIndices: Array.from({ length: GPUS_PER_NODE }, (_, g) => g),
      usedGpuIndices: [],
      labels: { gpu: flavor },
    });
  }

  const docs: unknown[] = [];
  for (const f of FLAVORS) docs.push({ apiVersion: 'muster.dev/v1', kind: 'ResourceFlavor', metadata: { name: f }, spec: { nodeLabels: { gpu: f } } });
  for (const c of PRIORITY_CLASSES)
    docs.push({ apiVersion: 'muster.dev/v1', kind: 'PriorityClass', metadata: { name: c.name }, spec: { value: c.value, globalDefault: c.name === 'normal' } });
  const weights = Array.from({ length: opts.queues }, () => 0.5 + rand());
  const weightSum = weights.reduce((s, w) => s + w, 0);
  let nominalGpus = 0;
  for (let q = 0; q < opts.queues; q++) {
    const kind = rand();
    const order = rand() < 0.5 ? ['h100', 'a100'] : ['a100', 'h100'];
    const strict = rand() < 0.1;
    const flavors = order.map((f) => {
      const gpus = Math.max(1, Math.round((flavorGpus[f]! * weights[q]!) / weightSum));
      nominalGpus += gpus;
      const gpuQuota: Record<string, unknown> = { name: 'gpus', nominalQuota: gpus };
      if (kind < 1 / 3) gpuQuota.lendingLimit = Math.floor(gpus / 2);
      else if (kind < 2 / 3) gpuQuota.borrowingLimit = gpus;
      return {
        name: f,
        resources: [{ name: 'cpu', nominalQuota: gpus * CPU_PER_GPU }, { name: 'memory', nominalQuota: `${gpus * MEMORY_GIB_PER_GPU}Gi` }, gpuQuota],
      };
    });
    docs.push({
      apiVersion: 'muster.dev/v1',
      kind: 'Queue',
      metadata: { name: `queue-${pad(q + 1, 4)}` },
      spec: {
        cohort: `cohort-${pad(Math.floor(q / COHORT_SIZE) + 1, 3)}`,
        ...(strict ? { queueingStrategy: 'StrictFIFO' } : {}),
        resourceGroups: [{ coveredResources: ['cpu', 'memory', 'gpus'], flavors }],
      },
    });
  }
  const objects = parseAll(docs);
  const queues = objects.filter((o) => o.kind === 'Queue').map((o) => withQueueDefaults(o.object as Queue));
  const cohorts = objects.filter((o) => o.kind === 'Cohort').map((o) => o.object as Cohort);
  const flavors = objects.filter((o) => o.kind === 'ResourceFlavor').map((o) => o.object as ResourceFlavor);
  const classes = objects.filter((o) => o.kind === 'PriorityClass').map((o) => o.object as PriorityClass);
  // As the scheduler's takeSnapshot does (scheduler/src/snapshot.ts).
  const quota: QuotaSnapshot = {
    tree: buildQuotaTree(queues, cohorts),
    usage: {},
    flavorLabels: Object.fromEntries(flavors.map((f) => [f.metadata!.name, f.spec?.nodeLabels ?? {}])),
    strategies: Object.fromEntries(queues.map((q) => [q.metadata!.name, q.spec?.queueingStrategy || 'BestEffortFIFO'])),
  };
  const classValue = new Map(classes.map((c) => [c.metadata!.name, c.spec?.value ?? 0]));

  const specs = new Map<string, JobSetSpec>();
  const priorities: Record<string, number> = Object.fromEntries(PRIORITY_CLASSES.map((c) => [c.name, 0]));
  const pending: PendingJobSet[] = [];
  for (let i = 0; i < opts.pending; i++) {
    const queue = queues[Math.floor(rand() * queues.length)]!.metadata!.name;
    const pods = 1 + Math.floor(rand() * 8);
    const gpus = 1 + Math.floor(rand() * 8);
    const cls = pickClass(rand);
    priorities[cls.name]! += 1;
    const key = `${pods}x${gpus}`;
    let spec = specs.get(key);
    if (!spec) specs.set(key, (spec = gangSpec(pods, gpus)));
    const name = `js-${pad(i + 1, 5)}-${key}`;
    const gang = expandGang(name, spec);
    pending.push({
      name,
      createdMs: 1_700_000_000_000 + i * 100 + Math.floor(rand() * 5000),
      pods: gang,
      coordinatorPodId: coordinatorPodId(spec, gang),
      queue,
      priority: classValue.get(cls.name) ?? 0,
    });
  }
  const byQueue = new Map<string, PendingJobSet[]>(queues.map((q) => [q.metadata!.name, []]));
  const ordered = [...pending].sort(
    (a, b) => (b.priority ?? 0) - (a.priority ?? 0) || a.createdMs - b.createdMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  for (const js of ordered) byQueue.get(js.queue!)!.push(js);
  return {
    snapshot: { nodes, pending, usedPorts: [], portRange: { min: 29_500, max: 29_999 }, quota },
    byQueue,
    priorities,
    cohorts: quota.tree.cohorts.size,
    nominalGpus,
  };
}

function countReasons(d: CycleDecision): Partial<Record<PendingReasonCode, number>> {
  const out: Partial<Record<PendingReasonCode, number>> = {};
  for (const p of d.pending) out[p.reason] = (out[p.reason] ?? 0) + 1;
  return out;
}

/** gpusOf is the GPUs a set of admissions holds. */
function gpusOf(d: CycleDecision, byName: ReadonlyMap<string, PendingJobSet>): number {
  let n = 0;
  for (const a of d.admit) n += gangRequest(byName.get(a.jobset)!).gpus ?? 0;
  return n;
}

/** BaselineRun is one whole emulated Kueue run. */
interface BaselineRun {
  /** decideCycle time of each cycle. */
  cycleMs: number[];
  /** JobSets admitted so far after each cycle. */
  admittedAfter: number[];
  /** Whole run including carrying admissions forward. */
  wallMs: number;
  admittedGpus: number;
  usage: Usage;
}

/**
 * runBaseline emulates "one admission per queue per cycle": each cycle
 * decideCycle sees only the head of every queue (its first JobSet not yet
 * tried, in queue order); admissions are then applied to the next cycle's
 * snapshot (quota usage via addUsage, node allocated and used GPU indices via
 * the placements, coordinator ports). A head that is not admitted is set aside
 * (BestEffortFIFO: free capacity and quota only shrink here, so it would not
 * fit later either) or blocks its queue for good (StrictFIFO). The run ends
 * when no queue has a JobSet left to try.
 */
function runBaseline(cluster: QuotaCycleCluster): BaselineRun {
  const w0 = performance.now();
  const base = cluster.snapshot;
  const strategies = base.quota.strategies;
  let nodes = [...base.nodes];
  const nodeIndex = new Map(nodes.map((n, i) => [n.name, i]));
  let usage: Usage = base.quota.usage;
  const usedPorts: PortInUse[] = [...base.usedPorts];
  const next = new Map<string, number>([...cluster.byQueue.keys()].map((q) => [q, 0]));
  const blocked = new Set<string>();
  const cycleMs: number[] = [];
  const admittedAfter: number[] = [];
  let admitted = 0;
  let admittedGpus = 0;
  for (;;) {
    const heads: PendingJobSet[] = [];
    for (const [q, list] of cluster.byQueue) {
      const i = next.get(q)!;
      if (!blocked.has(q) && i < list.length) heads.push(list[i]!);
    }
    if (heads.length === 0) break;
    const snapshot: Snapshot = { nodes, pending: heads, usedPorts, portRange: base.portRange, quota: { ...base.quota, usage } };
    const d0 = performance.now();
    const d = decideCycle(snapshot);
    const d1 = performance.now();
    cycleMs.push(d1 - d0);
    const byName = new Map(heads.map((h) => [h.name, h]));
    nodes = [...nodes];
    // Usage of the queues this cycle admitted to, each charged with addUsage on
    // a one-queue Usage, then merged once (copying all queues per admission costs O(queues)).
    const changed: Record<string, Usage[string]> = {};
    for (const a of d.admit) {
      const js = byName.get(a.jobset)!;
      const request = gangRequest(js);
      if (a.quota) {
        const q = a.quota.queue;
        const own = changed[q] ?? (Object.hasOwn(usage, q) ? usage[q] : undefined);
        changed[q] = addUsage(own === undefined ? {} : { [q]: own }, q, { flavors: a.quota.flavors }, request)[q]!;
      }
      admittedGpus += request.gpus ?? 0;
      const pods = new Map(js.pods.map((p) => [p.podId, p]));
      for (const p of a.placements) {
        const i = nodeIndex.get(p.node)!;
        const n = nodes[i]!;
        nodes[i] = { ...n, allocated: add(n.allocated, pods.get(p.podId)!.request), usedGpuIndices: [...n.usedGpuIndices, ...p.gpuIndices] };
      }
      usedPorts.push({ node: a.coordinatorNode, port: a.coordinatorPort });
    }
    usage = { ...usage, ...changed };
    admitted += d.admit.length;
    admittedAfter.push(admitted);
    const stillPending = new Set(d.pending.map((p) => p.jobset));
    for (const h of heads) {
      if (stillPending.has(h.name) && strategies[h.queue!] === 'StrictFIFO') blocked.add(h.queue!);
      else next.set(h.queue!, next.get(h.queue!)! + 1);
    }
  }
  return { cycleMs, admittedAfter, wallMs: performance.now() - w0, admittedGpus, usage };
}

/** run builds the cluster, times Muster's cycle and the baseline over `rounds` rounds, prints the figures and returns them. */
export function run(partial: Partial<QuotaCycleOptions> = {}, print: (line: string) => void = console.log): Promise<QuotaCycleFigures> {
  const options = { ...DEFAULT_QUOTA_CYCLE_OPTIONS, ...partial };
  const cluster = buildCluster(options);
  const { snapshot } = cluster;
  const byName = new Map(snapshot.pending.map((js) => [js.name, js]));
  const pendingPods = snapshot.pending.reduce((n, js) => n + js.pods.length, 0);
  const pendingGpus = snapshot.pending.reduce((n, js) => n + (gangRequest(js).gpus ?? 0), 0);

  // Warm-up (JIT), also the reference outcome every timed round must match. The
  // core must not change its input: every round decides on the same snapshot.
  const pristine = structuredClone(snapshot);
  const reference = decideCycle(snapshot);
  const refBaseline = runBaseline(cluster);
  if (!isDeepStrictEqual(pristine, snapshot)) throw new Error('decideCycle changed its input snapshot');
  for (const [who, usage] of [['Muster', usageOf(reference, byName)], ['baseline', refBaseline.usage]] as const) {
    const broken = withinLimits(snapshot.quota.tree, usage);
    if (broken.length > 0) throw new Error(`${who} admitted beyond quota: ${broken[0]!.message}`);
  }
  const admittedJobSets = reference.admit.length;
  const baselineAdmitted = refBaseline.admittedAfter.at(-1) ?? 0;
  const matchIndex = refBaseline.admittedAfter.findIndex((n) => n >= admittedJobSets);
  const cyclesToMatch = matchIndex < 0 ? undefined : matchIndex + 1;

  const mem0 = measureMemory(true);
  let peakHeap = mem0.heapUsed;
  const decideMs: number[] = [];
  const baselineCycleMs: number[] = [];
  const baselineTotalMs: number[] = [];
  const baselineWallMs: number[] = [];
  const baselineToMatchMs: number[] = [];
  let last: CycleDecision = reference;
  for (let r = 0; r < options.rounds; r++) {
    const b = runBaseline(cluster);
    if (b.cycleMs.length !== refBaseline.cycleMs.length || (b.admittedAfter.at(-1) ?? 0) !== baselineAdmitted)
      throw new Error(`round ${r}: the baseline is not deterministic (${b.cycleMs.length} cycles, reference ${refBaseline.cycleMs.length})`);
    baselineCycleMs.push(...b.cycleMs);
    baselineTotalMs.push(b.cycleMs.reduce((s, x) => s + x, 0));
    baselineWallMs.push(b.wallMs);
    if (cyclesToMatch !== undefined) baselineToMatchMs.push(b.cycleMs.slice(0, cyclesToMatch).reduce((s, x) => s + x, 0));

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
  const total = summarize(baselineTotalMs);
  const toMatch = summarize(baselineToMatchMs);
  const sum = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0);
  const figures: QuotaCycleFigures = {
    options,
    cluster: {
      gpus: options.nodes * GPUS_PER_NODE,
      cohorts: cluster.cohorts,
      strictFifoQueues: Object.values(snapshot.quota.strategies).filter((s) => s === 'StrictFIFO').length,
      nominalGpus: cluster.nominalGpus,
      pendingPods,
      pendingGpus,
    },
    priorities: cluster.priorities,
    muster: {
      admittedJobSets: lastAdmitted,
      admittedGpus: gpusOf(reference, byName),
      placedPods: reference.admit.reduce((n, a) => n + a.placements.length, 0),
      stillPending: countReasons(reference),
      decide,
      admissionsPerSecond: (admittedJobSets * options.rounds) / (sum(decideMs) / 1000),
    },
    baseline: {
      cycles: refBaseline.cycleMs.length,
      admittedJobSets: baselineAdmitted,
      admittedGpus: refBaseline.admittedGpus,
      admittedAfter: refBaseline.admittedAfter,
      cycle: summarize(baselineCycleMs),
      total,
      wall: summarize(baselineWallMs),
      cyclesToMatch,
      toMatch,
      admissionsPerSecond: (baselineAdmitted * options.rounds) / (sum(baselineTotalMs) / 1000),
    },
    ratios: {
      cycles: cyclesToMatch ?? refBaseline.cycleMs.length,
      time: (cyclesToMatch === undefined ? total.p50 : toMatch.p50) / decide.p50,
      admitted: admittedJobSets / baselineAdmitted,
    },
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

/** usageOf is the quota usage a decision's admissions add to an empty cluster. */
function usageOf(d: CycleDecision, byName: ReadonlyMap<string, PendingJobSet>): Usage {
  let usage: Usage = {};
  for (const a of d.admit) if (a.quota) usage = addUsage(usage, a.quota.queue, { flavors: a.quota.flavors }, gangRequest(byName.get(a.jobset)!));
  return usage;
}

/** printFigures writes the figures as a few lines and two tables. */
export function printFigures(f: QuotaCycleFigures, print: (line: string) => void): void {
  const o = f.options;
  const c = f.cluster;
  print(
    `quota cycle: ${o.queues} queues (${c.cohorts} cohorts of up to ${COHORT_SIZE}, ${c.strictFifoQueues} StrictFIFO; nominal ${c.nominalGpus} GPUs in h100 + a100), ` +
      `${o.nodes} nodes (${c.gpus} GPUs), ${o.pending} pending JobSets (${c.pendingPods} pods, ${c.pendingGpus} GPUs), ${o.rounds} rounds, seed ${o.seed}`,
  );
  print(`priority classes: ${Object.entries(f.priorities).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const reasons = Object.entries(f.muster.stillPending).map(([k, v]) => `${k} ${v}`).join(', ');
  print(`Muster, one cycle: ${f.muster.admittedJobSets} JobSets admitted (${f.muster.placedPods} pods, ${f.muster.admittedGpus} GPUs); still pending: ${reasons || 'none'}`);
  const match = f.baseline.cyclesToMatch === undefined ? `never reaches ${f.muster.admittedJobSets}` : `reaches ${f.muster.admittedJobSets} after cycle ${f.baseline.cyclesToMatch}`;
  print(`baseline, one head per queue per cycle: ${f.baseline.cycles} cycles admit ${f.baseline.admittedJobSets} JobSets (${f.baseline.admittedGpus} GPUs); ${match}`);
  print(`baseline, JobSets admitted after each cycle: ${f.baseline.admittedAfter.join(' ')}`);
  print('');
  print(
    table(SUMMARY_HEADERS, [
      summaryRow('Muster decideCycle (all pending)', f.muster.decide),
      summaryRow('baseline decideCycle (heads only), each cycle', f.baseline.cycle),
      summaryRow('baseline run, decideCycle time summed', f.baseline.total),
      summaryRow('baseline run, wall (with carry-forward)', f.baseline.wall),
      ...(f.baseline.cyclesToMatch === undefined ? [] : [summaryRow(`baseline until ${f.muster.admittedJobSets} admitted`, f.baseline.toMatch)]),
    ]),
  );
  print('');
  const span = f.baseline.cyclesToMatch === undefined ? 'whole baseline run' : 'baseline to the same count';
  print(
    table(
      ['figure', 'value'],
      [
        ['Muster admissions per second', fmtRate(f.muster.admissionsPerSecond, 'JobSets')],
        ['baseline admissions per second', fmtRate(f.baseline.admissionsPerSecond, 'JobSets')],
        [`ratio cycles (${span} / Muster)`, fmtRatio(f.ratios.cycles)],
        [`ratio time (${span} / Muster, p50)`, fmtRatio(f.ratios.time)],
        ['ratio admitted JobSets (Muster / whole baseline run)', fmtRatio(f.ratios.admitted)],
        ['heap before (after GC)', fmtBytes(f.memory.heapBefore)],
        ['heap peak above idle (after a cycle, no GC)', fmtBytes(f.memory.heapPeakDelta)],
        ['heap retained delta (last decision kept)', fmtBytes(f.memory.heapRetainedDelta)],
        ['RSS before → after', `${fmtBytes(f.memory.rssBefore)} → ${fmtBytes(f.memory.rssAfter)}`],
        ['Muster decideCycle mean', fmtMs(f.muster.decide.mean)],
      ],
    ),
  );
}

if (isMain(import.meta.url)) {
  runMain(
    { ...DEFAULT_QUOTA_CYCLE_OPTIONS },
    'node dist/bench/quota-cycle.bench.js [--queues 1000] [--nodes 10000] [--pending 10000] [--rounds 5] [--seed 1]',
    (opts) => run(opts),
  );
}
