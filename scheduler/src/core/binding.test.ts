/**
 * A pod's binding from its node's inventory, on the recorded machines of
 * deploy/hardware/ and a small constructed inventory where the recordings lack
 * NUMA-placed NICs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { NodeInventory } from '../../../shared/src/proto/types.js';
import { bindingFor } from './binding.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const recorded = (name: string): NodeInventory => JSON.parse(readFileSync(path.join(repo, 'deploy/hardware', `${name}.json`), 'utf8')) as NodeInventory;

describe('bindingFor', () => {
  it('8×A100: the GPUs\' UUIDs and NUMA node, and the RDMA NICs topo -m puts closest to them, for NCCL and UCX', () => {
    const a100 = recorded('a100-sxm-8gpu');
    const { binding, env } = bindingFor([0, 1], a100);
    expect(binding.gpuUuids).toEqual([a100.gpus[0]!.uuid, a100.gpus[1]!.uuid]);
    expect(binding.numaNode).toBe(0);
    expect(binding.nics).toEqual(['mlx5_2', 'mlx5_3', 'mlx5_4', 'mlx5_5']);
    expect(env).toEqual({ NCCL_IB_HCA: 'mlx5_2,mlx5_3,mlx5_4,mlx5_5', UCX_NET_DEVICES: 'mlx5_2:1,mlx5_3:1,mlx5_4:1,mlx5_5:1' });
    // GPUs of two pairs: both groups of NICs.
    expect(bindingFor([1, 2], a100).binding.nics).toEqual(['mlx5_2', 'mlx5_3', 'mlx5_4', 'mlx5_5', 'mlx5_6', 'mlx5_7', 'mlx5_8', 'mlx5_9']);
  });

  it('8×H100: NICs whose NUMA node is unknown and that topo -m did not list are not guessed', () => {
    const { binding, env } = bindingFor([4, 5], recorded('h100-sxm-8gpu'));
    expect(binding.numaNode).toBe(1);
    expect(binding.nics).toEqual([]);
    expect(env).toEqual({});
  });

  it('falls back to active RDMA NICs on the GPUs\' NUMA node; a pod without GPUs binds nothing', () => {
    const inv = {
      ...recorded('rtx4090-pcie-8gpu'),
      nics: [
        { name: 'ib0', speedMbps: 0, mtu: 0, state: 'up', pciAddress: '', numaNode: 0, rdmaDevice: 'mlx5_0', rdmaPorts: [{ port: 1, state: 'ACTIVE', rateGbps: 200, linkLayer: 'InfiniBand' }] },
        { name: 'ib1', speedMbps: 0, mtu: 0, state: 'up', pciAddress: '', numaNode: 1, rdmaDevice: 'mlx5_1', rdmaPorts: [{ port: 2, state: 'ACTIVE', rateGbps: 200, linkLayer: 'InfiniBand' }] },
        { name: 'ib2', speedMbps: 0, mtu: 0, state: 'down', pciAddress: '', numaNode: 1, rdmaDevice: 'mlx5_2', rdmaPorts: [{ port: 1, state: 'DOWN', rateGbps: 200, linkLayer: 'InfiniBand' }] },
      ],
      gpus: recorded('rtx4090-pcie-8gpu').gpus.map((g) => ({ ...g, closestNics: [] })),
    } as unknown as NodeInventory;
    const { binding, env } = bindingFor([5, 6], inv);
    expect(binding.nics).toEqual(['mlx5_1']);
    expect(env.UCX_NET_DEVICES).toBe('mlx5_1:2');
    expect(bindingFor([], inv)).toEqual({ binding: { gpuIndices: [], gpuUuids: [], cpuset: '', numaNode: -1, nics: [] }, env: {} });
  });
});
