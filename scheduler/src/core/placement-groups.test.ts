/**
 * Placement finer than the JobSet: per replicatedJob, per slice of N pods,
 * and exclusive per child Job; plus the submit-time checks of those fields.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeJobSet, makeNode, pendingOf, type PlacementOptions } from '../../../test/helpers/builders.js';
import { jobSetFile, startTestScheduler, submitTestJobSet, type TestScheduler } from '../../../test/helpers/scheduler-context.js';
import { parseJobSetObject } from '../../../shared/src/spec/document.js';
import { submitJobSet } from '../service/jobsets.js';
import { FitCursors, freeNodes } from './placement.js';
import { placeJobSet } from './placement-groups.js';
import { decideCycle } from './decide-cycle.js';
import type { NodeSnapshot, PendingJobSet, Snapshot } from './types.js';

/** Racks r1 (2 nodes), r2 (4), r3 (3) of 8-GPU nodes; r1 and r2 are block b1, r3 block b2. */
function nodes(): NodeSnapshot[] {
  const rack = (r: string, b: string, count: number) =>
    Array.from({ length: count }, (_, i) => makeNode(`${r}-n${i}`).cpu(64).memory('512Gi').gpus(8).labels({ rack: r, block: b }).build());
  return [...rack('r1', 'b1', 2), ...rack('r2', 'b1', 4), ...rack('r3', 'b2', 3)];
}

function cycle(pending: PendingJobSet[], over: Partial<Snapshot> = {}): ReturnType<typeof decideCycle> {
  return decideCycle({ nodes: nodes(), pending, usedPorts: [], portRange: { min: 29500, max: 29999 }, topologyLevels: ['block', 'rack'], ...over });
}

function rjSet(name: string, rjs: { name: string; replicas: number; gpus: number; placement?: PlacementOptions }[], placement?: PlacementOptions): PendingJobSet {
  let b = makeJobSet(name);
  for (const r of rjs) b = b.replicatedJob(r.name, { replicas: r.replicas, cpu: 1, memory: '1Gi', gpus: r.gpus, ...(r.placement ? { placement: r.placement } : {}) });
  if (placement) b = b.placement(placement);
  return pendingOf(b.build());
}

const rackOf = (node: string): string => node.split('-')[0]!;
const placementsOf = (d: ReturnType<typeof decideCycle>, name: string) => d.admit.find((a) => a.jobset === name)?.placements ?? [];
const racksOf = (d: ReturnType<typeof decideCycle>, name: string, rj?: string): string[] =>
  [...new Set(placementsOf(d, name).filter((p) => !rj || p.podId.split('/')[1] === rj).map((p) => rackOf(p.node)))].sort();

describe('replicatedJob placement', () => {
  it('required rack on one replicatedJob keeps only its pods together; the others go anywhere', () => {
    // First fit alone would put the first worker in r1 next to the driver and the rest in r2.
    const d = cycle([rjSet('a', [{ name: 'driver', replicas: 1, gpus: 8 }, { name: 'workers', replicas: 4, gpus: 8, placement: { required: 'rack' } }])]);
    expect(racksOf(d, 'a', 'workers')).toEqual(['r2']);
    expect(placementsOf(d, 'a')).toHaveLength(5);
    // Placements come back in rank order.
    expect(placementsOf(d, 'a').map((p) => p.podId)).toEqual(['a/driver/0/0', 'a/workers/0/0', 'a/workers/1/0', 'a/workers/2/0', 'a/workers/3/0']);
  });

  it('slices: each run of 2 pods in one rack, even when the replicatedJob as a whole cannot fit in one', () => {
    // 6 pods × 8 GPUs: no rack has 6 nodes; slices of 2 fit r1, r2, r3.
    const d = cycle([rjSet('s', [{ name: 'w', replicas: 6, gpus: 8, placement: { sliceRequired: 'rack', sliceSize: 2 } }])]);
    const p = placementsOf(d, 's');
    expect(p).toHaveLength(6);
    for (let i = 0; i < 6; i += 2) expect(rackOf(p[i]!.node)).toBe(rackOf(p[i + 1]!.node));
  });

  it('slices inside a replicatedJob-wide domain: slices of 2 on one host each, all in one block', () => {
    const d = cycle([rjSet('h', [{ name: 'w', replicas: 8, gpus: 4, placement: { required: 'block', sliceRequired: 'hostname', sliceSize: 2 } }])]);
    const p = placementsOf(d, 'h');
    expect(p).toHaveLength(8);
    for (let i = 0; i < 8; i += 2) expect(p[i]!.node).toBe(p[i + 1]!.node);
    expect(new Set(p.map((x) => (['r1', 'r2'].includes(rackOf(x.node)) ? 'b1' : 'b2'))).size).toBe(1);
  });

  it('a slice that fits no domain: the JobSet waits, and the reason names the slice', () => {
    const d = cycle([rjSet('big', [{ name: 'w', replicas: 10, gpus: 8, placement: { sliceRequired: 'rack', sliceSize: 5 } }])]);
    expect(d.admit).toEqual([]);
    expect(d.pending[0]).toMatchObject({ jobset: 'big', reason: 'NoFit' });
    expect(d.pending[0]!.message).toMatch(/^slice 1 of 2 of w: needs all 5 pods \(40 GPUs\) in one rack; the rack with the most free, r2, has 32 free GPUs/);
  });
});

describe('group placement edge cases (found in review)', () => {
  it('slices inside a replicatedJob-wide domain: when the tightest domain cannot take the slices, the next is tried', () => {
    // Block b1: r1 node with 3 free GPUs, r2 node with 1; block b2: r3 node with 6. Slices of 2 fit only in b2.
    const n = (name: string, rack: string, block: string, used: number) =>
      ({ ...makeNode(name).cpu(64).memory('512Gi').gpus(8).labels({ rack, block }).build(), usedGpuIndices: Array.from({ length: used }, (_, i) => i) });
    const ns = [n('r1-n0', 'r1', 'b1', 5), n('r2-n0', 'r2', 'b1', 7), n('r3-n0', 'r3', 'b2', 2)].map((x) => ({ ...x, allocated: { ...x.allocated, gpus: x.usedGpuIndices.length } }));
    const d = cycle([rjSet('s', [{ name: 'w', replicas: 4, gpus: 1, placement: { required: 'block', sliceRequired: 'rack', sliceSize: 2 } }])], { nodes: ns });
    expect(racksOf(d, 's')).toEqual(['r3']);
  });

  it('waiting for stopping pods (optimistic): two groups never both count the same stopping GPUs', () => {
    const one = makeNode('h1').cpu(64).memory('512Gi').gpus(8).build();
    const stopping = { ...one, usedGpuIndices: [0, 1, 2, 3, 4, 5, 6, 7], allocated: { ...one.allocated, gpus: 8 }, stopping: { cpuMillis: 0, memoryBytes: 0, gpus: 8, rdma: 0 }, stoppingGpuIndices: [0, 1, 2, 3, 4, 5, 6, 7], stoppingPods: 1, podCount: 1 };
    const js = rjSet('two', [{ name: 'a', replicas: 1, gpus: 8, placement: { required: 'hostname' } }, { name: 'b', replicas: 1, gpus: 8 }]);
    const placed = placeJobSet(js, freeNodes([stopping]), new FitCursors(), { optimistic: true }, []);
    expect('reason' in placed).toBe(true);
    const fits = placeJobSet(rjSet('one', [{ name: 'a', replicas: 1, gpus: 8, placement: { required: 'hostname' } }]), freeNodes([stopping]), new FitCursors(), { optimistic: true }, []);
    expect('reason' in fits).toBe(false);
  });
});

describe('exclusive per Job', () => {
  it('each Job of the replicatedJob gets a rack of its own, and no other JobSet goes there', () => {
    const d = cycle([
      rjSet('ex', [{ name: 'w', replicas: 2, gpus: 8, placement: { exclusive: 'rack' } }]),
      rjSet('other', [{ name: 'x', replicas: 1, gpus: 1 }]),
    ]);
    const ex = placementsOf(d, 'ex');
    expect(ex).toHaveLength(2);
    expect(rackOf(ex[0]!.node)).not.toBe(rackOf(ex[1]!.node));
    const other = placementsOf(d, 'other');
    expect(other).toHaveLength(1);
    expect(ex.map((p) => rackOf(p.node))).not.toContain(rackOf(other[0]!.node));
  });

  it('only racks where nothing runs; more Jobs than empty racks → the JobSet waits', () => {
    const busy = nodes().map((n) => (n.name === 'r3-n0' ? { ...n, usedGpuIndices: [0], podCount: 1, allocated: { ...n.allocated, gpus: 1 } } : n));
    const d = cycle([rjSet('ex', [{ name: 'w', replicas: 3, gpus: 1, placement: { exclusive: 'rack' } }])], { nodes: busy });
    expect(d.admit).toEqual([]);
    expect(d.pending[0]!.message).toBe('job w/2: needs a rack of its own; none of the 3 racks is empty (no pod running, stopping or held there, none held by another exclusive JobSet or taken by another Job of this one)');
    const two = cycle([rjSet('ex', [{ name: 'w', replicas: 2, gpus: 1, placement: { exclusive: 'rack' } }])], { nodes: busy });
    expect(racksOf(two, 'ex')).toEqual(['r1', 'r2']);
  });

  it('domains held exclusively by running JobSets (exclusiveHeld) stay closed to other JobSets', () => {
    const d = cycle([rjSet('late', [{ name: 'x', replicas: 1, gpus: 1 }])], { exclusiveHeld: [{ level: 'rack', key: 'r1' }, { level: 'rack', key: 'r2' }] });
    expect(racksOf(d, 'late')).toEqual(['r3']);
  });
});

describe('submit checks', () => {
  let s: TestScheduler | undefined;
  afterEach(() => s?.close());

  it('names the field of a bad replicatedJob placement', () => {
    s = startTestScheduler({ settings: { topologyLevels: ['block', 'rack'] } });
    let n = 0;
    const bad = (placement: PlacementOptions, replicas = 4): string => {
      try {
        submitTestJobSet(s!, `x${n++}`, { w: { replicas, gpus: 1, placement: { ...placement } } });
        return 'accepted';
      } catch (e) {
        return (e as Error).message + ' ' + JSON.stringify((e as { issues?: unknown }).issues ?? []);
      }
    };
    expect(bad({ sliceRequired: 'rack', sliceSize: 3 })).toMatch(/spec\.replicatedJobs\[0\]\.placement\.sliceSize: must divide the replicatedJob's 4 pods/);
    expect(bad({ sliceRequired: 'row', sliceSize: 2 })).toMatch(/spec\.replicatedJobs\[0\]\.placement\.sliceRequired: must be a topology level of this cluster/);
    expect(bad({ sliceRequired: 'rack' })).toMatch(/placement\.sliceSize: must be at least 1/);
    expect(bad({ exclusive: 'rack', required: 'block' })).toMatch(/placement\.exclusive: each Job gets a domain of its own/);
    expect(bad({ sliceRequired: 'rack', sliceSize: 2 })).toBe('accepted');
    // Pods counted as defaulting counts them: parallelism from completions.
    const withCompletions = jobSetFile('c', { w: { replicas: 1, gpus: 1, placement: { sliceRequired: 'rack', sliceSize: 2 } } });
    const tpl = (withCompletions.spec as { replicatedJobs: { template: Record<string, unknown> }[] }).replicatedJobs[0]!.template;
    delete tpl.parallelism;
    tpl.completions = 4;
    const doc = parseJobSetObject(withCompletions);
    expect(() => submitJobSet(s!.ctx, { metadata: { name: 'c', labels: {}, uid: '', createdMs: 0, user: 'alice', userVerified: false, submitDir: '' }, spec: doc.spec })).not.toThrow();
  });
});
