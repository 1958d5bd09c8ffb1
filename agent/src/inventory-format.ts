/** Renders a NodeInventory for people (`muster-agent inventory`). */
import { formatMemory, formatResources, toResources } from '../../shared/src/resources.js';
import type { NodeInventory } from '../../shared/src/proto/types.js';

/** formatInventory renders an inventory as an aligned key/value table with one line per GPU. */
export function formatInventory(inv: NodeInventory): string {
  const rows: [string, string][] = [
    ['hostname', inv.hostname || '-'],
    ['cpu', `${inv.cpuModel || '-'} (${inv.sockets} sockets, ${inv.cores} cores, ${inv.threads} threads)`],
    ['memory', formatMemory(inv.memoryBytes)],
    ['os', `${inv.os || '-'}${inv.kernel ? ` (kernel ${inv.kernel})` : ''}`],
    ['gpus', String(inv.gpus.length)],
  ];
  const lines = rows.map(([k, v]) => `${k.padEnd(12)} ${v}`);
  for (const g of inv.gpus) {
    const parts = [
      `  ${String(g.index).padStart(2)}`,
      g.model || '-',
      g.memoryBytes ? formatMemory(g.memoryBytes) : '-',
      g.uuid || '-',
      g.pciBusId || '-',
      `numa ${g.numaNode}`,
      g.healthy ? 'healthy' : 'UNHEALTHY',
    ];
    lines.push(parts.join('  '));
  }
  lines.push(`${'capacity'.padEnd(12)} ${formatResources(toResources(inv.capacity))}`);
  lines.push(`${'allocatable'.padEnd(12)} ${formatResources(toResources(inv.allocatable))}`);
  lines.push(`${'source'.padEnd(12)} ${inv.source}`);
  return lines.join('\n') + '\n';
}
