/** Renders a NodeInventory for people (`muster-agent discover`). */
import { formatMemory, formatResources, toResources } from '../../shared/src/resources.js';
import type { NodeInventory } from '../../shared/src/proto/types.js';

type Gpu = NodeInventory['gpus'][number];

/** table aligns rows of cells into columns separated by two spaces, indented by two. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => '  ' + cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

/** nvlinkPeers renders the NVLink peers of a GPU ("1,2,3 (NV12)"), or '-' when none. */
function nvlinkPeers(g: Gpu): string {
  const nv = g.links.filter((l) => l.kind === 'NV');
  if (nv.length === 0) return '-';
  const counts = [...new Set(nv.map((l) => l.nvlinks))];
  const suffix = counts.length === 1 ? ` (NV${counts[0]})` : '';
  return nv.map((l) => (counts.length === 1 ? String(l.peerIndex) : `${l.peerIndex}:NV${l.nvlinks}`)).join(',') + suffix;
}

function gpuHealth(g: Gpu): string {
  if (g.healthy) return 'healthy';
  return g.healthReasons.length > 0 ? `UNHEALTHY (${g.healthReasons.join('; ')})` : 'UNHEALTHY';
}

/**
 * formatInventory renders an inventory as an aligned key/value table followed by
 * tables of GPUs (index, model, memory, health, NUMA, NVLink peers, closest NICs),
 * NUMA nodes, NICs and node conditions.
 */
export function formatInventory(inv: NodeInventory): string {
  const driver = [inv.driverVersion && `driver ${inv.driverVersion}`, inv.cudaVersion && `CUDA ${inv.cudaVersion}`].filter(Boolean).join(', ');
  const rows: [string, string][] = [
    ['hostname', inv.hostname || '-'],
    ['cpu', `${inv.cpuModel || '-'} (${inv.sockets} sockets, ${inv.cores} cores, ${inv.threads} threads)`],
    ['memory', formatMemory(inv.memoryBytes)],
    ['os', `${inv.os || '-'}${inv.kernel ? ` (kernel ${inv.kernel})` : ''}`],
    ['gpus', `${inv.gpus.length}${driver ? ` (${driver})` : ''}`],
  ];
  const lines = rows.map(([k, v]) => `${k.padEnd(12)} ${v}`);
  if (inv.gpus.length > 0) {
    lines.push(
      ...table(
        ['INDEX', 'MODEL', 'MEMORY', 'HEALTH', 'NUMA', 'NVLINK PEERS', 'UUID', 'PCI', 'MIG', 'CLOSEST NICS'],
        inv.gpus.map((g) => [
          String(g.index),
          g.model || '-',
          g.memoryBytes ? formatMemory(g.memoryBytes) : '-',
          gpuHealth(g),
          g.numaNode >= 0 ? String(g.numaNode) : '-',
          nvlinkPeers(g),
          g.uuid || '-',
          g.pciBusId || '-',
          g.migEnabled ? `on (${g.migDevices.length} devices)` : '-',
          g.closestNics.length > 0 ? g.closestNics.join(',') : '-',
        ]),
      ),
    );
  }
  lines.push(`${'numa nodes'.padEnd(12)} ${inv.numaNodes.length}`);
  if (inv.numaNodes.length > 0)
    lines.push(
      ...table(
        ['ID', 'CPUS', 'MEMORY', 'DISTANCES'],
        inv.numaNodes.map((n) => [String(n.id), n.cpus || '-', n.memoryBytes ? formatMemory(n.memoryBytes) : '-', n.distances.join(' ') || '-']),
      ),
    );
  lines.push(`${'nics'.padEnd(12)} ${inv.nics.length}`);
  if (inv.nics.length > 0)
    lines.push(
      ...table(
        ['NAME', 'STATE', 'SPEED', 'MTU', 'NUMA', 'PCI', 'RDMA'],
        inv.nics.map((n) => [
          n.name,
          n.state || '-',
          n.speedMbps ? `${n.speedMbps}Mb/s` : '-',
          n.mtu ? String(n.mtu) : '-',
          n.numaNode >= 0 ? String(n.numaNode) : '-',
          n.pciAddress || '-',
          n.rdmaDevice
            ? `${n.rdmaDevice} ${n.rdmaPorts.map((p) => `p${p.port}:${p.state || '?'}${p.rateGbps ? `/${p.rateGbps}G` : ''}${p.linkLayer ? `/${p.linkLayer}` : ''}`).join(' ')}`.trimEnd()
            : '-',
        ]),
      ),
    );
  if (inv.conditions.length > 0) {
    lines.push('conditions');
    lines.push(...table(['TYPE', 'STATUS', 'REASON', 'MESSAGE'], inv.conditions.map((c) => [c.type, c.status, c.reason || '-', c.message || '-'])));
  }
  lines.push(`${'capacity'.padEnd(12)} ${formatResources(toResources(inv.capacity))}`);
  lines.push(`${'allocatable'.padEnd(12)} ${formatResources(toResources(inv.allocatable))}`);
  lines.push(`${'source'.padEnd(12)} ${inv.source}`);
  return lines.join('\n') + '\n';
}
