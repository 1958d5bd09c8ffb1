// NUMA topology from /sys/devices/system/node and PCI device locality from
// /sys/bus/pci/devices/<bus>/numa_node. Pure parsing over an injected Sysfs.
import { parseCpuList } from '../../../shared/src/cpulist.js';
import { readInt, readTrimmed, type Sysfs } from './sysfs.js';

/** One NUMA node as seen in /sys/devices/system/node/node<N>. */
export interface NumaNode {
  /** Node number N from the directory name `node<N>`. */
  id: number;
  /** CPUs of the node, from `cpulist`, ascending; empty when the file is missing or malformed (e.g. a memory-only node). */
  cpus: number[];
  /** MemTotal from `meminfo`, in bytes; undefined when missing or malformed. */
  memoryBytes?: number;
  /** Row of the SLIT distance matrix from `distance` (index = node id order in the file); empty when missing. */
  distances: number[];
}

/** parseCpuList and MAX_CPULIST_CPUS live in shared/src/cpulist.ts (the scheduler reads cpulists too). */
export { MAX_CPULIST_CPUS, parseCpuList } from '../../../shared/src/cpulist.js';

/** Parses the MemTotal line of a per-node meminfo ("Node 0 MemTotal:  263856844 kB") into bytes. */
export function parseNodeMemTotal(meminfo: string): number | undefined {
  const m = /^\s*(?:Node\s+\d+\s+)?MemTotal:\s*(\d+)\s*(kB)?\s*$/m.exec(meminfo);
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2] ? n * 1024 : n;
}

const NODE_DIR = '/sys/devices/system/node';

/**
 * Reads every /sys/devices/system/node/node<N> directory, sorted by id. A host without
 * that directory (non-NUMA kernel, container without /sys) gives []. Missing or
 * malformed files give empty/undefined fields, never a throw.
 */
export function readNumaNodes(sysfs: Sysfs): NumaNode[] {
  const entries = sysfs.listDir(NODE_DIR) ?? [];
  const nodes: NumaNode[] = [];
  for (const name of entries) {
    const m = /^node(\d+)$/.exec(name);
    if (!m) continue;
    const id = Number(m[1]);
    const dir = `${NODE_DIR}/${name}`;
    const cpulist = sysfs.readFile(`${dir}/cpulist`);
    const cpus = (cpulist === undefined ? undefined : parseCpuList(cpulist)) ?? [];
    const meminfo = sysfs.readFile(`${dir}/meminfo`);
    const memoryBytes = meminfo === undefined ? undefined : parseNodeMemTotal(meminfo);
    const distText = readTrimmed(sysfs, `${dir}/distance`);
    let distances: number[] = [];
    if (distText !== undefined) {
      const parts = distText.split(/\s+/);
      if (parts.every((p) => /^\d+$/.test(p))) distances = parts.map(Number);
    }
    const node: NumaNode = { id, cpus, distances };
    if (memoryBytes !== undefined) node.memoryBytes = memoryBytes;
    nodes.push(node);
  }
  return nodes.sort((a, b) => a.id - b.id);
}

/**
 * Normalizes a PCI bus id to the sysfs form "dddd:bb:dd.f" in lower case: nvidia-smi's
 * 8-digit domain ("00000000:53:00.0") is cut to 4 digits, and a missing domain
 * ("53:00.0") becomes 0000. Returns undefined when the text is not a PCI address.
 */
export function normalizePciBusId(busId: string): string | undefined {
  const m = /^\s*(?:([0-9a-fA-F]{1,8}):)?([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})\.([0-7])\s*$/.exec(busId);
  if (!m) return undefined;
  const domainNum = parseInt(m[1] ?? '0', 16);
  if (domainNum > 0xffff) return undefined;
  const domain = domainNum.toString(16).padStart(4, '0');
  const bus = (m[2] ?? '').toLowerCase().padStart(2, '0');
  const dev = (m[3] ?? '').toLowerCase().padStart(2, '0');
  return `${domain}:${bus}:${dev}.${m[4] ?? '0'}`;
}

/**
 * NUMA node of a PCI device from /sys/bus/pci/devices/<bus>/numa_node. The bus id is
 * normalized first (see normalizePciBusId). A kernel value of -1 (no locality known),
 * a missing file or a malformed value give undefined.
 */
export function pciNumaNode(sysfs: Sysfs, busId: string): number | undefined {
  const bus = normalizePciBusId(busId);
  if (bus === undefined) return undefined;
  const n = readInt(sysfs, `/sys/bus/pci/devices/${bus}/numa_node`);
  return n === undefined || n < 0 ? undefined : n;
}
