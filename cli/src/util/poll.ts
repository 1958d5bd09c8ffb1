/**
 * Polling for a condition with a deadline. Everything that waits for another
 * process (a file to appear, a port to accept, nodes to become Ready) goes
 * through waitFor instead of sleeping a fixed time.
 */

/** WaitForOptions tune waitFor. */
export interface WaitForOptions {
  /** Give up after this long (milliseconds). */
  timeoutMs: number;
  /** Time between attempts (milliseconds); default 50. */
  intervalMs?: number;
  /** What is awaited, for the timeout message: `the scheduler's address file`. */
  what: string;
  /** Stops waiting early (the abort reason is thrown). */
  signal?: AbortSignal;
  /** Treat an error thrown by the probe as "not yet" (it is reported on timeout); default false. */
  retryOnError?: boolean;
}

/** TimeoutError is thrown by waitFor when its deadline passes. */
export class TimeoutError extends Error {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    /** The last error thrown by the probe, if it threw retryably. */
    readonly lastError?: unknown,
  ) {
    super(`timed out after ${formatMs(timeoutMs)} waiting for ${what}` + (lastError instanceof Error ? ` (last error: ${lastError.message})` : ''));
    this.name = 'TimeoutError';
  }
}

/** PollResult is what a probe returns: a value ends the wait; undefined, null or false try again. */
export type PollResult<T> = T | undefined | null | false;

/**
 * waitFor calls `probe` until it returns a value other than undefined, null or
 * false, and returns that value. Unless `retryOnError` is set, an error thrown
 * by the probe ends the wait and is rethrown (so a probe can fail fast, e.g.
 * when a child process died). Throws TimeoutError naming `what` when the
 * deadline passes.
 */
export async function waitFor<T>(probe: () => PollResult<T> | Promise<PollResult<T>>, opts: WaitForOptions): Promise<T> {
  const interval = opts.intervalMs ?? 50;
  const deadline = Date.now() + opts.timeoutMs;
  let lastError: unknown;
  for (;;) {
    opts.signal?.throwIfAborted();
    let v: PollResult<T>;
    try {
      v = await probe();
    } catch (err) {
      if (!opts.retryOnError) throw err;
      lastError = err;
      v = undefined;
    }
    if (v !== undefined && v !== null && v !== false) return v;
    const left = deadline - Date.now();
    if (left <= 0) throw new TimeoutError(opts.what, opts.timeoutMs, lastError);
    await delay(Math.min(interval, left), opts.signal);
  }
}

/** delay resolves after `ms` milliseconds, or rejects with the abort reason when `signal` aborts. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
