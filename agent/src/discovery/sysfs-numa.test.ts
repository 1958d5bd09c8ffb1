import { describe, expect, it } from 'vitest';
import { fakeSysfs, hostSysfs } from './sysfs.js';
import { normalizePciBusId, parseCpuList, parseNodeMemTotal, pciNumaNode, readNumaNodes } from './sysfs-numa.js';

describe('parseCpuList', () => {
  it('parses ranges and singles', () => {
    const cpus = parseCpuList('0-51,104-155\n');
    expect(cpus).toHaveLength(104);
    expect(cpus?.slice(50, 53)).toEqual([50, 51, 104]);
    expect(parseCpuList('0,4,8,12')).toEqual([0, 4, 8, 12]);
    expect(parseCpuList('3,1-2,2')).toEqual([1, 2, 3]);
    expect(parseCpuList('')).toEqual([]);
  });
  it('rejects malformed input', () => {
    for (const bad of ['a', '5-3', '0-7:2', '1,,2', '0-99999999', 'N/A']) expect(parseCpuList(bad)).toBeUndefined();
  });
});

describe('readNumaNodes', () => {
  // two-socket H100 host: node0 0-51,104-155 and node1 52-103,156-207
  const sysfs = fakeSysfs({
    '/sys/devices/system/node/node0/cpulist': '0-51,104-155\n',
    '/sys/devices/system/node/node0/meminfo': 'Node 0 MemTotal:       1056466016 kB\nNode 0 MemFree:        1000000000 kB\n',
    '/sys/devices/system/node/node0/distance': '10 21\n',
    '/sys/devices/system/node/node1/cpulist': '52-103,156-207\n',
    '/sys/devices/system/node/node1/meminfo': 'Node 1 MemTotal:       1056946432 kB\n',
    '/sys/devices/system/node/node1/distance': '21 10\n',
    '/sys/devices/system/node/node10/cpulist': '\n',
    '/sys/devices/system/node/node10/distance': 'x y\n',
    '/sys/devices/system/node/possible': '0-1,10\n',
    '/sys/devices/system/node/has_cpu': '0-1\n',
  });
  it('reads nodes sorted by id, memory-only node with empty fields', () => {
    const nodes = readNumaNodes(sysfs);
    expect(nodes.map((n) => n.id)).toEqual([0, 1, 10]);
    expect(nodes[0]).toMatchObject({ memoryBytes: 1056466016 * 1024, distances: [10, 21] });
    expect(nodes[0]?.cpus).toHaveLength(104);
    expect(nodes[1]?.cpus[0]).toBe(52);
    expect(nodes[1]?.distances).toEqual([21, 10]);
    expect(nodes[2]).toEqual({ id: 10, cpus: [], distances: [] });
  });
  it('no node directory gives []', () => {
    expect(readNumaNodes(fakeSysfs({}))).toEqual([]);
    expect(readNumaNodes(hostSysfs('/nonexistent-muster-root'))).toEqual([]);
  });
  it('meminfo parse', () => {
    expect(parseNodeMemTotal('Node 3 MemTotal: 4 kB')).toBe(4096);
    expect(parseNodeMemTotal('garbage')).toBeUndefined();
  });
});

describe('pciNumaNode', () => {
  const sysfs = fakeSysfs({
    '/sys/bus/pci/devices/0000:53:00.0/numa_node': '0\n',
    '/sys/bus/pci/devices/0000:c3:00.0/numa_node': '1\n',
    '/sys/bus/pci/devices/0000:04:00.0/numa_node': '-1\n',
    '/sys/bus/pci/devices/0000:05:00.0/numa_node': 'bogus\n',
  });
  it('normalizes nvidia-smi bus ids', () => {
    expect(normalizePciBusId('00000000:53:00.0')).toBe('0000:53:00.0');
    expect(normalizePciBusId('00000000:C3:00.0')).toBe('0000:c3:00.0');
    expect(normalizePciBusId('53:00.0')).toBe('0000:53:00.0');
    expect(normalizePciBusId('mlx5_0')).toBeUndefined();
    expect(pciNumaNode(sysfs, '00000000:53:00.0')).toBe(0);
    expect(pciNumaNode(sysfs, '00000000:C3:00.0')).toBe(1);
  });
  it('-1, malformed, missing → undefined', () => {
    expect(pciNumaNode(sysfs, '0000:04:00.0')).toBeUndefined();
    expect(pciNumaNode(sysfs, '0000:05:00.0')).toBeUndefined();
    expect(pciNumaNode(sysfs, '0000:06:00.0')).toBeUndefined();
    expect(pciNumaNode(sysfs, 'not-a-bus')).toBeUndefined();
  });
});
