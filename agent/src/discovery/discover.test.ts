import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CommandResult, CommandRunner } from './command-runner.js';
import { discoverHost } from './discover.js';
import { fakeSysfs } from './sysfs.js';
import type { SystemFacts } from '../inventory.js';

const TESTDATA = fileURLToPath(new URL('./testdata/', import.meta.url));
const read = (p: string): string => readFileSync(`${TESTDATA}${p}`, 'utf8');
const V100S_XML = read('nvidia-smi-xml/datakit__gtx-8card_8x-tesla-v100s.xml');
const A100_MIG_XML = read('nvidia-smi-xml/telegraf__a100-sxm4-v12.xml');
const TOPO_8X = read('topo/xuesongtap__8x-a100-nvlink-17nic.txt');
const MiB = 1024 * 1024;

const FACTS: SystemFacts = {
  cpu: { manufacturer: 'Intel', brand: 'Xeon', physicalCores: 4, cores: 8, processors: 1 },
  memTotal: 16 * 1024 * MiB,
  os: { distro: 'Ubuntu', release: '22.04', kernel: '6.5.0', hostname: 'gpu-host' },
};

const ok = (stdout: string): CommandResult => ({ code: 0, stdout, stderr: '', timedOut: false });

/** A fake runner answering `-q -x`, `topo -m` and `-L`; records the calls. */
function fakeRunner(xml: CommandResult, topo: CommandResult = ok(TOPO_8X), list: CommandResult = ok('')): CommandRunner & { calls: string[][] } {
  const calls: string[][] = [];
  const fn: CommandRunner = async (cmd, args) => {
    calls.push([cmd, ...args]);
    return args[0] === 'topo' ? topo : args[0] === '-L' ? list : xml;
  };
  return Object.assign(fn, { calls });
}

const SYSFS = fakeSysfs({
  '/sys/devices/system/node/node0/cpulist': '0-3\n',
  '/sys/devices/system/node/node0/meminfo': 'Node 0 MemTotal:       8388608 kB\n',
  '/sys/devices/system/node/node0/distance': '10 21\n',
  '/sys/devices/system/node/node1/cpulist': '4-7\n',
  '/sys/devices/system/node/node1/meminfo': 'Node 1 MemTotal:       8388608 kB\n',
  '/sys/devices/system/node/node1/distance': '21 10\n',
  '/sys/bus/pci/devices/0000:01:00.0/numa_node': '1\n',
  '/sys/class/net/lo/mtu': '65536\n',
  '/sys/class/net/eth0/device': '-> ../../../0000:03:00.0',
  '/sys/class/net/eth0/device/numa_node': '0\n',
  '/sys/class/net/eth0/speed': '25000\n',
  '/sys/class/net/eth0/mtu': '9000\n',
  '/sys/class/net/eth0/operstate': 'up\n',
  '/sys/class/infiniband/mlx5_2/device': '-> ../../../0000:03:00.0',
  '/sys/class/infiniband/mlx5_2/device/net': ['eth0'],
  '/sys/class/infiniband/mlx5_2/ports/1/state': '4: ACTIVE\n',
  '/sys/class/infiniband/mlx5_2/ports/1/rate': '100 Gb/sec (4X EDR)\n',
  '/sys/class/infiniband/mlx5_2/ports/1/link_layer': 'Ethernet\n',
  '/sys/class/infiniband/mlx5_3/device': '-> ../../../0000:04:00.0',
  '/sys/class/infiniband/mlx5_3/device/numa_node': '1\n',
  '/sys/class/infiniband/mlx5_3/ports/1/state': '1: DOWN\n',
  '/sys/class/infiniband/mlx5_3/ports/1/link_layer': 'InfiniBand\n',
});

describe('discoverHost with recorded nvidia-smi output', () => {
  it('8×V100S XML + 8-GPU topo: GPUs, links, NUMA and closest NICs from the files', async () => {
    const runner = fakeRunner(ok(V100S_XML));
    const inv = await discoverHost({ runner, nvidiaSmi: '/opt/nvidia-smi', sysfs: SYSFS, facts: FACTS });
    expect(runner.calls).toEqual([['/opt/nvidia-smi', '-q', '-x'], ['/opt/nvidia-smi', 'topo', '-m']]);
    expect(inv.gpus).toHaveLength(8);
    expect(inv.gpus.map((g) => g.uuid)).toEqual([
      'GPU-76098dc1-d3bc-9a1b-7ea6-f7b48837829e',
      'GPU-bbf7a241-bf9a-eb90-b2fb-d213294faf48',
      'GPU-8f75e71c-23dd-a060-d997-4caf592954db',
      'GPU-3181eb56-505c-8214-ba05-c132f68f89b8',
      'GPU-2aa87d54-d4ff-2900-812b-1a4b7e119583',
      'GPU-39c3a168-9034-0b5a-223a-1042f30a9242',
      'GPU-d2446f91-171e-1b54-515d-9d9b03484ddf',
      'GPU-1d955959-c95b-4f40-2cac-100d3006ffe2',
    ]);
    const g0 = inv.gpus[0]!;
    expect(g0).toMatchObject({
      index: 0,
      model: 'Tesla V100S-PCIE-32GB',
      memoryBytes: 32510 * MiB,
      pciBusId: '00000000:00:0D.0',
      minorNumber: 0,
      healthy: true,
      healthReasons: [],
      numaNode: 0, // "NUMA Affinity" 0 in topo -m
      cpuAffinity: '0-103',
      powerLimitWatts: 250,
      eccEnabled: true,
      persistenceMode: false,
      migEnabled: false,
      migDevices: [],
    });
    expect(g0.links).toHaveLength(7);
    expect(g0.links[0]).toEqual({ peerIndex: 1, kind: 'NV', nvlinks: 12, score: 1200 });
    // NIC0..NIC3 are PXB to GPU0; the NIC legend names them mlx5_2..mlx5_5.
    expect(g0.closestNics).toEqual(['mlx5_2', 'mlx5_3', 'mlx5_4', 'mlx5_5']);
    expect(inv.gpus[7]!.closestNics).toEqual(['mlx5_14', 'mlx5_15', 'mlx5_16', 'mlx5_17']);
    expect(inv.driverVersion).toBe('460.73.01');
    expect(inv.cudaVersion).toBe('11.2');
    expect(inv.conditions).toEqual([expect.objectContaining({ type: 'GpuDiscovery', status: 'True', message: expect.stringContaining('8 GPU') })]);
    expect(inv.capacity).toEqual({ cpuMillis: 8000, memoryBytes: FACTS.memTotal, gpus: 8, rdma: 1 });
    expect(inv.allocatable).toEqual(inv.capacity);
    expect(inv.hostname).toBe('gpu-host');
  });

  it('NUMA nodes and NICs from sysfs: RDMA paired by netdev, one without a netdev is its own NIC', async () => {
    const inv = await discoverHost({ runner: fakeRunner(ok(V100S_XML)), nvidiaSmi: 'nvidia-smi', sysfs: SYSFS, facts: FACTS });
    expect(inv.numaNodes).toEqual([
      { id: 0, cpus: '0-3', memoryBytes: 8 * 1024 * MiB, distances: [10, 21] },
      { id: 1, cpus: '4-7', memoryBytes: 8 * 1024 * MiB, distances: [21, 10] },
    ]);
    expect(inv.nics).toEqual([
      {
        name: 'eth0',
        speedMbps: 25000,
        mtu: 9000,
        state: 'up',
        pciAddress: '0000:03:00.0',
        numaNode: 0,
        rdmaDevice: 'mlx5_2',
        rdmaPorts: [{ port: 1, state: 'ACTIVE', rateGbps: 100, linkLayer: 'Ethernet' }],
      },
      {
        name: 'mlx5_3',
        speedMbps: 0,
        mtu: 0,
        state: '',
        pciAddress: '0000:04:00.0',
        numaNode: 1,
        rdmaDevice: 'mlx5_3',
        rdmaPorts: [{ port: 1, state: 'DOWN', rateGbps: 0, linkLayer: 'InfiniBand' }],
      },
    ]);
  });

  it('A100 MIG XML with topo -m failing: MIG devices reported, NUMA from sysfs, TopologyUnavailable', async () => {
    const topoFail: CommandResult = { code: 255, stdout: 'ERROR: Option -m is missing its value\n', stderr: '', timedOut: false };
    const inv = await discoverHost({ runner: fakeRunner(ok(A100_MIG_XML), topoFail), nvidiaSmi: 'nvidia-smi', sysfs: SYSFS, facts: FACTS });
    expect(inv.gpus).toHaveLength(1);
    const g = inv.gpus[0]!;
    expect(g).toMatchObject({
      uuid: 'GPU-513536b6-7d19-9063-b049-1e69664bb298',
      model: 'NVIDIA A100-SXM4-80GB',
      architecture: 'Ampere',
      minorNumber: 1,
      memoryBytes: 81920 * MiB,
      migEnabled: true,
      numaNode: 1, // /sys/bus/pci/devices/0000:01:00.0/numa_node
      links: [],
      closestNics: [],
      cpuAffinity: '',
    });
    expect(g.migDevices.map((m) => m.gpuInstanceId)).toEqual([3, 4, 5, 6]);
    expect(g.migDevices.every((m) => m.memoryBytes > 0)).toBe(true);
    expect(inv.driverVersion).toBe('535.54.03');
    expect(inv.conditions.map((c) => [c.type, c.status])).toEqual([['GpuDiscovery', 'True'], ['TopologyUnavailable', 'True']]);
    expect(inv.conditions[1]!.message).toContain('Option -m is missing its value');
    expect(inv.capacity?.gpus).toBe(1);
  });

  it('MIG devices without profile or UUID in -q get them from nvidia-smi -L; -L failing is a condition, not a failure', async () => {
    const list = ok(['GPU 0: NVIDIA A100-SXM4-80GB (UUID: GPU-513536b6-7d19-9063-b049-1e69664bb298)', ...[0, 1, 2, 3].map((i) => `  MIG 1g.10gb     Device  ${i}: (UUID: MIG-a-${i})`)].join('\n') + '\n');
    const runner = fakeRunner(ok(A100_MIG_XML), ok(TOPO_8X), list);
    const inv = await discoverHost({ runner, nvidiaSmi: 'nvidia-smi', sysfs: SYSFS, facts: FACTS });
    expect(runner.calls.map((c) => c.slice(1).join(' '))).toEqual(['-q -x', 'topo -m', '-L']);
    expect(inv.gpus[0]!.migDevices.map((m) => [m.profile, m.uuid])).toEqual([0, 1, 2, 3].map((i) => ['1g.10gb', `MIG-a-${i}`]));
    const failing = await discoverHost({ runner: fakeRunner(ok(A100_MIG_XML), ok(TOPO_8X), { code: 2, stdout: '', stderr: 'boom', timedOut: false }), nvidiaSmi: 'nvidia-smi', sysfs: SYSFS, facts: FACTS });
    expect(failing.gpus[0]!.migDevices).toHaveLength(4);
    expect(failing.conditions.find((c) => c.type === 'MigListUnavailable')).toMatchObject({ status: 'True' });
  });

  it('GPU NUMA is -1 when neither topo -m nor sysfs knows it', async () => {
    const inv = await discoverHost({ runner: fakeRunner(ok(A100_MIG_XML), ok('garbage\n')), nvidiaSmi: 'nvidia-smi', sysfs: fakeSysfs({}), facts: FACTS });
    expect(inv.gpus[0]!.numaNode).toBe(-1);
    expect(inv.conditions.map((c) => c.type)).toContain('TopologyUnavailable');
    expect(inv.numaNodes).toEqual([]);
    expect(inv.nics).toEqual([]);
    expect(inv.capacity?.rdma).toBe(0);
  });
});

describe('discoverHost when nvidia-smi does not work: zero GPUs and a condition, never a throw', () => {
  const cases: [string, CommandResult, string, string][] = [
    [
      'not installed (ENOENT)',
      { code: null, stdout: '', stderr: '', timedOut: false, error: { code: 'ENOENT', message: 'spawn nvidia-smi ENOENT' } },
      'NvidiaSmiNotFound',
      'spawn nvidia-smi ENOENT',
    ],
    [
      'driver not loaded (exit 9)',
      {
        code: 9,
        stdout:
          "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n\n",
        stderr: '',
        timedOut: false,
      },
      'NvidiaSmiFailed',
      "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver",
    ],
    ['a hang (timeout)', { code: null, stdout: '', stderr: '', timedOut: true }, 'NvidiaSmiTimeout', 'did not finish'],
    ['truncated XML', ok(V100S_XML.slice(0, Math.floor(V100S_XML.length / 2))), 'NvidiaSmiUnparsable', '-q -x'],
    ['empty output', ok(''), 'NvidiaSmiUnparsable', '-q -x'],
    ['exit 0 but the failure text', ok("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n"), 'NvidiaSmiFailed', 'NVIDIA-SMI has failed'],
  ];
  for (const [what, result, reason, message] of cases)
    it(what, async () => {
      const runner = fakeRunner(result);
      const inv = await discoverHost({ runner, nvidiaSmi: 'nvidia-smi', sysfs: SYSFS, facts: FACTS });
      expect(inv.gpus).toEqual([]);
      expect(inv.conditions).toHaveLength(1);
      expect(inv.conditions[0]).toMatchObject({ type: 'GpuDiscovery', status: 'False', reason });
      expect(inv.conditions[0]!.message).toContain(message);
      expect(inv.capacity?.gpus).toBe(0);
      expect(inv.capacity?.cpuMillis).toBe(8000);
      expect(inv.nics).toHaveLength(2); // sysfs is still read
      expect(runner.calls).toHaveLength(1); // no topo -m without GPUs
    });

  it('a runner that rejects (contract broken) still gives a condition', async () => {
    const runner: CommandRunner = () => Promise.reject(new Error('boom'));
    const inv = await discoverHost({ runner, nvidiaSmi: 'nvidia-smi', sysfs: SYSFS, facts: FACTS });
    expect(inv.gpus).toEqual([]);
    expect(inv.conditions[0]).toMatchObject({ type: 'GpuDiscovery', status: 'False', reason: 'NvidiaSmiFailed' });
  });
});
