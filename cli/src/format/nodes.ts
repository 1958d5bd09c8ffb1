/** How nodes read in `muster nodes` and `muster nodes NAME`. */
import { nodeStateName } from '../../../shared/src/phases.js';
import type { Gpu, Node, NodeInventory } from '../../../shared/src/proto/types.js';
import { formatCpu, formatMemory } from '../../../shared/src/resources.js';
import { CommandFailedError } from '../errors.js';
import { formatAgo, formatSince } from './age.js';
import { renderFields, renderTable, type Cell } from './table.js';
import { renderConditions } from './conditions.js';

type Nic = NodeInventory['nics'][number];
type ResourceList = NonNullable<Node['allocated']>;

/** NODE_HEADERS are the columns of `muster nodes`. */
export const NODE_HEADERS = ['NAME', 'STATE', 'ADDRESS', 'CPU', 'MEMORY', 'GPUS', 'PODS', 'EPOCH', 'LAST-HEARTBEAT', 'REASON'] as const;

function stateText(n: Node): string {
  return n.state && n.state !== 'NODE_STATE_UNSPECIFIED' ? nodeStateName(n.state) : 'Unknown';
}

/** nodeRow is one `muster nodes` row; CPU, MEMORY and GPUS read allocated/allocatable (GPUS adds the unhealthy count when any). */
export function nodeRow(n: Node, now: number): Cell[] {
  const alloc = n.allocated;
  const total = n.inventory?.allocatable ?? n.inventory?.capacity;
  const unhealthy = (n.inventory?.gpus ?? []).filter((g) => !g.healthy).length;
  return [
    n.name,
    stateText(n),
    n.address,
    `${formatCpu(alloc?.cpuMillis ?? 0)}/${formatCpu(total?.cpuMillis ?? 0)}`,
    `${formatMemory(alloc?.memoryBytes ?? 0)}/${formatMemory(total?.memoryBytes ?? 0)}`,
    `${alloc?.gpus ?? 0}/${total?.gpus ?? 0}` + (unhealthy > 0 ? ` (${unhealthy} unhealthy)` : ''),
    n.pods,
    n.epoch,
    formatSince(n.lastHeartbeatMs, now),
    // Slurm's Reason=: why an admin drained it.
    n.drain?.reason ?? '',
  ];
}

/** findNode returns the node called `name`, or throws a CommandFailedError (exit 1) naming it and the known nodes. */
export function findNode(nodes: readonly Node[], name: string): Node {
  const n = nodes.find((x) => x.name === name);
  if (n) return n;
  const known = nodes.map((x) => x.name).sort();
  throw new CommandFailedError(`node "${name}" not found; known nodes: ${known.length > 0 ? known.join(', ') : '(none)'}`);
}

/** gpuList renders GPU indices as `GPU0,1,2,3`, compressing runs longer than four into ranges (`GPU0-7`). */
export function gpuList(indices: readonly number[]): string {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] as number) + 1) j++;
    const run = sorted.slice(i, j + 1);
    parts.push(run.length > 4 ? `${run[0]}-${run[run.length - 1]}` : run.join(','));
    i = j + 1;
  }
  return `GPU${parts.join(',')}`;
}

/**
 * nvlinkGroups derives the NVLink islands of a host from the GPUs' links: GPUs
 * joined by NV links, as connected components, labelled by their NV link count
 * (`NV18: GPU0-7`, `NV12: GPU0,1,2,3 | GPU4,5,6,7`). `none (PCIe only)` when no
 * GPU has an NV link; GPUs outside every island are listed after `no NVLink:`.
 */
export function nvlinkGroups(gpus: readonly Gpu[]): string {
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r) as number;
    parent.set(x, r);
    return r;
  };
  for (const g of gpus) parent.set(g.index, g.index);
  const edges: { a: number; b: number; n: number }[] = [];
  for (const g of gpus) {
    for (const l of g.links ?? []) {
      if (l.kind.toUpperCase() !== 'NV' || l.peerIndex === g.index) continue;
      if (!parent.has(l.peerIndex)) parent.set(l.peerIndex, l.peerIndex);
      edges.push({ a: g.index, b: l.peerIndex, n: l.nvlinks });
      parent.set(find(g.index), find(l.peerIndex));
    }
  }
  if (edges.length === 0) return 'none (PCIe only)';
  const comps = new Map<number, { members: Set<number>; min: number; max: number }>();
  for (const e of edges) {
    const root = find(e.a);
    const c = comps.get(root) ?? { members: new Set<number>(), min: Infinity, max: -Infinity };
    c.members.add(e.a).add(e.b);
    c.min = Math.min(c.min, e.n);
    c.max = Math.max(c.max, e.n);
    comps.set(root, c);
  }
  const byLabel = new Map<string, number[][]>();
  const ordered = [...comps.values()].map((c) => ({ ...c, list: [...c.members].sort((a, b) => a - b) })).sort((x, y) => (x.list[0] ?? 0) - (y.list[0] ?? 0));
  for (const c of ordered) {
    const label = c.min === c.max ? `NV${c.min}` : `NV${c.min}-${c.max}`;
    byLabel.set(label, [...(byLabel.get(label) ?? []), c.list]);
  }
  const parts = [...byLabel.entries()].map(([label, lists]) => `${label}: ${lists.map(gpuList).join(' | ')}`);
  const inIsland = new Set(ordered.flatMap((c) => c.list));
  const alone = gpus.map((g) => g.index).filter((i) => !inIsland.has(i));
  if (alone.length > 0) parts.push(`no NVLink: ${gpuList(alone)}`);
  return parts.join('; ');
}

function numaText(n: number): string {
  return n < 0 ? '-' : String(n);
}

function healthText(g: Gpu): string {
  if (g.healthy) return 'healthy';
  return g.healthReasons.length > 0 ? g.healthReasons.join(', ') : 'unhealthy';
}

/** gpuRow is one row of the GPU table: IDX, MODEL, MEMORY, HEALTH, NUMA, MIG, UUID. */
export function gpuRow(g: Gpu): Cell[] {
  return [
    g.index,
    g.model || '-',
    g.memoryBytes > 0 ? formatMemory(g.memoryBytes) : '-',
    healthText(g),
    numaText(g.numaNode),
    g.migEnabled ? g.migDevices.length : '-',
    g.uuid || '-',
  ];
}

function gbps(v: number): string {
  return `${Number.isInteger(v) ? v : Number(v.toFixed(1))}Gb/s`;
}

function linkLayerText(l: string): string {
  if (/^infiniband$/i.test(l)) return 'IB';
  if (/^ethernet$/i.test(l)) return 'Eth';
  return l;
}

/** nicPorts renders a NIC's RDMA ports as `1:ACTIVE 400Gb/s IB`, comma-separated; `-` without any. */
export function nicPorts(n: Nic): string {
  if (n.rdmaPorts.length === 0) return '-';
  return n.rdmaPorts
    .map((p) => [`${p.port}:${p.state || '?'}`, p.rateGbps > 0 ? gbps(p.rateGbps) : '', linkLayerText(p.linkLayer)].filter(Boolean).join(' '))
    .join(', ');
}

/** nicRow is one row of the NIC table: NAME, RDMA, STATE, SPEED, NUMA, PORTS. */
export function nicRow(n: Nic): Cell[] {
  return [n.name, n.rdmaDevice || '-', n.state || '-', n.speedMbps > 0 ? gbps(n.speedMbps / 1000) : '-', numaText(n.numaNode), nicPorts(n)];
}

function resourceRows(n: Node): Cell[][] {
  const inv = n.inventory;
  const cols: (ResourceList | null | undefined)[] = [n.allocated, n.lingering, inv?.allocatable, inv?.capacity];
  const rows: [string, (r: ResourceList) => string][] = [
    ['cpu', (r) => formatCpu(r.cpuMillis)],
    ['memory', (r) => formatMemory(r.memoryBytes)],
    ['gpus', (r) => String(r.gpus)],
    ['rdma', (r) => String(r.rdma)],
  ];
  return rows.map(([name, f]) => [name, ...cols.map((r) => (r ? f(r) : '-'))]);
}

function cpuText(inv: NodeInventory | null | undefined): string | undefined {
  if (!inv) return undefined;
  const counts = [
    inv.sockets ? `${inv.sockets} sockets` : '',
    inv.cores ? `${inv.cores} cores` : '',
    inv.threads ? `${inv.threads} threads` : '',
  ].filter(Boolean);
  const text = [inv.cpuModel, counts.length > 0 ? `(${counts.join(', ')})` : ''].filter(Boolean).join(' ');
  return text || undefined;
}

/** describeNode renders the `muster nodes NAME` description (no final newline). */
export function describeNode(n: Node, now: number): string {
  const inv = n.inventory;
  const labels = Object.entries(n.labels ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const fields: [string, Cell][] = [
    ['Name', n.name],
    ['State', stateText(n)],
    ['Drained', n.drain ? `${n.drain.reason} (since ${formatAgo(n.drain.sinceMs, now)}${n.drain.evict ? ', pods evicted' : ''})` : undefined],
    ['Address', n.address || '-'],
    ['Epoch', n.epoch],
    ['Labels', labels || '<none>'],
    ['Agent version', n.agentVersion || '-'],
    ['Last heartbeat', formatAgo(n.lastHeartbeatMs, now)],
    ['Pods', n.pods],
    ['Hostname', inv?.hostname || undefined],
    ['OS', [inv?.os, inv?.kernel].filter(Boolean).join(' ') || undefined],
    ['Driver/CUDA', inv ? `${inv.driverVersion || '-'} / ${inv.cudaVersion || '-'}` : undefined],
    ['CPU', cpuText(inv)],
    ['Inventory source', inv?.source || undefined],
  ];
  const parts = [renderFields(fields)];
  parts.push('Resources:\n' + renderTable(['RESOURCE', 'ALLOCATED', 'LINGERING', 'ALLOCATABLE', 'CAPACITY'], resourceRows(n)));
  const gpus = [...(inv?.gpus ?? [])].sort((a, b) => a.index - b.index);
  if (gpus.length > 0) {
    parts.push('GPUs:\n' + renderTable(['IDX', 'MODEL', 'MEMORY', 'HEALTH', 'NUMA', 'MIG', 'UUID'], gpus.map(gpuRow)));
    parts.push(`NVLink groups:  ${nvlinkGroups(gpus)}`);
  }
  const numa = inv?.numaNodes ?? [];
  if (numa.length > 0)
    parts.push('NUMA:\n' + renderTable(['ID', 'CPUS', 'MEMORY'], numa.map((x) => [x.id, x.cpus || '-', x.memoryBytes > 0 ? formatMemory(x.memoryBytes) : '-'])));
  const nics = inv?.nics ?? [];
  if (nics.length > 0) parts.push('NICs:\n' + renderTable(['NAME', 'RDMA', 'STATE', 'SPEED', 'NUMA', 'PORTS'], nics.map(nicRow)));
  const conds = renderConditions([...(n.conditions ?? []), ...(inv?.conditions ?? [])], now);
  if (conds) parts.push(conds);
  return parts.join('\n\n');
}
