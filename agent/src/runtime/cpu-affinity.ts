/**
 * Applying a pod's cpuset (its binding's exclusive CPUs, chosen by the
 * scheduler next to its GPUs) to the process the driver starts.
 *
 * Methods, best first (`cpuAffinity: auto` takes the first that works here):
 *  - `cgroup`: a cpuset cgroup per pod (v1 `<root>/cpuset/muster/<pod>`, or
 *    v2 `<root>/muster/<pod>` with the cpuset controller), `cpuset.cpus` =
 *    the CPUs and `cpuset.mems` = their NUMA node. The pod cannot widen it,
 *    its children inherit it, and its memory comes from its NUMA node.
 *  - `taskset`: the CPU affinity mask (sched_setaffinity) before exec;
 *    children inherit it but a pod may change its own.
 *  - `numactl`: `--physcpubind` and, with a NUMA node, `--membind`.
 *  - `off`: nothing is applied.
 *
 * Every method enters the pod's process before its command runs (a shell
 * that joins the cgroup then execs, or the tool's own exec), so the pid the
 * driver watches is the pod's and nothing runs unbound first. CPUs this host
 * does not have — a recorded inventory on a smaller machine — are dropped;
 * when none is left the pod runs unbound and the agent logs why.
 */
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { formatCpuList, parseCpuList } from '../../../shared/src/cpulist.js';
import { MusterError } from '../../../shared/src/errors.js';
import { errorFields, type Logger } from '../../../shared/src/logger.js';
import { whichOnPath } from '../../../shared/src/which.js';

/** CPU_AFFINITY_MODES are the accepted values of the agent's cpuAffinity setting. */
export const CPU_AFFINITY_MODES = ['auto', 'cgroup', 'taskset', 'numactl', 'off'] as const;

/** CpuAffinityMode is how the agent binds pods to their CPUs. */
export type CpuAffinityMode = (typeof CPU_AFFINITY_MODES)[number];

/** AffinityMethod is the method actually in use. */
export type AffinityMethod = 'cgroup-v1' | 'cgroup-v2' | 'taskset' | 'numactl' | 'none';

/** CpuAffinityOptions configure detection (paths are injectable for tests). */
export interface CpuAffinityOptions {
  mode: CpuAffinityMode;
  logger: Logger;
  /** The cgroup filesystem root (default /sys/fs/cgroup). */
  cgroupRoot?: string;
  /** This agent's own part of Muster's cgroup (affinityScope): agents sharing a host never touch each other's pods. */
  scope: string;
  /** CPUs this host can run pods on (default: online CPUs the agent itself may use). */
  hostCpus?: readonly number[];
  /** NUMA nodes this host has (default: /sys/devices/system/node/online; [] = unknown, memory is then not bound by numactl). */
  hostNumaNodes?: readonly number[];
  /** Finds a binary on PATH (default: searches process.env.PATH). */
  which?: (name: string) => string | undefined;
}

/** BoundLaunch is how to start one pod bound to its CPUs. */
export interface BoundLaunch {
  /** The argv to spawn (the pod's own when nothing is applied). */
  argv: string[];
  /** The CPUs applied (empty = unbound). */
  applied: number[];
  /** Why the binding differs from what was asked, for the log; undefined when it does not. */
  note?: string;
  /** Removes what was set up for the pod (its cgroup), once its processes are all gone. */
  release(): void;
}

/**
 * affinityScope names an agent's cgroup: its node name and state directory,
 * stable across its restarts (so it sweeps what it left) and distinct for
 * agents sharing a host (local clusters, tests), which never touch each other's pods.
 */
export function affinityScope(nodeName: string, stateDir: string): string {
  return `${nodeName}-${createHash('sha256').update(path.resolve(stateDir)).digest('hex').slice(0, 8)}`;
}

/** hostCpusOf is the CPUs online on this host that this process may run on. */
export function hostCpusOf(): number[] {
  const read = (file: string): string | undefined => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  };
  const online = parseCpuList(read('/sys/devices/system/cpu/online') ?? '') ?? [];
  const allowed = parseCpuList(/^Cpus_allowed_list:\s*(.*)$/m.exec(read('/proc/self/status') ?? '')?.[1] ?? '') ?? [];
  const base = online.length > 0 ? online : Array.from({ length: os.cpus().length }, (_, i) => i);
  if (allowed.length === 0) return base;
  const ok = new Set(allowed);
  return base.filter((c) => ok.has(c));
}

/** hostNumaNodesOf is the NUMA nodes online on this host ([] when the kernel does not say). */
export function hostNumaNodesOf(): number[] {
  try {
    return parseCpuList(readFileSync('/sys/devices/system/node/online', 'utf8')) ?? [];
  } catch {
    return [];
  }
}

const NOTHING = (): void => {};

/**
 * JOIN_CGROUP is the shell that starts a pod in its cgroup: it joins (`$0` is
 * the cgroup's cgroup.procs), then becomes the pod's command (same pid). A
 * join that fails leaves the pod running unbound, saying so on its stderr.
 */
export const JOIN_CGROUP = 'echo $$ > "$0" || echo "muster: cannot join the cpuset cgroup ($0): running unbound" >&2; exec "$@"';

/** CpuAffinity binds pods to CPUs with the method detected at agent start. */
export class CpuAffinity {
  /** The method in use. */
  readonly method: AffinityMethod;
  private readonly log: Logger;
  private readonly hostCpus: ReadonlySet<number>;
  private readonly hostCpuList: string;
  /** The directory pod cgroups are made in (cgroup methods). */
  private readonly base: string;
  private readonly tool: string;
  /** NUMA nodes whose memory a cgroup may bind (cpuset.mems of the parent). */
  private readonly mems: ReadonlySet<number>;

  /** NUMA nodes of this host (numactl binds memory only to one of these). */
  private hostNuma: ReadonlySet<number> = new Set();

  private constructor(method: AffinityMethod, log: Logger, hostCpus: readonly number[], base = '', tool = '', mems: readonly number[] = []) {
    this.method = method;
    this.log = log;
    this.hostCpus = new Set(hostCpus);
    this.hostCpuList = formatCpuList(hostCpus);
    this.base = base;
    this.tool = tool;
    this.mems = new Set(mems);
  }

  /** detect picks the method for `mode`; an explicit mode that cannot work here throws FAILED_PRECONDITION naming what is missing. */
  static detect(opts: CpuAffinityOptions): CpuAffinity {
    const log = opts.logger.child({ component: 'cpu-affinity' });
    const hostCpus = opts.hostCpus ?? hostCpusOf();
    const which = opts.which ?? ((n: string) => whichOnPath(n));
    const root = opts.cgroupRoot ?? '/sys/fs/cgroup';
    const tried: string[] = [];
    const attempt = (m: 'cgroup' | 'taskset' | 'numactl'): CpuAffinity | undefined => {
      if (m === 'cgroup') {
        const cg = prepareCgroup(root, opts.scope);
        if ('why' in cg) {
          tried.push(`cgroup: ${cg.why}`);
          return undefined;
        }
        return new CpuAffinity(cg.version === 1 ? 'cgroup-v1' : 'cgroup-v2', log, hostCpus, cg.base, '', cg.mems);
      }
      const tool = which(m);
      if (!tool) {
        tried.push(`${m}: not on PATH`);
        return undefined;
      }
      return new CpuAffinity(m, log, hostCpus, '', tool);
    };
    let chosen: CpuAffinity | undefined;
    if (opts.mode === 'off') chosen = new CpuAffinity('none', log, hostCpus);
    else if (opts.mode === 'auto') chosen = attempt('cgroup') ?? attempt('taskset') ?? attempt('numactl') ?? new CpuAffinity('none', log, hostCpus);
    else {
      chosen = attempt(opts.mode);
      if (!chosen) throw new MusterError('FAILED_PRECONDITION', `cpuAffinity: ${opts.mode} cannot be used on this host (${tried.join('; ')})`);
    }
    chosen.hostNuma = new Set(opts.hostNumaNodes ?? hostNumaNodesOf());
    log.info('pods are bound to their CPUs with ' + chosen.method, { method: chosen.method, hostCpus: chosen.hostCpuList, ...(tried.length > 0 ? { unavailable: tried } : {}) });
    if (chosen.base) chosen.sweep();
    return chosen;
  }

  /** wrap is how to start `argv` (pod `key`) bound to `cpus` on NUMA node `numaNode` (-1 unknown). */
  wrap(key: string, argv: string[], cpus: readonly number[], numaNode: number): BoundLaunch {
    const unbound = (note?: string): BoundLaunch => ({ argv, applied: [], ...(note ? { note } : {}), release: NOTHING });
    if (cpus.length === 0 || this.method === 'none') return unbound();
    const applied = cpus.filter((c) => this.hostCpus.has(c));
    const asked = formatCpuList(cpus);
    if (applied.length === 0) return unbound(`cpuset ${asked} names no CPU of this host (${this.hostCpuList}): running unbound`);
    const list = formatCpuList(applied);
    const note = applied.length < cpus.length ? `cpuset ${asked} narrowed to ${list}, the part this host has` : undefined;
    const withNote = (b: Omit<BoundLaunch, 'note' | 'applied'>): BoundLaunch => ({ ...b, applied, ...(note ? { note } : {}) });
    switch (this.method) {
      case 'taskset':
        return withNote({ argv: [this.tool, '--cpu-list', list, ...argv], release: NOTHING });
      case 'numactl':
        // Memory is bound only to a NUMA node this host has (a recorded inventory may name others).
        return withNote({ argv: [this.tool, `--physcpubind=${list}`, ...(this.hostNuma.has(numaNode) ? [`--membind=${numaNode}`] : []), ...argv], release: NOTHING });
      default:
        return this.inCgroup(key, argv, list, numaNode, withNote, unbound);
    }
  }

  /**
   * releaseOf is the release of a pod bound by a previous agent process (an
   * adopted pod): its cgroup is removed once it has ended. Nothing to undo for
   * the other methods.
   */
  releaseOf(key: string): () => void {
    if (this.method !== 'cgroup-v1' && this.method !== 'cgroup-v2') return NOTHING;
    const dir = this.podCgroup(key);
    return () => releaseLater(dir, RELEASE_TRIES);
  }

  private podCgroup(key: string): string {
    return path.join(this.base, `pod-${createHash('sha256').update(key).digest('hex').slice(0, 20)}`);
  }

  private inCgroup(key: string, argv: string[], list: string, numaNode: number, withNote: (b: Omit<BoundLaunch, 'note' | 'applied'>) => BoundLaunch, unbound: (note?: string) => BoundLaunch): BoundLaunch {
    const dir = this.podCgroup(key);
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'cpuset.cpus'), list);
      const mems = this.mems.has(numaNode) ? String(numaNode) : formatCpuList([...this.mems]);
      writeFileSync(path.join(dir, 'cpuset.mems'), mems);
    } catch (e) {
      this.log.warn('cannot make the pod\'s cpuset cgroup: running unbound', { pod: key, dir, ...errorFields(e) });
      removeDir(dir);
      return unbound(`cpuset cgroup ${dir} could not be made`);
    }
    // The shell joins the cgroup, then becomes the pod's command (same pid): nothing runs outside it.
    return withNote({
      argv: ['/bin/sh', '-c', JOIN_CGROUP, path.join(dir, 'cgroup.procs'), ...argv],
      release: () => releaseLater(dir, RELEASE_TRIES),
    });
  }

  /** close removes this agent's cgroup once no pod cgroup is left in it (sweeping empty ones first). */
  close(): void {
    if (this.base) {
      this.sweep();
      // Pods stopped just now may still be leaving their cgroups: retried like a pod's release.
      releaseLater(this.base, RELEASE_TRIES);
    }
  }

  /** sweep removes pod cgroups left empty by a previous agent (their pods are gone). */
  sweep(): void {
    if (!this.base) return;
    let entries: string[];
    try {
      entries = readdirSync(this.base).filter((e) => e.startsWith('pod-'));
    } catch {
      return;
    }
    for (const e of entries) {
      const dir = path.join(this.base, e);
      try {
        if (readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').trim() === '') rmdirSync(dir);
      } catch {
        // still in use, or not a cgroup: left alone
      }
    }
  }
}

/** RELEASE_TRIES bounds the retries of removing a pod cgroup whose last processes are still being reaped. */
const RELEASE_TRIES = 10;

function removeDir(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/** releaseLater removes a pod cgroup, retrying while killed processes are still leaving it; a leftover is swept at the next start. */
function releaseLater(dir: string, tries: number): void {
  if (removeDir(dir) || tries <= 1) return;
  setTimeout(() => releaseLater(dir, tries - 1), 200).unref();
}

/**
 * prepareCgroup finds a writable cpuset hierarchy and makes Muster's parent
 * cgroups in it: `muster/<scope>` (v1: each level gets its parent's cpus and
 * mems, without which it takes no task; v2: each level delegates cpuset).
 */
function prepareCgroup(root: string, scope: string): { version: 1 | 2; base: string; mems: number[] } | { why: string } {
  const v1 = path.join(root, 'cpuset');
  const safeScope = scope.replace(/[^A-Za-z0-9_-]/g, '_') || 'agent';
  try {
    if (existsSync(path.join(v1, 'cpuset.cpus'))) {
      let parent = v1;
      for (const level of ['muster', safeScope]) {
        const dir = path.join(parent, level);
        mkdirSync(dir, { recursive: true });
        for (const f of ['cpuset.cpus', 'cpuset.mems']) {
          if (readFileSync(path.join(dir, f), 'utf8').trim() === '') writeFileSync(path.join(dir, f), readFileSync(path.join(parent, f), 'utf8').trim());
        }
        parent = dir;
      }
      accessSync(path.join(parent, 'cgroup.procs'), constants.W_OK);
      return { version: 1, base: parent, mems: parseCpuList(readFileSync(path.join(parent, 'cpuset.mems'), 'utf8')) ?? [] };
    }
    const controllers = path.join(root, 'cgroup.controllers');
    if (existsSync(controllers)) {
      if (!readFileSync(controllers, 'utf8').split(/\s+/).includes('cpuset')) return { why: `${root} (cgroup v2) has no cpuset controller` };
      let parent = root;
      for (const level of ['muster', safeScope]) {
        writeFileSync(path.join(parent, 'cgroup.subtree_control'), '+cpuset');
        parent = path.join(parent, level);
        mkdirSync(parent, { recursive: true });
      }
      writeFileSync(path.join(parent, 'cgroup.subtree_control'), '+cpuset');
      const mems = parseCpuList(readFileSync(path.join(parent, 'cpuset.mems.effective'), 'utf8')) ?? [];
      return { version: 2, base: parent, mems };
    }
    return { why: `no cpuset hierarchy under ${root}` };
  } catch (e) {
    return { why: `${root}: ${(e as Error).message}` };
  }
}
