/**
 * Admission fair sharing (Kueue §3.11, per user here): the decay and penalty
 * formulas, and a cycle ordering an AFS queue by its submitters' usage — the
 * least-used first, and one user's admissions in a cycle charging them at once.
 */
import { describe, expect, it } from 'vitest';
import { makeJobSet, makeNode, pendingOf } from '../../../test/helpers/builders.js';
import { queueingObjects, queueYaml, flavorYaml } from '../../../test/helpers/queues.js';
import type { Queue } from '../../../shared/src/proto/types.js';
import { afsKey, alpha, entryPenalty, sampleUsage, weightedUsage } from './admission-fair-sharing.js';
import { decideCycle } from './decide-cycle.js';
import { buildQuotaTree } from './quota.js';
import type { AfsSnapshot, PendingJobSet, Snapshot } from './types.js';

const HOUR = 3_600_000;

describe('formulas', () => {
  it('alpha is 1 − 0.5^(Δt/halfLife), 1 with no half-life', () => {
    expect(alpha(HOUR, HOUR)).toBe(0.5);
    expect(alpha(2 * HOUR, HOUR)).toBe(0.75);
    expect(alpha(0, HOUR)).toBe(0);
    expect(alpha(HOUR, 0)).toBe(1);
  });

  it('usage decays by half per half-life toward what is held now, and is forgotten once nothing is held and it is ~0', () => {
    const t0 = 1_000_000;
    let e = sampleUsage(new Map(), new Map([['q\u0000alice', { gpus: 8 }]]), t0, HOUR);
    expect(e.get('q\u0000alice')).toEqual({ consumed: { gpus: 8 }, updatedMs: t0 });
    e = sampleUsage(e, new Map(), t0 + HOUR, HOUR); // alice's JobSet ended
    expect(e.get('q\u0000alice')!.consumed.gpus).toBeCloseTo(4);
    e = sampleUsage(e, new Map([['q\u0000alice', { gpus: 8 }]]), t0 + 2 * HOUR, HOUR);
    expect(e.get('q\u0000alice')!.consumed.gpus).toBeCloseTo(6);
    expect(sampleUsage(e, new Map(), t0 + 200 * HOUR, HOUR).size).toBe(0);
  });

  it('the entry penalty is the request × alpha(sampling interval); usage weighs resources', () => {
    expect(entryPenalty({ gpus: 8 }, { halfLifeMs: HOUR, samplingMs: HOUR })).toEqual({ gpus: 4 });
    expect(weightedUsage({ gpus: 2, cpu: 100 }, { gpus: 1 }, { gpus: 1, cpu: 0.01 })).toBe(4);
  });
});

const QUEUES = queueingObjects(flavorYaml('any'), queueYaml('shared', { gpus: 16, flavor: 'any', spec: ['admissionScope: {admissionMode: UsageBasedAdmissionFairSharing}'] }))
  .filter((o) => o.kind === 'Queue')
  .map((o) => o.object as Queue);

function job(name: string, user: string, createdMs: number, priority = 0): PendingJobSet {
  return { ...pendingOf(makeJobSet(name).replicatedJob('w', { cpu: 1, memory: '1Gi', gpus: 8 }).createdAt(createdMs).build()), queue: 'shared', user, priority };
}

function snapshot(pending: PendingJobSet[], usage: Record<string, number>): Snapshot {
  const afs: AfsSnapshot = { queues: ['shared'], usage, weights: { gpus: 1 }, penaltyFactor: alpha(300_000, 168 * HOUR) };
  return {
    nodes: [makeNode('n1').cpu(64).memory('512Gi').gpus(8).build(), makeNode('n2').cpu(64).memory('512Gi').gpus(8).build()],
    pending,
    usedPorts: [],
    portRange: { min: 29500, max: 29999 },
    quota: { tree: buildQuotaTree(QUEUES, []), usage: {}, flavorLabels: { any: {} }, strategies: { shared: 'BestEffortFIFO' }, afs },
  };
}

describe('a cycle with admission fair sharing', () => {
  it('admits the JobSets of the user who used least lately first, before older and higher-priority ones of a heavy user', () => {
    const pending = [job('alice-1', 'alice', 1, 5), job('alice-2', 'alice', 2, 5), job('bob-1', 'bob', 3), job('carol-1', 'carol', 4)];
    const d = decideCycle(snapshot(pending, { [afsKey('shared', 'alice')]: 100, [afsKey('shared', 'carol')]: 10 }));
    // Room for two 8-GPU JobSets: bob (no usage) then carol (10); alice (100) waits.
    expect(d.admit.map((a) => a.jobset)).toEqual(['bob-1', 'carol-1']);
  });

  it('charges each admission to its user at once: two users with equal usage take turns within one cycle', () => {
    const pending = [job('alice-1', 'alice', 1), job('alice-2', 'alice', 2), job('bob-1', 'bob', 3), job('bob-2', 'bob', 4)];
    expect(decideCycle(snapshot(pending, {})).admit.map((a) => a.jobset)).toEqual(['alice-1', 'bob-1']);
    // Without admission fair sharing the queue is FIFO: alice takes both.
    const fifo = snapshot(pending, {});
    delete fifo.quota!.afs;
    expect(decideCycle(fifo).admit.map((a) => a.jobset)).toEqual(['alice-1', 'alice-2']);
  });
});
