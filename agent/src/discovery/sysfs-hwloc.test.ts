// The sysfs readers against REAL Linux sysfs snapshots from hwloc's test suite
// (open-mpi/hwloc tests/hwloc/linux/, commit 3b37b024aa3fe368dd82008eea7e1ad9dca97d2c,
// BSD-3-Clause; trimmed copies in testdata/hwloc/, see its README.md). Expected values
// come from hwloc's own expected output for the same tarball (the .xml / .console next to
// it upstream; cited as FILE:LINE), or, where hwloc does not report a value, from the
// kernel file in the snapshot that says it (cited by path).
import { lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readNics, readRdmaDevices } from './sysfs-net.js';
import { parseCpuList, pciNumaNode, readNumaNodes, type NumaNode } from './sysfs-numa.js';
import { hostSysfs, type Sysfs } from './sysfs.js';

const HWLOC = fileURLToPath(new URL('./testdata/hwloc/', import.meta.url));
const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

function tree(name: string): Sysfs {
  return hostSysfs(`${HWLOC}${name}`);
}

/** CPUs of an hwloc cpuset attribute as written in its XML ("0x000000ff,0xffffffff": 32-bit words, most significant first). */
function hwlocCpuset(mask: string): number[] {
  const out: number[] = [];
  const words = mask.split(',').reverse();
  words.forEach((w, i) => {
    const v = parseInt(w, 16);
    for (let b = 0; b < 32; b++) if ((v >>> b) & 1) out.push(i * 32 + b);
  });
  return out;
}

/** The kernel file of a snapshot, as text. */
function snapshotFile(name: string, path: string): string {
  return readFileSync(`${HWLOC}${name}${path}`, 'utf8');
}

/** Checks the SLIT rows: index j of every row is the j-th node in ascending id order, symmetric, 10 on the diagonal. */
function expectSlitConsistent(nodes: NumaNode[]): void {
  nodes.forEach((a, i) => {
    expect(a.distances).toHaveLength(nodes.length);
    expect(a.distances[i]).toBe(10);
    nodes.forEach((b, j) => expect(a.distances[j]).toBe(b.distances[i]));
  });
}

describe('the trimmed snapshots keep sysfs symlinks as symlinks', () => {
  it('class entries and device links are relative symlinks', () => {
    const root = `${HWLOC}32em64t-2n8c+dax+nvme+mic+dimms`;
    for (const p of ['/sys/class/net/eth0', '/sys/class/net/ib0', '/sys/class/infiniband/mlx4_0', '/sys/class/net/lo'])
      expect(lstatSync(`${root}${p}`).isSymbolicLink()).toBe(true);
    expect(readlinkSync(`${root}/sys/class/net/ib0`)).toBe('../../devices/pci0000:80/0000:80:02.2/0000:82:00.0/net/ib0');
    expect(readlinkSync(`${root}/sys/class/net/ib0/device`)).toBe('../../../0000:82:00.0');
  });
});

describe('32em64t-2n8c+dax+nvme+mic+dimms (2-socket Xeon E5-2680, 2 NUMA nodes, 16 PUs, mlx4_0 FDR InfiniBand)', () => {
  // X = 32em64t-2n8c+dax+nvme+mic+dimms.xml (hwloc's expected output for this snapshot)
  const s = tree('32em64t-2n8c+dax+nvme+mic+dimms');

  it(`NUMA: 2 nodes with hwloc's cpusets, memory and distances`, () => {
    const nodes = readNumaNodes(s);
    expect(nodes.map((n) => n.id)).toEqual([0, 1]);
    // X:21 NUMANode os_index=0 cpuset=0x000000ff local_memory=17149054976
    expect(nodes[0]).toEqual({ id: 0, cpus: hwlocCpuset('0x000000ff'), memoryBytes: 17149054976, distances: [10, 21] });
    // X:192 NUMANode os_index=1 cpuset=0x0000ff00 local_memory=17179869184
    expect(nodes[1]).toEqual({ id: 1, cpus: hwlocCpuset('0x0000ff00'), memoryBytes: 17179869184, distances: [21, 10] });
    // X:528 NUMALatency u64values "10 21 21 10"
    expect(nodes.flatMap((n) => n.distances)).toEqual([10, 21, 21, 10]);
    // X:4 Machine cpuset=0x0000ffff: the nodes cover the 16 PUs exactly once
    expect(nodes.flatMap((n) => n.cpus)).toEqual(hwlocCpuset('0x0000ffff'));
  });

  it('NICs: eth0, eth1, ib0 (the PCI ones hwloc reports); lo, br0, eth0.1015, mic0 skipped', () => {
    // X:101 eth0 under PCIDev 0000:02:00.0 (X:100), X:106 eth1 under 0000:02:00.3 (X:105),
    // X:272 ib0 under 0000:82:00.0 (X:270). lo/br0/eth0.1015/mic0 are virtual (class links
    // into devices/virtual/net, not recorded upstream) and appear nowhere in X.
    const nics = readNics(s);
    expect(nics.map((n) => n.name)).toEqual(['eth0', 'eth1', 'ib0']);
    // speed/mtu/operstate/numa_node: the snapshot's sys/devices/.../net/<if>/{speed,mtu,operstate}
    // and .../<pci>/numa_node (hwloc does not report them); eth1 and ib0 have an empty speed file.
    expect(nics[0]).toEqual({ name: 'eth0', device: '0000:02:00.0', pciBusId: '0000:02:00.0', speedMbps: 1000, mtu: 1500, operState: 'up', numaNode: 0 });
    expect(nics[1]).toEqual({ name: 'eth1', device: '0000:02:00.3', pciBusId: '0000:02:00.3', mtu: 1500, operState: 'down', numaNode: 0 });
    expect(nics[2]).toEqual({ name: 'ib0', device: '0000:82:00.0', pciBusId: '0000:82:00.0', mtu: 2044, operState: 'up', numaNode: 1 });
    // The PCI functions sit in the NUMA node whose package holds their bus:
    // X pci_locality bus 0x00-0x06 → cpuset 0x000000ff (node 0), bus 0x80-0x83 → 0x0000ff00 (node 1).
    expect(pciNumaNode(s, '0000:02:00.0')).toBe(0);
    expect(pciNumaNode(s, '00000000:82:00.0')).toBe(1);
  });

  it('RDMA: mlx4_0 with port 1 ACTIVE, paired with ib0, on 0000:82:00.0 / node 1', () => {
    const mlx = readRdmaDevices(s).find((d) => d.name === 'mlx4_0');
    // X:276 OSDev mlx4_0 (OpenFabrics, osdev_type 48) under PCIDev 0000:82:00.0 (X:270);
    // X:279 Port1State=4 (ACTIVE). hca_type/fw_ver/board_id/rate/phys_state/link_layer
    // come from the snapshot's infiniband/mlx4_0 files.
    expect(mlx).toEqual({
      name: 'mlx4_0',
      hcaType: 'MT4099',
      firmwareVersion: '2.11.500',
      boardId: 'DEL0A30000019',
      pciBusId: '0000:82:00.0',
      numaNode: 1,
      netdevs: ['ib0'],
      netdev: 'ib0',
      ports: [{ port: 1, state: 'ACTIVE', stateCode: 4, physState: 'LinkUp', rate: '56 Gb/sec (4X FDR)', rateGbps: 56, linkLayer: 'InfiniBand' }],
    });
  });

  it('RDMA: only mlx4_0, as hwloc reports (scif0 is a class link whose directory is not in the snapshot)', () => {
    // X:276 is the only OpenFabrics OSDev (osdev_type="48") in X. The snapshot's
    // sys/class/infiniband/scif0 -> ../../devices/scif_dma_0/infiniband/scif0 dangles:
    // nothing of the device was recorded, so there is no device to report.
    expect(readRdmaDevices(s).map((d) => d.name)).toEqual(['mlx4_0']);
  });
});

describe('40intel64-2g2n4c+pcilocality (4-socket Xeon E7-4870, 4 NUMA nodes with interleaved CPUs, qib0 QDR)', () => {
  // X = 40intel64-2g2n4c+pcilocality.xml (hwloc's expected output for this snapshot)
  const s = tree('40intel64-2g2n4c+pcilocality');

  it('NUMA: 4 nodes, interleaved cpulists "0,4,8,…" match hwloc cpusets and memory', () => {
    const nodes = readNumaNodes(s);
    expect(nodes.map((n) => n.id)).toEqual([0, 1, 2, 3]);
    // X:22, X:278, X:118, X:374: NUMANode os_index 0..3 cpuset / local_memory
    const expected: Array<[string, number]> = [
      ['0x00000011,0x11111111', 137425154048],
      ['0x00000022,0x22222222', 137438953472],
      ['0x00000044,0x44444444', 137438953472],
      ['0x00000088,0x88888888', 137438953472],
    ];
    expected.forEach(([mask, mem], i) => {
      expect(nodes[i]?.cpus).toEqual(hwlocCpuset(mask));
      expect(nodes[i]?.memoryBytes).toBe(mem);
    });
    expect(nodes[0]?.cpus).toEqual([0, 4, 8, 12, 16, 20, 24, 28, 32, 36]);
    // X:497-498 NUMALatency: 10 on the diagonal, 20 elsewhere
    expect(nodes.map((n) => n.distances)).toEqual([
      [10, 20, 20, 20],
      [20, 10, 20, 20],
      [20, 20, 10, 20],
      [20, 20, 20, 10],
    ]);
    // X:4 Machine cpuset=0x000000ff,0xffffffff: 40 PUs, each in exactly one node
    expect(nodes.flatMap((n) => n.cpus).sort((a, b) => a - b)).toEqual(hwlocCpuset('0x000000ff,0xffffffff'));
  });

  it('NICs: eth0-3 (numa_node -1 → no NUMA node) and ib0 (numa_node 2)', () => {
    // X:225/230/237/242 eth0-3 under PCIDev 0000:02:00.0, 02:00.1, 03:00.0, 03:00.1; X:472 ib0
    // under 0000:43:00.0 (X:471). NUMA: the kernel wrote numa_node -1 for the Broadcom
    // functions and 2 for the QLogic HCA (sys/devices/.../numa_node). X's own PCI locality
    // (X:104-105) is FORCED by the test's HWLOC_PCI_LOCALITY (40intel64-2g2n4c+pcilocality.test
    // upstream) and is not what the kernel reported, so it is not used here.
    const nics = readNics(s);
    expect(nics.map((n) => [n.name, n.pciBusId, n.numaNode, n.operState, n.mtu, n.speedMbps])).toEqual([
      ['eth0', '0000:02:00.0', undefined, 'up', 1500, 1000],
      ['eth1', '0000:02:00.1', undefined, 'down', 1500, undefined],
      ['eth2', '0000:03:00.0', undefined, 'down', 1500, undefined],
      ['eth3', '0000:03:00.1', undefined, 'down', 1500, undefined],
      ['ib0', '0000:43:00.0', 2, 'up', 2044, undefined],
    ]);
    expect(pciNumaNode(s, '0000:02:00.0')).toBeUndefined();
    expect(pciNumaNode(s, '0000:43:00.0')).toBe(2);
  });

  it('RDMA: qib0 (QLogic QLE7340, no fw_ver file) ACTIVE at 40 Gb/s, paired with ib0', () => {
    // X:476 OSDev qib0 (osdev_type 48) under 0000:43:00.0; X:479 Port1State=4.
    expect(readRdmaDevices(s)).toEqual([
      {
        name: 'qib0',
        hcaType: 'InfiniPath_QLE7340',
        boardId: 'InfiniPath_QLE7340',
        pciBusId: '0000:43:00.0',
        numaNode: 2,
        netdevs: ['ib0'],
        netdev: 'ib0',
        ports: [{ port: 1, state: 'ACTIVE', stateCode: 4, physState: 'LinkUp', rate: '40 Gb/sec (4X QDR)', rateGbps: 40, linkLayer: 'InfiniBand' }],
      },
    ]);
  });
});

describe('16amd64-8n2c (8-socket dual-core Opteron 865, 8 NUMA nodes)', () => {
  // C = 16amd64-8n2c.console (hwloc's expected output for this snapshot)
  const s = tree('16amd64-8n2c');

  it('NUMA: 8 nodes of 2 CPUs, memory as hwloc prints it, 10/20 SLIT', () => {
    const nodes = readNumaNodes(s);
    // C:105 "8 NUMANode"
    expect(nodes.map((n) => n.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // C:7-13, C:19-25, …: Package P#k holds PUs P#2k and P#2k+1 with NUMANode P#k
    nodes.forEach((n, k) => expect(n.cpus).toEqual([2 * k, 2 * k + 1]));
    // C:3 NUMANode P#0 local=8190MiB; C:15, 27, 39, 51, 63, 75, 87 local=8192MiB
    expect(nodes[0]?.memoryBytes).toBe(8386704 * KiB);
    expect(Math.round((nodes[0]?.memoryBytes ?? 0) / MiB)).toBe(8190);
    for (const n of nodes.slice(1)) expect(n.memoryBytes).toBe(8192 * MiB);
    // C:107-115 latency matrix: 10 on the diagonal, 20 elsewhere
    nodes.forEach((n, i) => expect(n.distances).toEqual(nodes.map((_, j) => (i === j ? 10 : 20))));
    expectSlitConsistent(nodes);
  });

  it('no /sys/class/net or /sys/class/infiniband in the snapshot', () => {
    expect(readNics(s)).toEqual([]);
    expect(readRdmaDevices(s)).toEqual([]);
  });
});

describe('nvidiagpunumanodes (POWER9 8335-GTW; V100 memory exposed as CPU-less NUMA nodes 250-255)', () => {
  // C = nvidiagpunumanodes.console (hwloc's expected output for this snapshot)
  const name = 'nvidiagpunumanodes';
  const s = tree(name);
  const nodes = readNumaNodes(s);

  it('lists all 8 kernel NUMA nodes: 0 and 8 with CPUs, 250-255 memory-only', () => {
    // The kernel's node/online and node/has_memory: "0,8,250-255"; node/has_cpu: "0,8".
    expect(nodes.map((n) => n.id)).toEqual(parseCpuList(snapshotFile(name, '/sys/devices/system/node/has_memory')));
    expect(nodes.filter((n) => n.cpus.length > 0).map((n) => n.id)).toEqual(parseCpuList(snapshotFile(name, '/sys/devices/system/node/has_cpu')));
    expect(nodes.map((n) => n.id)).toEqual([0, 8, 250, 251, 252, 253, 254, 255]);
  });

  it('memory-only nodes: cpus [] (empty cpulist), 15 GiB each, a full SLIT row', () => {
    // hwloc ignores these nodes by default (C:90 "2 NUMANode"; the .test upstream says
    // "P9 with V100 NUMA nodes, ignored"), so the values come from the snapshot:
    // node25x/cpulist is "\n", node25x/meminfo "Node 25x MemTotal: 15728640 kB".
    const gpuNodes = nodes.filter((n) => n.id >= 250);
    expect(gpuNodes).toHaveLength(6);
    gpuNodes.forEach((n, i) => {
      expect(n.cpus).toEqual([]);
      expect(n.memoryBytes).toBe(15 * GiB);
      expect(n.distances).toEqual(nodes.map((_, j) => (j === i + 2 ? 10 : 80)));
    });
  });

  it('CPU nodes: memory and the 10/40 latency hwloc prints; kernel cpulists hold the CPUs hwloc trimmed away', () => {
    const [n0, n8] = nodes;
    // C:3 NUMANode P#0 local=124GiB, C:43 NUMANode P#8 local=128GiB
    expect(n0?.memoryBytes).toBe(129839104 * KiB);
    expect(Math.round((n0?.memoryBytes ?? 0) / GiB)).toBe(124);
    expect(n8?.memoryBytes).toBe(133952000 * KiB);
    expect(Math.round((n8?.memoryBytes ?? 0) / GiB)).toBe(128);
    // C:94-96: latency 10/40 between the two CPU nodes; the memory-only nodes are 80 away.
    expect(n0?.distances).toEqual([10, 40, 80, 80, 80, 80, 80, 80]);
    expect(n8?.distances).toEqual([40, 10, 80, 80, 80, 80, 80, 80]);
    expectSlitConsistent(nodes);
    // The reader returns node0/cpulist as the kernel wrote it, "0-87" (88 CPUs: 22 cores x SMT4).
    // hwloc's devs removed CPUs 16-87 and 104-175 from sys/devices/system/cpu and cpu/online
    // ("Some cpus were removed … to reduce the size", nvidiagpunumanodes.test upstream), so
    // hwloc shows PUs 0-15 (C:9-35) and 88-103 (C:49-75): exactly the node CPUs that are online.
    expect(n0?.cpus).toEqual(parseCpuList('0-87'));
    expect(n8?.cpus).toEqual(parseCpuList('88-175'));
    const online = new Set(parseCpuList(snapshotFile(name, '/sys/devices/system/cpu/online')));
    expect(n0?.cpus.filter((c) => online.has(c))).toEqual(parseCpuList('0-15'));
    expect(n8?.cpus.filter((c) => online.has(c))).toEqual(parseCpuList('88-103'));
  });

  it('no NICs or RDMA devices recorded', () => {
    expect(readNics(s)).toEqual([]);
    expect(readRdmaDevices(s)).toEqual([]);
  });
});

describe('nvidia-dgx-gb10 (DGX Spark GB10, 20 Arm cores, 1 NUMA node)', () => {
  // X = nvidia-dgx-gb10.xml (hwloc's expected output for this snapshot)
  const s = tree('nvidia-dgx-gb10');

  it('NUMA: one node with all 20 CPUs and all memory', () => {
    // X:24 NUMANode os_index=0 cpuset=0x000fffff local_memory=128520671232
    expect(readNumaNodes(s)).toEqual([{ id: 0, cpus: hwlocCpuset('0x000fffff'), memoryBytes: 128520671232, distances: [10] }]);
  });
});
