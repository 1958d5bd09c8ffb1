/**
 * decideCycle's preemption (Kueue §3.3 on real placement): who may be
 * preempted under each policy, the minimal victim set, reclaiming nominal
 * quota from borrowing queues, borrowWithinCohort with its threshold, the
 * minimum runtime, preemption for node capacity, and waiting for stopping
 * pods instead of preempting again. One cycle per case.
 */
import { describe, expect, it } from 'vitest';
import { parseObjectsText } from '../../../shared/src/queues/document.js';
import { withQueueDefaults } from '../../../shared/src/queues/validate.js';
import type { Queue } from '../../../shared/src/proto/types.js';
import { makeJobSet, pendingOf, resources } from '../../../test/helpers/builders.js';
import { preemptionPolicy } from '../snapshot.js';
import { decideCycle } from './decide-cycle.js';
import { buildQuotaTree, chargeUsage, type MutableUsage } from './quota.js';
import type { AdmittedJobSet, CycleDecision, NodeSnapshot, PendingJobSet, Snapshot } from './types.js';

/** queuesYaml is a flavor `h100` plus the given Queue documents. */
function queuesYaml(queueDocs: string): Queue[] {
  return parseObjectsText(`apiVersion: muster.dev/v1
kind: ResourceFlavor
metadata: {name: h100}
spec: {nodeLabels: {gpu: h100}}
---
${queueDocs}`)
    .filter((o) => o.kind === 'Queue')
    .map((o) => withQueueDefaults(o.object as Queue));
}

/** queue is one Queue document with `gpus` nominal H100 GPUs (cpu and memory plentiful). */
function queue(name: string, gpus: number, extra = ''): string {
  return `apiVersion: muster.dev/v1
kind: Queue
metadata: {name: ${name}}
spec:
${extra
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => `  ${l}`)
  .join('\n')}
  resourceGroups:
    - coveredResources: [cpu, memory, gpus]
      flavors:
        - name: h100
          resources: [{name: cpu, nominalQuota: 1000}, {name: memory, nominalQuota: 64Ti}, {name: gpus, nominalQuota: ${gpus}}]
---`;
}

/** Running is a running JobSet of the test cluster: one pod per entry of `nodes`, `gpusPerPod` GPUs each. */
interface Running {
  name: string;
  queue: string;
  priority?: number;
  nodes: string[];
  gpusPerPod: number;
  createdMs?: number;
  admittedMs?: number;
}

const FLAVORS = { cpu: 'h100', memory: 'h100', gpus: 'h100' };

/**
 * cluster builds a snapshot: 8-GPU H100 nodes, the running JobSets bound to
 * them (allocated, GPUs used, quota charged, preemption candidates) and the
 * pending ones. `stopping` marks GPUs on a node held by pods already stopping.
 */
function cluster(opts: { queues: Queue[]; nodes: string[]; running?: Running[]; pending: PendingJobSet[]; nowMs?: number; stopping?: Record<string, number> }): Snapshot {
  const nodes = new Map<string, NodeSnapshot>(
    opts.nodes.map((n) => [
      n,
      {
        name: n,
        schedulable: true,
        allocatable: resources({ cpu: 64, memory: '1Ti', gpus: 8 }),
        allocated: resources({}),
        gpuIndices: [0, 1, 2, 3, 4, 5, 6, 7],
        usedGpuIndices: [],
        labels: { gpu: 'h100' },
        podCount: 0,
      },
    ]),
  );
  const take = (node: NodeSnapshot, gpus: number): number[] => {
    const used = new Set(node.usedGpuIndices);
    const got = node.gpuIndices.filter((i) => !used.has(i)).slice(0, gpus);
    if (got.length < gpus) throw new Error(`test cluster: ${node.name} has no ${gpus} free GPUs`);
    node.usedGpuIndices.push(...got);
    node.allocated = { ...node.allocated, gpus: node.allocated.gpus + gpus, cpuMillis: node.allocated.cpuMillis + 1000, memoryBytes: node.allocated.memoryBytes + 2 ** 30 };
    node.podCount = (node.podCount ?? 0) + 1;
    return got;
  };
  const usage: MutableUsage = {};
  const admitted: AdmittedJobSet[] = [];
  for (const r of opts.running ?? []) {
    const pods = r.nodes.map((n) => {
      const node = nodes.get(n)!;
      return { node: n, request: resources({ cpu: 1, memory: '1Gi', gpus: r.gpusPerPod }), gpuIndices: take(node, r.gpusPerPod) };
    });
    const request = { cpu: 1000 * pods.length, memory: 2 ** 30 * pods.length, gpus: r.gpusPerPod * pods.length, rdma: 0 };
    if (r.queue === '') continue; // naming no queue: holds nodes, no quota, never a candidate
    chargeUsage(usage, r.queue, { flavors: FLAVORS }, request);
    admitted.push({ name: r.name, queue: r.queue, flavors: FLAVORS, request, priority: r.priority ?? 0, createdMs: r.createdMs ?? 0, admittedMs: r.admittedMs ?? 0, pods });
  }
  for (const [n, gpus] of Object.entries(opts.stopping ?? {})) {
    const node = nodes.get(n)!;
    const got = take(node, gpus);
    node.stopping = resources({ cpu: 1, memory: '1Gi', gpus });
    node.stoppingGpuIndices = got;
    node.stoppingPods = 1;
  }
  return {
    nodes: [...nodes.values()],
    pending: opts.pending,
    usedPorts: [],
    portRange: { min: 29500, max: 29999 },
    nowMs: opts.nowMs ?? 1_000_000,
    quota: {
      tree: buildQuotaTree(opts.queues, []),
      usage,
      flavorLabels: { h100: { gpu: 'h100' } },
      strategies: Object.fromEntries(opts.queues.map((q) => [q.metadata!.name, q.spec!.queueingStrategy])),
      preemption: Object.fromEntries(opts.queues.map((q) => [q.metadata!.name, preemptionPolicy(q)])),
      admitted,
    },
  };
}

/** job is a pending JobSet of `pods` pods × `gpus` GPUs. */
function job(name: string, queueName: string, pods: number, gpus: number, priority = 0, createdMs = 500): PendingJobSet {
  const js = makeJobSet(name).replicatedJob('w', { replicas: pods, cpu: 1, memory: '1Gi', gpus }).createdAt(createdMs).build();
  return { ...pendingOf(js), queue: queueName, priority };
}

/** victims lists the preemptions as `victim:reason`. */
function victims(d: CycleDecision): string[] {
  return (d.preempt ?? []).map((p) => `${p.jobset}:${p.reason}`);
}

const SOLO_LOWER = queuesYaml(queue('solo', 16, 'preemption: {withinQueue: LowerPriority}'));

describe('decideCycle preemption', () => {
  it('withinQueue LowerPriority: a higher-priority JobSet evicts a lower one of its queue and waits for it (not admitted in the same cycle)', () => {
    const d = decideCycle(cluster({ queues: SOLO_LOWER, nodes: ['h1', 'h2'], running: [{ name: 'low', queue: 'solo', priority: 1, nodes: ['h1', 'h2'], gpusPerPod: 8 }], pending: [job('high', 'solo', 1, 8, 10)] }));
    expect(victims(d)).toEqual(['low:InQueue']);
    expect(d.preempt![0]).toMatchObject({ by: 'high', message: expect.stringContaining('high (priority 10) of queue solo') });
    expect(d.admit).toEqual([]);
    expect(d.pending).toEqual([expect.objectContaining({ jobset: 'high', reason: 'WaitingForPreemption', message: expect.stringContaining('low (InQueue)') })]);
  });

  it('never preempts an equal or higher priority under LowerPriority, nor anything with the default policy (Never)', () => {
    const equal = decideCycle(cluster({ queues: SOLO_LOWER, nodes: ['h1', 'h2'], running: [{ name: 'peer', queue: 'solo', priority: 10, nodes: ['h1', 'h2'], gpusPerPod: 8 }], pending: [job('high', 'solo', 1, 8, 10)] }));
    expect(equal.preempt).toBeUndefined();
    expect(equal.pending[0]).toMatchObject({ jobset: 'high', reason: 'WaitingForQuota' });
    const never = decideCycle(cluster({ queues: queuesYaml(queue('solo', 16)), nodes: ['h1', 'h2'], running: [{ name: 'low', queue: 'solo', priority: 1, nodes: ['h1', 'h2'], gpusPerPod: 8 }], pending: [job('high', 'solo', 1, 8, 10)] }));
    expect(never.preempt).toBeUndefined();
  });

  it('LowerOrNewerEqualPriority also evicts an equal-priority JobSet created after the preemptor, not one created before', () => {
    const qs = queuesYaml(queue('solo', 8, 'preemption: {withinQueue: LowerOrNewerEqualPriority}'));
    const newer = decideCycle(cluster({ queues: qs, nodes: ['h1'], running: [{ name: 'newer', queue: 'solo', priority: 5, nodes: ['h1'], gpusPerPod: 8, createdMs: 900 }], pending: [job('p', 'solo', 1, 8, 5, 500)] }));
    expect(victims(newer)).toEqual(['newer:InQueue']);
    const older = decideCycle(cluster({ queues: qs, nodes: ['h1'], running: [{ name: 'older', queue: 'solo', priority: 5, nodes: ['h1'], gpusPerPod: 8, createdMs: 100 }], pending: [job('p', 'solo', 1, 8, 5, 500)] }));
    expect(older.preempt).toBeUndefined();
  });

  it('takes the lowest priority first, then the most recently admitted, and drops every victim not needed (final minimisation)', () => {
    const d = decideCycle(
      cluster({
        queues: SOLO_LOWER,
        nodes: ['h1', 'h2'],
        running: [
          { name: 'tiny', queue: 'solo', priority: 1, nodes: ['h1'], gpusPerPod: 1, admittedMs: 10 },
          { name: 'mid-old', queue: 'solo', priority: 2, nodes: ['h1'], gpusPerPod: 4, admittedMs: 10 },
          { name: 'mid-new', queue: 'solo', priority: 2, nodes: ['h2'], gpusPerPod: 4, admittedMs: 20 },
          { name: 'rest', queue: 'solo', priority: 3, nodes: ['h1', 'h2'], gpusPerPod: 3 },
        ],
        pending: [job('p', 'solo', 1, 4, 10)],
      }),
    );
    // Greedy takes tiny (1 GPU free), then mid-new (5 free on quota, 4 on h2): fits. Minimisation gives tiny back.
    expect(victims(d)).toEqual(['mid-new:InQueue']);
  });

  it('reclaimWithinCohort Any: a queue below its nominal reclaims from a borrowing queue of the cohort, whatever its priority', () => {
    const qs = queuesYaml(queue('nlp', 8, 'cohort: research\npreemption: {reclaimWithinCohort: Any}') + '\n' + queue('vision', 8, 'cohort: research'));
    const d = decideCycle(
      cluster({
        queues: qs,
        nodes: ['h1', 'h2'],
        running: [
          { name: 'v-own', queue: 'vision', priority: 100, nodes: ['h1'], gpusPerPod: 8, admittedMs: 10 },
          { name: 'v-borrowed', queue: 'vision', priority: 100, nodes: ['h2'], gpusPerPod: 8, admittedMs: 20 },
        ],
        pending: [job('n', 'nlp', 1, 8, 0)],
      }),
    );
    // Either of vision's JobSets frees 8: the most recently admitted goes.
    expect(victims(d)).toEqual(['v-borrowed:InCohortReclamation']);
    expect(d.preempt![0]!.message).toContain('queue vision was borrowing it in cohort research');
  });

  it('reclaimWithinCohort LowerPriority spares higher-priority borrowers; Never reclaims nothing', () => {
    const running: Running[] = [
      { name: 'v1', queue: 'vision', priority: 100, nodes: ['h1'], gpusPerPod: 8 },
      { name: 'v2', queue: 'vision', priority: 100, nodes: ['h2'], gpusPerPod: 8 },
    ];
    const lower = queuesYaml(queue('nlp', 8, 'cohort: research\npreemption: {reclaimWithinCohort: LowerPriority}') + '\n' + queue('vision', 8, 'cohort: research'));
    expect(decideCycle(cluster({ queues: lower, nodes: ['h1', 'h2'], running, pending: [job('n', 'nlp', 1, 8, 0)] })).preempt).toBeUndefined();
    expect(victims(decideCycle(cluster({ queues: lower, nodes: ['h1', 'h2'], running, pending: [job('n', 'nlp', 1, 8, 101)] })))).toHaveLength(1);
    const never = queuesYaml(queue('nlp', 8, 'cohort: research') + '\n' + queue('vision', 8, 'cohort: research'));
    expect(decideCycle(cluster({ queues: never, nodes: ['h1', 'h2'], running, pending: [job('n', 'nlp', 1, 8, 101)] })).preempt).toBeUndefined();
  });

  it('does not reclaim from a queue within its own nominal, nor to let the preemptor borrow without borrowWithinCohort', () => {
    const qs = queuesYaml(queue('nlp', 8, 'cohort: research\npreemption: {reclaimWithinCohort: Any}') + '\n' + queue('vision', 8, 'cohort: research'));
    // nlp already uses its 8; vision uses its own 8: nlp's next JobSet would borrow, and vision is not borrowing.
    const d = decideCycle(
      cluster({
        queues: qs,
        nodes: ['h1', 'h2'],
        running: [
          { name: 'n-own', queue: 'nlp', nodes: ['h1'], gpusPerPod: 8 },
          { name: 'v-own', queue: 'vision', nodes: ['h2'], gpusPerPod: 8 },
        ],
        pending: [job('n-more', 'nlp', 1, 8, 50)],
      }),
    );
    expect(d.preempt).toBeUndefined();
    expect(d.pending[0]).toMatchObject({ jobset: 'n-more', reason: 'WaitingForQuota' });
  });

  it('borrowWithinCohort LowerPriority: a borrowing preemptor evicts lower-priority borrowers up to maxPriorityThreshold', () => {
    // pool lends 8 it does not use; a and b have 4 each. b borrows 4 with a low-priority JobSet; a needs 4 more than its nominal.
    const docs = (threshold: number): Queue[] =>
      queuesYaml(
        queue('a', 4, `cohort: org\npreemption: {reclaimWithinCohort: LowerPriority, borrowWithinCohort: {policy: LowerPriority, maxPriorityThreshold: ${threshold}}}`) +
          '\n' +
          queue('b', 4, 'cohort: org') +
          '\n' +
          queue('pool', 4, 'cohort: org'),
      );
    const running: Running[] = [
      { name: 'a-own', queue: 'a', priority: 50, nodes: ['h1'], gpusPerPod: 4 },
      { name: 'b-own', queue: 'b', priority: 5, nodes: ['h1'], gpusPerPod: 4 },
      { name: 'b-borrowed', queue: 'b', priority: 5, nodes: ['h2'], gpusPerPod: 4, admittedMs: 20 },
    ];
    // The cohort's 12 GPUs are all in use (the nodes have 4 more, not in anyone's quota): a-more must borrow 4.
    const d = decideCycle(cluster({ queues: docs(10), nodes: ['h1', 'h2'], running, pending: [job('a-more', 'a', 1, 4, 50)] }));
    expect(victims(d)).toEqual(['b-borrowed:InCohortReclaimWhileBorrowing']);
    expect(d.preempt![0]!.message).toContain('which borrows in cohort org');
    // Above the threshold, b's JobSets may not be preempted for a borrowing preemptor; reclaiming is no help (a is at its nominal).
    expect(decideCycle(cluster({ queues: docs(1), nodes: ['h1', 'h2'], running, pending: [job('a-more', 'a', 1, 4, 50)] })).preempt).toBeUndefined();
  });

  it('spares a JobSet that has run less than its queue\'s minRuntimeSeconds', () => {
    const qs = queuesYaml(queue('solo', 8, 'preemption: {withinQueue: LowerPriority, minRuntimeSeconds: 600}'));
    const running = (admittedMs: number): Running[] => [{ name: 'young', queue: 'solo', priority: 1, nodes: ['h1'], gpusPerPod: 8, admittedMs }];
    const now = 1_000_000;
    expect(decideCycle(cluster({ queues: qs, nodes: ['h1'], running: running(now - 599_000), pending: [job('p', 'solo', 1, 8, 10)], nowMs: now })).preempt).toBeUndefined();
    expect(victims(decideCycle(cluster({ queues: qs, nodes: ['h1'], running: running(now - 600_000), pending: [job('p', 'solo', 1, 8, 10)], nowMs: now })))).toEqual(['young:InQueue']);
  });

  it('preempts for node capacity when quota is not the problem: frees a whole node for a gang that needs one', () => {
    // Quota 64: plenty. Two nodes each half used by low-priority 4-GPU JobSets; an 8-GPU pod needs one whole node.
    const qs = queuesYaml(queue('solo', 64, 'preemption: {withinQueue: LowerPriority}'));
    const d = decideCycle(
      cluster({
        queues: qs,
        nodes: ['h1', 'h2'],
        running: [
          { name: 'l1', queue: 'solo', priority: 1, nodes: ['h1'], gpusPerPod: 4, admittedMs: 10 },
          { name: 'l2', queue: 'solo', priority: 1, nodes: ['h2'], gpusPerPod: 4, admittedMs: 20 },
        ],
        pending: [job('p', 'solo', 1, 8, 10)],
      }),
    );
    expect(victims(d)).toEqual(['l2:InQueue']);
    expect(d.pending[0]).toMatchObject({ jobset: 'p', reason: 'WaitingForPreemption', message: expect.stringContaining('on h2') });
  });

  it('waits for pods already stopping instead of preempting again, and holds that capacity from JobSets behind it', () => {
    const d = decideCycle(
      cluster({
        queues: SOLO_LOWER,
        nodes: ['h1', 'h2'],
        running: [{ name: 'low', queue: 'solo', priority: 1, nodes: ['h2'], gpusPerPod: 8 }],
        stopping: { h1: 8 },
        pending: [job('high', 'solo', 1, 8, 10), job('other', '', 1, 8, 0)],
      }),
    );
    expect(d.preempt).toBeUndefined();
    expect(d.pending).toEqual(expect.arrayContaining([expect.objectContaining({ jobset: 'high', reason: 'WaitingForPreemption', message: expect.stringContaining('stopping pods have exited on h1') })]));
    expect(d.admit).toEqual([]);
  });

  it('holds a preemptor\'s quota and capacity for the rest of the cycle: a lower-priority JobSet behind it gets neither', () => {
    const d = decideCycle(
      cluster({
        queues: SOLO_LOWER,
        nodes: ['h1', 'h2'],
        running: [{ name: 'low', queue: 'solo', priority: 1, nodes: ['h1'], gpusPerPod: 8 }],
        pending: [job('high', 'solo', 2, 8, 10), job('behind', 'solo', 1, 8, 5)],
      }),
    );
    expect(victims(d)).toEqual(['low:InQueue']);
    // h2's 8 free GPUs are held for high (which needs h1 and h2): behind does not take them, nor preempt low again.
    expect(d.admit).toEqual([]);
    expect(d.pending.find((p) => p.jobset === 'behind')?.reason).not.toBe('WaitingForPreemption');
  });

  it('chooses each victim for one preemptor only within a cycle', () => {
    const d = decideCycle(
      cluster({
        queues: SOLO_LOWER,
        nodes: ['h1', 'h2'],
        running: [{ name: 'low', queue: 'solo', priority: 1, nodes: ['h1', 'h2'], gpusPerPod: 8 }],
        pending: [job('first', 'solo', 1, 8, 10, 1), job('second', 'solo', 1, 8, 10, 2)],
      }),
    );
    expect(victims(d)).toEqual(['low:InQueue']);
    expect(d.preempt![0]!.by).toBe('first');
    // low frees 16: first holds 8 of it; second fits in the other 8 while they stop.
    expect(d.pending.map((p) => [p.jobset, p.reason])).toEqual([
      ['first', 'WaitingForPreemption'],
      ['second', 'WaitingForPreemption'],
    ]);
  });

  it('reclaims only while the victim\'s queue still borrows: never below its nominal, even if that leaves the preemptor waiting', () => {
    const qs = queuesYaml(queue('a', 8, 'cohort: research\npreemption: {reclaimWithinCohort: Any}') + '\n' + queue('b', 8, 'cohort: research'));
    // b uses 12 (borrows 4) in three 4-GPU JobSets; a JobSet naming no queue holds h2's other 4 GPUs.
    const running: Running[] = [
      { name: 'b1', queue: 'b', nodes: ['h1'], gpusPerPod: 4, admittedMs: 1 },
      { name: 'b2', queue: 'b', nodes: ['h1'], gpusPerPod: 4, admittedMs: 2 },
      { name: 'b3', queue: 'b', nodes: ['h2'], gpusPerPod: 4, admittedMs: 3 },
      { name: 'free', queue: '', nodes: ['h2'], gpusPerPod: 4 },
    ];
    // a1 needs a whole node: that would take two of b's JobSets and leave b at 4 of its 8.
    const d = decideCycle(cluster({ queues: qs, nodes: ['h1', 'h2'], running, pending: [job('a1', 'a', 1, 8, 0)] }));
    expect(d.preempt).toBeUndefined();
  });

  it('searches every node where some pod of the gang fits, not only where its smallest pod does', () => {
    // h1: its GPUs held by a JobSet naming no queue; low holds most of its memory. h2: 8 free GPUs but little memory.
    const snap = cluster({
      queues: SOLO_LOWER,
      nodes: ['h1', 'h2'],
      running: [
        { name: 'held', queue: '', nodes: ['h1'], gpusPerPod: 8 },
        { name: 'low', queue: 'solo', priority: 1, nodes: ['h1'], gpusPerPod: 0 },
      ],
      pending: [],
    });
    const GiB = 2 ** 30;
    const [h1, h2] = snap.nodes;
    h1!.allocated = { ...h1!.allocated, memoryBytes: h1!.allocated.memoryBytes + 989 * GiB }; // low: 990 GiB in all
    h2!.allocated = { ...h2!.allocated, memoryBytes: 1000 * GiB }; // 24 GiB free
    const low = snap.quota!.admitted!.find((a) => a.name === 'low')!;
    (low.pods[0]!.request as { memoryBytes: number }).memoryBytes = 990 * GiB;
    (low.request as Record<string, number>).memory = 990 * GiB;
    const js = makeJobSet('mpi').replicatedJob('launcher', { cpu: 1, memory: '100Gi' }).replicatedJob('worker', { cpu: 1, memory: '1Gi', gpus: 8 }).createdAt(1).build();
    snap.pending = [{ ...pendingOf(js), queue: 'solo', priority: 10 }];
    const d = decideCycle(snap);
    expect(victims(d)).toEqual(['low:InQueue']); // the launcher goes to h1 once low is gone, the worker to h2
  });
});
