/**
 * Keeping a gang in one topology domain: placement.required (one domain or
 * wait, with a reason naming the largest domain's free GPUs), tightest fit
 * first, placement.preferred widening level by level, and hostname. Plus the
 * submit-time check of the levels a JobSet may name.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeJobSet, makeNode, pendingOf } from '../../../test/helpers/builders.js';
import { startTestScheduler, submitTestJobSet, type TestScheduler } from '../../../test/helpers/scheduler-context.js';
import { decideCycle } from './decide-cycle.js';
import type { PendingJobSet, Snapshot } from './types.js';

/** Racks r1 (2 nodes), r2 (4), r3 (3) of 8-GPU nodes; r1 and r2 are block b1, r3 block b2. */
function snapshot(pending: PendingJobSet[]): Snapshot {
  const rack = (r: string, b: string, count: number) =>
    Array.from({ length: count }, (_, i) => makeNode(`${r}-n${i}`).cpu(64).memory('512Gi').gpus(8).labels({ rack: r, block: b }).build());
  return { nodes: [...rack('r1', 'b1', 2), ...rack('r2', 'b1', 4), ...rack('r3', 'b2', 3)], pending, usedPorts: [], portRange: { min: 29500, max: 29999 }, topologyLevels: ['block', 'rack'] };
}

function gang(name: string, pods: number, gpus: number, placement: { required?: string; preferred?: string; exclusive?: string }): PendingJobSet {
  return pendingOf(makeJobSet(name).replicatedJob('w', { replicas: pods, cpu: 1, memory: '1Gi', gpus }).placement(placement).build());
}

const racksOf = (d: ReturnType<typeof decideCycle>, name: string): string[] => [...new Set(d.admit.find((a) => a.jobset === name)!.placements.map((p) => p.node.split('-')[0]!))].sort();

describe('placement across hosts', () => {
  it('required rack: 16 pods × 2 GPUs all land in the one rack that can hold 32 GPUs', () => {
    expect(racksOf(decideCycle(snapshot([gang('big', 16, 2, { required: 'rack' })])), 'big')).toEqual(['r2']);
  });

  it('takes the tightest domain that fits, keeping larger ones whole', () => {
    const d = decideCycle(snapshot([gang('two', 2, 8, { required: 'rack' }), gang('four', 4, 8, { required: 'rack' })]));
    expect(racksOf(d, 'two')).toEqual(['r1']);
    expect(racksOf(d, 'four')).toEqual(['r2']);
  });

  it('required rack that no rack can hold: the JobSet waits (NoFit) and says what the largest rack has free', () => {
    const d = decideCycle(snapshot([gang('huge', 20, 2, { required: 'rack' })]));
    expect(d.admit).toEqual([]);
    expect(d.pending[0]).toEqual({ jobset: 'huge', reason: 'NoFit', message: 'needs all 20 pods (40 GPUs) in one rack; the rack with the most free, r2, has 32 free GPUs on 4 Ready node(s)' });
  });

  it('preferred rack widens to one block when no rack fits, and to anywhere when no block does', () => {
    expect(racksOf(decideCycle(snapshot([gang('wide', 20, 2, { preferred: 'rack' })])), 'wide')).toEqual(['r1', 'r2']);
    expect(racksOf(decideCycle(snapshot([gang('all', 9, 8, { preferred: 'rack' })])), 'all')).toEqual(['r1', 'r2', 'r3']);
  });

  it('fragmentation: a domain whose partly used nodes can take the gang goes before a tighter one; inside it, the tightest node', () => {
    const snap = snapshot([gang('pair', 1, 2, { preferred: 'rack' })]);
    // r1-n1 has 6 GPUs in use (2 free); r3 is made the tightest rack by filling two of its nodes.
    const use = (name: string, used: number) => {
      const i = snap.nodes.findIndex((n) => n.name === name);
      snap.nodes[i] = { ...snap.nodes[i]!, usedGpuIndices: Array.from({ length: used }, (_, g) => g), allocated: { ...snap.nodes[i]!.allocated, gpus: used }, podCount: 1 };
    };
    use('r1-n1', 6);
    use('r3-n0', 8);
    use('r3-n1', 8);
    const d = decideCycle(snap);
    // Tightest by free GPUs would be r3 (8 free, one empty node broken up); r1's hole takes the pod whole, on r1-n1 not r1-n0.
    expect(d.admit[0]!.placements.map((p) => p.node)).toEqual(['r1-n1']);
  });

  it('required hostname keeps every pod on one node', () => {
    const d = decideCycle(snapshot([gang('fill', 1, 4, {}), gang('pair', 2, 4, { required: 'hostname' })]));
    const nodes = d.admit.find((a) => a.jobset === 'pair')!.placements.map((p) => p.node);
    expect(new Set(nodes).size).toBe(1);
  });
});

describe('exclusive placement', () => {
  it('takes only racks where nothing runs, and closes them to every other JobSet in the same cycle', () => {
    const snap = snapshot([gang('excl', 2, 8, { exclusive: 'rack' }), gang('small', 1, 1, {})]);
    // One GPU in use on r1-n0: r1 is not empty, so the exclusive JobSet takes r2 (first empty rack in node order) ...
    snap.nodes[0] = { ...snap.nodes[0]!, usedGpuIndices: [0], allocated: { ...snap.nodes[0]!.allocated, gpus: 1 }, podCount: 1 };
    const d = decideCycle(snap);
    expect(racksOf(d, 'excl')).toEqual(['r2']);
    // ... and the small JobSet, which would fit on r2's free GPUs, goes elsewhere.
    expect(racksOf(d, 'small')).not.toContain('r2');
  });

  it('keeps other JobSets out of racks a running exclusive JobSet holds, and waits when no rack is empty', () => {
    const held = snapshot([gang('small', 1, 1, {})]);
    held.exclusiveHeld = [{ level: 'rack', key: 'r1' }];
    expect(racksOf(decideCycle(held), 'small')).toEqual(['r2']); // r1 is free but held
    const full = snapshot([gang('excl', 1, 8, { exclusive: 'rack' })]);
    full.nodes = full.nodes.map((n) => ({ ...n, usedGpuIndices: [0], allocated: { ...n.allocated, gpus: 1 }, podCount: 1 }));
    const d = decideCycle(full);
    expect(d.admit).toEqual([]);
    expect(d.pending[0]).toEqual({ jobset: 'excl', reason: 'NoFit', message: 'needs 1 pod(s) (8 GPUs) on racks of its own: 0 of 3 racks are empty (no pod running, stopping or held, none held by another exclusive JobSet), with 0 free GPUs' });
  });
});

describe('submit checks spec.placement', () => {
  let s: TestScheduler;
  afterEach(() => s?.close());

  it('accepts hostname and the cluster\'s levels, refuses others and both at once, naming the field', () => {
    s = startTestScheduler({ settings: { topologyLevels: ['block', 'rack'] } });
    const sub = (name: string, placement: unknown) => () => submitTestJobSet(s, name, { w: { gpus: 1 } }, { placement });
    expect(sub('ok', { required: 'rack' })).not.toThrow();
    expect(sub('host', { preferred: 'hostname' })).not.toThrow();
    expect(sub('bad', { required: 'row' })).toThrow(/spec\.placement\.required: must be a topology level of this cluster: hostname, block, rack/);
    expect(sub('both', { required: 'rack', preferred: 'block' })).toThrow(/spec\.placement: set required or preferred, not both/);
    expect(sub('excl', { exclusive: 'aisle' })).toThrow(/spec\.placement\.exclusive: must be a topology level/);
  });
});
