/**
 * Backfill (Slurm's, which Kueue lacks): a blocked high-priority gang gets an
 * expected start from running JobSets' time limits and the capacity it will
 * use is held; a lower-priority JobSet may take held capacity only if its own
 * time limit ends it before then. And the time limit a JobSet spec implies.
 */
import { describe, expect, it } from 'vitest';
import { makeJobSet, makeNode, pendingOf, resources } from '../../../test/helpers/builders.js';
import { timeLimitMs } from './backfill.js';
import { decideCycle } from './decide-cycle.js';
import type { PendingJobSet, RunningJobSet, Snapshot } from './types.js';

const NOW = 1_700_000_000_000;
const HOUR = 3_600_000;

/** job: `pods` pods × 8 GPUs, priority, and a time limit in seconds (undefined = none). */
function job(name: string, pods: number, priority: number, limitSeconds?: number, createdMs = 1): PendingJobSet {
  const js = makeJobSet(name)
    .replicatedJob('w', { replicas: pods, cpu: 1, memory: '1Gi', gpus: 8, ...(limitSeconds !== undefined ? { activeDeadlineSeconds: limitSeconds } : {}) })
    .createdAt(createdMs)
    .build();
  const limit = timeLimitMs(js.spec!);
  return { ...pendingOf(js), priority, ...(limit !== undefined ? { timeLimitMs: limit } : {}) };
}

/** Two 8-GPU nodes; `r1` runs on n1 (all 8 GPUs) until NOW + endsInMs (undefined = no time limit). */
function snapshot(pending: PendingJobSet[], endsInMs: number | undefined, backfill = true): Snapshot {
  const running: RunningJobSet[] = [{ name: 'r1', ...(endsInMs !== undefined ? { endsByMs: NOW + endsInMs } : {}), pods: [{ node: 'n1', request: resources({ cpu: 1, memory: '1Gi', gpus: 8 }), gpuIndices: [0, 1, 2, 3, 4, 5, 6, 7] }] }];
  return {
    nodes: [makeNode('n1').cpu(64).memory('512Gi').gpus(8).usedGpus(0, 1, 2, 3, 4, 5, 6, 7).allocated({ cpu: 1, memory: '1Gi' }).build(), makeNode('n2').cpu(64).memory('512Gi').gpus(8).build()],
    pending,
    usedPorts: [],
    portRange: { min: 29500, max: 29999 },
    nowMs: NOW,
    ...(backfill ? { running } : {}),
  };
}

describe('backfill', () => {
  it('holds the free node for a blocked 16-GPU gang; only a JobSet ending before r1 does may use it meanwhile', () => {
    const d = decideCycle(snapshot([job('big', 2, 10), job('long', 1, 1, 2 * 3600, 2), job('short', 1, 1, 1800, 3), job('unbounded', 1, 1, undefined, 4)], HOUR));
    expect(d.admit.map((a) => a.jobset)).toEqual(['short']);
    expect(d.admit[0]!.backfill).toEqual({ before: 'big', startMs: NOW + HOUR });
    const big = d.pending.find((p) => p.jobset === 'big')!;
    expect(big.reason).toBe('NoFit');
    expect(big.message).toContain(`expected to start by ${new Date(NOW + HOUR).toISOString()}, when r1 reaches its time limit`);
    expect(d.pending.find((p) => p.jobset === 'long')?.reason).toBe('NoFit'); // would still run when big should start
    expect(d.pending.find((p) => p.jobset === 'unbounded')?.reason).toBe('NoFit');
  });

  it('holds nothing when what blocks the gang has no time limit (no shadow time): lower JobSets run as before', () => {
    const d = decideCycle(snapshot([job('big', 2, 10), job('long', 1, 1, 2 * 3600, 2)], undefined));
    expect(d.admit.map((a) => a.jobset)).toEqual(['long']);
    expect(d.admit[0]!.backfill).toBeUndefined();
    expect(d.pending[0]!.message).not.toContain('expected to start');
  });

  it('is off when the snapshot carries no running JobSets (backfill disabled)', () => {
    const d = decideCycle(snapshot([job('big', 2, 10), job('long', 1, 1, 2 * 3600, 2)], HOUR, false));
    expect(d.admit.map((a) => a.jobset)).toEqual(['long']);
  });
});

describe('timeLimitMs', () => {
  const rj = (name: string, deadline?: number, dependsOn: { name: string; status: string }[] = []) => ({ replicas: 1, cpu: 1, ...(deadline !== undefined ? { activeDeadlineSeconds: deadline } : {}), dependsOn, name });
  it.each([
    { name: 'the longest of Jobs that run together', rjs: [rj('a', 60), rj('b', 600)], restarts: 0, want: 600_000 },
    { name: 'the sum when one waits for another (dependsOn)', rjs: [rj('a', 60), rj('b', 600, [{ name: 'a', status: 'Complete' }])], restarts: 0, want: 660_000 },
    { name: 'times the runs its failurePolicy allows', rjs: [rj('a', 60)], restarts: 2, want: 180_000 },
    { name: 'unbounded when any Job has no deadline', rjs: [rj('a', 60), rj('b')], restarts: 0, want: undefined },
    { name: 'unbounded when a rule restarts without counting', rjs: [rj('a', 60)], restarts: 1, ignoring: true, want: undefined },
  ])('$name', ({ rjs, restarts, want, ignoring }) => {
    let b = makeJobSet('x');
    for (const r of rjs) b = b.replicatedJob(r.name, r);
    if (restarts > 0)
      b = b.failurePolicy('Recreate', restarts, ignoring ? [{ name: 'lost', action: 'RestartJobSetAndIgnoreMaxRestarts', onJobFailureReasons: ['NodeLost'], onJobFailureMessagePatterns: [], targetReplicatedJobs: [] }] : []);
    expect(timeLimitMs(b.build().spec!)).toBe(want);
  });
});
