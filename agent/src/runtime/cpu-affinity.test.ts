/**
 * Binding pods to their cpuset: real processes started by the process driver
 * report the CPUs the kernel lets them run on (Cpus_allowed_list) and the
 * cgroup they are in; the cgroup v2 layout, which this host does not have, is
 * checked on a directory tree shaped like one.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nullLogger } from '../../../shared/src/logger.js';
import { whichOnPath } from '../../../shared/src/which.js';
import { CpuAffinity, hostCpusOf, JOIN_CGROUP } from './cpu-affinity.js';
import type { PodSpec } from './driver.js';
import { killGroup, ProcessDriver } from './process-driver.js';

let dir: string;
const started: number[] = [];
const affinities: CpuAffinity[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'muster-cpu-affinity-'));
});

afterEach(() => {
  for (const pid of started.splice(0)) killGroup(pid, 'SIGKILL');
  for (const a of affinities.splice(0)) a.close();
  rmSync(dir, { recursive: true, force: true });
});

let gen = 1;
function spec(cpus: number[], command: string[] = ['sh', '-c', 'grep Cpus_allowed_list /proc/self/status; grep cpuset /proc/self/cgroup || true']): PodSpec {
  return {
    podId: 'js/rj/0/0', jobsetUid: 'cafe0000-0000', generation: gen++, image: '', command, args: [],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, workingDir: dir, podDir: path.join(dir, 'pod'),
    stdoutPath: path.join(dir, `out-${gen}.log`), stderrPath: path.join(dir, `err-${gen}.log`), user: '', cpus, numaNode: 0,
  };
}

/** run starts a pod with `affinity` and returns its stdout once it has exited. */
async function run(affinity: CpuAffinity, s: PodSpec): Promise<{ out: string; reason: string; message: string }> {
  const driver = new ProcessDriver({ logger: nullLogger, affinity });
  const start = await driver.start(s);
  if (start.kind !== 'running') return { out: '', reason: start.exit.reason, message: start.exit.message };
  started.push(start.pid);
  const exit = await start.exited;
  return { out: readFileSync(s.stdoutPath, 'utf8'), reason: exit.reason, message: exit.message };
}

function detect(mode: Parameters<typeof CpuAffinity.detect>[0]['mode'], over: Partial<Parameters<typeof CpuAffinity.detect>[0]> = {}): CpuAffinity {
  const a = CpuAffinity.detect({ mode, logger: nullLogger, scope: `test-${process.pid}`, ...over });
  affinities.push(a);
  return a;
}

const lastCpu = (): number => hostCpusOf().at(-1)!;

describe('CpuAffinity on this host', () => {
  it('taskset: the pod runs on exactly its cpuset', async () => {
    const cpu = lastCpu();
    const { out, reason } = await run(detect('taskset'), spec([cpu]));
    expect(reason).toBe('Completed');
    expect(out).toMatch(new RegExp(`^Cpus_allowed_list:\\s+${cpu}$`, 'm'));
  });

  it('auto: a cpuset cgroup where the host has a writable one (else taskset); the pod is inside it, bound, and the cgroup goes when the pod ends', async () => {
    const a = detect('auto');
    const v1 = existsSync('/sys/fs/cgroup/cpuset/cpuset.cpus') && process.getuid?.() === 0;
    expect(a.method).toBe(v1 ? 'cgroup-v1' : whichOnPath('taskset') ? 'taskset' : whichOnPath('numactl') ? 'numactl' : 'none');
    const cpu = lastCpu();
    const { out } = await run(a, spec([cpu]));
    expect(out).toMatch(new RegExp(`^Cpus_allowed_list:\\s+${cpu}$`, 'm'));
    if (a.method === 'cgroup-v1') {
      const cg = /cpuset:(\/muster\/test-\d+\/pod-[0-9a-f]+)$/m.exec(out)?.[1];
      expect(cg, out).toBeDefined();
      const dirOf = `/sys/fs/cgroup/cpuset${cg}`;
      // Removed once the pod has ended (retried while its last processes are reaped).
      const until = Date.now() + 10_000;
      while (existsSync(dirOf) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect(existsSync(dirOf)).toBe(false);
    }
  });

  it('CPUs this host lacks (a recorded inventory on a smaller machine) are dropped; none left → unbound', () => {
    const a = detect('taskset', { hostCpus: [0, 1] });
    const narrowed = a.wrap('k', ['true'], [1, 56], 0);
    expect(narrowed.applied).toEqual([1]);
    expect(narrowed.argv).toEqual([whichOnPath('taskset'), '--cpu-list', '1', 'true']);
    expect(narrowed.note).toBe('cpuset 1,56 narrowed to 1, the part this host has');
    const none = a.wrap('k', ['true'], [56, 57], 0);
    expect(none).toMatchObject({ argv: ['true'], applied: [], note: 'cpuset 56-57 names no CPU of this host (0-1): running unbound' });
    expect(a.wrap('k', ['true'], [], 0)).toMatchObject({ argv: ['true'], applied: [] });
  });

  it('a missing command still fails as "command not found", not as the wrapper\'s error', async () => {
    const { reason, message } = await run(detect('taskset'), spec([lastCpu()], ['no-such-command-muster']));
    expect(reason).toBe('StartError');
    expect(message).toBe('cannot run "no-such-command-muster": command not found (ENOENT)');
  });

  it('numactl binds CPUs and the NUMA node\'s memory; off and an unusable explicit mode', () => {
    const n = detect('numactl', { which: (b) => (b === 'numactl' ? '/usr/bin/numactl' : undefined), hostCpus: [0, 1, 2, 3], hostNumaNodes: [0, 1] });
    expect(n.wrap('k', ['train'], [2, 3], 1).argv).toEqual(['/usr/bin/numactl', '--physcpubind=2-3', '--membind=1', 'train']);
    // A NUMA node this host lacks (a recorded inventory): CPUs bound, memory left to the kernel.
    expect(n.wrap('k', ['train'], [2, 3], 5).argv).toEqual(['/usr/bin/numactl', '--physcpubind=2-3', 'train']);
    expect(detect('off').wrap('k', ['train'], [0], 0).argv).toEqual(['train']);
    expect(() => detect('numactl', { which: () => undefined })).toThrow(/^cpuAffinity: numactl cannot be used on this host \(numactl: not on PATH\)$/);
    expect(() => detect('cgroup', { cgroupRoot: path.join(dir, 'none') })).toThrow(/cpuAffinity: cgroup cannot be used on this host \(cgroup: no cpuset hierarchy under /);
  });
});

describe('CpuAffinity on a cgroup v2 tree', () => {
  it('delegates cpuset down to muster/<node>, and a pod cgroup gets its CPUs and its NUMA node\'s memory', () => {
    const root = path.join(dir, 'cg2');
    const base = path.join(root, 'muster', 'node-a');
    mkdirSync(base, { recursive: true });
    writeFileSync(path.join(root, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
    writeFileSync(path.join(base, 'cpuset.mems.effective'), '0-1\n');
    const a = detect('cgroup', { cgroupRoot: root, scope: 'node-a', hostCpus: [0, 1, 2, 3] });
    expect(a.method).toBe('cgroup-v2');
    expect(readFileSync(path.join(root, 'cgroup.subtree_control'), 'utf8')).toBe('+cpuset');
    expect(readFileSync(path.join(root, 'muster', 'cgroup.subtree_control'), 'utf8')).toBe('+cpuset');
    const launch = a.wrap('train/w/0/0@u@0', ['python', 'train.py'], [2, 3], 1);
    const procs = launch.argv[3]!;
    const pod = path.dirname(procs);
    expect(path.dirname(pod)).toBe(base);
    expect(launch.argv).toEqual(['/bin/sh', '-c', JOIN_CGROUP, procs, 'python', 'train.py']);
    expect(readFileSync(path.join(pod, 'cpuset.cpus'), 'utf8')).toBe('2-3');
    expect(readFileSync(path.join(pod, 'cpuset.mems'), 'utf8')).toBe('1');
    // A NUMA node the parent cannot bind: all of the parent's.
    const other = a.wrap('train/w/0/1@u@0', ['python'], [0], 7);
    expect(readFileSync(path.join(path.dirname(other.argv[3]!), 'cpuset.mems'), 'utf8')).toBe('0-1');
    for (const f of ['cpuset.cpus', 'cpuset.mems']) rmSync(path.join(pod, f));
    launch.release();
    expect(existsSync(pod)).toBe(false);
  });

  it('a pod that cannot start (its log path is unusable) releases its binding', async () => {
    let released = 0;
    // A stand-in for the cgroup method: wraps like it and counts releases.
    const fake = { wrap: (_k: string, argv: string[]) => ({ argv: ['/bin/sh', '-c', 'exec "$@"', 'sh', ...argv], applied: [1], release: () => released++ }) } as unknown as CpuAffinity;
    writeFileSync(path.join(dir, 'a-file'), '');
    const { reason } = await run(fake, { ...spec([1], ['true']), stdoutPath: path.join(dir, 'a-file', 'out.log') });
    expect(reason).toBe('StartError');
    expect(released).toBe(1);
  });

  it('without the cpuset controller, auto falls back to taskset and an explicit cgroup mode refuses to start', () => {
    const root = path.join(dir, 'cg2-no-cpuset');
    mkdirSync(root, { recursive: true });
    writeFileSync(path.join(root, 'cgroup.controllers'), 'cpu io memory pids\n');
    expect(detect('auto', { cgroupRoot: root, which: (b) => (b === 'taskset' ? '/usr/bin/taskset' : undefined) }).method).toBe('taskset');
    expect(() => detect('cgroup', { cgroupRoot: root })).toThrow(/has no cpuset controller/);
  });
});
