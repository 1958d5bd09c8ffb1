/**
 * MIG devices as placeable units, on the recorded H100 in MIG mode
 * (deploy/hardware/h100-mig.json: 3g.40gb, 2g.20gb and two 1g.10gb devices,
 * profiles and UUIDs from a real `nvidia-smi -L`): a pod asking for a
 * profile gets devices of that profile, never one already bound, and sees
 * them by UUID; the GPU in MIG mode is not placeable whole.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { NodeInventory } from '../../../shared/src/proto/types.js';
import { toResources } from '../../../shared/src/resources.js';
import { makeJobSet, pendingOf } from '../../../test/helpers/builders.js';
import { buildAssignments } from './assignments.js';
import { decideCycle, gangRequest } from './decide-cycle.js';
import type { NodeSnapshot, PendingJobSet } from './types.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const inv = JSON.parse(readFileSync(path.join(repo, 'deploy/hardware/h100-mig.json'), 'utf8')) as NodeInventory;
const MIG = (i: number): string => `MIG-0000000${i}-0000-0000-0000-00000000000${i}`;

/** node is the recorded MIG host as the snapshot builds it (scheduler/src/snapshot.ts withMig). */
function node(usedMig: string[] = []): NodeSnapshot {
  return {
    name: 'mig1', schedulable: true, allocatable: toResources(inv.allocatable), allocated: { ...toResources(null) },
    gpuIndices: [], usedGpuIndices: [],
    migDevices: inv.gpus[0]!.migDevices.map((m) => ({ uuid: m.uuid, profile: m.profile })), usedMig,
  };
}

function migSet(name: string, pods: number, count: number, profile: string): PendingJobSet {
  return pendingOf(makeJobSet(name).replicatedJob('w', { replicas: pods, cpu: '500m', memory: '1Gi', gpus: count, migProfile: profile }).build());
}

const cycle = (n: NodeSnapshot, pending: PendingJobSet[]) => decideCycle({ nodes: [n], pending, usedPorts: [], portRange: { min: 29500, max: 29999 } });

describe('MIG placement', () => {
  it('the recorded host lists its MIG devices with profiles and UUIDs', () => {
    expect(node().migDevices).toEqual([
      { uuid: MIG(0), profile: '3g.40gb' }, { uuid: MIG(1), profile: '2g.20gb' }, { uuid: MIG(2), profile: '1g.10gb' }, { uuid: MIG(3), profile: '1g.10gb' },
    ]);
  });

  it('a pod asking 2 × 1g.10gb gets the two 1g.10gb devices; another profile its own; disjoint', () => {
    const d = cycle(node(), [migSet('small', 1, 2, '1g.10gb'), migSet('big', 1, 1, '3g.40gb')]);
    const got = Object.fromEntries(d.admit.map((a) => [a.jobset, [a.placements[0]!.migUuids, a.placements[0]!.gpuIndices]]));
    expect(got).toEqual({ small: [[MIG(2), MIG(3)], []], big: [[MIG(0)], []] });
  });

  it('never a device already bound; none of the profile left → NoFit saying so', () => {
    const d = cycle(node([MIG(2)]), [migSet('two', 1, 2, '1g.10gb')]);
    expect(d.pending.find((p) => p.jobset === 'two')!.message).toBe(
      'needs 1 pods; 0 of 1 fit on 1 Ready node(s) now; a pod needs 2 MIG device(s) of profile 1g.10gb and cpu=500m mem=1Gi, the node with the most free, mig1, has 1',
    );
    expect(cycle(node([MIG(2)]), [migSet('one', 1, 1, '1g.10gb')]).admit[0]!.placements[0]!.migUuids).toEqual([MIG(3)]);
    const none = cycle(node([MIG(2), MIG(3)]), [migSet('x', 1, 1, '1g.10gb')]);
    expect(none.pending[0]!.message).toContain('no Ready node has a free MIG device of that profile');
  });

  it('a whole-GPU pod does not get the GPU in MIG mode', () => {
    const whole = pendingOf(makeJobSet('whole').replicatedJob('w', { cpu: 1, memory: '1Gi', gpus: 1 }).build());
    expect(cycle(node(), [whole]).admit).toEqual([]);
  });

  it('quota counts each MIG device as a GPU; the pod sees its devices by UUID, bound to the parent GPU', () => {
    const js = migSet('small', 1, 2, '1g.10gb');
    expect(gangRequest(js)).toMatchObject({ gpus: 2 });
    expect(js.pods[0]!.request.gpus).toBe(0);
    const d = cycle(node(), [js]);
    const built = makeJobSet('small').replicatedJob('w', { cpu: '500m', memory: '1Gi', gpus: 2, migProfile: '1g.10gb' }).build();
    const { assignments } = buildAssignments({ jobset: built, gang: js.pods, placements: d.admit[0]!.placements, addresses: new Map(), inventories: new Map([['mig1', inv]]), coordinatorPort: 29500 });
    const a = assignments[0]!;
    expect(a.env.CUDA_VISIBLE_DEVICES).toBe(`${MIG(2)},${MIG(3)}`);
    expect(a.env.NVIDIA_VISIBLE_DEVICES).toBe(`${MIG(2)},${MIG(3)}`);
    expect(a.binding).toMatchObject({ gpuIndices: [0], gpuUuids: [MIG(2), MIG(3)], numaNode: 0 });
  });
});
