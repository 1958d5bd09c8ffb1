/**
 * Which CPUs of a host a pod gets, pure. A pod asking for a whole number of
 * CPUs (1, 16, "4000m") gets that many CPUs of its own — Kubernetes' static
 * CPU manager policy for integer requests, Slurm's whole-CPU allocation — taken
 * from the NUMA node(s) of its GPUs first, then
 * from the nearest other NUMA nodes (SLIT distances), lowest CPU numbers
 * first within a node. A pod without GPUs takes the NUMA node that fits it
 * most tightly (keeping large nodes whole for GPU pods), else the fewest
 * nodes, freest first. A pod asking for no CPU or a fraction ("500m",
 * "1.5") gets no cpuset: it is not pinned and shares the host's CPUs, so
 * small helper pods do not each take a whole CPU.
 *
 * Only hosts whose discovery listed each NUMA node's CPUs have CPU sets; of
 * those CPUs, `allocatable` whole CPUs are placeable and the lowest-numbered
 * rest are left to the system (CPU 0 is where the kernel's housekeeping and
 * the agent usually run).
 */
import { parseCpuList } from '../../../shared/src/cpulist.js';
import type { NodeInventory } from '../../../shared/src/proto/types.js';

/** CpuTopology is where a host's placeable CPUs sit. */
export interface CpuTopology {
  /** Placeable CPUs, ascending. */
  cpus: readonly number[];
  /** CPU → its NUMA node. */
  numaOf: ReadonlyMap<number, number>;
  /** NUMA node → the other NUMA nodes, nearest first (by SLIT distance, then id). */
  nearest: ReadonlyMap<number, readonly number[]>;
}

/** cpuTopologyOf reads the placeable CPUs of an inventory; undefined when its NUMA nodes list no CPUs. */
export function cpuTopologyOf(inv: Pick<NodeInventory, 'numaNodes' | 'allocatable'>): CpuTopology | undefined {
  const numaOf = new Map<number, number>();
  const ids: number[] = [];
  for (const n of inv.numaNodes ?? []) {
    const cpus = parseCpuList(n.cpus ?? '');
    if (!cpus || cpus.length === 0) continue;
    ids.push(n.id);
    for (const c of cpus) if (!numaOf.has(c)) numaOf.set(c, n.id);
  }
  if (numaOf.size === 0) return undefined;
  const all = [...numaOf.keys()].sort((a, b) => a - b);
  const placeable = Math.min(all.length, Math.floor(Number(inv.allocatable?.cpuMillis ?? all.length * 1000) / 1000));
  const cpus = all.slice(all.length - Math.max(0, placeable));
  const distance = new Map((inv.numaNodes ?? []).map((n) => [n.id, n.distances ?? []]));
  // SLIT rows are indexed by position among all the host's NUMA nodes in id order (CPU-less memory nodes included).
  const position = [...(inv.numaNodes ?? [])].map((n) => n.id).sort((a, b) => a - b);
  const nearest = new Map<number, number[]>();
  for (const id of ids) {
    const row = distance.get(id) ?? [];
    const d = (other: number): number => row[position.indexOf(other)] ?? Number.POSITIVE_INFINITY;
    nearest.set(id, ids.filter((o) => o !== id).sort((a, b) => d(a) - d(b) || a - b));
  }
  return { cpus, numaOf, nearest };
}

/** cpusFor is how many CPUs of its own a pod's cpu request takes: whole CPUs only (0 = no cpuset). */
export function cpusFor(cpuMillis: number): number {
  return cpuMillis > 0 && cpuMillis % 1000 === 0 ? cpuMillis / 1000 : 0;
}

/**
 * chooseCpus picks `count` of the `free` CPUs (ascending) for one pod whose
 * GPUs sit on `gpuNuma` (NUMA node ids, the one with most of its GPUs first;
 * empty for a pod without GPUs). Returns them ascending; fewer when fewer are free.
 */
export function chooseCpus(free: readonly number[], count: number, gpuNuma: readonly number[], topo: CpuTopology): number[] {
  if (count <= 0) return [];
  const byNuma = new Map<number, number[]>();
  for (const c of free) {
    const n = topo.numaOf.get(c) ?? -1;
    (byNuma.get(n) ?? byNuma.set(n, []).get(n)!).push(c);
  }
  const freeIn = (n: number): number => byNuma.get(n)?.length ?? 0;
  let first: number[];
  if (gpuNuma.length > 0) first = [...gpuNuma];
  else {
    const nodes = [...byNuma.keys()].sort((a, b) => a - b);
    const tight = nodes.filter((n) => freeIn(n) >= count).sort((a, b) => freeIn(a) - freeIn(b) || a - b)[0];
    first = tight !== undefined ? [tight] : nodes.sort((a, b) => freeIn(b) - freeIn(a) || a - b).slice(0, 1);
  }
  const order = [...first];
  for (const n of [...(topo.nearest.get(first[0]!) ?? []), ...[...byNuma.keys()].sort((a, b) => a - b)]) if (!order.includes(n)) order.push(n);
  const out: number[] = [];
  for (const n of order) {
    for (const c of byNuma.get(n) ?? []) {
      if (out.length === count) break;
      out.push(c);
    }
  }
  return out.sort((a, b) => a - b);
}
