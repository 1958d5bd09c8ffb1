// SystemFacts of a recorded machine: a captured /proc, /sys (and optionally /etc) tree
// read through the injected Sysfs, for `discover --sysfs-root DIR`. On a live host the
// facts come from systeminformation (inventory.ts readSystemFacts); here every value is
// what the tree holds, never filled in from the host running the agent and never guessed.
import { basename } from 'node:path';
import type { SystemFacts } from '../inventory.js';
import { parseCpuList, parseNodeMemTotal } from './sysfs-numa.js';
import { readInt, readTrimmed, type Sysfs } from './sysfs.js';

const CPU_DIR = '/sys/devices/system/cpu';
const NODE_DIR = '/sys/devices/system/node';

/**
 * Reads a file of the recorded tree; when the path is a symlink with an absolute target
 * (`/etc/os-release -> /usr/lib/os-release`), the target is read inside the tree rather
 * than on the host.
 */
function readInTree(sysfs: Sysfs, path: string): string | undefined {
  const link = sysfs.readLink(path);
  if (link?.startsWith('/')) return sysfs.readFile(link);
  return sysfs.readFile(path);
}

/** One `processor` block of /proc/cpuinfo as key → value (keys as written, trimmed). */
type CpuinfoBlock = Map<string, string>;

/** Splits /proc/cpuinfo into its blank-line separated blocks of "key : value" lines. */
function parseCpuinfo(text: string): CpuinfoBlock[] {
  const blocks: CpuinfoBlock[] = [];
  for (const chunk of text.split(/\n\s*\n/)) {
    const block: CpuinfoBlock = new Map();
    for (const line of chunk.split('\n')) {
      const i = line.indexOf(':');
      if (i <= 0) continue;
      const key = line.slice(0, i).trim();
      const value = line.slice(i + 1).trim();
      if (key !== '' && !block.has(key)) block.set(key, value);
    }
    if (block.size > 0) blocks.push(block);
  }
  return blocks;
}

/** First non-empty value of `key` over all blocks. */
function firstValue(blocks: CpuinfoBlock[], key: string): string | undefined {
  for (const b of blocks) {
    const v = b.get(key);
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

/** Distinct non-empty values of `key` in order of first appearance. */
function distinctValues(blocks: CpuinfoBlock[], key: string): string[] {
  const out: string[] = [];
  for (const b of blocks) {
    const v = b.get(key);
    if (v !== undefined && v !== '' && !out.includes(v)) out.push(v);
  }
  return out;
}

/**
 * Manufacturer and brand as /proc/cpuinfo writes them: x86 `vendor_id` / `model name`,
 * s390 `vendor`, POWER `cpu` ("POWER9, altivec supported"), ARM `CPU implementer`
 * ("0x41", not mapped to a name) with `model name` when the kernel prints one, else the
 * distinct `CPU part` values ("CPU part 0xd87, 0xd85"); '' for whatever is absent.
 */
function cpuNames(blocks: CpuinfoBlock[]): { manufacturer: string; brand: string } {
  const manufacturer =
    firstValue(blocks, 'vendor_id') ?? firstValue(blocks, 'vendor') ?? firstValue(blocks, 'CPU implementer') ?? '';
  let brand =
    firstValue(blocks, 'model name') ??
    firstValue(blocks, 'cpu') ??
    firstValue(blocks, 'Processor') ??
    firstValue(blocks, 'cpu model') ??
    '';
  if (brand === '') {
    const parts = distinctValues(blocks, 'CPU part');
    if (parts.length > 0) brand = `CPU part ${parts.join(', ')}`;
  }
  return { manufacturer, brand };
}

/** Topology of one logical CPU from cpu<N>/topology; undefined fields are missing or malformed. */
interface CpuTopology {
  pkg?: number;
  core?: number;
  threadSiblings?: string;
  coreSiblings?: string;
}

function readTopology(sysfs: Sysfs, cpu: number): CpuTopology | undefined {
  const dir = `${CPU_DIR}/cpu${cpu}/topology`;
  const t: CpuTopology = {};
  const pkg = readInt(sysfs, `${dir}/physical_package_id`);
  if (pkg !== undefined) t.pkg = pkg;
  const core = readInt(sysfs, `${dir}/core_id`);
  if (core !== undefined) t.core = core;
  const normList = (path: string): string | undefined => {
    const text = readTrimmed(sysfs, path);
    const cpus = text === undefined ? undefined : parseCpuList(text);
    return cpus && cpus.length > 0 ? cpus.join(',') : undefined;
  };
  const ts = normList(`${dir}/thread_siblings_list`);
  if (ts !== undefined) t.threadSiblings = ts;
  const cs = normList(`${dir}/core_siblings_list`);
  if (cs !== undefined) t.coreSiblings = cs;
  return Object.keys(t).length > 0 ? t : undefined;
}

/**
 * Sockets, cores and threads from /sys/devices/system/cpu. Threads are the CPUs in
 * `cpu/online`, else the cpu<N> directories with a readable topology. Sockets are the
 * distinct `physical_package_id`s (a negative or missing id falls back to the CPU's
 * `core_siblings_list`), cores the distinct (package, `core_id`) pairs (a missing
 * core_id falls back to `thread_siblings_list`), both over the online CPUs that have a
 * topology directory. 0 for whatever cannot be read.
 */
function readCpuCounts(sysfs: Sysfs): { sockets: number; cores: number; threads: number } {
  const onlineText = sysfs.readFile(`${CPU_DIR}/online`);
  const online = onlineText === undefined ? undefined : parseCpuList(onlineText);
  const onlineSet = online && online.length > 0 ? new Set(online) : undefined;
  const topo = new Map<number, CpuTopology>();
  for (const name of sysfs.listDir(CPU_DIR) ?? []) {
    const m = /^cpu(\d+)$/.exec(name);
    if (!m) continue;
    const cpu = Number(m[1]);
    const t = readTopology(sysfs, cpu);
    if (t !== undefined) topo.set(cpu, t);
  }
  const threads = onlineSet ? onlineSet.size : topo.size;
  const sockets = new Set<string>();
  const cores = new Set<string>();
  for (const [cpu, t] of topo) {
    if (onlineSet && !onlineSet.has(cpu)) continue;
    const pkgKey =
      t.pkg !== undefined && t.pkg >= 0 ? `id:${t.pkg}` : t.coreSiblings !== undefined ? `cs:${t.coreSiblings}` : undefined;
    if (pkgKey !== undefined) sockets.add(pkgKey);
    const coreKey =
      t.core !== undefined && t.core >= 0
        ? `${pkgKey ?? '?'}/id:${t.core}`
        : t.threadSiblings !== undefined
          ? `ts:${t.threadSiblings}`
          : undefined;
    if (coreKey !== undefined) cores.add(coreKey);
  }
  return { sockets: sockets.size, cores: cores.size, threads };
}

/**
 * Counts from /proc/cpuinfo for a tree without CPU topology in /sys: threads are the
 * `processor` blocks, sockets the distinct `physical id`s, cores the distinct
 * (`physical id`, `core id`) pairs (x86 prints both; other architectures give 0).
 */
function cpuinfoCounts(blocks: CpuinfoBlock[]): { sockets: number; cores: number; threads: number } {
  const procs = blocks.filter((b) => b.has('processor'));
  const sockets = new Set<string>();
  const cores = new Set<string>();
  for (const b of procs) {
    const pkg = b.get('physical id');
    const core = b.get('core id');
    if (pkg !== undefined && /^\d+$/.test(pkg)) {
      sockets.add(pkg);
      if (core !== undefined && /^\d+$/.test(core)) cores.add(`${pkg}/${core}`);
    }
  }
  return { sockets: sockets.size, cores: cores.size, threads: procs.length };
}

/** MemTotal in bytes from /proc/meminfo, else the sum over node<N>/meminfo; 0 when neither reads. */
function readMemTotal(sysfs: Sysfs): number {
  const meminfo = sysfs.readFile('/proc/meminfo');
  const total = meminfo === undefined ? undefined : parseNodeMemTotal(meminfo);
  if (total !== undefined) return total;
  let sum = 0;
  for (const name of sysfs.listDir(NODE_DIR) ?? []) {
    if (!/^node\d+$/.test(name)) continue;
    const text = sysfs.readFile(`${NODE_DIR}/${name}/meminfo`);
    const bytes = text === undefined ? undefined : parseNodeMemTotal(text);
    if (bytes !== undefined) sum += bytes;
  }
  return sum;
}

/** Parses os-release(5) text into its KEY=VALUE pairs (quotes removed). */
function parseOsRelease(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*?)\s*$/.exec(line);
    if (!m?.[1]) continue;
    let v = m[2] ?? '';
    const q = /^"(.*)"$/.exec(v) ?? /^'(.*)'$/.exec(v);
    if (q) v = (q[1] ?? '').replace(/\\(["'$`\\])/g, '$1');
    out.set(m[1], v);
  }
  return out;
}

/** Hostname from /etc/hostname (first non-comment line), else the basename of the tree's root directory, else ''. */
function readHostname(sysfs: Sysfs): string {
  const text = readInTree(sysfs, '/etc/hostname');
  if (text !== undefined) {
    for (const line of text.split('\n')) {
      const t = line.replace(/#.*$/, '').trim();
      if (t !== '') return t.split(/\s+/)[0] ?? '';
    }
  }
  return sysfs.root ? basename(sysfs.root) : '';
}

/**
 * readRecordedFacts reads SystemFacts from a recorded machine tree (the directory given
 * to `discover --sysfs-root`, read through `hostSysfs(DIR)`, or any Sysfs):
 * - cpu.manufacturer / cpu.brand from <root>/proc/cpuinfo as written: x86 `vendor_id` /
 *   `model name`; POWER `cpu` ("POWER9, altivec supported", no manufacturer); ARM
 *   `CPU implementer` ("0x41") with `model name`, else "CPU part 0xd87, 0xd85". Never
 *   mapped or guessed.
 * - cpu.processors (sockets), cpu.physicalCores, cpu.cores (logical threads) from
 *   <root>/sys/devices/system/cpu: threads = CPUs in `cpu/online`, else the cpu<N>
 *   directories with a topology; sockets = distinct `topology/physical_package_id`;
 *   cores = distinct (package, `topology/core_id`), over online CPUs. A tree without
 *   CPU topology falls back to /proc/cpuinfo (`processor`, `physical id`, `core id`).
 * - memTotal (bytes) from <root>/proc/meminfo MemTotal, else the sum of
 *   <root>/sys/devices/system/node/node<N>/meminfo MemTotal.
 * - os.hostname from <root>/etc/hostname, else the basename of `sysfs.root`;
 *   os.distro / os.release from <root>/etc/os-release (NAME or ID / VERSION_ID or
 *   VERSION), '' without it; os.kernel from <root>/proc/sys/kernel/osrelease, else ''.
 * Never throws: missing or malformed parts are 0 / ''.
 */
export function readRecordedFacts(sysfs: Sysfs): SystemFacts {
  const blocks = attempt(() => {
    const cpuinfo = sysfs.readFile('/proc/cpuinfo');
    return cpuinfo === undefined ? [] : parseCpuinfo(cpuinfo);
  }, [] as CpuinfoBlock[]);
  const { manufacturer, brand } = attempt(() => cpuNames(blocks), { manufacturer: '', brand: '' });
  const none = { sockets: 0, cores: 0, threads: 0 };
  let counts = attempt(() => readCpuCounts(sysfs), none);
  if (counts.threads === 0 && counts.sockets === 0 && counts.cores === 0) counts = attempt(() => cpuinfoCounts(blocks), none);
  const rel = attempt(() => {
    const text = readInTree(sysfs, '/etc/os-release');
    return text === undefined ? new Map<string, string>() : parseOsRelease(text);
  }, new Map<string, string>());
  return {
    cpu: {
      manufacturer,
      brand,
      physicalCores: counts.cores,
      cores: counts.threads,
      processors: counts.sockets,
    },
    memTotal: attempt(() => readMemTotal(sysfs), 0),
    os: {
      distro: rel.get('NAME') || rel.get('ID') || '',
      release: rel.get('VERSION_ID') || rel.get('VERSION') || '',
      kernel: attempt(() => readTrimmed(sysfs, '/proc/sys/kernel/osrelease') ?? '', ''),
      hostname: attempt(() => readHostname(sysfs), ''),
    },
  };
}

/** Runs one part of readRecordedFacts; an injected reader that throws (against the Sysfs contract) gives the fallback. */
function attempt<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}
