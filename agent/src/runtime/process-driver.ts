/**
 * The `process` runtime driver: a pod is a plain process in its own process
 * group (and session), its stdout/stderr appended to files, stopped by
 * signalling the whole group, bound to its binding's cpuset when it has one
 * (cpu-affinity.ts: a cpuset cgroup, taskset or numactl). It runs with the
 * agent's uid (the identity issue adds `template.user`).
 *
 * A pod has ended when its whole group has: when the agent stops a pod, the
 * first process (the group leader) exiting is not the end — a `sh -c "python
 * train.py; …"` wrapper dies of SIGTERM at once while its child is still
 * writing a checkpoint — so the group is watched until it is empty, and only
 * the grace timer sends SIGKILL. A pod that ends by itself (not stopped) ends
 * with its leader, and whatever it left in its group is killed.
 *
 * With `recordsDir`, each running group is recorded on disk (running-records.ts)
 * so that an agent that crashed can stop its pods when it starts again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { systemClock, type Clock } from '../../../shared/src/clock.js';
import { errorFields, type Logger } from '../../../shared/src/logger.js';
import { keyFields, podKeyString, type PodExit, type PodKey, type PodSpec, type PodStart, type RunningPod, type RuntimeDriver } from './driver.js';
import type { CpuAffinity } from './cpu-affinity.js';
import { isExecutable, whichOnPath } from '../../../shared/src/which.js';
import { setprivArgv } from './identity.js';
import { GroupWatch, killGroup } from './proc.js';
import { GROUP_POLL_MS, KILL_WAIT_MS, recordFor, RunningRecords } from './running-records.js';

export { killGroup } from './proc.js';

/** ProcessDriverOptions configure the process driver. */
export interface ProcessDriverOptions {
  logger: Logger;
  clock?: Clock;
  /** Where running process groups are recorded (`<stateDir>/running`); none when absent. */
  recordsDir?: string;
  /** How often a stopping pod's group is checked for live processes (default GROUP_POLL_MS). */
  groupPollMs?: number;
  /**
   * What a pod that names an image gets: `reject` (default) fails it with
   * ImageNotSupported; `host` runs its command on the host, image ignored
   * (for JobSet manifests on sites without a container runtime).
   */
  imagePolicy?: ImagePolicy;
  /** Binds pods with a cpuset to their CPUs (cpu-affinity.ts); absent = never bound. */
  affinity?: CpuAffinity;
  /** The util-linux setpriv that switches a pod to its identity (default: setpriv on PATH). */
  setpriv?: string;
}

/** ImagePolicy says what the process driver does with a pod that names an image. */
export type ImagePolicy = 'reject' | 'host';

/** IMAGE_POLICIES are the accepted values of imagePolicy. */
export const IMAGE_POLICIES: readonly ImagePolicy[] = ['reject', 'host'];

interface Entry extends RunningPod {
  child: ChildProcess;
  exited: Promise<PodExit>;
  resolveExit: (exit: PodExit) => void;
  /** Why the agent stopped it, once it did. */
  stopWhy?: string;
  killTimer?: NodeJS.Timeout;
  /** Undoes the pod's CPU binding (its cgroup) once it has ended. */
  release?: () => void;
  /** When SIGKILL was sent to the group (stop with no grace, or the grace period ran out). */
  killedAt?: number;
  /** How the leader ended, once it has. */
  leaderExit?: { code: number | null; signal: NodeJS.Signals | null };
  /** True when the leader had exited and the rest of its group was SIGKILLed. */
  restKilled?: boolean;
  /** True once the exit has been reported. */
  done?: boolean;
  recorded?: boolean;
}

/** signalNumber is the number of a signal name (SIGTERM → 15); 0 when unknown. */
export function signalNumber(name: string): number {
  return (os.constants.signals as Record<string, number | undefined>)[name] ?? 0;
}

function startFailure(reason: 'StartError' | 'ImageNotSupported', message: string, now: number): PodStart {
  return { kind: 'failed', exit: { phase: 'POD_PHASE_FAILED', reason, signal: '', message, finishedMs: now } };
}

function describeSpawnError(cmd: string, err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT':
      return `cannot run "${cmd}": command not found (ENOENT)`;
    case 'EACCES':
      return `cannot run "${cmd}": permission denied (EACCES)`;
    default:
      return `cannot run "${cmd}": ${err.message}`;
  }
}

/** findCommand says whether `cmd` resolves as spawn would resolve it: a path (relative to `cwd`), else a name on `pathVar`. */
function findCommand(cmd: string, pathVar: string | undefined, cwd: string): boolean {
  if (cmd.includes('/')) return isExecutable(path.resolve(cwd, cmd));
  return whichOnPath(cmd, pathVar ?? process.env.PATH ?? '') !== undefined;
}

/** ProcessDriver runs each pod as a process group on this host. */
export class ProcessDriver implements RuntimeDriver {
  readonly name = 'process';
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly running = new Map<string, Entry>();
  private readonly records: RunningRecords | undefined;
  private readonly pollMs: number;

  private readonly imagePolicy: ImagePolicy;
  private readonly affinity: CpuAffinity | undefined;
  private readonly setpriv: string | undefined;

  constructor(opts: ProcessDriverOptions) {
    this.log = opts.logger.child({ component: 'process-driver' });
    this.clock = opts.clock ?? systemClock;
    this.records = opts.recordsDir ? new RunningRecords(opts.recordsDir) : undefined;
    this.pollMs = opts.groupPollMs ?? GROUP_POLL_MS;
    this.imagePolicy = opts.imagePolicy ?? 'reject';
    this.affinity = opts.affinity;
    this.setpriv = opts.setpriv ?? whichOnPath('setpriv');
  }

  /** start spawns `command[0] command[1..] args` detached, logs appended to the spec's files. */
  async start(spec: PodSpec): Promise<PodStart> {
    const now = (): number => this.clock.now();
    if (spec.image && this.imagePolicy !== 'host')
      return startFailure('ImageNotSupported', `image "${spec.image}" needs the oci runtime driver; the process driver runs plain commands only (--image-policy host runs the command on the host)`, now());
    const [cmd, ...rest] = spec.command;
    if (!cmd)
      return startFailure('StartError', spec.image ? `the pod has no command and image "${spec.image}"'s entrypoint is unknown without a container runtime` : 'the pod template has no command', now());
    try {
      if (!statSync(spec.workingDir).isDirectory())
        return startFailure('StartError', `cannot run "${cmd}": working directory ${spec.workingDir} is not a directory`, now());
    } catch {
      return startFailure('StartError', `cannot run "${cmd}": working directory ${spec.workingDir} does not exist`, now());
    }

    // The pod's own identity (setpriv, innermost), then its cpuset (outermost: applied while still root).
    let inner = [cmd, ...rest, ...spec.args];
    if (spec.identity) {
      if (!this.setpriv) return startFailure('StartError', `cannot run the pod as "${spec.identity.user}": setpriv (util-linux) is not on the agent's PATH`, now());
      inner = setprivArgv(this.setpriv, spec.identity, inner);
    }
    const bound = spec.cpus && spec.cpus.length > 0 ? this.affinity?.wrap(podKeyString(spec), inner, spec.cpus, spec.numaNode ?? -1) : undefined;
    const argvAll = bound ? bound.argv : inner;
    // A wrapper (setpriv, taskset, a cgroup-joining shell) would turn a missing command into its own failure: check first.
    if (argvAll[0] !== cmd && !findCommand(cmd, spec.env.PATH, spec.workingDir)) {
      bound?.release();
      return startFailure('StartError', `cannot run "${cmd}": command not found (ENOENT)`, now());
    }
    if (bound?.note) this.log.warn(bound.note, { ...keyFields(spec), cpus: spec.cpus?.join(',') });
    const [file, ...argv] = argvAll;

    let out: number | undefined;
    let err: number | undefined;
    let child: ChildProcess;
    try {
      mkdirSync(path.dirname(spec.stdoutPath), { recursive: true });
      mkdirSync(path.dirname(spec.stderrPath), { recursive: true });
      // Readable by root (and the agent's group) only: a pod's output is its submitter's business (`muster logs`).
      out = openSync(spec.stdoutPath, 'a', 0o640);
      err = openSync(spec.stderrPath, 'a', 0o640);
      child = spawn(file!, argv, {
        detached: true, // its own session and process group: stop signals the whole group
        cwd: spec.workingDir,
        env: spec.env,
        stdio: ['ignore', out, err],
      });
    } catch (e) {
      bound?.release();
      return startFailure('StartError', `cannot run "${cmd}": ${(e as Error).message}`, now());
    } finally {
      // The child has its own copies of the descriptors once spawn has returned.
      if (out !== undefined) closeSync(out);
      if (err !== undefined) closeSync(err);
    }

    const key = podKeyString(spec);
    let resolveExit!: (exit: PodExit) => void;
    const exited = new Promise<PodExit>((resolve) => (resolveExit = resolve));
    const entry: Entry = { ...keyFields(spec), pid: child.pid ?? 0, startedMs: now(), child, exited, resolveExit, ...(bound ? { release: bound.release } : {}) };
    child.once('exit', (code, signal) => this.leaderExited(key, entry, code, signal));
    const spawned = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      child.once('spawn', () => resolve(undefined));
      child.once('error', (e) => resolve(e));
    });
    // Later 'error' events (a failed kill) must never crash the agent.
    child.on('error', (e) => this.log.warn('process error', { ...keyFields(spec), ...errorFields(e) }));
    if (spawned || child.pid === undefined) {
      bound?.release();
      return startFailure('StartError', describeSpawnError(cmd, spawned ?? new Error('no pid')), now());
    }

    if (!entry.done) {
      this.running.set(key, entry);
      this.record(entry, [cmd, ...rest, ...spec.args]);
    }
    this.log.debug('process started', { ...keyFields(spec), podPid: entry.pid, command: cmd });
    return { kind: 'running', pid: entry.pid, startedMs: entry.startedMs, exited: entry.exited };
  }

  /**
   * stop sends SIGTERM to the pod's process group, SIGKILL after gracePeriodMs
   * (at once when it is 0 or less), and resolves once every process of the
   * group has exited (or, after SIGKILL, once KILL_WAIT_MS has passed).
   */
  async stop(key: PodKey, gracePeriodMs: number, why: string): Promise<PodExit | undefined> {
    const entry = this.running.get(podKeyString(key));
    if (!entry) return undefined;
    const first = entry.stopWhy === undefined;
    entry.stopWhy ??= why;
    if (first) {
      this.log.debug('stopping process group', { ...keyFields(key), podPid: entry.pid, gracePeriodMs });
      if (gracePeriodMs > 0) killGroup(entry.pid, 'SIGTERM');
    }
    if (gracePeriodMs <= 0) this.killNow(entry, 'no grace period');
    else if (!entry.killTimer && entry.killedAt === undefined) {
      entry.killTimer = setTimeout(() => {
        entry.killTimer = undefined;
        this.log.info('grace period over, killing process group', { ...keyFields(entry), podPid: entry.pid });
        this.killNow(entry, 'grace period over');
      }, gracePeriodMs);
      entry.killTimer.unref();
    }
    return entry.exited;
  }

  private killNow(entry: Entry, why: string): void {
    if (entry.killTimer) clearTimeout(entry.killTimer);
    entry.killTimer = undefined;
    entry.killedAt ??= Date.now();
    if (!entry.done) {
      this.log.debug('killing process group', { ...keyFields(entry), podPid: entry.pid, why });
      if (killGroup(entry.pid, 'SIGKILL') && entry.leaderExit) entry.restKilled = true;
    }
  }

  /**
   * leaderExited handles the exit of the group leader. A pod nobody is stopping
   * ends with it: what it left in its group is killed. A pod being stopped ends
   * once its group is empty; the grace timer, not the leader's exit, decides
   * when SIGKILL comes.
   */
  private leaderExited(key: string, entry: Entry, code: number | null, signal: NodeJS.Signals | null): void {
    entry.leaderExit = { code, signal };
    if (entry.stopWhy === undefined || entry.pid <= 0) {
      // Whatever the pod left behind in its group goes with it.
      killGroup(entry.pid, 'SIGKILL');
      this.finish(key, entry);
      return;
    }
    void this.waitForGroup(entry).finally(() => this.finish(key, entry));
  }

  /** waitForGroup polls a stopping pod's group until it is empty; bounded by the grace timer's SIGKILL plus KILL_WAIT_MS. */
  private async waitForGroup(entry: Entry): Promise<void> {
    const watch = new GroupWatch(entry.pid);
    let logged = false;
    while (watch.alive()) {
      if (entry.killedAt !== undefined && Date.now() - entry.killedAt >= KILL_WAIT_MS) {
        this.log.warn('processes of a stopped pod outlived SIGKILL; reporting it exited', { ...keyFields(entry), pgid: entry.pid });
        return;
      }
      if (!logged) {
        this.log.debug('pod leader exited; waiting for the rest of its process group', { ...keyFields(entry), pgid: entry.pid });
        logged = true;
      }
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }

  private finish(key: string, entry: Entry): void {
    if (entry.done) return;
    entry.done = true;
    if (entry.killTimer) clearTimeout(entry.killTimer);
    entry.killTimer = undefined;
    if (this.running.get(key) === entry) this.running.delete(key);
    entry.release?.();
    if (entry.recorded) {
      try {
        this.records?.remove(entry.pid);
      } catch (err) {
        this.log.warn('cannot remove the record of a finished pod', { ...keyFields(entry), pgid: entry.pid, ...errorFields(err) });
      }
    }
    const { code, signal } = entry.leaderExit ?? { code: null, signal: null };
    const exit = this.exitOf(code, signal, entry.stopWhy);
    if (entry.restKilled) exit.message += '; the rest of its process group was killed (SIGKILL) when the grace period ran out';
    entry.resolveExit(exit);
  }

  private record(entry: Entry, command: string[]): void {
    if (!this.records) return;
    try {
      this.records.write(recordFor(entry, entry.pid, entry.startedMs, command));
      entry.recorded = true;
    } catch (err) {
      // The pod runs anyway; only a crash of the agent would now leave it behind.
      this.log.error('cannot record a running pod (an agent crash would leave it running)', { ...keyFields(entry), pgid: entry.pid, ...errorFields(err) });
    }
  }

  /** list returns the processes still running. */
  list(): RunningPod[] {
    return [...this.running.values()].map(({ podId, jobsetUid, generation, pid, startedMs }) => ({ podId, jobsetUid, generation, pid, startedMs }));
  }

  private exitOf(code: number | null, signal: NodeJS.Signals | null, stopWhy: string | undefined): PodExit {
    const finishedMs = this.clock.now();
    const exitCode = signal ? 128 + signalNumber(signal) : (code ?? 0);
    const how = signal ? `killed by ${signal}` : `exited with code ${exitCode}`;
    if (stopWhy !== undefined)
      return { phase: 'POD_PHASE_FAILED', reason: 'Stopped', exitCode, signal: signal ?? '', message: `stopped by the agent (${stopWhy}); ${how}`, finishedMs };
    if (signal) return { phase: 'POD_PHASE_FAILED', reason: 'Signaled', exitCode, signal, message: how, finishedMs };
    if (exitCode === 0) return { phase: 'POD_PHASE_SUCCEEDED', reason: 'Completed', exitCode: 0, signal: '', message: how, finishedMs };
    return { phase: 'POD_PHASE_FAILED', reason: 'Error', exitCode, signal: '', message: how, finishedMs };
  }
}
