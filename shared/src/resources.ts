/**
 * Resource quantities and arithmetic. Quantities follow Kubernetes notation
 * (`500m`, `4`, `16Gi`, `1G`) and are stored as canonical integers: CPU in
 * millicores, memory in bytes. Pure functions only.
 */

/** Resources is an amount of every resource Muster counts. */
export interface Resources {
  cpuMillis: number;
  memoryBytes: number;
  gpus: number;
  rdma: number;
}

/** ZERO is no resources. */
export const ZERO: Readonly<Resources> = Object.freeze({ cpuMillis: 0, memoryBytes: 0, gpus: 0, rdma: 0 });

/** RESOURCE_KEYS lists the resources in a stable order. */
export const RESOURCE_KEYS: readonly (keyof Resources)[] = ['cpuMillis', 'memoryBytes', 'gpus', 'rdma'];

/** toResources copies a ResourceList-like value (missing = 0). */
export function toResources(r: Partial<Resources> | null | undefined): Resources {
  return { cpuMillis: r?.cpuMillis ?? 0, memoryBytes: r?.memoryBytes ?? 0, gpus: r?.gpus ?? 0, rdma: r?.rdma ?? 0 };
}

/** add returns a + b. */
export function add(a: Resources, b: Resources): Resources {
  return { cpuMillis: a.cpuMillis + b.cpuMillis, memoryBytes: a.memoryBytes + b.memoryBytes, gpus: a.gpus + b.gpus, rdma: a.rdma + b.rdma };
}

/** sub returns a − b. */
export function sub(a: Resources, b: Resources): Resources {
  return { cpuMillis: a.cpuMillis - b.cpuMillis, memoryBytes: a.memoryBytes - b.memoryBytes, gpus: a.gpus - b.gpus, rdma: a.rdma - b.rdma };
}

/** scale returns r × n. */
export function scale(r: Resources, n: number): Resources {
  return { cpuMillis: r.cpuMillis * n, memoryBytes: r.memoryBytes * n, gpus: r.gpus * n, rdma: r.rdma * n };
}

/** fits says whether `need` fits in `free` for every resource. */
export function fits(need: Resources, free: Resources): boolean {
  return RESOURCE_KEYS.every((k) => need[k] <= free[k]);
}

/** shortfall lists the resources where `need` exceeds `free`. */
export function shortfall(need: Resources, free: Resources): (keyof Resources)[] {
  return RESOURCE_KEYS.filter((k) => need[k] > free[k]);
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50 };
const DECIMAL: Record<string, number> = { k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };

/** parseCpu reads `4`, `0.5`, `500m` into millicores; undefined when malformed. */
export function parseCpu(q: string | number): number | undefined {
  if (typeof q === 'number') return Number.isFinite(q) && q >= 0 ? Math.round(q * 1000) : undefined;
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(q.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2] === 'm' ? Math.round(n) : Math.round(n * 1000);
}

/** parseMemory reads `16Gi`, `512Mi`, `1G`, `1048576` into bytes; undefined when malformed. */
export function parseMemory(q: string | number): number | undefined {
  if (typeof q === 'number') return Number.isFinite(q) && q >= 0 ? Math.round(q) : undefined;
  const m = /^(\d+(?:\.\d+)?)([KMGTP]i|[kKMGTP])?$/.exec(q.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2];
  const mult = unit === undefined ? 1 : (BINARY[unit] ?? DECIMAL[unit] ?? 1);
  return Math.round(n * mult);
}

/** formatCpu renders millicores as `4` or `500m`. */
export function formatCpu(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

/** formatMemory renders bytes with the largest binary unit that keeps one decimal. */
export function formatMemory(bytes: number): string {
  const units = ['Pi', 'Ti', 'Gi', 'Mi', 'Ki'];
  for (const u of units) {
    const m = BINARY[u] as number;
    if (bytes >= m) {
      const v = bytes / m;
      return `${Number.isInteger(v) ? v : v.toFixed(1)}${u}`;
    }
  }
  return String(bytes);
}

/** formatResources renders `cpu=4 mem=16Gi gpu=1`. */
export function formatResources(r: Resources): string {
  const parts = [`cpu=${formatCpu(r.cpuMillis)}`, `mem=${formatMemory(r.memoryBytes)}`];
  if (r.gpus) parts.push(`gpu=${r.gpus}`);
  if (r.rdma) parts.push(`rdma=${r.rdma}`);
  return parts.join(' ');
}
