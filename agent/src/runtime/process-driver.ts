/**
 * The `process` runtime driver: a pod is a plain process in its own process
 * group (and session), its stdout/stderr appended to files, stopped by
 * signalling the whole group. It runs with the agent's uid (the identity issue
 * adds `template.user`) and without cgroups (a later issue).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { systemClock, type Clock } from '../../../shared/src/clock.js';
import { errorFields, type Logger } from '../../../shared/src/logger.js';
import { podKeyString, type PodExit, type PodKey, type PodSpec, type PodStart, type RunningPod, type RuntimeDriver } from './driver.js';

/** ProcessDriverOptions configure the process driver. */
export interface ProcessDriverOptions {
  logger: Logger;
  clock?: Clock;
}

interface Entry extends RunningPod {
  child: ChildProcess;
  exited: Promise<PodExit>;
  /** Why the agent stopped it, once it did. */
  stopWhy?: string;
  killTimer?: NodeJS.Timeout;
}

/** signalNumber is the number of a signal name (SIGTERM → 15); 0 when unknown. */
export function signalNumber(name: string): number {
  return (os.constants.signals as Record<string, number | undefined>)[name] ?? 0;
}

/** killGroup signals the process group led by pid; false when it no longer exists. */
export function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
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

/** ProcessDriver runs each pod as a process group on this host. */
export class ProcessDriver implements RuntimeDriver {
  readonly name = 'process';
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly running = new Map<string, Entry>();

  constructor(opts: ProcessDriverOptions) {
    this.log = opts.logger.child({ component: 'process-driver' });
    this.clock = opts.clock ?? systemClock;
  }

  /** start spawns `command[0] command[1..] args` detached, logs appended to the spec's files. */
  async start(spec: PodSpec): Promise<PodStart> {
    const now = (): number => this.clock.now();
    if (spec.image)
      return startFailure('ImageNotSupported', `image "${spec.image}" needs the oci runtime driver; the process driver runs plain commands only`, now());
    const [cmd, ...rest] = spec.command;
    if (!cmd) return startFailure('StartError', 'the pod template has no command', now());
    try {
      if (!statSync(spec.workingDir).isDirectory())
        return startFailure('StartError', `cannot run "${cmd}": working directory ${spec.workingDir} is not a directory`, now());
    } catch {
      return startFailure('StartError', `cannot run "${cmd}": working directory ${spec.workingDir} does not exist`, now());
    }

    let out: number | undefined;
    let err: number | undefined;
    let child: ChildProcess;
    try {
      mkdirSync(path.dirname(spec.stdoutPath), { recursive: true });
      mkdirSync(path.dirname(spec.stderrPath), { recursive: true });
      out = openSync(spec.stdoutPath, 'a');
      err = openSync(spec.stderrPath, 'a');
      child = spawn(cmd, [...rest, ...spec.args], {
        detached: true, // its own session and process group: stop signals the whole group
        cwd: spec.workingDir,
        env: spec.env,
        stdio: ['ignore', out, err],
      });
    } catch (e) {
      return startFailure('StartError', `cannot run "${cmd}": ${(e as Error).message}`, now());
    } finally {
      // The child has its own copies of the descriptors once spawn has returned.
      if (out !== undefined) closeSync(out);
      if (err !== undefined) closeSync(err);
    }

    const key = podKeyString(spec);
    let resolveExit!: (exit: PodExit) => void;
    const exited = new Promise<PodExit>((resolve) => (resolveExit = resolve));
    const entry: Entry = { podId: spec.podId, generation: spec.generation, pid: child.pid ?? 0, startedMs: now(), child, exited };
    child.once('exit', (code, signal) => {
      if (entry.killTimer) clearTimeout(entry.killTimer);
      // Whatever the pod left behind in its group goes with it.
      if (entry.pid > 0) killGroup(entry.pid, 'SIGKILL');
      if (this.running.get(key) === entry) this.running.delete(key);
      resolveExit(this.exitOf(code, signal, entry.stopWhy));
    });
    const spawned = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      child.once('spawn', () => resolve(undefined));
      child.once('error', (e) => resolve(e));
    });
    // Later 'error' events (a failed kill) must never crash the agent.
    child.on('error', (e) => this.log.warn('process error', { podId: spec.podId, generation: spec.generation, ...errorFields(e) }));
    if (spawned || child.pid === undefined)
      return startFailure('StartError', describeSpawnError(cmd, spawned ?? new Error('no pid')), now());

    this.running.set(key, entry);
    this.log.debug('process started', { podId: spec.podId, generation: spec.generation, podPid: entry.pid, command: cmd });
    return { kind: 'running', pid: entry.pid, startedMs: entry.startedMs, exited: entry.exited };
  }

  /** stop sends SIGTERM to the pod's process group, SIGKILL after gracePeriodMs, and waits for the exit. */
  async stop(key: PodKey, gracePeriodMs: number, why: string): Promise<PodExit | undefined> {
    const entry = this.running.get(podKeyString(key));
    if (!entry) return undefined;
    const first = entry.stopWhy === undefined;
    entry.stopWhy ??= why;
    if (first) {
      this.log.debug('stopping process group', { podId: key.podId, generation: key.generation, podPid: entry.pid, gracePeriodMs });
      killGroup(entry.pid, gracePeriodMs > 0 ? 'SIGTERM' : 'SIGKILL');
    }
    if (gracePeriodMs <= 0) killGroup(entry.pid, 'SIGKILL');
    else if (!entry.killTimer) {
      entry.killTimer = setTimeout(() => {
        this.log.info('grace period over, killing process group', { podId: key.podId, generation: key.generation, podPid: entry.pid });
        killGroup(entry.pid, 'SIGKILL');
      }, gracePeriodMs);
      entry.killTimer.unref();
    }
    return entry.exited;
  }

  /** list returns the processes still running. */
  list(): RunningPod[] {
    return [...this.running.values()].map(({ podId, generation, pid, startedMs }) => ({ podId, generation, pid, startedMs }));
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
