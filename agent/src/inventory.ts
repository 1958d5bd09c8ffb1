/**
 * The node's inventory (muster.v1.NodeInventory): discovered with
 * systeminformation, or read from a recorded `--hardware FILE` so that one
 * machine can play many GPU hosts in tests and benchmarks (DESIGN §6).
 * GPU, NUMA and NIC discovery come with the discovery issue.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { withProtoDefaults } from '../../shared/src/proto/defaults.js';
import si from 'systeminformation';
import { InvalidArgumentError, type FieldIssue } from '../../shared/src/errors.js';
import { decodeJsonText } from '../../shared/src/proto/json-codec.js';
import type { NodeInventory, ResourceList } from '../../shared/src/proto/types.js';

/** DISCOVERED_SOURCE is NodeInventory.source when the inventory was discovered on this host. */
export const DISCOVERED_SOURCE = 'discovered';

/** SystemFacts is what discovery reads from the host (systeminformation's fields). */
export interface SystemFacts {
  cpu: { manufacturer: string; brand: string; physicalCores: number; cores: number; processors: number };
  memTotal: number;
  os: { distro: string; release: string; kernel: string; hostname: string };
}

/** readSystemFacts asks systeminformation about CPU, memory and OS. */
export async function readSystemFacts(): Promise<SystemFacts> {
  const [cpu, mem, osInfo] = await Promise.all([si.cpu(), si.mem(), si.osInfo()]);
  return {
    cpu: {
      manufacturer: cpu.manufacturer,
      brand: cpu.brand,
      physicalCores: cpu.physicalCores,
      cores: cpu.cores,
      processors: cpu.processors,
    },
    memTotal: mem.total,
    os: { distro: osInfo.distro, release: osInfo.release, kernel: osInfo.kernel, hostname: osInfo.hostname },
  };
}

/**
 * deriveCapacity computes what a host has from its counts: every logical CPU
 * (threads, else cores) as 1000 millicores, all memory, every healthy GPU, no
 * RDMA NICs yet.
 */
export function deriveCapacity(inv: Pick<NodeInventory, 'cores' | 'threads' | 'memoryBytes' | 'gpus'>): ResourceList {
  const logical = inv.threads > 0 ? inv.threads : inv.cores;
  return {
    cpuMillis: logical * 1000,
    memoryBytes: inv.memoryBytes,
    gpus: inv.gpus.filter((g) => g.healthy).length,
    rdma: 0,
  };
}

/** inventoryFromFacts builds the inventory of a discovered host; allocatable = capacity (nothing reserved yet). */
export function inventoryFromFacts(facts: SystemFacts): NodeInventory {
  const cpuModel = [facts.cpu.manufacturer, facts.cpu.brand].filter((s) => s && s.trim()).join(' ');
  const counts = { cores: facts.cpu.physicalCores, threads: facts.cpu.cores, memoryBytes: facts.memTotal, gpus: [] };
  const capacity = deriveCapacity(counts);
  return withProtoDefaults<NodeInventory>('muster.v1.NodeInventory', {
    hostname: facts.os.hostname || os.hostname(),
    cpuModel,
    sockets: facts.cpu.processors,
    ...counts,
    os: [facts.os.distro, facts.os.release].filter((s) => s && s.trim()).join(' '),
    kernel: facts.os.kernel,
    capacity,
    allocatable: { ...capacity },
    source: DISCOVERED_SOURCE,
  });
}

/**
 * parseHardwareText validates a recorded inventory (the proto JSON shape of
 * NodeInventory, unknown fields rejected) and completes it: a missing capacity
 * is derived from the counts as on a discovered host, a missing allocatable
 * equals capacity, and source names the file. Throws InvalidArgumentError
 * naming every bad field by its path.
 */
export function parseHardwareText(text: string, file: string): NodeInventory {
  const what = `hardware file ${file}`;
  const decoded = decodeJsonText<NodeInventory>('muster.v1.NodeInventory', text, { rejectUnknown: true });
  if (!decoded.ok) throw new InvalidArgumentError(decoded.issues, what);
  const inv = decoded.value;
  const issues: FieldIssue[] = [];
  for (const key of ['sockets', 'cores', 'threads', 'memoryBytes'] as const)
    if (inv[key] < 0) issues.push({ path: key, message: 'must not be negative' });
  if (!inv.capacity) {
    if (inv.threads <= 0 && inv.cores <= 0)
      issues.push({ path: 'threads', message: 'threads or cores must be positive when capacity is not given' });
    if (inv.memoryBytes <= 0) issues.push({ path: 'memoryBytes', message: 'must be positive when capacity is not given' });
  }
  inv.gpus.forEach((g, i) => {
    if (g.index < 0) issues.push({ path: `gpus[${i}].index`, message: 'must not be negative' });
  });
  if (issues.length > 0) throw new InvalidArgumentError(issues, what);
  const capacity = inv.capacity ?? deriveCapacity(inv);
  return { ...inv, capacity, allocatable: inv.allocatable ?? { ...capacity }, source: file };
}

/** loadHardwareFile reads and validates a recorded inventory (see parseHardwareText). */
export async function loadHardwareFile(file: string): Promise<NodeInventory> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InvalidArgumentError([{ path: '', message: `cannot read: ${(err as Error).message}` }], `hardware file ${file}`);
  }
  return parseHardwareText(text, file);
}
