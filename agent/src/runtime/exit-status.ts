/**
 * How a process pod's exit status outlives the agent: every pod runs under a
 * tiny POSIX shell supervisor (`sh -c EXIT_SHIM`), the leader of its process
 * group, which runs the pod's command as its child, waits for it and writes
 * the exit status to `<podDir>/exit-code` (atomically: a temporary file
 * renamed) before exiting with the same status. An agent that was down while
 * the pod ended reads the file instead of a wait status it can no longer get
 * (it is not the parent any more).
 *
 * Why a shell and not a Node process or a compiled helper: one `sh` per pod
 * costs ~1 MiB and no build step, and every host has one. The price is the
 * shell's encoding of signals: a command killed by signal N is recorded as
 * 128 + N, like every shell reports it, so a command that itself exits with
 * 137 reads as killed by SIGKILL.
 *
 * The shim sets no trap: a stop signal sent to the whole group ends it with
 * its command (a trap would swallow a TERM that arrives before the command has
 * started, which then never learns it should stop). A pod that is stopped is
 * stopped by a live agent, which knows why and waits until the whole group is
 * gone; the file is for pods that end by themselves, whether or not an agent
 * is watching.
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { signalName } from './signals.js';

/** EXIT_CODE_FILE is the exit status file's name in the pod's directory. */
export const EXIT_CODE_FILE = 'exit-code';

/** EXIT_SHIM is the supervisor script: `sh -c EXIT_SHIM muster-pod EXITFILE COMMAND [ARGS…]`. */
export const EXIT_SHIM = 'f=$1; shift; "$@"; rc=$?; printf \'%s\\n\' "$rc" > "$f.tmp" && mv -f "$f.tmp" "$f"; exit $rc';

/** exitFileOf is the exit status file of a pod directory. */
export function exitFileOf(podDir: string): string {
  return path.join(podDir, EXIT_CODE_FILE);
}

/** shimArgv wraps a command in the exit status supervisor. */
export function shimArgv(shell: string, exitFile: string, argv: readonly string[]): string[] {
  return [shell, '-c', EXIT_SHIM, 'muster-pod', exitFile, ...argv];
}

/** clearExitFile removes a stale exit status (a pod directory is reused only by the same incarnation). */
export function clearExitFile(exitFile: string): void {
  rmSync(exitFile, { force: true });
  rmSync(exitFile + '.tmp', { force: true });
}

/** RecordedExit is an exit status as the shim wrote it, decoded. */
export interface RecordedExit {
  /** The shell's status: the exit code, or 128 + N for a command killed by signal N. */
  status: number;
  /** The signal's name when status > 128 names a known signal, else ''. */
  signal: string;
}

/**
 * readExitFile reads an exit status file: undefined when there is none, or it
 * does not hold one integer 0–255 (a half-written or foreign file).
 */
export function readExitFile(exitFile: string): RecordedExit | undefined {
  let text: string;
  try {
    text = readFileSync(exitFile, 'utf8');
  } catch {
    return undefined;
  }
  const m = /^(\d{1,3})\n?$/.exec(text);
  if (!m) return undefined;
  return decodeShellStatus(Number(m[1]));
}

/** decodeShellStatus splits a shell status into exit code and signal (128 + N = signal N when N is a known signal). */
export function decodeShellStatus(status: number): RecordedExit | undefined {
  if (!Number.isInteger(status) || status < 0 || status > 255) return undefined;
  const signal = status > 128 ? signalName(status - 128) : '';
  return { status, signal };
}
