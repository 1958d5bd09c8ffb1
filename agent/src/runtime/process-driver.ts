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
 * Every pod runs under the exit status shim (exit-status.ts): the group
 * leader is a tiny shell that runs the command, writes its exit status to
 * `<podDir>/exit-code` and exits with it.
 *
 * With `recordsDir`, each running group is recorded on disk (running-records.ts).
 * A new agent process (after a crash or a restart that left pods running)
 * `recover`s them: groups still running whose pod the agent knows are adopted
 * — watched by polling the leader's /proc entry (the agent is no longer their
 * parent), stopped like any other — and those that ended while no agent
 * watched are reported with the exit status the shim wrote.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import path from 'node:path';
import { systemClock, type Clock } from '../../../shared/src/clock.js';
import { errorFields, type Logger } from '../../../shared/src/logger.js';
import { keyFields, podKeyString, type PodExit, type PodKey, type PodSpec, type PodStart, type RecoveredPod, type RecoverOptions, type RunningPod, type RuntimeDriver } from './driver.js';
import { clearExitFile, exitFileOf, readExitFile, shimArgv, type RecordedExit } from './exit-status.js';
import { signalNumber } from './signals.js';
import type { CpuAffinity } from './cpu-affinity.js';
import { isExecutable, whichOnPath } from '../../../shared/src/which.js';
import { setprivArgv } from './identity.js';
import { GroupWatch, killGroup, readProcStat } from './proc.js';
import { GROUP_POLL_MS, judge, KILL_WAIT_MS, recordFor, RunningRecords, stopGroup, type RunningRecord } from './running-records.js';

export { killGroup } from './proc.js';
export { signalNumber } from './signals.js';

/**
 * ROOT_SIDE_ENV is the environment of what runs before the pod's command: the
 * cpuset wrapper, the exit status shim and setpriv, all root. The pod's own
 * environment is applied by `env -i` right before its command.
 */
export const ROOT_SIDE_ENV: Readonly<Record<string, string>> = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' };

/** envAssignments renders an environment as env(1)'s NAME=VALUE arguments (names env could take for an option or command are left out). */
export function envAssignments(env: Record<string, string>): string[] {
  return Object.entries(env)
    .filter(([k]) => /^[A-Za-z_][A-Za-z0-9_.]*$/.test(k))
    .map(([k, v]) => `${k}=${v}`);
}

/** leaderRuns says whether a recorded group's leader (its exit status shim) still runs. */
function leaderRuns(rec: RunningRecord): boolean {
  const st = readProcStat(rec.pgid);
  return st !== undefined && st.state !== 'Z' && st.startTime === rec.procStartTime;
}

/** ADOPTED_POLL_MS is how often an adopted pod's leader is checked (the agent is not its parent: no exit event). */
export const ADOPTED_POLL_MS = 200;

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
  /** The POSIX shell running the exit status shim (default /bin/sh). */
  shell?: string;
}

/** ImagePolicy says what the process driver does with a pod that names an image. */
export type ImagePolicy = 'reject' | 'host';

/** IMAGE_POLICIES are the accepted values of imagePolicy. */
export const IMAGE_POLICIES: readonly ImagePolicy[] = ['reject', 'host'];

interface Entry extends RunningPod {
  /** The shim's process; absent for a pod adopted from a previous agent process. */
  child?: ChildProcess;
  /** Where the shim writes the command's exit status. */
  exitFile: string;
  /** An adopted pod's leader start time (/proc ticks): its pid is the pod's only while it matches. */
  adoptedStartTime?: string;
  /** The next check of an adopted pod's leader. */
  watchTimer?: NodeJS.Timeout;
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
  private readonly shell: string;
  private readonly envBin: string;
  private closed = false;

  constructor(opts: ProcessDriverOptions) {
    this.log = opts.logger.child({ component: 'process-driver' });
    this.clock = opts.clock ?? systemClock;
    this.records = opts.recordsDir ? new RunningRecords(opts.recordsDir) : undefined;
    this.pollMs = opts.groupPollMs ?? GROUP_POLL_MS;
    this.imagePolicy = opts.imagePolicy ?? 'reject';
    this.affinity = opts.affinity;
    this.setpriv = opts.setpriv ?? whichOnPath('setpriv');
    this.shell = opts.shell ?? '/bin/sh';
    this.envBin = whichOnPath('env', ROOT_SIDE_ENV.PATH) ?? '/usr/bin/env';
  }

  /** containerized is false: the process driver runs every pod on the host (an image is rejected or ignored). */
  containerized(): boolean {
    return false;
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

    // Innermost the pod's environment (env -i: it applies only to the command itself), then its identity
    // (setpriv), the exit status shim, and outermost its cpuset (applied while still root). Everything before
    // the command runs with ROOT_SIDE_ENV: nothing of the pod's (PATH, LD_PRELOAD…) reaches a root process.
    if (cmd.includes('=')) return startFailure('StartError', `cannot run "${cmd}": a command name may not contain "="`, now());
    let inner = [this.envBin, '-i', ...envAssignments(spec.env), cmd, ...rest, ...spec.args];
    if (spec.identity) {
      if (!this.setpriv) return startFailure('StartError', `cannot run the pod as "${spec.identity.user}": setpriv (util-linux) is not on the agent's PATH`, now());
      inner = setprivArgv(this.setpriv, spec.identity, inner);
    }
    // The exit status shim leads the group, between the cpuset wrapper (root) and the identity switch: it
    // writes into the pod's directory, which stays root's.
    const exitFile = exitFileOf(spec.podDir);
    inner = shimArgv(this.shell, exitFile, inner);
    const bound = spec.cpus && spec.cpus.length > 0 ? this.affinity?.wrap(podKeyString(spec), inner, spec.cpus, spec.numaNode ?? -1) : undefined;
    const argvAll = bound ? bound.argv : inner;
    // A wrapper (setpriv, taskset, a cgroup-joining shell) would turn a missing command into its own failure: check first.
    if (argvAll[0] !== cmd && !findCommand(cmd, spec.env.PATH, spec.workingDir)) {
      bound?.release();
      const exists = cmd.includes('/') && existsSync(path.resolve(spec.workingDir, cmd));
      return startFailure('StartError', exists ? `cannot run "${cmd}": not an executable file (EACCES)` : `cannot run "${cmd}": command not found (ENOENT)`, now());
    }
    if (bound?.note) this.log.warn(bound.note, { ...keyFields(spec), cpus: spec.cpus?.join(',') });
    const [file, ...argv] = argvAll;

    let out: number | undefined;
    let err: number | undefined;
    let child: ChildProcess;
    try {
      mkdirSync(path.dirname(spec.stdoutPath), { recursive: true });
      mkdirSync(path.dirname(spec.stderrPath), { recursive: true });
      mkdirSync(spec.podDir, { recursive: true });
      clearExitFile(exitFile);
      // Readable by root (and the agent's group) only: a pod's output is its submitter's business (`muster logs`).
      out = openSync(spec.stdoutPath, 'a', 0o640);
      err = openSync(spec.stderrPath, 'a', 0o640);
      child = spawn(file!, argv, {
        detached: true, // its own session and process group: stop signals the whole group
        cwd: spec.workingDir,
        env: ROOT_SIDE_ENV,
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
    const entry: Entry = { ...keyFields(spec), pid: child.pid ?? 0, startedMs: now(), child, exitFile, exited, resolveExit, ...(bound ? { release: bound.release } : {}) };
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
      this.record(entry, [cmd, ...rest, ...spec.args], exitFile);
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
    this.armKill(entry, gracePeriodMs);
    return entry.exited;
  }

  /** armKill sends SIGKILL to a stopping pod's group now (no grace) or when the grace period is over. */
  private armKill(entry: Entry, gracePeriodMs: number): void {
    if (gracePeriodMs <= 0) this.killNow(entry, 'no grace period');
    else if (!entry.killTimer && entry.killedAt === undefined) {
      entry.killTimer = setTimeout(() => {
        entry.killTimer = undefined;
        this.log.info('grace period over, killing process group', { ...keyFields(entry), podPid: entry.pid });
        this.killNow(entry, 'grace period over');
      }, gracePeriodMs);
      entry.killTimer.unref();
    }
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
    const exit = this.exitOf(this.statusOf(entry), entry.stopWhy);
    if (entry.restKilled) exit.message += '; the rest of its process group was killed (SIGKILL) when the grace period ran out';
    entry.resolveExit(exit);
  }

  private record(entry: Entry, command: string[], exitFile: string): void {
    if (!this.records) return;
    try {
      this.records.write({ ...recordFor(entry, entry.pid, entry.startedMs, command), exitFile });
      entry.recorded = true;
    } catch (err) {
      // The pod runs anyway; only a crash of the agent would now leave it behind.
      this.log.error('cannot record a running pod (an agent crash would leave it running)', { ...keyFields(entry), pgid: entry.pid, ...errorFields(err) });
    }
  }

  /**
   * recover adopts the recorded groups a previous agent process left running
   * (pods the agent knows), reports those that ended meanwhile with their
   * recorded exit status, and stops the groups of pods it does not know.
   */
  async recover(opts: RecoverOptions): Promise<RecoveredPod[]> {
    if (!this.records) return [];
    const log = this.log.child({ component: 'recover' });
    const { records, bad } = this.records.list();
    for (const b of bad) {
      log.warn('removing an unreadable record of a running pod', { file: b.file, problem: b.problem });
      this.records.removeFile(b.file);
    }
    const found = await Promise.all(records.map((rec) => this.recoverOne(rec, opts, log)));
    return found.filter((r): r is RecoveredPod => r !== undefined);
  }

  private async recoverOne(rec: RunningRecord, opts: RecoverOptions, log: Logger): Promise<RecoveredPod | undefined> {
    const verdict = judge(rec);
    const fields = { ...keyFields(rec), pgid: rec.pgid, command: rec.command, why: verdict.why };
    const exitFile = rec.exitFile ?? '';
    if (!opts.known(rec)) {
      if (verdict.kind === 'ours') {
        log.warn('stopping a pod left running by a previous agent that the pod table does not know', { ...fields, gracePeriodMs: opts.gracePeriodMs });
        const how = await stopGroup(rec, opts.gracePeriodMs, opts.signal);
        if (how === 'still-running') {
          log.error('a pod left by a previous agent is still running after SIGKILL', fields);
          return undefined;
        }
        this.affinity?.releaseOf(podKeyString(rec))();
      }
      this.records!.remove(rec.pgid);
      return undefined;
    }
    if (verdict.kind === 'ours') {
      const key = podKeyString(rec);
      let resolveExit!: (exit: PodExit) => void;
      const exited = new Promise<PodExit>((resolve) => (resolveExit = resolve));
      const entry: Entry = { ...keyFields(rec), pid: rec.pgid, startedMs: rec.startedMs, exitFile, adoptedStartTime: rec.procStartTime, exited, resolveExit, recorded: true, release: this.affinity?.releaseOf(key) };
      this.running.set(key, entry);
      if (!leaderRuns(rec)) {
        // Its shim is gone but processes of it still run: it was being stopped when the previous agent
        // exited (a checkpoint being written). It gets its grace period again, not an instant SIGKILL.
        // (No second SIGTERM: the first one already reached it.)
        log.info('an adopted pod was being stopped: it gets the grace period to finish', fields);
        entry.stopWhy = 'it was being stopped when the previous agent process exited';
        this.armKill(entry, opts.gracePeriodMs);
      }
      this.watchAdopted(key, entry);
      log.info('adopted a pod left running by a previous agent', fields);
      return { ...keyFields(rec), state: 'running', pid: entry.pid, startedMs: entry.startedMs, exited };
    }
    // Gone (or its pid reused): it ended while no agent watched; the shim left its exit status.
    const exit = this.exitOf(exitFile ? readExitFile(exitFile) : undefined, undefined);
    log.info('a pod ended while the agent was down', { ...fields, reason: exit.reason, exitCode: exit.exitCode });
    this.affinity?.releaseOf(podKeyString(rec))();
    this.records!.remove(rec.pgid);
    return { ...keyFields(rec), state: 'ended', exit };
  }

  /** watchAdopted polls an adopted pod's leader until it has exited (gone, a zombie, or its pid reused), or the driver is closed. */
  private watchAdopted(key: string, entry: Entry): void {
    const tick = (): void => {
      entry.watchTimer = undefined;
      if (entry.done || this.closed) return;
      const st = readProcStat(entry.pid);
      if (st && st.state !== 'Z' && st.startTime === entry.adoptedStartTime) {
        entry.watchTimer = setTimeout(tick, ADOPTED_POLL_MS);
        return;
      }
      this.leaderExited(key, entry, null, null);
    };
    tick();
  }

  /**
   * close stops watching every pod: the agent is exiting and leaves its pods
   * running for the next agent process (their exits are no longer seen or
   * acted on here; the shim records them).
   */
  close(): void {
    this.closed = true;
    for (const e of this.running.values()) {
      if (e.watchTimer) clearTimeout(e.watchTimer);
      if (e.killTimer) clearTimeout(e.killTimer);
      e.child?.removeAllListeners('exit');
      e.child?.unref();
    }
  }

  /** list returns the processes still running. */
  list(): RunningPod[] {
    return [...this.running.values()].map(({ podId, jobsetUid, generation, pid, startedMs }) => ({ podId, jobsetUid, generation, pid, startedMs }));
  }

  /**
   * statusOf is how a pod's command ended: what the shim recorded, else how
   * the shim itself ended (killed, e.g. by the grace period's SIGKILL), else
   * unknown (an adopted pod whose shim was killed while no agent watched).
   */
  private statusOf(entry: Entry): RecordedExit | undefined {
    const recorded = readExitFile(entry.exitFile);
    if (recorded) return recorded;
    // Stopped: its processes outlived SIGTERM until the grace period's SIGKILL.
    if (entry.restKilled) return { status: 128 + signalNumber('SIGKILL'), signal: 'SIGKILL' };
    const leader = entry.leaderExit;
    if (!leader || (leader.code === null && leader.signal === null)) {
      // An adopted pod (no wait status): what the agent sent it, if it stopped it.
      if (entry.killedAt !== undefined) return { status: 128 + signalNumber('SIGKILL'), signal: 'SIGKILL' };
      if (entry.stopWhy !== undefined) return { status: 128 + signalNumber('SIGTERM'), signal: 'SIGTERM' };
      return undefined;
    }
    if (leader.signal) return { status: 128 + signalNumber(leader.signal), signal: leader.signal };
    return { status: leader.code ?? 0, signal: '' };
  }

  private exitOf(status: RecordedExit | undefined, stopWhy: string | undefined): PodExit {
    const finishedMs = this.clock.now();
    if (!status) {
      const message = 'it ended while no agent watched it and left no exit status (its supervisor was killed)';
      if (stopWhy !== undefined) return { phase: 'POD_PHASE_FAILED', reason: 'Stopped', signal: '', message: `stopped by the agent (${stopWhy}); ${message}`, finishedMs };
      return { phase: 'POD_PHASE_FAILED', reason: 'ExitUnknown', signal: '', message, finishedMs };
    }
    const signal = status.signal;
    const exitCode = status.status;
    const how = signal ? `killed by ${signal}` : `exited with code ${exitCode}`;
    if (stopWhy !== undefined)
      return { phase: 'POD_PHASE_FAILED', reason: 'Stopped', exitCode, signal: signal ?? '', message: `stopped by the agent (${stopWhy}); ${how}`, finishedMs };
    if (signal) return { phase: 'POD_PHASE_FAILED', reason: 'Signaled', exitCode, signal, message: how, finishedMs };
    if (exitCode === 0) return { phase: 'POD_PHASE_SUCCEEDED', reason: 'Completed', exitCode: 0, signal: '', message: how, finishedMs };
    return { phase: 'POD_PHASE_FAILED', reason: 'Error', exitCode, signal: '', message: how, finishedMs };
  }
}
