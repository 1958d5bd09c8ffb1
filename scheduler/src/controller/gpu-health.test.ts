import { afterEach, describe, expect, it } from 'vitest';
import type { GpuHealthReport, PodAssignment } from '../../../shared/src/proto/types.js';
import {
  assignmentsOf,
  heartbeatOf,
  inventoryOf,
  jobsetOf,
  registerTestNode,
  startTestScheduler,
  submitTestJobSet,
  type TestScheduler,
} from '../../../test/helpers/scheduler-context.js';
import { mergeGpuHealth } from './gpu-health.js';
import { handleHeartbeat } from './heartbeats.js';

let s: TestScheduler;
afterEach(() => s?.close());

const healthy = (node: string, n = 8): GpuHealthReport[] => Array.from({ length: n }, (_, i) => ({ uuid: `GPU-${node}-${i}`, healthy: true, reasons: [] }));
const withUnhealthy = (node: string, index: number, reason = 'row remapping pending (GPU reset required)'): GpuHealthReport[] =>
  healthy(node).map((r, i) => (i === index ? { ...r, healthy: false, reasons: [reason] } : r));

function beat(node: string, gpuHealth: GpuHealthReport[]): void {
  handleHeartbeat(s.ctx, heartbeatOf(s, node, [], { gpuHealth }));
}

describe('GPU health carried by heartbeats', () => {
  it('takes a GPU reported unhealthy out of placement at the next heartbeat and persists it', () => {
    s = startTestScheduler({ db: 'file' });
    registerTestNode(s, 'n1', { cpu: 32, memory: '256Gi', gpus: 8 });
    beat('n1', withUnhealthy('n1', 3));

    const inv = s.store.getNode('n1')!.node.inventory!;
    expect(inv.gpus[3]).toMatchObject({ healthy: false, healthReasons: ['row remapping pending (GPU reset required)'] });
    expect(inv.allocatable!.gpus).toBe(7);
    expect(inv.capacity!.gpus).toBe(7);
    // What a restarted scheduler loads.
    expect(s.reopen().getNode('n1')!.node.inventory!.gpus[3]!.healthy).toBe(false);

    submitTestJobSet(s, 'all8', { w: { gpus: 8 } });
    submitTestJobSet(s, 'seven', { w: { gpus: 7 } });
    s.runCycle();
    expect(jobsetOf(s, 'all8').status!.phase).toBe('JOB_SET_PHASE_PENDING');
    expect(jobsetOf(s, 'seven').status!.phase).toBe('JOB_SET_PHASE_ADMITTED');
    const [pod] = assignmentsOf(s, 'seven') as [PodAssignment];
    expect(pod.binding!.gpuIndices).toEqual([0, 1, 2, 4, 5, 6, 7]);
  });

  it('offers the GPU again when it reports healthy', () => {
    s = startTestScheduler();
    registerTestNode(s, 'n1', { cpu: 32, memory: '256Gi', gpus: 8 });
    beat('n1', withUnhealthy('n1', 0));
    beat('n1', healthy('n1'));
    const inv = s.store.getNode('n1')!.node.inventory!;
    expect(inv.gpus.every((g) => g.healthy)).toBe(true);
    expect(inv.allocatable!.gpus).toBe(8);
    submitTestJobSet(s, 'all8', { w: { gpus: 8 } });
    s.runCycle();
    expect(jobsetOf(s, 'all8').status!.phase).toBe('JOB_SET_PHASE_ADMITTED');
  });

  it('ignores an empty report list (a recorded inventory) and UUIDs it does not know', () => {
    s = startTestScheduler();
    registerTestNode(s, 'n1', { cpu: 32, memory: '256Gi', gpus: 8 });
    const before = structuredClone(s.store.getNode('n1')!.node.inventory);
    beat('n1', []);
    beat('n1', [{ uuid: 'GPU-elsewhere', healthy: false, reasons: ['lost'] }]);
    expect(s.store.getNode('n1')!.node.inventory).toEqual(before);
  });
});

describe('mergeGpuHealth', () => {
  it('reports a change of reasons alone without changing the healthy count', () => {
    const inv = inventoryOf('n1', { gpus: 2 });
    const once = mergeGpuHealth(inv, [{ uuid: 'GPU-n1-1', healthy: false, reasons: ['a'] }])!;
    const twice = mergeGpuHealth(once.inventory, [{ uuid: 'GPU-n1-1', healthy: false, reasons: ['a', 'b'] }])!;
    expect(twice.changes).toEqual([{ index: 1, uuid: 'GPU-n1-1', healthy: false, reasons: ['a', 'b'] }]);
    expect(twice.inventory.allocatable!.gpus).toBe(1);
    expect(mergeGpuHealth(twice.inventory, [{ uuid: 'GPU-n1-1', healthy: false, reasons: ['a', 'b'] }])).toBeUndefined();
  });

  it('never takes allocatable GPUs below zero', () => {
    const inv = { ...inventoryOf('n1', { gpus: 2 }), allocatable: { cpuMillis: 1000, memoryBytes: 1, gpus: 0, rdma: 0 } };
    const out = mergeGpuHealth(inv, [{ uuid: 'GPU-n1-0', healthy: false, reasons: ['x'] }])!;
    expect(out.inventory.allocatable!.gpus).toBe(0);
    expect(out.inventory.capacity!.gpus).toBe(1);
  });
});
