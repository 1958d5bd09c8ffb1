import { describe, expect, it } from 'vitest';
import { withProtoDefaults } from '../../../shared/src/proto/defaults.js';
import type { Node } from '../../../shared/src/proto/types.js';
import { CommandFailedError, renderError } from '../errors.js';
import { describeNode, findNode, gpuList, nodeRow, nvlinkGroups } from './nodes.js';

const NOW = 1_800_000_000_000;
const GiB = 2 ** 30;

type Link = { peerIndex: number; kind: string; nvlinks?: number; score?: number };

/** links builds every GPU's links: NV with `nv(i, j)` links when that returns > 0, else SYS. */
function links(count: number, nv: (i: number, j: number) => number): Link[][] {
  return Array.from({ length: count }, (_, i) =>
    Array.from({ length: count }, (_, j) => j)
      .filter((j) => j !== i)
      .map((j) => (nv(i, j) > 0 ? { peerIndex: j, kind: 'NV', nvlinks: nv(i, j), score: 100 + nv(i, j) } : { peerIndex: j, kind: 'SYS', score: 1 })),
  );
}

function node(gpuLinks: Link[][], extra: { gpus?: Record<number, object>; inventory?: object; node?: object } = {}): Node {
  return withProtoDefaults<Node>('muster.v1.Node', {
    name: 'gpu-1',
    address: '10.0.0.11',
    state: 'NODE_STATE_READY',
    epoch: 3,
    labels: { zone: 'a', pool: 'h100' },
    agentVersion: '0.4.0',
    lastHeartbeatMs: NOW - 2000,
    pods: 2,
    allocated: { cpuMillis: 16000, memoryBytes: 64 * GiB, gpus: 4, rdma: 2 },
    lingering: { cpuMillis: 2000, memoryBytes: 8 * GiB, gpus: 1 },
    inventory: {
      hostname: 'gpu-1',
      cpuModel: 'Intel Xeon Platinum 8480+',
      sockets: 2,
      cores: 112,
      threads: 224,
      driverVersion: '550.54.15',
      cudaVersion: '12.4',
      capacity: { cpuMillis: 224000, memoryBytes: 2048 * GiB, gpus: gpuLinks.length, rdma: 8 },
      allocatable: { cpuMillis: 220000, memoryBytes: 2000 * GiB, gpus: gpuLinks.length, rdma: 8 },
      gpus: gpuLinks.map((l, i) => ({
        index: i,
        uuid: `GPU-${i}`,
        model: 'NVIDIA H100 80GB HBM3',
        memoryBytes: 80 * GiB,
        numaNode: i < gpuLinks.length / 2 ? 0 : 1,
        healthy: true,
        links: l,
        ...extra.gpus?.[i],
      })),
      numaNodes: [
        { id: 0, cpus: '0-55,112-167', memoryBytes: 1024 * GiB, distances: [10, 21] },
        { id: 1, cpus: '56-111,168-223', memoryBytes: 1024 * GiB, distances: [21, 10] },
      ],
      nics: [
        {
          name: 'ib0',
          speedMbps: 400000,
          mtu: 4096,
          state: 'up',
          numaNode: 0,
          rdmaDevice: 'mlx5_0',
          rdmaPorts: [{ port: 1, state: 'ACTIVE', rateGbps: 400, linkLayer: 'InfiniBand' }],
        },
        { name: 'eth0', speedMbps: 25000, mtu: 1500, state: 'up', numaNode: -1 },
      ],
      ...extra.inventory,
    },
    ...extra.node,
  });
}

const allToAll = (n: number) => node(links(n, () => 18));
const islands = () => node(links(8, (i, j) => (Math.floor(i / 4) === Math.floor(j / 4) ? 12 : 0)));
const pcieOnly = () => node(links(4, () => 0));

describe('nvlinkGroups', () => {
  it('puts an 8-GPU NV18 all-to-all host in one group', () => {
    expect(nvlinkGroups(allToAll(8).inventory?.gpus ?? [])).toBe('NV18: GPU0-7');
  });
  it('splits two 4-GPU NV islands into two groups', () => {
    expect(nvlinkGroups(islands().inventory?.gpus ?? [])).toBe('NV12: GPU0,1,2,3 | GPU4,5,6,7');
  });
  it('says none on a PCIe-only host', () => {
    expect(nvlinkGroups(pcieOnly().inventory?.gpus ?? [])).toBe('none (PCIe only)');
  });
  it('groups from links listed on one side only and names GPUs outside every island', () => {
    const n = node([[{ peerIndex: 1, kind: 'NV', nvlinks: 4 }], [], []]);
    expect(nvlinkGroups(n.inventory?.gpus ?? [])).toBe('NV4: GPU0,1; no NVLink: GPU2');
  });
});

describe('gpuList', () => {
  it('compresses runs longer than four', () => {
    expect(gpuList([3, 0, 1, 2])).toBe('GPU0,1,2,3');
    expect(gpuList([0, 1, 2, 3, 4, 5, 7])).toBe('GPU0-5,7');
  });
});

describe('describeNode', () => {
  it('prints the node fields, resources, GPU, NUMA and NIC tables', () => {
    const text = describeNode(allToAll(8), NOW);
    expect(text).toMatch(/^Name: +gpu-1$/m);
    expect(text).toMatch(/^State: +Ready$/m);
    expect(text).toMatch(/^Labels: +pool=h100,zone=a$/m);
    expect(text).toMatch(/^Last heartbeat: +2s ago$/m);
    expect(text).toMatch(/^Driver\/CUDA: +550\.54\.15 \/ 12\.4$/m);
    expect(text).toMatch(/^CPU: +Intel Xeon Platinum 8480\+ \(2 sockets, 112 cores, 224 threads\)$/m);
    expect(text).toMatch(/^RESOURCE +ALLOCATED +LINGERING +ALLOCATABLE +CAPACITY$/m);
    expect(text).toMatch(/^memory +64Gi +8Gi +2\.0Ti +2Ti$/m);
    expect(text).toMatch(/^IDX +MODEL +MEMORY +HEALTH +NUMA +MIG +UUID$/m);
    expect(text).toMatch(/^0 +NVIDIA H100 80GB HBM3 +80Gi +healthy +0 +- +GPU-0$/m);
    expect(text).toMatch(/^NVLink groups: +NV18: GPU0-7$/m);
    expect(text).toMatch(/^1 +56-111,168-223 +1Ti$/m);
    expect(text).not.toContain('Conditions:');
  });

  it('shows the reasons of an unhealthy GPU and the MIG device count', () => {
    const n = node(links(2, () => 18), {
      gpus: {
        0: { healthy: false, healthReasons: ['ECC uncorrectable errors', 'retired pages pending'] },
        1: { migEnabled: true, migDevices: [{ index: 0, profile: '3g.40gb' }, { index: 1, profile: '3g.40gb' }] },
      },
    });
    const text = describeNode(n, NOW);
    expect(text).toMatch(/^0 +NVIDIA H100 80GB HBM3 +80Gi +ECC uncorrectable errors, retired pages pending +0 +- +GPU-0$/m);
    expect(text).toMatch(/^1 +NVIDIA H100 80GB HBM3 +80Gi +healthy +1 +2 +GPU-1$/m);
    expect(nodeRow(n, NOW)[5]).toBe('4/2 (1 unhealthy)');
  });

  it('renders NIC ports and unknown NUMA', () => {
    const text = describeNode(islands(), NOW);
    expect(text).toMatch(/^NAME +RDMA +STATE +SPEED +NUMA +PORTS$/m);
    expect(text).toMatch(/^ib0 +mlx5_0 +up +400Gb\/s +0 +1:ACTIVE 400Gb\/s IB$/m);
    expect(text).toMatch(/^eth0 +- +up +25Gb\/s +- +-$/m);
    expect(text).toMatch(/^NVLink groups: +NV12: GPU0,1,2,3 \| GPU4,5,6,7$/m);
  });

  it('prints conditions of the node and its inventory when any', () => {
    const n = node([], {
      inventory: { conditions: [{ type: 'GpuDiscovery', status: 'False', reason: 'NoDriver', message: 'nvidia-smi not found' }] },
    });
    const text = describeNode(n, NOW);
    expect(text).not.toContain('GPUs:');
    expect(text).toMatch(/^GpuDiscovery +False +NoDriver +- +nvidia-smi not found$/m);
  });
});

describe('findNode', () => {
  it('returns the named node', () => {
    expect(findNode([pcieOnly()], 'gpu-1').name).toBe('gpu-1');
  });
  it('fails with exit 1 naming the node and the known ones', () => {
    const nodes = [node([], { node: { name: 'b' } }), node([], { node: { name: 'a' } })];
    expect(() => findNode(nodes, 'zz')).toThrow(CommandFailedError);
    try {
      findNode(nodes, 'zz');
    } catch (err) {
      expect(renderError(err)).toEqual({ text: 'error: node "zz" not found; known nodes: a, b\n', exitCode: 1 });
    }
  });
});
