/**
 * A pod's exclusive CPUs: sized by its cpu request (whole CPUs), from its
 * GPUs' NUMA node, disjoint between pods, counted when placing; on the
 * recorded machines of deploy/hardware/ (NUMA cpulists from real sysfs).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCpuList } from '../../../shared/src/cpulist.js';
import type { NodeInventory } from '../../../shared/src/proto/types.js';
import { toResources } from '../../../shared/src/resources.js';
import { makeJobSet, pendingOf } from '../../../test/helpers/builders.js';
import { bindingFor } from './binding.js';
import { chooseCpus, cpusFor, cpuTopologyOf } from './cpu-choice.js';
import { decideCycle } from './decide-cycle.js';
import { gpuTopologyOf } from './gpu-choice.js';
import type { NodeSnapshot, PendingJobSet, Snapshot } from './types.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const recorded = (name: string): NodeInventory => JSON.parse(readFileSync(path.join(repo, 'deploy/hardware', `${name}.json`), 'utf8')) as NodeInventory;
const range = (lo: number, hi: number): number[] => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);

/** node is a NodeSnapshot of a recorded host, with what is already bound there. */
function node(name: string, inv: NodeInventory, used: { gpus?: number[]; cpus?: number[] } = {}): NodeSnapshot {
  return {
    name,
    schedulable: true,
    allocatable: toResources(inv.allocatable),
    allocated: { cpuMillis: (used.cpus?.length ?? 0) * 1000, memoryBytes: 0, gpus: used.gpus?.length ?? 0, rdma: 0 },
    gpuIndices: inv.gpus.filter((g) => g.healthy).map((g) => g.index),
    usedGpuIndices: used.gpus ?? [],
    usedCpus: used.cpus ?? [],
    gpuTopology: gpuTopologyOf(inv)!,
    cpuTopology: cpuTopologyOf(inv)!,
  };
}

function gang(name: string, pods: number, gpus: number, cpu: number | string): PendingJobSet {
  return pendingOf(makeJobSet(name).replicatedJob('w', { replicas: pods, cpu, memory: '1Gi', gpus }).build());
}

function cycle(nodes: NodeSnapshot[], pending: PendingJobSet[]): ReturnType<typeof decideCycle> {
  const snap: Snapshot = { nodes, pending, usedPorts: [], portRange: { min: 29500, max: 29999 } };
  return decideCycle(snap);
}

const cpusOf = (d: ReturnType<typeof decideCycle>, name: string) => d.admit.find((a) => a.jobset === name)!.placements.map((p) => p.cpus);

describe('cpuTopologyOf', () => {
  it('reads each NUMA node\'s cpulist; placeable = allocatable whole CPUs, the lowest-numbered rest left to the system', () => {
    const h100 = recorded('h100-sxm-8gpu');
    const t = cpuTopologyOf(h100)!;
    expect(t.cpus).toHaveLength(208);
    expect(t.numaOf.get(104)).toBe(0);
    expect(t.numaOf.get(52)).toBe(1);
    expect(t.nearest.get(0)).toEqual([1]);
    const reserved = cpuTopologyOf({ ...h100, allocatable: { ...h100.allocatable!, cpuMillis: 206_500 } })!;
    expect(reserved.cpus).toEqual(range(2, 207));
  });

  it('SLIT distances are read by position among all NUMA nodes, CPU-less memory nodes included', () => {
    const t = cpuTopologyOf({
      allocatable: null,
      numaNodes: [
        { id: 0, cpus: '0-3', memoryBytes: 0, distances: [10, 12, 40, 20] },
        { id: 1, cpus: '', memoryBytes: 0, distances: [12, 10, 40, 20] }, // memory only (CXL, HBM)
        { id: 2, cpus: '4-7', memoryBytes: 0, distances: [40, 40, 10, 20] },
        { id: 3, cpus: '8-11', memoryBytes: 0, distances: [20, 20, 20, 10] },
      ],
    })!;
    expect(t.nearest.get(0)).toEqual([3, 2]);
    expect(chooseCpus([2, 3, 4, 5, 8, 9], 4, [0], t)).toEqual([2, 3, 8, 9]);
  });

  it('no cpulists (an inventory that lists no NUMA CPUs): no CPU sets', () => {
    expect(cpuTopologyOf({ numaNodes: [], allocatable: null })).toBeUndefined();
    expect(cpuTopologyOf({ numaNodes: [{ id: 0, cpus: '', memoryBytes: 0, distances: [] }], allocatable: null })).toBeUndefined();
  });
});

describe('cpusFor', () => {
  it('whole CPUs only: a fraction or no CPU asked, no cpuset', () => {
    expect([0, 1, 500, 1000, 1001, 1500, 4000, 16000].map(cpusFor)).toEqual([0, 0, 0, 1, 0, 0, 4, 16]);
  });
});

describe('chooseCpus', () => {
  const t = cpuTopologyOf(recorded('rtx4090-pcie-8gpu'))!; // NUMA 0: 0-55,112-167; NUMA 1: 56-111,168-223
  const all = [...t.cpus];

  it('takes the GPUs\' NUMA node first, lowest numbers first', () => {
    expect(chooseCpus(all, 4, [1], t)).toEqual([56, 57, 58, 59]);
    expect(chooseCpus(all, 4, [0], t)).toEqual([0, 1, 2, 3]);
  });

  it('spills to the nearest NUMA node only when the GPUs\' node is full', () => {
    const free = all.filter((c) => t.numaOf.get(c) === 0 || c >= 220); // NUMA 1 has 4 free CPUs left
    expect(chooseCpus(free, 6, [1], t)).toEqual([0, 1, 220, 221, 222, 223]);
  });

  it('a pod without GPUs takes the NUMA node that fits it most tightly', () => {
    const free = all.filter((c) => t.numaOf.get(c) === 0 || c >= 200); // NUMA 1 has 24 free, NUMA 0 has 112
    expect(chooseCpus(free, 16, [], t)).toEqual(range(200, 215));
    expect(chooseCpus(free, 30, [], t)).toEqual(range(0, 29));
  });

  it('returns what there is when fewer are free', () => {
    expect(chooseCpus([3, 7], 4, [], t)).toEqual([3, 7]);
  });
});

describe('CPU sets in placement', () => {
  it('8×H100: two 4-GPU pods each get 16 CPUs of their own GPUs\' NUMA node, disjoint', () => {
    const d = cycle([node('h', recorded('h100-sxm-8gpu'))], [gang('a', 2, 4, 16)]);
    const [p0, p1] = d.admit[0]!.placements;
    expect(p0!.gpuIndices).toEqual([0, 1, 2, 3]);
    expect(p0!.cpus).toEqual(range(0, 15));
    expect(p1!.gpuIndices).toEqual([4, 5, 6, 7]);
    expect(p1!.cpus).toEqual(range(52, 67));
  });

  it('never hands out a CPU already bound; a 500m pod is not pinned', () => {
    const d = cycle([node('h', recorded('a100-sxm-8gpu'), { gpus: [0], cpus: [0, 1, 2] })], [gang('a', 2, 1, 1), gang('half', 1, 0, '500m')]);
    expect(cpusOf(d, 'a')).toEqual([[3], [4]]);
    expect(cpusOf(d, 'half')).toEqual([undefined]);
  });

  it('counts whole CPUs when fitting: cpu millis to spare but no unbound CPU left → NoFit naming it', () => {
    const inv = recorded('cpu-only'); // 16 CPUs
    // Bound CPUs and cpu millis disagree (e.g. a host whose allocatable changed under running pods): millis say 8.5 CPUs are free, one CPU is unbound.
    const n = { ...node('c', inv, { cpus: range(0, 14) }), allocated: { cpuMillis: 7500, memoryBytes: 0, gpus: 0, rdma: 0 } };
    const d = cycle([n], [gang('two', 2, 0, 1)]);
    expect(d.admit).toEqual([]);
    expect(d.pending[0]!.message).toContain('1 of 2 fit on 1 Ready node(s) now');
    expect(d.pending[0]!.message).toMatch(/has cpu=8500m .* \(1 unbound CPUs\)/);
    expect(cpusOf(cycle([n], [gang('one', 1, 0, 1)]), 'one')).toEqual([[15]]);
  });

  it('a pod asking for no CPU gets no cpuset; a node without cpulists gives none', () => {
    expect(cpusOf(cycle([node('h', recorded('a100-sxm-8gpu'))], [gang('z', 1, 1, 0)]), 'z')).toEqual([undefined]);
    const bare = { ...node('h', recorded('a100-sxm-8gpu')), cpuTopology: undefined };
    expect(cpusOf(cycle([bare], [gang('b', 1, 1, 4)]), 'b')).toEqual([undefined]);
  });

  it('the binding carries the cpuset as a cpulist, and a CPU-only pod the NUMA node of its CPUs', () => {
    const inv = recorded('cpu-only'); // NUMA 0: 0-7, NUMA 1: 8-15
    const { binding } = bindingFor([], inv, [9, 10, 11]);
    expect(binding.cpuset).toBe('9-11');
    expect(parseCpuList(binding.cpuset)).toEqual([9, 10, 11]);
    expect(binding.numaNode).toBe(1);
  });
});
