import { afterEach, describe, expect, it } from 'vitest';
import type { GpuHealthReport, PodAssignment } from '../../../shared/src/proto/types.js';
import {
  assignmentsOf,
  heartbeatOf,
  inventoryOf,
  jobsetOf,
  podReport,
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

  describe('pods bound to a GPU that turns unhealthy', () => {
    /** `a` runs on GPUs 0-3 of n1, `b` on 4-7; n2 is empty and healthy. */
    function twoJobSets(settings: Parameters<typeof startTestScheduler>[0] = {}) {
      s = startTestScheduler(settings);
      registerTestNode(s, 'n1', { cpu: 32, memory: '256Gi', gpus: 8 });
      submitTestJobSet(s, 'a', { w: { gpus: 4 } });
      submitTestJobSet(s, 'b', { w: { gpus: 4 } });
      s.runCycle();
      registerTestNode(s, 'n2', { cpu: 32, memory: '256Gi', gpus: 8 });
      const [pa] = assignmentsOf(s, 'a');
      const [pb] = assignmentsOf(s, 'b');
      expect(pa!.binding!.gpuIndices).toEqual([0, 1, 2, 3]);
      handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(pa!, 'POD_PHASE_RUNNING'), podReport(pb!, 'POD_PHASE_RUNNING')], { gpuHealth: healthy('n1') }));
      return { pa: pa!, pb: pb! };
    }

    it('keep (default): they run on; only placement avoids the GPU', () => {
      const { pa, pb } = twoJobSets();
      handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(pa, 'POD_PHASE_RUNNING'), podReport(pb, 'POD_PHASE_RUNNING')], { gpuHealth: withUnhealthy('n1', 2) }));
      expect(jobsetOf(s, 'a').status!.pods[0]!.phase).toBe('POD_PHASE_RUNNING');
      expect(jobsetOf(s, 'b').status!.pods[0]!.phase).toBe('POD_PHASE_RUNNING');
    });

    it('evict: the pods on that GPU fail with GPUUnhealthy and their JobSet (no failurePolicy) is requeued onto healthy GPUs; other pods run on', () => {
      const { pb } = twoJobSets({ settings: { unhealthyGpuPods: 'evict' } });
      handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(pb, 'POD_PHASE_RUNNING')], { gpuHealth: withUnhealthy('n1', 2) }));
      const st = jobsetOf(s, 'a').status!;
      expect(st).toMatchObject({ phase: 'JOB_SET_PHASE_PENDING', reason: 'Requeued' });
      expect(st.message).toContain('a GPU it was bound to turned unhealthy');
      expect(jobsetOf(s, 'b').status!.pods[0]!.phase).toBe('POD_PHASE_RUNNING');
      // n1 stops the evicted pod; once it is gone the gang is placed where every GPU is healthy.
      handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(pb, 'POD_PHASE_RUNNING')]));
      s.runCycle();
      const again = jobsetOf(s, 'a').status!.pods[0]!;
      expect(again.node === 'n2' || !again.binding!.gpuIndices.includes(2)).toBe(true);
      expect(jobsetOf(s, 'a').status!.jobs[0]!.failures).toBe(0);
    });

    it('evict with a failurePolicy: the Job fails with GPUUnhealthy, which a rule can match', () => {
      s = startTestScheduler({ settings: { unhealthyGpuPods: 'evict' } });
      registerTestNode(s, 'n1', { cpu: 32, memory: '256Gi', gpus: 8 });
      submitTestJobSet(s, 'a', { w: { gpus: 4 } }, { failurePolicy: { maxRestarts: 0, rules: [{ name: 'gpu', action: 'RestartJobSetAndIgnoreMaxRestarts', onJobFailureReasons: ['GPUUnhealthy'] }] } });
      s.runCycle();
      const [pa] = assignmentsOf(s, 'a');
      handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(pa!, 'POD_PHASE_RUNNING')], { gpuHealth: withUnhealthy('n1', pa!.binding!.gpuIndices[0]!) }));
      const st = jobsetOf(s, 'a').status!;
      expect(st.phase).not.toBe('JOB_SET_PHASE_FAILED');
      expect(st.restarts).toBe(1);
      expect(st.restartsCountTowardsMax).toBe(0);
    });
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
