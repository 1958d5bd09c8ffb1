// inventoryChanges: what changed between two inventories of one host, as readable
// lines ("GPU 3 unhealthy: retired pages pending"). Re-discovery re-registers when
// the list is not empty. Only what the scheduler places by is compared — GPUs
// (uuid, health, health reasons, MIG devices), capacity and allocatable, NUMA
// nodes, NIC state and RDMA ports, conditions (type, status, reason) — never
// volatile fields such as condition messages or transition times.
import type { NodeInventory } from '../../../shared/src/proto/types.js';

type Gpu = NodeInventory['gpus'][number];
type Nic = NodeInventory['nics'][number];
type NumaNode = NodeInventory['numaNodes'][number];
type Condition = NodeInventory['conditions'][number];
type Resources = NonNullable<NodeInventory['capacity']>;
type MigDevice = Gpu['migDevices'][number];
type RdmaPort = Nic['rdmaPorts'][number];

const RESOURCE_KEYS = ['cpuMillis', 'memoryBytes', 'gpus', 'rdma'] as const;

/** byKey indexes items by key; the first of duplicate keys wins. */
function byKey<T>(items: readonly T[], key: (t: T) => string): Map<string, T> {
  const m = new Map<string, T>();
  for (const it of items) if (!m.has(key(it))) m.set(key(it), it);
  return m;
}

/** diffKeyed reports added and removed items and asks `changed` about the items in both. */
function diffKeyed<T>(
  before: readonly T[],
  after: readonly T[],
  key: (t: T) => string,
  describe: { added: (t: T) => string; removed: (t: T) => string; changed: (b: T, a: T) => string[] },
): string[] {
  const out: string[] = [];
  const b = byKey(before, key);
  const a = byKey(after, key);
  for (const [k, old] of b) {
    const now = a.get(k);
    if (now === undefined) out.push(describe.removed(old));
    else out.push(...describe.changed(old, now));
  }
  for (const [k, now] of a) if (!b.has(k)) out.push(describe.added(now));
  return out;
}

function sameList<T>(x: readonly T[], y: readonly T[], eq: (p: T, q: T) => boolean = (p, q) => p === q): boolean {
  return x.length === y.length && x.every((v, i) => eq(v, y[i]!));
}

function reasons(g: Gpu): string {
  return g.healthReasons.length > 0 ? g.healthReasons.join('; ') : 'no reason given';
}

function gpuName(g: Gpu): string {
  return `GPU ${g.index}`;
}

function migText(m: MigDevice): string {
  return `${m.profile || 'MIG'}#${m.gpuInstanceId}/${m.computeInstanceId}`;
}

function migKey(m: MigDevice): string {
  return `${m.uuid}|${m.profile}|${m.gpuInstanceId}|${m.computeInstanceId}|${m.memoryBytes}`;
}

function gpuChanges(b: Gpu, a: Gpu): string[] {
  const out: string[] = [];
  const name = gpuName(a);
  if (b.index !== a.index) out.push(`GPU ${a.uuid} moved from index ${b.index} to ${a.index}`);
  if (b.healthy && !a.healthy) out.push(`${name} unhealthy: ${reasons(a)}`);
  else if (!b.healthy && a.healthy) out.push(`${name} healthy again`);
  else if (!sameList(b.healthReasons, a.healthReasons))
    out.push(`${name} health reasons changed: ${reasons(a)} (was: ${reasons(b)})`);
  if (!sameList(b.migDevices.map(migKey), a.migDevices.map(migKey))) {
    const list = (ms: MigDevice[]) => (ms.length > 0 ? ms.map(migText).join(', ') : 'none');
    out.push(`${name} MIG devices changed: ${list(a.migDevices)} (was: ${list(b.migDevices)})`);
  }
  return out;
}

function resourceChanges(what: string, b: Resources | null, a: Resources | null): string[] {
  if (!b && !a) return [];
  if (!b) return [`${what} appeared`];
  if (!a) return [`${what} disappeared`];
  return RESOURCE_KEYS.filter((k) => b[k] !== a[k]).map((k) => `${what}.${k} ${b[k]} → ${a[k]}`);
}

function numaChanges(b: NumaNode, a: NumaNode): string[] {
  const out: string[] = [];
  if (b.cpus !== a.cpus) out.push(`NUMA node ${a.id} CPUs ${b.cpus || '(none)'} → ${a.cpus || '(none)'}`);
  if (b.memoryBytes !== a.memoryBytes) out.push(`NUMA node ${a.id} memory ${b.memoryBytes} → ${a.memoryBytes} bytes`);
  if (!sameList(b.distances, a.distances)) out.push(`NUMA node ${a.id} distances [${b.distances.join(' ')}] → [${a.distances.join(' ')}]`);
  return out;
}

function portText(p: RdmaPort): string {
  return `${p.state || 'unknown'}${p.rateGbps ? ` ${p.rateGbps} Gb/s` : ''}${p.linkLayer ? ` ${p.linkLayer}` : ''}`;
}

function nicChanges(b: Nic, a: Nic): string[] {
  const out: string[] = [];
  if (b.state !== a.state) out.push(`NIC ${a.name} state ${b.state || 'unknown'} → ${a.state || 'unknown'}`);
  if (b.rdmaDevice !== a.rdmaDevice) out.push(`NIC ${a.name} RDMA device ${b.rdmaDevice || '(none)'} → ${a.rdmaDevice || '(none)'}`);
  out.push(
    ...diffKeyed(b.rdmaPorts, a.rdmaPorts, (p) => String(p.port), {
      added: (p) => `NIC ${a.name} RDMA port ${p.port} appeared (${portText(p)})`,
      removed: (p) => `NIC ${a.name} RDMA port ${p.port} disappeared`,
      changed: (pb, pa) => (portText(pb) === portText(pa) ? [] : [`NIC ${a.name} RDMA port ${pa.port} ${portText(pb)} → ${portText(pa)}`]),
    }),
  );
  return out;
}

function conditionText(c: Condition): string {
  return `${c.status}${c.reason ? ` (${c.reason})` : ''}`;
}

/**
 * inventoryChanges lists what differs between the inventory last registered
 * (before) and a new discovery (after); empty when nothing the scheduler uses
 * changed. Pure: no clock, no I/O.
 */
export function inventoryChanges(before: NodeInventory, after: NodeInventory): string[] {
  const out: string[] = [];
  out.push(
    ...diffKeyed(before.gpus, after.gpus, (g) => g.uuid || `#${g.index}`, {
      added: (g) => `${gpuName(g)} appeared (${g.uuid || 'no uuid'}${g.healthy ? '' : `, unhealthy: ${reasons(g)}`})`,
      removed: (g) => `${gpuName(g)} disappeared (${g.uuid || 'no uuid'})`,
      changed: gpuChanges,
    }),
  );
  out.push(...resourceChanges('capacity', before.capacity, after.capacity));
  out.push(...resourceChanges('allocatable', before.allocatable, after.allocatable));
  out.push(
    ...diffKeyed(before.numaNodes, after.numaNodes, (n) => String(n.id), {
      added: (n) => `NUMA node ${n.id} appeared`,
      removed: (n) => `NUMA node ${n.id} disappeared`,
      changed: numaChanges,
    }),
  );
  out.push(
    ...diffKeyed(before.nics, after.nics, (n) => n.name, {
      added: (n) => `NIC ${n.name} appeared (${n.state || 'unknown'})`,
      removed: (n) => `NIC ${n.name} disappeared`,
      changed: nicChanges,
    }),
  );
  out.push(
    ...diffKeyed(before.conditions, after.conditions, (c) => c.type, {
      added: (c) => `condition ${c.type} ${conditionText(c)}${c.message ? `: ${c.message}` : ''}`,
      removed: (c) => `condition ${c.type} cleared (was ${conditionText(c)})`,
      changed: (cb, ca) =>
        conditionText(cb) === conditionText(ca)
          ? []
          : [`condition ${ca.type} ${conditionText(cb)} → ${conditionText(ca)}${ca.message ? `: ${ca.message}` : ''}`],
    }),
  );
  return out;
}
