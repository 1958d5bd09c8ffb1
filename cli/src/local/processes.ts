/**
 * Child processes the CLI (and integration tests) start and must stop again:
 * each writes stdout and stderr to a log file, exposes an `exited` promise,
 * and stops with SIGTERM, then SIGKILL after a grace period. Processes that
 * are not meant to outlive this one are killed when it exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import path from 'node:path';
import { TimeoutError, waitFor } from '../util/poll.js';

/** ExitInfo is how a process ended: an exit code or the signal that killed it. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** SpawnManagedOptions describe a child to start. */
export interface SpawnManagedOptions {
  /** A short name for messages (`scheduler`, `local-1`). */
  name: string;
  /** The executable. */
  command: string;
  /** Its arguments. */
  args: readonly string[];
  /** stdout and stderr are appended here (directories are created). */
  logFile: string;
  /** The environment; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** The working directory; default this process's. */
  cwd?: string;
  /**
   * Start it in its own session (process group), so a Ctrl-C in the terminal
   * reaches only this process, which then stops children in order. Default false.
   */
  newSession?: boolean;
  /** Let this process exit while the child runs (implies it survives us). Default false. */
  unref?: boolean;
}

/** ManagedProcess is a started child. */
export interface ManagedProcess {
  /** Its short name. */
  readonly name: string;
  /** Its process id. */
  readonly pid: number;
  /** The command line: executable then arguments. */
  readonly command: readonly string[];
  /** Where its output goes. */
  readonly logFile: string;
  /** Resolves when it has exited. */
  readonly exited: Promise<ExitInfo>;
  /** How it exited, or undefined while it runs. */
  exitInfo(): ExitInfo | undefined;
  /** Whether it still runs. */
  running(): boolean;
  /** Sends SIGTERM, then SIGKILL after `graceMs` (default 10 s); resolves once it has exited. */
  stop(graceMs?: number): Promise<ExitInfo>;
  /** Sends a signal (no-op once exited). */
  kill(signal: NodeJS.Signals): void;
}

/** DEFAULT_GRACE_MS is the time between SIGTERM and SIGKILL. */
export const DEFAULT_GRACE_MS = 10_000;

/** KILL_WAIT_MS bounds the wait for a SIGKILLed process to be reaped. */
const KILL_WAIT_MS = 5_000;

const attached = new Set<ManagedProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const p of attached) if (p.running()) p.kill('SIGKILL');
  });
}

/** describeExit renders an ExitInfo: `exit code 1`, `signal SIGKILL`. */
export function describeExit(info: ExitInfo): string {
  return info.signal ? `signal ${info.signal}` : `exit code ${info.code ?? '?'}`;
}

function waitSpawned(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      child.off('spawn', onSpawn);
      reject(err);
    };
    const onSpawn = (): void => {
      child.off('error', onError);
      resolve();
    };
    child.once('error', onError);
    child.once('spawn', onSpawn);
  });
}

/** spawnManaged starts a child with its output in a log file; rejects when it cannot be started (e.g. ENOENT). */
export async function spawnManaged(opts: SpawnManagedOptions): Promise<ManagedProcess> {
  mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const fd = openSync(opts.logFile, 'a');
  let child: ChildProcess;
  try {
    writeSync(fd, `--- ${new Date().toISOString()} starting ${opts.name}: ${[opts.command, ...opts.args].join(' ')}\n`);
    child = spawn(opts.command, [...opts.args], {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: ['ignore', fd, fd],
      detached: opts.newSession ?? false,
    });
    await waitSpawned(child);
  } catch (err) {
    throw new Error(`cannot start ${opts.name} (${opts.command}): ${(err as Error).message}`, { cause: err });
  } finally {
    closeSync(fd);
  }
  const pid = child.pid as number;
  let info: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      info = { code, signal };
      resolve(info);
    });
  });
  child.on('error', () => undefined); // errors after spawn (kill on a dead pid) surface through exit
  const group = opts.newSession ?? false;
  const kill = (signal: NodeJS.Signals): void => {
    if (info) return;
    try {
      // SIGKILL goes to the whole process group of a new session, so nothing it forked survives.
      process.kill(group && signal === 'SIGKILL' ? -pid : pid, signal);
    } catch {
      /* already gone */
    }
  };
  const proc: ManagedProcess = {
    name: opts.name,
    pid,
    command: [opts.command, ...opts.args],
    logFile: opts.logFile,
    exited,
    exitInfo: () => info,
    running: () => info === undefined,
    kill,
    async stop(graceMs = DEFAULT_GRACE_MS) {
      if (info) return info;
      let timer: NodeJS.Timeout | undefined;
      if (graceMs > 0) {
        kill('SIGTERM');
        const inTime = await Promise.race([
          exited.then(() => true),
          new Promise<boolean>((r) => {
            timer = setTimeout(() => r(false), graceMs);
          }),
        ]);
        clearTimeout(timer);
        if (inTime) return exited;
      }
      kill('SIGKILL');
      const gone = await Promise.race([
        exited.then(() => true),
        new Promise<boolean>((r) => {
          timer = setTimeout(() => r(false), KILL_WAIT_MS);
        }),
      ]);
      clearTimeout(timer);
      if (!gone) throw new Error(`${opts.name} (pid ${pid}) did not exit after SIGKILL`);
      return exited;
    },
  };
  if (opts.unref) child.unref();
  else {
    attached.add(proc);
    installExitHook();
    void exited.then(() => attached.delete(proc));
  }
  return proc;
}

function procStat(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
}

/** isAlive says whether a process with this pid exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = procStat(pid);
  if (stat === undefined) return true; // no /proc: trust kill(0)
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

/** commandLineOf reads a process's argv from /proc; undefined when it cannot be read. */
export function commandLineOf(pid: number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((s, i, a) => i < a.length - 1 || s !== '');
  } catch {
    return undefined;
  }
}

/**
 * isSameProcess says whether `pid` still runs the recorded command (guards
 * against a recycled pid): the executable's base name and every argument must
 * match. Where /proc is unavailable, a live pid counts as the same process.
 */
export function isSameProcess(pid: number, command: readonly string[]): boolean {
  if (!isAlive(pid)) return false;
  const argv = commandLineOf(pid);
  if (argv === undefined) return true;
  if (argv.length !== command.length) return false;
  return argv.every((a, i) => (i === 0 ? path.basename(a) === path.basename(command[0] ?? '') : a === command[i]));
}

/** StopPidResult says how a process went away. */
export type StopPidResult = 'gone' | 'terminated' | 'killed';

/**
 * stopPid stops a process that is not our child (e.g. started by an earlier
 * `muster local up --detach`): SIGTERM, wait up to `graceMs` for it to be gone,
 * then SIGKILL and wait again.
 */
export async function stopPid(pid: number, graceMs = DEFAULT_GRACE_MS): Promise<StopPidResult> {
  if (!isAlive(pid)) return 'gone';
  const signal = (s: NodeJS.Signals): void => {
    try {
      process.kill(pid, s);
    } catch {
      /* already gone */
    }
  };
  if (graceMs > 0) {
    signal('SIGTERM');
    try {
      await waitFor(() => !isAlive(pid), { timeoutMs: graceMs, intervalMs: 50, what: `pid ${pid} to exit after SIGTERM` });
      return 'terminated';
    } catch (err) {
      if (!(err instanceof TimeoutError)) throw err;
    }
  }
  signal('SIGKILL');
  await waitFor(() => !isAlive(pid), { timeoutMs: KILL_WAIT_MS, intervalMs: 50, what: `pid ${pid} to exit after SIGKILL` });
  return 'killed';
}

/** tailFile returns the last `lines` lines of a file ('' when it cannot be read). */
export function tailFile(file: string, lines = 20): string {
  const maxBytes = 64 * 1024;
  let text: string;
  try {
    const fd = openSync(file, 'r');
    try {
      const size = fstatSync(fd).size;
      const start = Math.max(0, size - maxBytes);
      const buf = Buffer.alloc(size - start);
      readSync(fd, buf, 0, buf.length, start);
      text = buf.toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
  const all = text.replace(/\n$/, '').split('\n');
  return all.slice(-lines).join('\n');
}

/** exitedEarlyError explains a process that died while it was awaited, with the tail of its log. */
export function exitedEarlyError(p: ManagedProcess, while_: string): Error {
  const info = p.exitInfo();
  const how = info ? describeExit(info) : 'unknown status';
  const tail = tailFile(p.logFile);
  return new Error(`${p.name} exited (${how}) while ${while_}; last lines of ${p.logFile}:\n${indent(tail || '(empty)')}`);
}

/** indent prefixes every line with two spaces. */
export function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
