/**
 * Choosing a pod's GPUs inside a host, on the recorded machines of
 * deploy/hardware/ (discovered from real nvidia-smi captures) and, for the
 * PCIe-switch cases no capture here has, on small constructed topologies.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chooseGpus, gpuTopologyOf, type GpuTopology } from './gpu-choice.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const recorded = (name: string): GpuTopology => gpuTopologyOf(JSON.parse(readFileSync(path.join(repo, 'deploy/hardware', `${name}.json`), 'utf8')))!;

/** pcie builds a constructed topology: `pix` pairs linked PIX (50), everything else SYS (10); NUMA by `numa`. */
function pcie(n: number, pix: [number, number][], numa: (i: number) => number = () => 0): GpuTopology {
  const links: Record<number, Record<number, number>> = {};
  for (let a = 0; a < n; a++) {
    links[a] = {};
    for (let b = 0; b < n; b++) if (a !== b) links[a]![b] = pix.some(([x, y]) => (x === a && y === b) || (x === b && y === a)) ? 50 : 10;
  }
  return { numa: Object.fromEntries(Array.from({ length: n }, (_, i) => [i, numa(i)])), links };
}

const ALL8 = [0, 1, 2, 3, 4, 5, 6, 7];

describe('chooseGpus on recorded machines', () => {
  it('8×H100 (NVSwitch, NUMA 0-3 / 4-7): an 8-GPU pod takes all; two 4-GPU pods take one NUMA half each', () => {
    const h100 = recorded('h100-sxm-8gpu');
    expect(chooseGpus(ALL8, 8, h100)).toEqual(ALL8);
    const first = chooseGpus(ALL8, 4, h100);
    expect(first).toEqual([0, 1, 2, 3]);
    expect(chooseGpus(ALL8.filter((g) => !first.includes(g)), 4, h100)).toEqual([4, 5, 6, 7]);
    // With GPUs 0 and 1 taken, a 4-GPU pod takes the whole second socket, not 2-5 across both.
    expect(chooseGpus([2, 3, 4, 5, 6, 7], 4, h100)).toEqual([4, 5, 6, 7]);
  });

  it('8×RTX 4090 PCIe (all SYS, NUMA 0-3 / 4-7): a 2-GPU pod stays on one NUMA node', () => {
    expect(chooseGpus([3, 4, 5], 2, recorded('rtx4090-pcie-8gpu'))).toEqual([4, 5]);
  });

  it('8×A100 (NVSwitch, one NUMA node): every set is alike, the lowest free indices', () => {
    expect(chooseGpus([1, 3, 4, 6, 7], 3, recorded('a100-sxm-8gpu'))).toEqual([1, 3, 4]);
  });
});

describe('chooseGpus on constructed PCIe topologies', () => {
  it('a 2-GPU pod takes a PIX pair, not a SYS pair', () => {
    const box = pcie(4, [
      [0, 1],
      [2, 3],
    ]);
    expect(chooseGpus([1, 2, 3], 2, box)).toEqual([2, 3]);
  });

  it('a 1-GPU pod takes the lone GPU and leaves a PIX pair whole', () => {
    const box = pcie(3, [[0, 1]]);
    expect(chooseGpus([0, 1, 2], 1, box)).toEqual([2]);
  });

  it('without topology, or when the pod wants every free GPU, the lowest free indices', () => {
    expect(chooseGpus([5, 2, 7, 3], 2)).toEqual([2, 3]);
    expect(chooseGpus([5, 2], 2, pcie(8, []))).toEqual([2, 5]);
  });

  it('never more GPUs than asked, only free ones, no repeats, the same answer every time (16-GPU host, greedy path)', () => {
    const big = pcie(16, Array.from({ length: 8 }, (_, i) => [2 * i, 2 * i + 1] as [number, number]), (i) => (i < 8 ? 0 : 1));
    const free = [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15];
    for (const k of [1, 2, 3, 4, 6, 7, 8]) {
      const got = chooseGpus(free, k, big);
      expect(got).toHaveLength(k);
      expect(new Set(got).size).toBe(k);
      expect(got.every((g) => free.includes(g))).toBe(true);
      expect(chooseGpus([...free].reverse(), k, big)).toEqual(got);
    }
    expect(chooseGpus(free, 2, big)).toEqual([0, 1]); // a PIX pair
  });
});

describe('decideCycle binds pods to the best-linked GPUs', () => {
  it('on a recorded 8×H100 host a 2-GPU pod takes two GPUs of one NUMA node, not the lowest free indices across both', async () => {
    const { decideCycle } = await import('./decide-cycle.js');
    const { makeJobSet, makeNode, pendingOf } = await import('../../../test/helpers/builders.js');
    const h100 = recorded('h100-sxm-8gpu');
    const node = (name: string, used: number[]) => ({ ...makeNode(name).cpu(208).memory('2Ti').gpus(8).usedGpus(...used).build(), gpuTopology: h100 });
    const job = (name: string, gpus: number, created: number) => pendingOf(makeJobSet(name).replicatedJob('w', { cpu: 1, memory: '1Gi', gpus }).createdAt(created).build());
    // h1 has GPUs 3, 4 and 5 free: 3 is on NUMA 0, 4 and 5 on NUMA 1.
    const d = decideCycle({ nodes: [node('h1', [0, 1, 2, 6, 7]), node('h2', [])], pending: [job('a', 2, 1), job('c', 8, 2)], usedPorts: [], portRange: { min: 29500, max: 29999 } });
    const gpus = Object.fromEntries(d.admit.map((a) => [a.jobset, a.placements.map((p) => `${p.node}:${p.gpuIndices.join(',')}`)]));
    expect(gpus).toEqual({ a: ['h1:4,5'], c: ['h2:0,1,2,3,4,5,6,7'] });
  });
});
