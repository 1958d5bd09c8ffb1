/**
 * decideCycle with queues (Kueue's admission model): quota before placement,
 * borrowing within a cohort, flavors restricting nodes, priority order,
 * StrictFIFO, and JobSets that name no queue. One cycle per case.
 */
import { describe, expect, it } from 'vitest';
import { parseObjectsText } from '../../../shared/src/queues/document.js';
import { withQueueDefaults } from '../../../shared/src/queues/validate.js';
import type { Cohort, Queue, ResourceFlavor } from '../../../shared/src/proto/types.js';
import { makeJobSet, makeNode, pendingOf } from '../../../test/helpers/builders.js';
import { decideCycle } from './decide-cycle.js';
import { addUsage, buildQuotaTree, withinLimits, type Usage } from './quota.js';
import type { NodeSnapshot, PendingJobSet, QuotaSnapshot, Snapshot } from './types.js';

/** Two teams in cohort `research`: nlp has 8 H100 GPUs (lends all), vision 8 (lends 4); flavor a100 for nlp only. */
const OBJECTS = parseObjectsText(`
apiVersion: muster.dev/v1
kind: ResourceFlavor
metadata: {name: h100}
spec: {nodeLabels: {gpu: h100}}
---
apiVersion: muster.dev/v1
kind: ResourceFlavor
metadata: {name: a100}
spec: {nodeLabels: {gpu: a100}}
---
apiVersion: muster.dev/v1
kind: Queue
metadata: {name: nlp}
spec:
  cohort: research
  resourceGroups:
    - coveredResources: [cpu, memory, gpus]
      flavors:
        - name: h100
          resources: [{name: cpu, nominalQuota: 64}, {name: memory, nominalQuota: 1Ti}, {name: gpus, nominalQuota: 8}]
        - name: a100
          resources: [{name: cpu, nominalQuota: 64}, {name: memory, nominalQuota: 1Ti}, {name: gpus, nominalQuota: 8, borrowingLimit: 0}]
---
apiVersion: muster.dev/v1
kind: Queue
metadata: {name: vision}
spec:
  cohort: research
  queueingStrategy: StrictFIFO
  resourceGroups:
    - coveredResources: [cpu, memory, gpus]
      flavors:
        - name: h100
          resources: [{name: cpu, nominalQuota: 64}, {name: memory, nominalQuota: 1Ti}, {name: gpus, nominalQuota: 8, lendingLimit: 4}]
`);
const queues = OBJECTS.filter((o) => o.kind === 'Queue').map((o) => withQueueDefaults(o.object as Queue));
const cohorts = OBJECTS.filter((o) => o.kind === 'Cohort').map((o) => o.object as Cohort);
const flavors = OBJECTS.filter((o) => o.kind === 'ResourceFlavor').map((o) => o.object as ResourceFlavor);

function quota(usage: Usage = {}): QuotaSnapshot {
  return {
    tree: buildQuotaTree(queues, cohorts),
    usage,
    flavorLabels: Object.fromEntries(flavors.map((f) => [f.metadata!.name, f.spec!.nodeLabels])),
    strategies: Object.fromEntries(queues.map((q) => [q.metadata!.name, q.spec!.queueingStrategy])),
  };
}

/** Two H100 hosts and one A100 host, 8 GPUs each. */
function nodes(): NodeSnapshot[] {
  return [
    makeNode('a1').cpu(64).memory('512Gi').gpus(8).labels({ gpu: 'a100' }).build(),
    makeNode('h1').cpu(64).memory('512Gi').gpus(8).labels({ gpu: 'h100' }).build(),
    makeNode('h2').cpu(64).memory('512Gi').gpus(8).labels({ gpu: 'h100' }).build(),
  ];
}

/** job is a pending JobSet of `pods` pods × `gpus` GPUs in `queue`, created at `createdMs`. */
function job(name: string, queue: string, pods: number, gpus: number, createdMs = 0, priority = 0): PendingJobSet {
  const js = makeJobSet(name).replicatedJob('w', { replicas: pods, cpu: 1, memory: '1Gi', gpus }).createdAt(createdMs).build();
  return { ...pendingOf(js), queue, priority };
}

/** snapshot is the cycle's input; `null` = no queue defined. */
function snapshot(pending: PendingJobSet[], q: QuotaSnapshot | null = quota()): Snapshot {
  return { nodes: nodes(), pending, usedPorts: [], portRange: { min: 29500, max: 29999 }, ...(q ? { quota: q } : {}) };
}

describe('decideCycle with queues', () => {
  it('admits within the queue\'s nominal quota, on nodes of the flavor charged, and records the flavors', () => {
    const d = decideCycle(snapshot([job('a', 'nlp', 2, 4)]));
    expect(d.admit).toHaveLength(1);
    expect(d.admit[0]!.quota).toEqual({ queue: 'nlp', flavors: { cpu: 'h100', memory: 'h100', gpus: 'h100' } });
    expect(new Set(d.admit[0]!.placements.map((p) => p.node))).toEqual(new Set(['h1']));
  });

  it('borrows from the cohort within the lender\'s lending limit, and no further', () => {
    // nlp wants 12 H100 GPUs: 8 of its own + 4 that vision may lend.
    const d = decideCycle(snapshot([job('big', 'nlp', 3, 4)]));
    expect(d.admit.map((a) => a.jobset)).toEqual(['big']);
    expect(d.admit[0]!.placements.every((p) => p.node.startsWith('h'))).toBe(true);
    // 16 would need all of vision's 8, which keeps 4 for itself: the next flavor (a100, 8) cannot hold 16 either.
    const d2 = decideCycle(snapshot([job('huge', 'nlp', 4, 4)]));
    expect(d2.admit).toEqual([]);
    expect(d2.pending[0]).toMatchObject({ jobset: 'huge', reason: 'WaitingForQuota' });
    expect(d2.pending[0]!.message).toContain('nlp');
  });

  it('uses the next flavor when the first has no quota left, placing only on its nodes', () => {
    // nlp already holds 8 H100 GPUs, and vision uses all it could lend.
    let usage: Usage = addUsage({}, 'nlp', { flavors: { gpus: 'h100', cpu: 'h100', memory: 'h100' } }, { gpus: 8, cpu: 8000, memory: 8 * 2 ** 30 });
    usage = addUsage(usage, 'vision', { flavors: { gpus: 'h100', cpu: 'h100', memory: 'h100' } }, { gpus: 8, cpu: 8000, memory: 8 * 2 ** 30 });
    const d = decideCycle(snapshot([job('next', 'nlp', 1, 4)], quota(usage)));
    expect(d.admit[0]!.quota!.flavors.gpus).toBe('a100');
    expect(d.admit[0]!.placements[0]!.node).toBe('a1');
  });

  it('admits several JobSets of one queue in one cycle while quota lasts, never above nominal + what the cohort lends', () => {
    const pending = [1, 2, 3, 4].map((i) => job(`j${i}`, 'nlp', 1, 4, i));
    const d = decideCycle(snapshot(pending));
    // 8 of its own + 4 lent by vision in h100, then 8 in a100: 4 × 4 GPUs = 16 ≤ 20.
    expect(d.admit.map((a) => a.jobset)).toEqual(['j1', 'j2', 'j3', 'j4']);
    let usage: Usage = {};
    for (const a of d.admit) usage = addUsage(usage, 'nlp', { flavors: a.quota!.flavors }, { gpus: 4, cpu: 1000, memory: 2 ** 30 });
    expect(withinLimits(quota().tree, usage)).toEqual([]);
  });

  it('orders by priority, then creation: a later high-priority JobSet goes first when only one fits', () => {
    // vision may use 8 + 8 lent by nlp = 16 H100 GPUs: one 12-GPU JobSet fits, not two.
    const d = decideCycle(snapshot([job('early-low', 'vision', 3, 4, 1, 10), job('late-high', 'vision', 3, 4, 2, 1000)]));
    expect(d.admit.map((a) => a.jobset)).toEqual(['late-high']);
  });

  it('StrictFIFO: a head that cannot be admitted blocks the rest of its queue; BestEffortFIFO does not', () => {
    const strict = decideCycle(snapshot([job('head', 'vision', 3, 8, 1), job('small', 'vision', 1, 1, 2)]));
    expect(strict.admit).toEqual([]);
    expect(strict.pending.find((p) => p.jobset === 'small')).toMatchObject({ reason: 'WaitingBehindHead' });
    const bestEffort = decideCycle(snapshot([job('head', 'nlp', 9, 4, 1), job('small', 'nlp', 1, 1, 2)]));
    expect(bestEffort.admit.map((a) => a.jobset)).toEqual(['small']);
  });

  it('a queue that does not exist keeps its JobSets pending (QueueInactive); one naming no queue is not subject to quota', () => {
    const d = decideCycle(snapshot([job('lost', 'nowhere', 1, 1), job('free', '', 3, 8)]));
    expect(d.pending.find((p) => p.jobset === 'lost')).toMatchObject({ reason: 'QueueInactive' });
    expect(d.admit.map((a) => a.jobset)).toEqual(['free']);
    expect(d.admit[0]!.quota).toBeUndefined();
  });

  it('without any queue defined, a JobSet naming no queue admits as before, one naming a queue waits for it (QueueInactive)', () => {
    const d = decideCycle(snapshot([job('x', '', 3, 8), job('early', 'nlp', 1, 1)], null));
    expect(d.admit.map((a) => a.jobset)).toEqual(['x']);
    expect(d.admit[0]!.quota).toBeUndefined();
    expect(d.pending).toEqual([expect.objectContaining({ jobset: 'early', reason: 'QueueInactive', message: expect.stringContaining('queue nlp does not exist') })]);
  });

  it('binds each pod only by the flavors of the resources it asks for: a CPU-only launcher may go to a node without the GPU flavor\'s label', () => {
    const cpuOnly = parseObjectsText(`
apiVersion: muster.dev/v1
kind: ResourceFlavor
metadata: {name: plain}
spec: {}
---
apiVersion: muster.dev/v1
kind: ResourceFlavor
metadata: {name: h100}
spec: {nodeLabels: {gpu: h100}}
---
apiVersion: muster.dev/v1
kind: Queue
metadata: {name: mixed}
spec:
  resourceGroups:
    - coveredResources: [cpu, memory]
      flavors: [{name: plain, resources: [{name: cpu, nominalQuota: 1000}, {name: memory, nominalQuota: 4Ti}]}]
    - coveredResources: [gpus]
      flavors: [{name: h100, resources: [{name: gpus, nominalQuota: 8}]}]
`);
    const q: QuotaSnapshot = {
      tree: buildQuotaTree(cpuOnly.filter((o) => o.kind === 'Queue').map((o) => withQueueDefaults(o.object as Queue)), []),
      usage: {},
      flavorLabels: { plain: {}, h100: { gpu: 'h100' } },
      strategies: { mixed: 'BestEffortFIFO' },
    };
    // h1 has room for the GPU worker only (its CPUs are nearly all taken); c1 has no GPUs.
    const js = makeJobSet('mpi').replicatedJob('launcher', { cpu: 8, memory: '1Gi' }).replicatedJob('worker', { cpu: 8, memory: '1Gi', gpus: 8 }).build();
    const s: Snapshot = {
      nodes: [makeNode('c1').cpu(64).memory('256Gi').build(), makeNode('h1').cpu(8).memory('256Gi').gpus(8).labels({ gpu: 'h100' }).build()],
      pending: [{ ...pendingOf(js), queue: 'mixed' }],
      usedPorts: [],
      portRange: { min: 29500, max: 29999 },
      quota: q,
    };
    const d = decideCycle(s);
    expect(d.admit[0]!.placements.map((p) => [p.podId, p.node])).toEqual([
      ['mpi/launcher/0/0', 'c1'],
      ['mpi/worker/0/0', 'h1'],
    ]);
  });

  it('admits what fits under its own nominal before what must borrow (Kueue §3.8), whatever their creation order', () => {
    // vision's 8 H100 GPUs are its own; nlp, having used its 8, could only borrow vision's 4 lendable ones.
    const usage = addUsage({}, 'nlp', { flavors: { gpus: 'h100', cpu: 'h100', memory: 'h100' } }, { gpus: 8, cpu: 8000, memory: 8 * 2 ** 30 });
    const usageA100 = addUsage(usage, 'nlp', { flavors: { gpus: 'a100', cpu: 'a100', memory: 'a100' } }, { gpus: 8, cpu: 8000, memory: 8 * 2 ** 30 });
    const d = decideCycle(snapshot([job('nlp-borrows', 'nlp', 1, 4, 1), job('vision-own', 'vision', 2, 4, 2)], quota(usageA100)));
    // vision-own (8 of its own nominal) goes first; then nlp-borrows would need vision's GPUs, which are gone.
    expect(d.admit.map((a) => a.jobset)).toEqual(['vision-own']);
    expect(d.pending).toEqual([expect.objectContaining({ jobset: 'nlp-borrows', reason: 'WaitingForQuota' })]);
    // Alone, nlp-borrows is admitted by borrowing.
    expect(decideCycle(snapshot([job('nlp-borrows', 'nlp', 1, 4, 1)], quota(usageA100))).admit.map((a) => a.jobset)).toEqual(['nlp-borrows']);
  });
});
