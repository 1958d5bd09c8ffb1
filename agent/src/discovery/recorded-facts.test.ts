import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { inventoryFromFacts, type SystemFacts } from '../inventory.js';
import { readRecordedFacts } from './recorded-facts.js';
import { fakeSysfs, hostSysfs, type Sysfs } from './sysfs.js';

const HWLOC = fileURLToPath(new URL('./testdata/hwloc/', import.meta.url));
const KiB = 1024;
const GiB = 1024 * 1024 * KiB;

const EMPTY_OS = { distro: '', release: '', kernel: '' };

// Real hwloc snapshots (testdata/hwloc/README.md). Expected values are hwloc's own output
// for the same tarball, cited as FILE:LINE (X = <name>.xml, C = <name>.console in
// open-mpi/hwloc tests/hwloc/linux/ @ 3b37b024aa3fe368dd82008eea7e1ad9dca97d2c), or the
// snapshot file that holds the value. None of the snapshots has etc/, so the hostname is
// the tree's directory name and the OS fields are ''.
describe('readRecordedFacts over hwloc sysfs snapshots', () => {
  const facts = (name: string): SystemFacts => readRecordedFacts(hostSysfs(`${HWLOC}${name}`));

  it('32em64t-2n8c+dax+nvme+mic+dimms: 2 x Xeon E5-2680, 16 cores, 16 threads', () => {
    expect(facts('32em64t-2n8c+dax+nvme+mic+dimms')).toEqual({
      // X:20 CPUModel "Intel(R) Xeon(R) CPU E5-2680 0 @ 2.70GHz"; vendor_id from proc/cpuinfo as written
      // X:19, X:190: 2 Packages; 16 Core objects (X:26-89, X:197-260); X:4 Machine cpuset 0x0000ffff = 16 PUs
      cpu: { manufacturer: 'GenuineIntel', brand: 'Intel(R) Xeon(R) CPU E5-2680 0 @ 2.70GHz', physicalCores: 16, cores: 16, processors: 2 },
      // proc/meminfo "MemTotal: 32836008 kB" (hwloc prints no machine total in X)
      memTotal: 32836008 * KiB,
      os: { ...EMPTY_OS, hostname: '32em64t-2n8c+dax+nvme+mic+dimms' },
    });
  });

  it('40intel64-2g2n4c+pcilocality: 4 x Xeon E7-4870, 40 cores, 40 threads', () => {
    expect(facts('40intel64-2g2n4c+pcilocality')).toEqual({
      // X:21 CPUModel "Intel(R) Xeon(R) CPU E7- 4870  @ 2.40GHz" (two spaces, as the CPU reports it)
      // X:20, X:116, X:276, X:372: 4 Packages; 40 Core and 40 PU objects; X:4 cpuset 0x000000ff,0xffffffff
      cpu: { manufacturer: 'GenuineIntel', brand: 'Intel(R) Xeon(R) CPU E7- 4870  @ 2.40GHz', physicalCores: 40, cores: 40, processors: 4 },
      // proc/meminfo "MemTotal: 529428392 kB"
      memTotal: 529428392 * KiB,
      os: { ...EMPTY_OS, hostname: '40intel64-2g2n4c+pcilocality' },
    });
  });

  it('16amd64-8n2c: 8 x dual-core Opteron 865; no proc/meminfo → sum of the 8 node meminfos', () => {
    const f = facts('16amd64-8n2c');
    expect(f).toEqual({
      // C:2 CPUModel "Dual Core AMD Opteron(tm) Processor 865"; C:99 8 Package, C:103 16 Core, C:104 16 PU
      cpu: { manufacturer: 'AuthenticAMD', brand: 'Dual Core AMD Opteron(tm) Processor 865', physicalCores: 16, cores: 16, processors: 8 },
      // node0 8386704 kB + 7 x 8388608 kB (C:3 local=8190MiB, C:15… local=8192MiB)
      memTotal: (8386704 + 7 * 8388608) * KiB,
      os: { ...EMPTY_OS, hostname: '16amd64-8n2c' },
    });
    // C:1 Machine total=64GiB
    expect(Math.round(f.memTotal / GiB)).toBe(64);
  });

  it('nvidiagpunumanodes: POWER9 (no vendor line), 2 sockets, 8 cores, 32 online threads of 176 in cpuinfo', () => {
    const f = facts('nvidiagpunumanodes');
    expect(f.cpu).toEqual({
      // C:2 CPUModel="POWER9, altivec supported" (the "cpu" line); POWER cpuinfo names no vendor → ''
      manufacturer: '',
      brand: 'POWER9, altivec supported',
      // C:88 8 Core, C:89 32 PU, C:83 2 Package (P#0 C:2, P#8 C:42). proc/cpuinfo still lists 176
      // processors; hwloc's devs trimmed sys/devices/system/cpu and cpu/online to 0-15,88-103.
      physicalCores: 8,
      cores: 32,
      processors: 2,
    });
    // proc/meminfo "MemTotal: 358162944 kB": the kernel counts the six 15 GiB V100 memory
    // nodes (250-255) in MemTotal, so it equals the sum of all 8 node meminfos. hwloc ignores
    // those nodes and prints C:1 Machine total=252GiB (node 0 + node 8 only).
    expect(f.memTotal).toBe(358162944 * KiB);
    expect(f.memTotal).toBe((129839104 + 133952000 + 6 * 15728640) * KiB);
    expect(Math.round((f.memTotal - 6 * 15 * GiB) / GiB)).toBe(252);
    expect(f.os).toEqual({ ...EMPTY_OS, hostname: 'nvidiagpunumanodes' });
  });

  it('nvidia-dgx-gb10: Arm, CPU implementer/part as written, 1 package, 20 cores', () => {
    expect(facts('nvidia-dgx-gb10')).toEqual({
      // X:20 CPUImplementer 0x41; X:213 / X:217 cpukinds CPUPart 0xd87 and 0xd85 (no "model name" in cpuinfo)
      // X:19 one Package (os_index 36); 20 Core and 20 PU objects; X:4 cpuset 0x000fffff
      cpu: { manufacturer: '0x41', brand: 'CPU part 0xd87, 0xd85', physicalCores: 20, cores: 20, processors: 1 },
      // proc/meminfo MemTotal 125508468 kB = X:24 NUMANode local_memory 128520671232
      memTotal: 128520671232,
      os: { ...EMPTY_OS, hostname: 'nvidia-dgx-gb10' },
    });
  });

  it('feeds inventoryFromFacts like systeminformation facts', () => {
    const inv = inventoryFromFacts(facts('32em64t-2n8c+dax+nvme+mic+dimms'));
    expect(inv).toMatchObject({ hostname: '32em64t-2n8c+dax+nvme+mic+dimms', sockets: 2, cores: 16, threads: 16, memoryBytes: 32836008 * KiB });
    expect(inv.capacity?.cpuMillis).toBe(16_000);
  });
});

describe('readRecordedFacts sources', () => {
  it('etc/hostname, etc/os-release and proc/sys/kernel/osrelease', () => {
    const f = readRecordedFacts({
      ...fakeSysfs({
        '/etc/hostname': '# set by the installer\n  gpu-node-17  \n',
        '/etc/os-release': 'NAME="Ubuntu"\nVERSION="22.04.4 LTS (Jammy Jellyfish)"\nID=ubuntu\nVERSION_ID="22.04"\n',
        '/proc/sys/kernel/osrelease': '5.15.0-105-generic\n',
      }),
      root: '/recordings/ignored-when-etc-hostname-exists',
    });
    expect(f.os).toEqual({ distro: 'Ubuntu', release: '22.04', kernel: '5.15.0-105-generic', hostname: 'gpu-node-17' });
  });

  it('os-release without NAME/VERSION_ID falls back to ID/VERSION; single quotes', () => {
    const f = readRecordedFacts(fakeSysfs({ '/etc/os-release': "ID='rocky'\nVERSION='9.3 (Blue Onyx)'\n" }));
    expect(f.os).toMatchObject({ distro: 'rocky', release: '9.3 (Blue Onyx)' });
  });

  it('an absolute /etc/os-release symlink is read inside the tree, never from the host', () => {
    const root = mkdtempSync(join(tmpdir(), 'muster-recorded-'));
    try {
      mkdirSync(join(root, 'etc'));
      mkdirSync(join(root, 'usr/lib'), { recursive: true });
      writeFileSync(join(root, 'usr/lib/os-release'), 'NAME="Recorded Linux"\nVERSION_ID=7\n');
      symlinkSync('/usr/lib/os-release', join(root, 'etc/os-release'));
      const f = readRecordedFacts(hostSysfs(root));
      expect(f.os).toMatchObject({ distro: 'Recorded Linux', release: '7' });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('the tree root names the host when etc/hostname is missing; a live root "/" gives ""', () => {
    expect(readRecordedFacts({ ...fakeSysfs({}), root: '/recordings/dgx-a100-07/' }).os.hostname).toBe('dgx-a100-07');
    expect(readRecordedFacts({ ...fakeSysfs({}), root: '/' }).os.hostname).toBe('');
  });

  it('ARM cpuinfo with a model name; s390 vendor line', () => {
    const arm = readRecordedFacts(
      fakeSysfs({ '/proc/cpuinfo': 'processor\t: 0\nmodel name\t: ARMv8 Processor rev 1 (v8l)\nCPU implementer\t: 0x41\nCPU part\t: 0xd08\n' }),
    );
    expect(arm.cpu).toMatchObject({ manufacturer: '0x41', brand: 'ARMv8 Processor rev 1 (v8l)' });
    const s390 = readRecordedFacts(fakeSysfs({ '/proc/cpuinfo': 'vendor_id       : IBM/S390\n# processors    : 4\n' }));
    expect(s390.cpu).toMatchObject({ manufacturer: 'IBM/S390', brand: '' });
  });

  it('only online CPUs with a topology count; package -1 falls back to core_siblings_list, missing core_id to thread_siblings_list', () => {
    const topo = (cpu: number, pkg: string, core: string | undefined, ts: string, cs: string): Record<string, string> => ({
      [`/sys/devices/system/cpu/cpu${cpu}/topology/physical_package_id`]: pkg,
      ...(core === undefined ? {} : { [`/sys/devices/system/cpu/cpu${cpu}/topology/core_id`]: core }),
      [`/sys/devices/system/cpu/cpu${cpu}/topology/thread_siblings_list`]: ts,
      [`/sys/devices/system/cpu/cpu${cpu}/topology/core_siblings_list`]: cs,
    });
    const f = readRecordedFacts(
      fakeSysfs({
        '/sys/devices/system/cpu/online': '0-5\n',
        ...topo(0, '-1\n', '0\n', '0-1\n', '0-3\n'),
        ...topo(1, '-1\n', '0\n', '0-1\n', '0-3\n'),
        ...topo(2, '-1\n', undefined, '2-3\n', '0-3\n'),
        ...topo(3, '-1\n', undefined, '2-3\n', '0-3\n'),
        ...topo(4, '1\n', '0\n', '4\n', '4-5\n'),
        ...topo(5, '1\n', '1\n', '5\n', '4-5\n'),
        // offline: not counted even though its topology is recorded
        ...topo(6, '2\n', '0\n', '6\n', '6\n'),
      }),
    );
    expect(f.cpu).toMatchObject({ processors: 2, physicalCores: 4, cores: 6 });
  });

  it('without cpu/online, threads are the cpu<N> directories that have a topology', () => {
    const f = readRecordedFacts(
      fakeSysfs({
        '/sys/devices/system/cpu/cpu0/topology/physical_package_id': '0\n',
        '/sys/devices/system/cpu/cpu0/topology/core_id': '0\n',
        '/sys/devices/system/cpu/cpu1/topology/physical_package_id': '0\n',
        '/sys/devices/system/cpu/cpu1/topology/core_id': '0\n',
        '/sys/devices/system/cpu/cpu2/cpufreq/scaling_governor': 'performance\n',
        '/sys/devices/system/cpu/cpuidle/current_driver': 'intel_idle\n',
      }),
    );
    expect(f.cpu).toMatchObject({ processors: 1, physicalCores: 1, cores: 2 });
  });

  it('a tree without /sys CPU topology counts from proc/cpuinfo', () => {
    const block = (p: number, pkg: number, core: number): string =>
      `processor\t: ${p}\nvendor_id\t: GenuineIntel\nmodel name\t: Xeon\nphysical id\t: ${pkg}\ncore id\t\t: ${core}\n`;
    const text = [block(0, 0, 0), block(1, 0, 0), block(2, 1, 0), block(3, 1, 1)].join('\n');
    expect(readRecordedFacts(fakeSysfs({ '/proc/cpuinfo': text })).cpu).toEqual({
      manufacturer: 'GenuineIntel',
      brand: 'Xeon',
      physicalCores: 3,
      cores: 4,
      processors: 2,
    });
  });

  it('unparsable proc/meminfo falls back to the node meminfos', () => {
    const f = readRecordedFacts(
      fakeSysfs({
        '/proc/meminfo': 'MemTotal:   lots\n',
        '/sys/devices/system/node/node0/meminfo': 'Node 0 MemTotal:       1024 kB\n',
        '/sys/devices/system/node/node1/meminfo': 'Node 1 MemTotal:       garbage\n',
        '/sys/devices/system/node/node3/meminfo': 'Node 3 MemTotal:       2048 kB\n',
        '/sys/devices/system/node/nodeX/meminfo': 'Node 9 MemTotal:       4096 kB\n',
      }),
    );
    expect(f.memTotal).toBe(3072 * KiB);
  });
});

describe('readRecordedFacts never throws: missing and malformed parts are 0 / ""', () => {
  const ZERO: SystemFacts = {
    cpu: { manufacturer: '', brand: '', physicalCores: 0, cores: 0, processors: 0 },
    memTotal: 0,
    os: { distro: '', release: '', kernel: '', hostname: '' },
  };
  const tmp: string[] = [];
  afterAll(() => {
    for (const d of tmp) rmSync(d, { recursive: true, force: true });
  });

  it('empty tree', () => {
    expect(readRecordedFacts(fakeSysfs({}))).toEqual(ZERO);
    const root = mkdtempSync(join(tmpdir(), 'muster-empty-'));
    tmp.push(root);
    // an empty directory on disk: everything 0 / '' except the hostname, which is the directory name
    const f = readRecordedFacts(hostSysfs(root));
    expect(f).toEqual({ ...ZERO, os: { ...ZERO.os, hostname: root.split('/').pop() } });
    expect(readRecordedFacts(hostSysfs('/nonexistent-muster-root')).cpu).toEqual(ZERO.cpu);
  });

  it('cpuinfo without a model name (or anything else) gives "" names', () => {
    expect(readRecordedFacts(fakeSysfs({ '/proc/cpuinfo': 'processor\t: 0\n\nprocessor\t: 1\n' })).cpu).toEqual({
      ...ZERO.cpu,
      cores: 2,
    });
    expect(readRecordedFacts(fakeSysfs({ '/proc/cpuinfo': 'processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t:\n' })).cpu).toMatchObject({
      manufacturer: 'GenuineIntel',
      brand: '',
    });
  });

  it('garbage in every file', () => {
    const junk = '\u0000\u0001 :: -- \uFFFD\n=\n0-\n';
    const f = readRecordedFacts(
      fakeSysfs({
        '/proc/cpuinfo': 'no colon here\n\n\n:\n',
        '/proc/meminfo': junk,
        '/etc/os-release': junk,
        '/etc/hostname': '\n#only a comment\n',
        '/proc/sys/kernel/osrelease': '\n',
        '/sys/devices/system/cpu/online': '0-99999999\n',
        '/sys/devices/system/cpu/cpu0/topology/physical_package_id': 'zero\n',
        '/sys/devices/system/cpu/cpu0/topology/core_id': '1.5\n',
        '/sys/devices/system/cpu/cpu0/topology/thread_siblings_list': '5-3\n',
        '/sys/devices/system/cpu/cpu0/topology/core_siblings_list': junk,
        '/sys/devices/system/node/node0/meminfo': junk,
      }),
    );
    expect(f).toEqual(ZERO);
  });

  it('directories and dangling links where files should be', () => {
    const root = mkdtempSync(join(tmpdir(), 'muster-garbage-'));
    tmp.push(root);
    mkdirSync(join(root, 'proc/cpuinfo'), { recursive: true });
    mkdirSync(join(root, 'etc'));
    symlinkSync('../nowhere/os-release', join(root, 'etc/os-release'));
    mkdirSync(join(root, 'etc/hostname'));
    mkdirSync(join(root, 'sys/devices/system/cpu/cpu0/topology/core_id'), { recursive: true });
    const f = readRecordedFacts(hostSysfs(root));
    expect(f.cpu).toEqual(ZERO.cpu);
    expect(f.os).toEqual({ ...ZERO.os, hostname: root.split('/').pop() });
  });

  it('a reader that throws (against the Sysfs contract)', () => {
    const boom = (): never => {
      throw new Error('EIO');
    };
    const throwing: Sysfs = { readFile: boom, listDir: boom, readLink: boom };
    expect(readRecordedFacts(throwing)).toEqual(ZERO);
  });
});
