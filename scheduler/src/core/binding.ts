/**
 * What a pod is bound to on its node besides its GPU indices, pure, from the
 * node's discovered inventory: the GPUs' UUIDs, their NUMA node, and the RDMA
 * NICs closest to them — `topo -m`'s closest NICs of the chosen GPUs, else the
 * RDMA NICs on the GPUs' NUMA node(s) — with the environment NCCL and UCX read
 * (`NCCL_IB_HCA`, `UCX_NET_DEVICES`). Where discovery could not tell (no
 * NIC in the matrix, NUMA unknown), nothing is bound and the libraries choose.
 * The cpuset is the pod's exclusive CPUs, chosen at placement; a pod without
 * GPUs is bound to the NUMA node most of its CPUs sit on.
 */
import { formatCpuList, parseCpuList } from '../../../shared/src/cpulist.js';
import type { Binding, NodeInventory } from '../../../shared/src/proto/types.js';

/** PodBinding is a pod's binding and the environment it implies. */
export interface PodBinding {
  binding: Binding;
  env: Record<string, string>;
}

/**
 * bindingFor binds a pod placed on GPUs `gpuIndices` and CPUs `cpus`
 * (core/cpu-choice.ts) of a node with inventory `inv` (absent = unknown). A
 * pod given MIG devices (`migUuids`) is bound to their parent GPUs' NUMA node
 * and NICs, and its gpuUuids are the MIG devices'.
 */
export function bindingFor(gpuIndices: readonly number[], inv: NodeInventory | null | undefined, cpus: readonly number[] = [], migUuids: readonly string[] = []): PodBinding {
  if (migUuids.length > 0) {
    const parents = (inv?.gpus ?? []).filter((g) => g.migDevices.some((m) => migUuids.includes(m.uuid))).map((g) => g.index);
    const bound = bindingFor(parents, inv, cpus);
    return { ...bound, binding: { ...bound.binding, gpuUuids: [...migUuids] } };
  }
  const binding: Binding = { gpuIndices: [...gpuIndices], gpuUuids: [], cpuset: formatCpuList(cpus), numaNode: -1, nics: [] };
  const env: Record<string, string> = {};
  if (inv && gpuIndices.length === 0 && cpus.length > 0) binding.numaNode = cpuNuma(cpus, inv);
  if (!inv || gpuIndices.length === 0) return { binding, env };
  const gpus = gpuIndices.map((i) => inv.gpus.find((g) => g.index === i));
  binding.gpuUuids = gpus.map((g) => g?.uuid ?? '');
  // The NUMA node most of the pod's GPUs sit on (ties: the lowest); -1 when unknown.
  const counts = new Map<number, number>();
  for (const g of gpus) if (g && g.numaNode >= 0) counts.set(g.numaNode, (counts.get(g.numaNode) ?? 0) + 1);
  binding.numaNode = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? -1;

  const rdma = new Map(inv.nics.filter((n) => n.rdmaDevice !== '').map((n) => [n.rdmaDevice, n]));
  const activePort = (name: string): number | undefined => {
    const nic = rdma.get(name);
    if (!nic) return 1; // named by topo -m but not seen in sysfs (a recorded matrix): port 1, as NCCL assumes
    return nic.rdmaPorts.find((p) => p.state === 'ACTIVE')?.port;
  };
  let nics = [...new Set(gpus.flatMap((g) => g?.closestNics ?? []))].filter((n) => activePort(n) !== undefined);
  if (nics.length === 0 && counts.size > 0)
    nics = [...rdma.values()].filter((n) => counts.has(n.numaNode) && activePort(n.rdmaDevice) !== undefined).map((n) => n.rdmaDevice);
  binding.nics = nics;
  if (nics.length > 0) {
    env.NCCL_IB_HCA = nics.join(',');
    env.UCX_NET_DEVICES = nics.map((n) => `${n}:${activePort(n)}`).join(',');
  }
  return { binding, env };
}

/** cpuNuma is the NUMA node most of `cpus` sit on (ties: the lowest); -1 when the inventory does not say. */
function cpuNuma(cpus: readonly number[], inv: NodeInventory): number {
  const want = new Set(cpus);
  let best = -1;
  let most = 0;
  for (const n of [...(inv.numaNodes ?? [])].sort((a, b) => a.id - b.id)) {
    const count = (parseCpuList(n.cpus ?? '') ?? []).filter((c) => want.has(c)).length;
    if (count > most) [best, most] = [n.id, count];
  }
  return best;
}
