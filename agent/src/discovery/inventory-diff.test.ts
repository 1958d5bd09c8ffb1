import { describe, expect, it } from 'vitest';
import { withProtoDefaults } from '../../../shared/src/proto/defaults.js';
import type { NodeInventory } from '../../../shared/src/proto/types.js';
import { inventoryChanges } from './inventory-diff.js';

type Gpu = NodeInventory['gpus'][number];

function gpu(index: number, over: Partial<Gpu> = {}): Gpu {
  return withProtoDefaults<Gpu>('muster.v1.Gpu', { index, uuid: `GPU-${index}`, model: 'H100', healthy: true, ...over });
}

function base(): NodeInventory {
  return withProtoDefaults<NodeInventory>('muster.v1.NodeInventory', {
    hostname: 'h',
    gpus: [gpu(0), gpu(1), gpu(2), gpu(3)],
    capacity: { cpuMillis: 8000, memoryBytes: 1024, gpus: 4, rdma: 0 },
    allocatable: { cpuMillis: 8000, memoryBytes: 1024, gpus: 4, rdma: 0 },
    numaNodes: [{ id: 0, cpus: '0-3', memoryBytes: 512, distances: [10, 21] }, { id: 1, cpus: '4-7', memoryBytes: 512, distances: [21, 10] }],
    nics: [{ name: 'ib0', state: 'up', speedMbps: 400000, rdmaDevice: 'mlx5_0', rdmaPorts: [{ port: 1, state: 'ACTIVE', rateGbps: 400, linkLayer: 'InfiniBand' }] }],
    conditions: [{ type: 'GpuDiscovery', status: 'True', reason: 'Discovered', message: '4 GPUs', lastTransitionMs: 1000 }],
  });
}

type Edit = (inv: NodeInventory) => void;

const cases: { name: string; edit: Edit; want: string[] }[] = [
  { name: 'identical', edit: () => {}, want: [] },
  {
    name: 'volatile fields only (condition message and time, hostname, NIC speed)',
    edit: (inv) => {
      inv.conditions[0]!.message = 'other text';
      inv.conditions[0]!.lastTransitionMs = 99_999;
      inv.hostname = 'h2';
      inv.nics[0]!.speedMbps = 200000;
    },
    want: [],
  },
  {
    name: 'a GPU turns unhealthy',
    edit: (inv) => {
      inv.gpus[3] = gpu(3, { healthy: false, healthReasons: ['retired pages pending'] });
      inv.capacity!.gpus = 3;
      inv.allocatable!.gpus = 3;
    },
    want: ['GPU 3 unhealthy: retired pages pending', 'capacity.gpus 4 → 3', 'allocatable.gpus 4 → 3'],
  },
  {
    name: 'a GPU re-read with the same fields',
    edit: (inv) => {
      inv.gpus[1] = gpu(1, { healthy: true });
    },
    want: [],
  },
  {
    name: 'health reasons change while unhealthy',
    edit: (inv) => {
      inv.gpus[0] = gpu(0, { healthy: true, healthReasons: ['xid 79'] });
    },
    want: ['GPU 0 health reasons changed: xid 79 (was: no reason given)'],
  },
  {
    name: 'a GPU disappears and another appears',
    edit: (inv) => {
      inv.gpus = [gpu(0), gpu(1), gpu(2), gpu(3, { uuid: 'GPU-new' })];
    },
    want: ['GPU 3 disappeared (GPU-3)', 'GPU 3 appeared (GPU-new)'],
  },
  {
    name: 'MIG devices change',
    edit: (inv) => {
      inv.gpus[2] = gpu(2, { migEnabled: true, migDevices: [{ index: 0, gpuInstanceId: 1, computeInstanceId: 0, profile: '1g.10gb', memoryBytes: 10, uuid: 'MIG-a' }] });
    },
    want: ['GPU 2 MIG devices changed: 1g.10gb#1/0 (was: none)'],
  },
  {
    name: 'NUMA node memory and a lost node',
    edit: (inv) => {
      inv.numaNodes = [{ ...inv.numaNodes[0]!, memoryBytes: 256 }];
    },
    want: ['NUMA node 0 memory 512 → 256 bytes', 'NUMA node 1 disappeared'],
  },
  {
    name: 'NIC link down and RDMA port down',
    edit: (inv) => {
      inv.nics[0]!.state = 'down';
      inv.nics[0]!.rdmaPorts = [{ port: 1, state: 'DOWN', rateGbps: 0, linkLayer: 'InfiniBand' }];
    },
    want: ['NIC ib0 state up → down', 'NIC ib0 RDMA port 1 ACTIVE 400 Gb/s InfiniBand → DOWN InfiniBand'],
  },
  {
    name: 'condition status and reason change, a new condition appears',
    edit: (inv) => {
      inv.conditions = [
        { type: 'GpuDiscovery', status: 'False', reason: 'NvidiaSmiTimeout', message: 'nvidia-smi did not finish in time', lastTransitionMs: 5 },
        { type: 'TopologyUnavailable', status: 'True', reason: 'NvidiaSmiFailed', message: '', lastTransitionMs: 5 },
      ];
    },
    want: [
      'condition GpuDiscovery True (Discovered) → False (NvidiaSmiTimeout): nvidia-smi did not finish in time',
      'condition TopologyUnavailable True (NvidiaSmiFailed)',
    ],
  },
  {
    name: 'a condition clears',
    edit: (inv) => {
      inv.conditions = [];
    },
    want: ['condition GpuDiscovery cleared (was True (Discovered))'],
  },
];

describe('inventoryChanges', () => {
  it.each(cases)('$name', ({ edit, want }) => {
    const before = base();
    const after = structuredClone(before);
    edit(after);
    expect(inventoryChanges(before, after)).toEqual(want);
  });

  it('reports a GPU coming back healthy', () => {
    const before = base();
    before.gpus[1] = gpu(1, { healthy: false, healthReasons: ['xid 48'] });
    expect(inventoryChanges(before, base())).toEqual(['GPU 1 healthy again']);
  });

  it('does not modify its inputs', () => {
    const before = base();
    const after = base();
    after.gpus.pop();
    const [b, a] = [structuredClone(before), structuredClone(after)];
    inventoryChanges(before, after);
    expect([before, after]).toEqual([b, a]);
  });
});
