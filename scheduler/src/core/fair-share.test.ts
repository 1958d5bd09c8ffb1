/**
 * Fair sharing (Kueue §3.10): the weighted dominant resource share, the
 * order of borrowing admissions it gives (lowest share first), and
 * fair-sharing preemption with its two strategies — including the case where
 * no strategy allows it, so two queues cannot preempt each other in turn.
 */
import { describe, expect, it } from 'vitest';
import { parseObjectsText } from '../../../shared/src/queues/document.js';
import { withQueueDefaults } from '../../../shared/src/queues/validate.js';
import type { Queue } from '../../../shared/src/proto/types.js';
import { makeJobSet, pendingOf, resources } from '../../../test/helpers/builders.js';
import { preemptionPolicy } from '../snapshot.js';
import { decideCycle } from './decide-cycle.js';
import { describeShare, FairShares } from './fair-share.js';
import { buildQuotaTree, chargeUsage, type MutableUsage } from './quota.js';
import type { AdmittedJobSet, FairSharingStrategy, NodeSnapshot, PendingJobSet, Snapshot } from './types.js';

const FLAVORS = { cpu: 'h100', memory: 'h100', gpus: 'h100' };

/** queues: `pool` lends `poolGpus` and runs nothing; a and b have no GPUs of their own (they borrow everything). */
function queues(poolGpus: number, aExtra = '', bExtra = '', aWeight = 1): Queue[] {
  const q = (name: string, gpus: number, extra: string, weight = 1): string => `apiVersion: muster.dev/v1
kind: Queue
metadata: {name: ${name}}
spec:
  cohort: org
  fairSharing: {weight: ${weight}}
${extra ? `  ${extra}\n` : ''}  resourceGroups:
    - coveredResources: [cpu, memory, gpus]
      flavors:
        - name: h100
          resources: [{name: cpu, nominalQuota: 0}, {name: memory, nominalQuota: 0}, {name: gpus, nominalQuota: ${gpus}}]
---`;
  return parseObjectsText(`apiVersion: muster.dev/v1
kind: Queue
metadata: {name: pool}
spec:
  cohort: org
  resourceGroups:
    - coveredResources: [cpu, memory, gpus]
      flavors:
        - name: h100
          resources: [{name: cpu, nominalQuota: 1000}, {name: memory, nominalQuota: 64Ti}, {name: gpus, nominalQuota: ${poolGpus}}]
---
${q('a', 0, aExtra, aWeight)}
${q('b', 0, bExtra)}`)
    .filter((o) => o.kind === 'Queue')
    .map((o) => withQueueDefaults(o.object as Queue));
}

/** running: `gpus` GPUs in one pod per JobSet on node n<i>. */
interface Running {
  name: string;
  queue: string;
  gpus: number;
  node: string;
  admittedMs?: number;
}

function snapshot(qs: Queue[], running: Running[], pending: PendingJobSet[], strategies?: FairSharingStrategy[]): Snapshot {
  const nodes = new Map<string, NodeSnapshot>();
  for (const n of ['n1', 'n2', 'n3'])
    nodes.set(n, { name: n, schedulable: true, allocatable: resources({ cpu: 64, memory: '1Ti', gpus: 8 }), allocated: resources({}), gpuIndices: [0, 1, 2, 3, 4, 5, 6, 7], usedGpuIndices: [], labels: { gpu: 'h100' }, podCount: 0 });
  const usage: MutableUsage = {};
  const admitted: AdmittedJobSet[] = running.map((r) => {
    const node = nodes.get(r.node)!;
    const gpuIndices = node.gpuIndices.filter((i) => !node.usedGpuIndices.includes(i)).slice(0, r.gpus);
    node.usedGpuIndices.push(...gpuIndices);
    node.allocated = { ...node.allocated, gpus: node.allocated.gpus + r.gpus };
    const request = { cpu: 0, memory: 0, gpus: r.gpus, rdma: 0 };
    chargeUsage(usage, r.queue, { flavors: FLAVORS }, request);
    return { name: r.name, queue: r.queue, flavors: FLAVORS, request, priority: 0, createdMs: 0, admittedMs: r.admittedMs ?? 0, pods: [{ node: r.node, request: resources({ gpus: r.gpus }), gpuIndices }] };
  });
  return {
    nodes: [...nodes.values()],
    pending,
    usedPorts: [],
    portRange: { min: 29500, max: 29999 },
    nowMs: 1_000_000,
    quota: {
      tree: buildQuotaTree(qs, []),
      usage,
      flavorLabels: { h100: { gpu: 'h100' } },
      strategies: Object.fromEntries(qs.map((q) => [q.metadata!.name, q.spec!.queueingStrategy])),
      preemption: Object.fromEntries(qs.map((q) => [q.metadata!.name, preemptionPolicy(q)])),
      admitted,
      ...(strategies ? { fairSharing: { strategies } } : {}),
    },
  };
}

function job(name: string, queue: string, gpus: number, createdMs: number): PendingJobSet {
  const js = makeJobSet(name).replicatedJob('w', { cpu: 0, memory: 0, gpus }).createdAt(createdMs).build();
  return { ...pendingOf(js), queue, priority: 0 };
}

describe('dominant resource share', () => {
  it('is borrowed ÷ what the cohort can lend × 1000 ÷ weight; 0 within nominal; ∞ borrowing with weight 0', () => {
    const usage: MutableUsage = {};
    chargeUsage(usage, 'a', { flavors: FLAVORS }, { gpus: 4 });
    const fs = new FairShares(buildQuotaTree(queues(16), []));
    expect(fs.shareOf(usage, 'a')).toMatchObject({ share: 250, resource: 'gpus', borrowed: 4, lendable: 16 });
    expect(fs.shareOf(usage, 'a', { flavors: FLAVORS, request: { gpus: 4 } }).share).toBe(500);
    expect(fs.shareOf(usage, 'b').share).toBe(0);
    expect(new FairShares(buildQuotaTree(queues(16, '', '', 2), [])).shareOf(usage, 'a').share).toBe(125);
    expect(new FairShares(buildQuotaTree(queues(16, '', '', 0), [])).shareOf(usage, 'a').share).toBe(Number.POSITIVE_INFINITY);
    expect(describeShare(fs.shareOf(usage, 'a'))).toBe('share 250: borrows 4 of 16 gpus the cohort can lend (weight 1)');
  });

  it('counts what the cohort can lend over every flavor, whichever queue is asked first', () => {
    // pool lends 8 H100 and 8 A100 GPUs; a has quota only in h100, b in both. Each borrows 4.
    const qs = parseObjectsText(`apiVersion: muster.dev/v1
kind: Queue
metadata: {name: pool}
spec:
  cohort: org
  resourceGroups:
    - coveredResources: [gpus]
      flavors: [{name: h100, resources: [{name: gpus, nominalQuota: 8}]}, {name: a100, resources: [{name: gpus, nominalQuota: 8}]}]
---
apiVersion: muster.dev/v1
kind: Queue
metadata: {name: a}
spec:
  cohort: org
  resourceGroups:
    - coveredResources: [gpus]
      flavors: [{name: h100, resources: [{name: gpus, nominalQuota: 0}]}]
---
apiVersion: muster.dev/v1
kind: Queue
metadata: {name: b}
spec:
  cohort: org
  resourceGroups:
    - coveredResources: [gpus]
      flavors: [{name: h100, resources: [{name: gpus, nominalQuota: 0}]}, {name: a100, resources: [{name: gpus, nominalQuota: 0}]}]
`).map((o) => withQueueDefaults(o.object as Queue));
    const usage: MutableUsage = {};
    chargeUsage(usage, 'a', { flavors: { gpus: 'h100' } }, { gpus: 4 });
    chargeUsage(usage, 'b', { flavors: { gpus: 'a100' } }, { gpus: 4 });
    const tree = buildQuotaTree(qs, []);
    const aFirst = new FairShares(tree);
    const first = [aFirst.shareOf(usage, 'a').share, aFirst.shareOf(usage, 'b').share];
    const bFirst = new FairShares(tree);
    const second = [bFirst.shareOf(usage, 'b').share, bFirst.shareOf(usage, 'a').share].reverse();
    expect(first).toEqual([250, 250]);
    expect(second).toEqual(first);
  });
});

describe('fair sharing in a cycle', () => {
  it('admits a borrowing JobSet of the queue with the lower share first, though it is newer', () => {
    // The pool lends 12; a already borrows 8. Only one more 4-GPU JobSet fits.
    const running: Running[] = [{ name: 'a-run', queue: 'a', gpus: 8, node: 'n1' }];
    const pending = [job('a-next', 'a', 4, 1), job('b-first', 'b', 4, 2)];
    expect(decideCycle(snapshot(queues(12), running, pending)).admit.map((a) => a.jobset)).toEqual(['a-next']); // FIFO without fair sharing
    const fair = decideCycle(snapshot(queues(12), running, pending, ['LessThanOrEqualToFinalShare', 'LessThanInitialShare']));
    expect(fair.admit.map((a) => a.jobset)).toEqual(['b-first']);
    // The one left says why, with its queue's share.
    expect(fair.pending[0]).toMatchObject({ jobset: 'a-next', reason: 'WaitingForQuota', message: expect.stringContaining('fair sharing: queue a share 667: borrows 8 of 12 gpus') });
  });

  it('preempts from the queue with the highest share when the strategy holds (InCohortFairSharing), explaining the shares', () => {
    // a borrows all 12 in three JobSets; b (reclaimWithinCohort Any) wants 4: b with it 333 ≤ a without one 667.
    const running: Running[] = [
      { name: 'a1', queue: 'a', gpus: 4, node: 'n1', admittedMs: 1 },
      { name: 'a2', queue: 'a', gpus: 4, node: 'n2', admittedMs: 2 },
      { name: 'a3', queue: 'a', gpus: 4, node: 'n3', admittedMs: 3 },
    ];
    const qs = queues(12, '', 'preemption: {reclaimWithinCohort: Any}');
    const d = decideCycle(snapshot(qs, running, [job('b1', 'b', 4, 10)], ['LessThanOrEqualToFinalShare']));
    expect((d.preempt ?? []).map((p) => `${p.jobset}:${p.reason}`)).toEqual(['a3:InCohortFairSharing']);
    expect(d.preempt![0]!.message).toContain("queue b's share with b1 admitted vs queue a's: 334 ≤ 667 without this JobSet (LessThanOrEqualToFinalShare)");
  });

  it('does not preempt when it would only move the imbalance the other way (no ping-pong)', () => {
    // a borrows 8 in one JobSet; b wants 8: b with it 667 > a without it 0, and not < a's 667 now.
    const running: Running[] = [{ name: 'a1', queue: 'a', gpus: 8, node: 'n1' }];
    const qs = queues(8, '', 'preemption: {reclaimWithinCohort: Any}');
    for (const strategies of [['LessThanOrEqualToFinalShare'], ['LessThanInitialShare'], ['LessThanOrEqualToFinalShare', 'LessThanInitialShare']] as FairSharingStrategy[][]) {
      const d = decideCycle(snapshot(qs, running, [job('b1', 'b', 8, 10)], strategies));
      expect(d.preempt, strategies.join(',')).toBeUndefined();
      expect(d.pending[0]).toMatchObject({ jobset: 'b1', reason: 'WaitingForQuota' });
    }
  });

  it('never takes from a queue within its nominal quota: two queues at their nominal do not preempt each other', () => {
    // a and b have 8 each; one 8-GPU node is schedulable and b1 holds it.
    const qs = parseObjectsText(['a', 'b'].map((n) => `apiVersion: muster.dev/v1
kind: Queue
metadata: {name: ${n}}
spec:
  cohort: org
  preemption: {reclaimWithinCohort: Any}
  resourceGroups:
    - coveredResources: [cpu, memory, gpus]
      flavors: [{name: h100, resources: [{name: cpu, nominalQuota: 0}, {name: memory, nominalQuota: 0}, {name: gpus, nominalQuota: 8}]}]`).join('\n---\n'))
      .map((o) => withQueueDefaults(o.object as Queue));
    const snap = snapshot(qs, [{ name: 'b1', queue: 'b', gpus: 8, node: 'n1' }], [job('a1', 'a', 8, 10)], ['LessThanOrEqualToFinalShare', 'LessThanInitialShare']);
    snap.nodes = snap.nodes.filter((n) => n.name === 'n1');
    expect(decideCycle(snap).preempt).toBeUndefined();
  });

  it('tries a candidate the first strategy refuses again under the second (the default pair preempts what LessThanInitialShare alone would)', () => {
    // pool lends 12; a borrows 8 (share 667); b wants 6: with it 500. Not ≤ 0 (a without a1), but < 667.
    const qs = queues(12, '', 'preemption: {reclaimWithinCohort: Any}');
    const running: Running[] = [{ name: 'a1', queue: 'a', gpus: 8, node: 'n1' }];
    for (const strategies of [['LessThanInitialShare'], ['LessThanOrEqualToFinalShare', 'LessThanInitialShare']] as FairSharingStrategy[][]) {
      const d = decideCycle(snapshot(qs, running, [job('b1', 'b', 6, 10)], strategies));
      expect((d.preempt ?? []).map((p) => p.jobset), strategies.join(',')).toEqual(['a1']);
    }
  });
});
