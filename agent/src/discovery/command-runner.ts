// Runs the external tools discovery reads (nvidia-smi). Injected into discoverHost so
// tests can pass a plain function returning recorded output. Never rejects: every
// failure (missing binary, non-zero exit, timeout, output too large) is in the result.
import { execFile } from 'node:child_process';

/** What one command produced. */
export interface CommandResult {
  /** Exit code; null when the process did not exit normally (signal, spawn failure). */
  code: number | null;
  /** Standard output (possibly partial when timed out or too large). */
  stdout: string;
  /** Standard error. */
  stderr: string;
  /** The command was killed because it ran past timeoutMs. */
  timedOut: boolean;
  /** Spawn or I/O failure: code is the errno code ("ENOENT", "EACCES", "ERR_CHILD_PROCESS_STDIO_MAXBUFFER"). */
  error?: { code?: string; message: string };
}

/** Options of one run. */
export interface CommandOptions {
  /** Kill the command (SIGKILL) after this many milliseconds. */
  timeoutMs: number;
}

/** Runs a command without a shell; never rejects. */
export type CommandRunner = (cmd: string, args: string[], opts: CommandOptions) => Promise<CommandResult>;

/** MAX_OUTPUT_BYTES bounds what one command may print (nvidia-smi -q -x on 8 GPUs is ~300 KiB). */
export const MAX_OUTPUT_BYTES = 32 * 1024 * 1024;

/** execFileRunner runs commands with child_process.execFile, a timeout and a bounded output buffer. */
export const execFileRunner: CommandRunner = (cmd, args, { timeoutMs }) =>
  new Promise<CommandResult>((resolve) => {
    try {
      execFile(
        cmd,
        args,
        { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: MAX_OUTPUT_BYTES, encoding: 'utf8', windowsHide: true },
        (err, stdout, stderr) => {
          const out = String(stdout ?? '');
          const errText = String(stderr ?? '');
          if (!err) {
            resolve({ code: 0, stdout: out, stderr: errText, timedOut: false });
            return;
          }
          const e = err as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null; code?: unknown };
          const timedOut = e.killed === true && e.signal === 'SIGKILL' && e.code !== 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER';
          if (typeof e.code === 'number') {
            resolve({ code: e.code, stdout: out, stderr: errText, timedOut });
            return;
          }
          resolve({
            code: null,
            stdout: out,
            stderr: errText,
            timedOut,
            error: timedOut ? undefined : { code: typeof e.code === 'string' ? e.code : undefined, message: e.message },
          });
        },
      );
    } catch (err) {
      // execFile throws synchronously on bad arguments (e.g. a NUL byte in the path).
      resolve({ code: null, stdout: '', stderr: '', timedOut: false, error: { message: (err as Error).message } });
    }
  });
