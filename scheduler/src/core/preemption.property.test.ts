/**
 * Property tests of decideCycle's preemption (core/preemption.ts on real
 * placement), over seeded random clusters (mulberry32: every run sees the same
 * scenarios; a failure names its seed). A scenario is 1–3 queues, optionally
 * in one cohort (random nominal GPU quotas, borrowing and lending limits, an
 * optional cohort pool), a random valid preemption policy per queue, 1–4
 * nodes of 8 GPUs, running JobSets placed consistently (never more GPUs than a
 * node has, never over a quota limit) and 1–4 pending JobSets. One cycle is
 * decided and checked against what a user relies on:
 *
 * 1. every victim is a running JobSet admitted through a queue, chosen once,
 *    by a pending JobSet whose queue's policy allows it (same queue:
 *    withinQueue; another queue: same cohort, that queue borrowing, and
 *    reclaimWithinCohort or borrowWithinCohort with its threshold), after its
 *    minimum runtime, with the matching reason; the preemptor waits;
 * 2. a victim's priority is below the preemptor's, except under
 *    reclaimWithinCohort Any or withinQueue LowerOrNewerEqualPriority (equal
 *    priority, created later);
 * 3. minimality, checked on an independently rebuilt cluster (the victims'
 *    pods gone, their quota given back, nobody preempting) for scenarios with
 *    one pending JobSet: with all its victims gone the preemptor is admitted;
 *    with any one of them kept it is not — or, when Kueue's heuristics
 *    (kueue-jobset.md §3.3) have it reclaim from other queues within its
 *    nominal quota, it would be admitted only by borrowing;
 * 4. admissions (and what preemptors hold) keep every quota limit, never put
 *    more GPUs on a node than it has free, and place whole gangs;
 * 5. the decision is deterministic, independent of the order of the
 *    snapshot's lists, and leaves the snapshot unchanged.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32, type Prng } from '../../../shared/src/prng.js';
import type { Cohort, Queue } from '../../../shared/src/proto/types.js';
import type { QueueingObject } from '../../../shared/src/queues/document.js';
import { validateObjects } from '../../../shared/src/queues/validate.js';
import { makeJobSet, pendingOf, resources } from '../../../test/helpers/builders.js';
import { preemptionPolicy } from '../snapshot.js';
import { decideCycle } from './decide-cycle.js';
import { buildQuotaTree, chargeUsage, releaseUsage, withinLimits, type MutableUsage } from './quota.js';
import type { AdmittedJobSet, CycleDecision, NodeSnapshot, PendingJobSet, PreemptionPolicy, Snapshot } from './types.js';

// ---- Random scenarios.

const SEEDS = 1000;
const NOW = 1_000_000;
const GPUS_PER_NODE = 8;
const FLAVORS = { cpu: 'h100', memory: 'h100', gpus: 'h100' };
const NEVER: PreemptionPolicy = { withinQueue: 'Never', reclaimWithinCohort: 'Never', borrowWithinCohort: { policy: 'Never' }, minRuntimeMs: 0 };

const int = (rnd: Prng, lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
const pick = <T>(rnd: Prng, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

function shuffle<T>(rnd: Prng, xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** QueueParams is one generated queue: its GPU quota in flavor h100 and its preemption policy. */
interface QueueParams {
  name: string;
  inCohort: boolean;
  nominal: number;
  borrowingLimit?: number;
  lendingLimit?: number;
  policy: PreemptionPolicy;
}

/** Running is a running JobSet: one pod per entry of `nodes`; queue '' = not admitted through a queue (no quota, never a candidate). */
interface Running {
  name: string;
  queue: string;
  priority: number;
  createdMs: number;
  admittedMs: number;
  nodes: string[];
  gpusPerPod: number;
}

/** Pending is a pending JobSet of `pods` pods × `gpusPerPod` GPUs; queue '' = none. */
interface Pending {
  name: string;
  queue: string;
  priority: number;
  createdMs: number;
  pods: number;
  gpusPerPod: number;
}

interface Scenario {
  seed: number;
  queues: QueueParams[];
  /** The cohort `org`'s own GPU pool, when it is an explicit Cohort object. */
  pool?: number;
  strict: Set<string>;
  nodes: string[];
  running: Running[];
  pending: Pending[];
}

function randomPolicy(rnd: Prng): PreemptionPolicy {
  const withinQueue = pick(rnd, ['Never', 'LowerPriority', 'LowerOrNewerEqualPriority'] as const);
  const reclaimWithinCohort = pick(rnd, ['Never', 'LowerPriority', 'Any'] as const);
  // Validation (§3.2 CEL): borrowWithinCohort ≠ Never needs reclaimWithinCohort ≠ Never.
  const borrow = reclaimWithinCohort !== 'Never' && rnd() < 0.5 ? 'LowerPriority' : 'Never';
  const threshold = borrow === 'LowerPriority' && rnd() < 0.5 ? int(rnd, 0, 6) : undefined;
  return {
    withinQueue,
    reclaimWithinCohort,
    borrowWithinCohort: { policy: borrow, ...(threshold !== undefined ? { maxPriorityThreshold: threshold } : {}) },
    minRuntimeMs: rnd() < 0.25 ? 60_000 : 0,
  };
}

function queueObject(p: QueueParams, strict: boolean): Queue {
  const gpus = {
    name: 'gpus',
    nominalQuota: p.nominal,
    ...(p.borrowingLimit !== undefined ? { borrowingLimit: p.borrowingLimit } : {}),
    ...(p.lendingLimit !== undefined ? { lendingLimit: p.lendingLimit } : {}),
  };
  const thr = p.policy.borrowWithinCohort.maxPriorityThreshold;
  return {
    metadata: { name: p.name, labels: {}, createdMs: 0, updatedMs: 0 },
    spec: {
      resourceGroups: [
        {
          coveredResources: ['cpu', 'memory', 'gpus'],
          flavors: [{ name: 'h100', resources: [{ name: 'cpu', nominalQuota: 1_000_000 }, { name: 'memory', nominalQuota: 2 ** 50 }, gpus] }],
        },
      ],
      cohort: p.inCohort ? 'org' : '',
      queueingStrategy: strict ? 'StrictFIFO' : 'BestEffortFIFO',
      flavorFungibility: null,
      preemption: {
        withinQueue: p.policy.withinQueue,
        reclaimWithinCohort: p.policy.reclaimWithinCohort,
        borrowWithinCohort: { policy: p.policy.borrowWithinCohort.policy, ...(thr !== undefined ? { maxPriorityThreshold: thr } : {}) },
        minRuntimeSeconds: p.policy.minRuntimeMs / 1000,
      },
      stopPolicy: 'None',
      users: [],
      groups: [],
      admissionScope: null,
    },
  };
}

function cohortObject(pool: number): Cohort {
  return {
    metadata: { name: 'org', labels: {}, createdMs: 0, updatedMs: 0 },
    spec: { parent: '', resourceGroups: [{ coveredResources: ['gpus'], flavors: [{ name: 'h100', resources: [{ name: 'gpus', nominalQuota: pool }] }] }] },
  };
}

const queueObjects = (s: Scenario): Queue[] => s.queues.map((q) => queueObject(q, s.strict.has(q.name)));
const cohortObjects = (s: Scenario): Cohort[] => (s.pool !== undefined ? [cohortObject(s.pool)] : []);

/** request is a gang's quota request (1 CPU and 1 GiB per pod, as the cluster builds them). */
const request = (pods: number, gpusPerPod: number): Record<string, number> => ({ cpu: 1000 * pods, memory: 2 ** 30 * pods, gpus: gpusPerPod * pods });

/** usageOf charges the running JobSets admitted through queues (optionally leaving some out). */
function usageOf(running: readonly Running[], without: ReadonlySet<string> = new Set()): MutableUsage {
  const usage: MutableUsage = {};
  for (const r of running) if (r.queue !== '' && !without.has(r.name)) chargeUsage(usage, r.queue, { flavors: FLAVORS }, request(r.nodes.length, r.gpusPerPod));
  return usage;
}

/** scenario draws one random cluster; running JobSets that would break a node's capacity or a quota limit are not added. */
function scenario(seed: number): Scenario {
  const rnd = mulberry32(seed);
  const cohort = rnd() < 0.75;
  const queues: QueueParams[] = Array.from({ length: int(rnd, 1, 3) }, (_, i) => {
    const inCohort = cohort && rnd() < 0.85;
    const nominal = int(rnd, 0, 16);
    const borrowingLimit = inCohort && rnd() < 0.3 ? int(rnd, 0, 8) : undefined;
    const lendingLimit = inCohort && rnd() < 0.3 ? int(rnd, 0, nominal) : undefined;
    return {
      name: `q${i}`,
      inCohort,
      nominal,
      ...(borrowingLimit !== undefined ? { borrowingLimit } : {}),
      ...(lendingLimit !== undefined ? { lendingLimit } : {}),
      policy: randomPolicy(rnd),
    };
  });
  const pool = cohort && rnd() < 0.3 ? int(rnd, 0, 8) : undefined;
  const strict = new Set(queues.filter(() => rnd() < 0.15).map((q) => q.name));
  const nodes = Array.from({ length: int(rnd, 1, 4) }, (_, i) => `n${i + 1}`);
  const s: Scenario = { seed, queues, ...(pool !== undefined ? { pool } : {}), strict, nodes, running: [], pending: [] };
  const tree = buildQuotaTree(queueObjects(s), cohortObjects(s));

  const free = new Map(nodes.map((n) => [n, GPUS_PER_NODE]));
  const runningCount = int(rnd, 2, 10);
  for (let i = 0; i < runningCount; i++) {
    const r: Running = {
      name: `r${i}`,
      queue: rnd() < 0.1 ? '' : pick(rnd, queues).name,
      priority: int(rnd, 0, 6),
      createdMs: 100 * int(rnd, 1, 5),
      admittedMs: NOW - 10_000 * int(rnd, 0, 12),
      nodes: [],
      gpusPerPod: pick(rnd, [1, 2, 4, 8]),
    };
    const left = new Map(free);
    for (let p = int(rnd, 1, 2); p > 0; p--) {
      const fits = nodes.filter((n) => left.get(n)! >= r.gpusPerPod);
      if (fits.length === 0) break;
      const n = pick(rnd, fits);
      left.set(n, left.get(n)! - r.gpusPerPod);
      r.nodes.push(n);
    }
    if (r.nodes.length === 0) continue;
    // Only consistent states: a running JobSet that would break a quota limit is not added.
    if (withinLimits(tree, usageOf([...s.running, r])).length > 0) continue;
    s.running.push(r);
    for (const [n, g] of left) free.set(n, g);
  }

  const pendingCount = rnd() < 0.45 ? 1 : int(rnd, 2, 4);
  for (let i = 0; i < pendingCount; i++) {
    s.pending.push({
      name: `p${i}`,
      queue: rnd() < 0.08 ? '' : pick(rnd, queues).name,
      priority: int(rnd, 2, 9),
      createdMs: 100 * int(rnd, 1, 5),
      pods: int(rnd, 1, 3),
      gpusPerPod: pick(rnd, [1, 2, 4, 8]),
    });
  }
  return s;
}

// ---- Building a consistent Snapshot from a scenario (after decide-cycle-preemption.test.ts's cluster helper).

function pendingJobSet(p: Pending): PendingJobSet {
  const js = makeJobSet(p.name).replicatedJob('w', { replicas: p.pods, cpu: 1, memory: '1Gi', gpus: p.gpusPerPod }).createdAt(p.createdMs).build();
  return { ...pendingOf(js), ...(p.queue !== '' ? { queue: p.queue } : {}), priority: p.priority };
}

/**
 * build makes the cycle's snapshot: nodes with the running JobSets' pods
 * (allocated, GPU indices, pod count), their quota charged, the queue-admitted
 * ones as preemption candidates. `without` leaves running JobSets out as if
 * they had finished (their pods gone, their quota given back); `never` gives
 * every queue the policy Never.
 */
function build(s: Scenario, opts: { without?: ReadonlySet<string>; never?: boolean } = {}): Snapshot {
  const without = opts.without ?? new Set<string>();
  const nodes = new Map<string, NodeSnapshot>(
    s.nodes.map((n) => [
      n,
      {
        name: n,
        schedulable: true,
        allocatable: resources({ cpu: 64, memory: '1Ti', gpus: GPUS_PER_NODE }),
        allocated: resources({}),
        gpuIndices: Array.from({ length: GPUS_PER_NODE }, (_, i) => i),
        usedGpuIndices: [],
        labels: { gpu: 'h100' },
        podCount: 0,
      },
    ]),
  );
  const take = (node: NodeSnapshot, gpus: number): number[] => {
    const used = new Set(node.usedGpuIndices);
    const got = node.gpuIndices.filter((i) => !used.has(i)).slice(0, gpus);
    if (got.length < gpus) throw new Error(`seed ${s.seed}: ${node.name} has no ${gpus} free GPUs`);
    node.usedGpuIndices.push(...got);
    node.allocated = { ...node.allocated, gpus: node.allocated.gpus + gpus, cpuMillis: node.allocated.cpuMillis + 1000, memoryBytes: node.allocated.memoryBytes + 2 ** 30 };
    node.podCount = (node.podCount ?? 0) + 1;
    return got;
  };
  const admitted: AdmittedJobSet[] = [];
  for (const r of s.running) {
    if (without.has(r.name)) continue;
    const pods = r.nodes.map((n) => ({ node: n, request: resources({ cpu: 1, memory: '1Gi', gpus: r.gpusPerPod }), gpuIndices: take(nodes.get(n)!, r.gpusPerPod) }));
    if (r.queue === '') continue;
    admitted.push({ name: r.name, queue: r.queue, flavors: FLAVORS, request: { ...request(pods.length, r.gpusPerPod), rdma: 0 }, priority: r.priority, createdMs: r.createdMs, admittedMs: r.admittedMs, pods });
  }
  const queues = queueObjects(s);
  return {
    nodes: [...nodes.values()],
    pending: s.pending.map(pendingJobSet),
    usedPorts: [],
    portRange: { min: 29500, max: 29999 },
    nowMs: NOW,
    quota: {
      tree: buildQuotaTree(queues, cohortObjects(s)),
      usage: usageOf(s.running, without),
      flavorLabels: { h100: { gpu: 'h100' } },
      strategies: Object.fromEntries(queues.map((q) => [q.metadata!.name, q.spec!.queueingStrategy])),
      preemption: Object.fromEntries(queues.map((q) => [q.metadata!.name, opts.never ? NEVER : preemptionPolicy(q)])),
      admitted,
    },
  };
}

// ---- The oracle: what the policies allow, computed from the scenario (not from the implementation).

const pendingByName = (s: Scenario, name: string): Pending | undefined => s.pending.find((p) => p.name === name);
const runningByName = (s: Scenario, name: string): Running | undefined => s.running.find((r) => r.name === name);
const admittedIn = (d: CycleDecision, name: string): boolean => d.admit.some((a) => a.jobset === name);
const queueOf = (s: Scenario, name: string): QueueParams => s.queues.find((q) => q.name === name)!;
const usedGpus = (s: Scenario, queue: string): number => s.running.filter((r) => r.queue === queue).reduce((n, r) => n + r.nodes.length * r.gpusPerPod, 0);
/**
 * borrowing: the queue uses more GPUs than its nominal (CPU and memory quotas are never reached) — in the snapshot, or
 * once `extra` GPUs (what this cycle admitted to it or held for it before) are counted: a queue is judged by the
 * cycle's usage when the preemptor's turn comes (VictimSearch.usage).
 */
const borrowing = (s: Scenario, queue: string, extra: ReadonlyMap<string, number>): boolean => usedGpus(s, queue) + (extra.get(queue) ?? 0) > queueOf(s, queue).nominal;

/** cycleGpus is, per queue, the GPUs a decision admitted or holds (WaitingForPreemption), except for JobSet `but`. */
function cycleGpus(s: Scenario, d: CycleDecision, but: string): Map<string, number> {
  const out = new Map<string, number>();
  const names = [...d.admit.map((a) => a.jobset), ...d.pending.filter((x) => x.reason === 'WaitingForPreemption').map((x) => x.jobset)];
  for (const p of names.filter((n) => n !== but).map((n) => pendingByName(s, n)!)) out.set(p.queue, (out.get(p.queue) ?? 0) + p.pods * p.gpusPerPod);
  return out;
}

/** Rule is a policy rule of the preemptor's queue that allows it to evict a running JobSet. */
type Rule = 'LowerPriority' | 'LowerOrNewerEqualPriority' | 'Reclaim' | 'ReclaimAny' | 'BorrowWithinCohort';

/** rulesFor lists every rule of p's queue that allows evicting v (empty = v may not be preempted by p); `extra` as for borrowing. */
function rulesFor(s: Scenario, p: Pending, v: Running, extra: ReadonlyMap<string, number> = new Map()): Rule[] {
  if (p.queue === '' || v.queue === '') return [];
  const policy = queueOf(s, p.queue).policy;
  if (NOW - v.admittedMs < queueOf(s, v.queue).policy.minRuntimeMs) return [];
  const out: Rule[] = [];
  if (v.queue === p.queue) {
    if (policy.withinQueue === 'LowerPriority' && v.priority < p.priority) out.push('LowerPriority');
    if (policy.withinQueue === 'LowerOrNewerEqualPriority' && (v.priority < p.priority || (v.priority === p.priority && v.createdMs > p.createdMs))) out.push('LowerOrNewerEqualPriority');
    return out;
  }
  if (!queueOf(s, p.queue).inCohort || !queueOf(s, v.queue).inCohort || !borrowing(s, v.queue, extra)) return [];
  if (policy.reclaimWithinCohort === 'Any') out.push('ReclaimAny');
  if (policy.reclaimWithinCohort === 'LowerPriority' && v.priority < p.priority) out.push('Reclaim');
  const thr = policy.borrowWithinCohort.maxPriorityThreshold;
  if (policy.borrowWithinCohort.policy === 'LowerPriority' && v.priority < p.priority && (thr === undefined || v.priority <= thr)) out.push('BorrowWithinCohort');
  return out;
}

/** fitsWithout says whether the single pending JobSet is admitted once `gone` have finished (nobody preempting), and whether it then borrows. */
function fitsWithout(s: Scenario, gone: readonly string[]): { admitted: boolean; borrows: boolean } {
  const p = s.pending[0]!;
  const d = decideCycle(build(s, { without: new Set(gone), never: true }));
  const freed = gone.map((v) => runningByName(s, v)!).filter((r) => r.queue === p.queue).reduce((n, r) => n + r.nodes.length * r.gpusPerPod, 0);
  return { admitted: admittedIn(d, p.name), borrows: usedGpus(s, p.queue) - freed + p.pods * p.gpusPerPod > queueOf(s, p.queue).nominal };
}

/** Heuristic is which of Kueue's classic preemption heuristics (kueue-jobset.md §3.3) applies, and whether it lets the preemptor borrow. */
interface Heuristic {
  name: string;
  allowBorrow: boolean;
}

/**
 * heuristic picks, for the single pending JobSet, the first heuristic of
 * §3.3 that finds victims, in the order preemption.ts documents its attempts:
 * 1. all candidates in the preemptor's queue: take them, borrowing allowed;
 * 2. borrowWithinCohort, and its candidates (own queue, lower-priority
 *    borrowers within the threshold) suffice when borrowing: borrowing allowed;
 * 3. own-queue and reclaimable candidates suffice within nominal: within nominal;
 * 4. otherwise own-queue candidates only, borrowing allowed.
 * (Greedy selection succeeds iff releasing every candidate of the list fits: fitting only gets easier as JobSets go.)
 */
function heuristic(s: Scenario, p: Pending): Heuristic {
  const rules = new Map(s.running.map((r) => [r.name, rulesFor(s, p, r)]));
  const own = s.running.filter((r) => r.queue === p.queue && rules.get(r.name)!.length > 0).map((r) => r.name);
  const others = s.running.filter((r) => r.queue !== p.queue && rules.get(r.name)!.length > 0);
  if (others.length === 0) return { name: '1 (all candidates in its own queue: borrowing allowed)', allowBorrow: true };
  const whileBorrowing = others.filter((r) => rules.get(r.name)!.includes('BorrowWithinCohort')).map((r) => r.name);
  if (queueOf(s, p.queue).policy.borrowWithinCohort.policy === 'LowerPriority' && fitsWithout(s, [...own, ...whileBorrowing]).admitted) return { name: '2 (borrowWithinCohort)', allowBorrow: true };
  const reclaim = others.filter((r) => rules.get(r.name)!.some((x) => x === 'Reclaim' || x === 'ReclaimAny')).map((r) => r.name);
  const fit = fitsWithout(s, [...own, ...reclaim]);
  if (fit.admitted && !fit.borrows) return { name: '3 (reclaim: within nominal)', allowBorrow: false };
  return { name: '4 (own queue only: borrowing allowed)', allowBorrow: true };
}

// ---- Running every scenario once.

interface Case {
  s: Scenario;
  snapshot: Snapshot;
  d: CycleDecision;
}

let memo: Case[] | undefined;
function cases(): Case[] {
  memo ??= Array.from({ length: SEEDS }, (_, i) => {
    const s = scenario(i + 1);
    const snapshot = build(s);
    return { s, snapshot, d: decideCycle(snapshot) };
  });
  return memo;
}

describe('preemption properties (random clusters, one cycle)', () => {
  it('generates valid, consistent scenarios that exercise preemption', () => {
    let preempting = 0;
    let cohortReasons = 0;
    for (const { s, snapshot, d } of cases()) {
      const at = `seed ${s.seed}`;
      // The queueing objects pass validation (the CEL rule on borrowWithinCohort included)...
      const flavor: QueueingObject = { kind: 'ResourceFlavor', object: { metadata: { name: 'h100', labels: {}, createdMs: 0, updatedMs: 0 }, spec: { nodeLabels: { gpu: 'h100' } } } };
      const objects: QueueingObject[] = [flavor, ...queueObjects(s).map((object) => ({ kind: 'Queue' as const, object })), ...cohortObjects(s).map((object) => ({ kind: 'Cohort' as const, object }))];
      expect(validateObjects(objects), at).toEqual([]);
      // ...the policies are the ones generated, and the running JobSets keep every limit and fit their nodes.
      for (const q of s.queues) expect(snapshot.quota!.preemption![q.name], at).toEqual(q.policy);
      expect(withinLimits(snapshot.quota!.tree, snapshot.quota!.usage), at).toEqual([]);
      for (const n of snapshot.nodes) expect(n.usedGpuIndices.length, at).toBeLessThanOrEqual(GPUS_PER_NODE);
      if ((d.preempt ?? []).length > 0) preempting++;
      cohortReasons += (d.preempt ?? []).filter((p) => p.reason !== 'InQueue').length;
    }
    expect(preempting).toBeGreaterThan(SEEDS / 6);
    expect(cohortReasons).toBeGreaterThan(20);
  });

  it('1. victims are running, queue-admitted, chosen once, and allowed by the preemptor queue\'s policy (with the matching reason)', () => {
    const seen = { minRuntimeSpared: 0, borrowingInCycle: 0 };
    const reasons = new Map<string, number>();
    for (const { s, d } of cases()) {
      const victims = d.preempt ?? [];
      const at = (x: string): string => `seed ${s.seed}: ${x} (${JSON.stringify(victims.map((v) => [v.jobset, v.by, v.reason]))})`;
      expect(new Set(victims.map((v) => v.jobset)).size, at('a victim chosen twice')).toBe(victims.length);
      for (const pre of victims) {
        const v = runningByName(s, pre.jobset);
        const p = pendingByName(s, pre.by);
        expect(v, at(`${pre.jobset} is not running`)).toBeDefined();
        expect(v!.queue, at(`${pre.jobset} was not admitted through a queue`)).not.toBe('');
        expect(p, at(`${pre.by} is not pending`)).toBeDefined();
        expect(p!.queue, at(`${pre.by} names no queue`)).not.toBe('');
        const policy = queueOf(s, p!.queue).policy;
        expect([policy.withinQueue, policy.reclaimWithinCohort, policy.borrowWithinCohort.policy], at(`${pre.by}'s queue ${p!.queue} never preempts`)).not.toEqual(['Never', 'Never', 'Never']);
        const rules = rulesFor(s, p!, v!, cycleGpus(s, d, p!.name));
        if (rulesFor(s, p!, v!).length === 0) seen.borrowingInCycle++;
        expect(rules, at(`no rule of queue ${p!.queue} lets ${pre.by} evict ${pre.jobset}`)).not.toEqual([]);
        if (v!.queue === p!.queue) expect(pre.reason, at(`${pre.jobset} is of the preemptor's queue`)).toBe('InQueue');
        else if (pre.reason === 'InCohortReclaimWhileBorrowing') expect(rules, at(`${pre.jobset} evicted while borrowing`)).toContain('BorrowWithinCohort');
        else expect(pre.reason, at(`${pre.jobset} is of another queue`)).toBe('InCohortReclamation');
        // The preemptor waits for its victims: not admitted in the same cycle.
        expect(admittedIn(d, pre.by), at(`${pre.by} admitted while its victims stop`)).toBe(false);
        expect(d.pending.find((x) => x.jobset === pre.by)?.reason, at(`${pre.by} waits`)).toBe('WaitingForPreemption');
        reasons.set(pre.reason, (reasons.get(pre.reason) ?? 0) + 1);
      }
      // A JobSet younger than its queue's minimum runtime is never a victim.
      for (const r of s.running) if (r.queue !== '' && NOW - r.admittedMs < queueOf(s, r.queue).policy.minRuntimeMs) {
        expect(victims.some((v) => v.jobset === r.name), at(`${r.name} preempted before its minimum runtime`)).toBe(false);
        seen.minRuntimeSpared++;
      }
    }
    expect(reasons.get('InQueue')).toBeGreaterThan(50);
    expect(reasons.get('InCohortReclamation')).toBeGreaterThan(10);
    expect(reasons.get('InCohortReclaimWhileBorrowing')).toBeGreaterThan(3);
    expect(seen.minRuntimeSpared).toBeGreaterThan(50);
    expect(seen.borrowingInCycle).toBeGreaterThan(0);
  });

  it('2. a victim has lower priority than its preemptor, unless reclaimWithinCohort Any or LowerOrNewerEqualPriority (equal, created later)', () => {
    let lower = 0;
    let equalNewer = 0;
    let anyNotLower = 0;
    for (const { s, d } of cases()) {
      for (const pre of d.preempt ?? []) {
        const v = runningByName(s, pre.jobset)!;
        const p = pendingByName(s, pre.by)!;
        const at = `seed ${s.seed}: ${pre.by} (priority ${p.priority}, created ${p.createdMs}, queue ${p.queue}) evicts ${v.name} (priority ${v.priority}, created ${v.createdMs}, queue ${v.queue})`;
        if (v.priority < p.priority) {
          lower++;
          continue;
        }
        const policy = queueOf(s, p.queue).policy;
        if (v.queue === p.queue) {
          expect(policy.withinQueue, at).toBe('LowerOrNewerEqualPriority');
          expect(v.priority, at).toBe(p.priority);
          expect(v.createdMs, at).toBeGreaterThan(p.createdMs);
          equalNewer++;
        } else {
          expect(policy.reclaimWithinCohort, at).toBe('Any');
          expect(pre.reason, at).toBe('InCohortReclamation');
          anyNotLower++;
        }
      }
    }
    expect(lower).toBeGreaterThan(50);
    expect(equalNewer).toBeGreaterThan(0);
    expect(anyNotLower).toBeGreaterThan(0);
  });

  it('3a. with all its victims gone, the preemptor is admitted (no preemption needed)', () => {
    let checked = 0;
    for (const { s, d } of cases()) {
      if (s.pending.length !== 1 || !d.preempt) continue;
      const p = s.pending[0]!;
      const victims = d.preempt.map((v) => v.jobset);
      // Their pods exited, their quota given back, nobody may preempt: the preemptor fits.
      expect(fitsWithout(s, victims).admitted, `seed ${s.seed}: ${p.name} evicts ${victims.join(', ')}`).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(30);
  });

  it('3b. minimality: with any one victim kept, the preemptor does not fit (within its nominal, when §3.3 has it reclaim)', () => {
    let checked = 0;
    let several = 0;
    let reclaiming = 0;
    const spared: string[] = [];
    for (const { s, d } of cases()) {
      if (s.pending.length !== 1 || !d.preempt) continue;
      const p = s.pending[0]!;
      const victims = d.preempt.map((v) => v.jobset);
      const h = heuristic(s, p);
      for (const kept of victims) {
        const fit = fitsWithout(s, victims.filter((v) => v !== kept));
        if (!fit.admitted || (!h.allowBorrow && fit.borrows)) continue;
        spared.push(
          `seed ${s.seed}: ${p.name} (queue ${p.queue}, priority ${p.priority}, ${p.pods}×${p.gpusPerPod} GPUs) evicts ${victims.join(', ')}, ` +
            `but is admitted with ${kept} kept${fit.borrows ? ' (borrowing)' : ''}; §3.3 heuristic ${h.name}`,
        );
      }
      checked++;
      if (victims.length > 1) several++;
      if (!h.allowBorrow) reclaiming++;
    }
    expect(spared).toEqual([]);
    expect(checked).toBeGreaterThan(30);
    expect(several).toBeGreaterThan(5);
    expect(reclaiming).toBeGreaterThan(3);
  });

  it('4. admissions keep quota limits and node capacity, and place whole gangs', () => {
    let admissions = 0;
    let withVictims = 0;
    for (const { s, snapshot, d } of cases()) {
      const at = `seed ${s.seed}`;
      // Every pending JobSet is decided exactly once.
      expect([...d.admit.map((a) => a.jobset), ...d.pending.map((p) => p.jobset)].sort(), at).toEqual(s.pending.map((p) => p.name).sort());
      // Quota: what was running, minus the victims, plus admissions and what waiting preemptors hold, keeps every limit.
      const usage = usageOf(s.running);
      for (const v of d.preempt ?? []) {
        const r = runningByName(s, v.jobset)!;
        releaseUsage(usage, r.queue, { flavors: FLAVORS }, request(r.nodes.length, r.gpusPerPod));
      }
      const holds = d.pending.filter((p) => p.reason === 'WaitingForPreemption').map((p) => pendingByName(s, p.jobset)!);
      for (const a of d.admit) {
        const p = pendingByName(s, a.jobset)!;
        if (p.queue === '') expect(a.quota, at).toBeUndefined();
        else expect(a.quota, at).toEqual({ queue: p.queue, flavors: FLAVORS });
      }
      for (const p of [...d.admit.map((a) => pendingByName(s, a.jobset)!), ...holds]) {
        if (p.queue !== '') chargeUsage(usage, p.queue, { flavors: FLAVORS }, request(p.pods, p.gpusPerPod));
      }
      expect(withinLimits(snapshot.quota!.tree, usage), `${at}: ${JSON.stringify(usage)}`).toEqual([]);
      // Nodes: admissions take only GPUs free in the snapshot, each at most once.
      const taken = new Map<string, number[]>();
      for (const a of d.admit) {
        const p = pendingByName(s, a.jobset)!;
        const pods = pendingJobSet(p).pods;
        // The whole gang: every pod placed once, with all its GPUs; the coordinator where its pod runs.
        expect(a.placements.map((x) => x.podId).sort(), at).toEqual(pods.map((x) => x.podId).sort());
        for (const x of a.placements) {
          expect(x.gpuIndices, `${at}: ${a.jobset} ${x.podId}`).toHaveLength(p.gpusPerPod);
          taken.set(x.node, [...(taken.get(x.node) ?? []), ...x.gpuIndices]);
        }
        expect(a.coordinatorNode, at).toBe(a.placements.find((x) => x.podId === pods[0]!.podId)!.node);
        admissions++;
      }
      for (const [node, gpus] of taken) {
        const n = snapshot.nodes.find((x) => x.name === node)!;
        const free = n.gpuIndices.filter((i) => !n.usedGpuIndices.includes(i));
        expect(new Set(gpus).size, `${at}: a GPU of ${node} given twice`).toBe(gpus.length);
        for (const g of gpus) expect(free, `${at}: GPU ${g} of ${node} is not free`).toContain(g);
      }
      // Overall, admissions and holds use no more GPUs than are free plus what the victims free.
      const freeGpus = snapshot.nodes.reduce((n, x) => n + x.gpuIndices.length - x.usedGpuIndices.length, 0);
      const freed = (d.preempt ?? []).reduce((n, v) => n + runningByName(s, v.jobset)!.nodes.length * runningByName(s, v.jobset)!.gpusPerPod, 0);
      const used = [...d.admit.map((a) => pendingByName(s, a.jobset)!), ...holds].reduce((n, p) => n + p.pods * p.gpusPerPod, 0);
      expect(used, at).toBeLessThanOrEqual(freeGpus + freed);
      if (d.preempt && d.admit.length > 0) withVictims++;
    }
    expect(admissions).toBeGreaterThan(200);
    expect(withVictims).toBeGreaterThan(5);
  });

  it('5. the same snapshot gives the same decision, in any list order, and is not changed', () => {
    for (const { s, snapshot, d } of cases()) {
      const at = `seed ${s.seed}`;
      const before = structuredClone(snapshot);
      expect(decideCycle(snapshot), at).toEqual(d);
      expect(snapshot, `${at}: the snapshot was changed`).toEqual(before);
      const rnd = mulberry32(s.seed ^ 0x5eed);
      const q = snapshot.quota!;
      const shuffled: Snapshot = { ...structuredClone(snapshot), nodes: shuffle(rnd, snapshot.nodes), pending: shuffle(rnd, snapshot.pending), quota: { ...q, admitted: shuffle(rnd, q.admitted ?? []) } };
      expect(decideCycle(shuffled), `${at}: shuffled`).toEqual(d);
    }
  });
});
