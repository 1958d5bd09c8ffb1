/**
 * Exponential backoff with jitter and abortable sleeps, shared by every loop
 * of the agent that retries a remote call (Register, resync, event publishing,
 * the first NATS connection).
 */

/** BackoffOptions shape the delays; the defaults are 200 ms doubling to a 5 s cap. */
export interface BackoffOptions {
  /** First delay in milliseconds. */
  initialMs?: number;
  /** Largest delay in milliseconds. */
  maxMs?: number;
  /** Growth factor between attempts. */
  factor?: number;
  /** Random source in [0, 1) (injected by tests). */
  random?: () => number;
}

/**
 * Backoff yields growing delays: each is the current step minus up to half of
 * it at random ("equal jitter"), so many agents restarting together spread out.
 */
export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly random: () => number;
  private step: number;

  constructor(opts: BackoffOptions = {}) {
    this.initialMs = opts.initialMs ?? 200;
    this.maxMs = opts.maxMs ?? 5000;
    this.factor = opts.factor ?? 2;
    this.random = opts.random ?? Math.random;
    this.step = this.initialMs;
  }

  /** next returns the delay before the next attempt and grows the step. */
  next(): number {
    const base = this.step;
    this.step = Math.min(this.maxMs, this.step * this.factor);
    return Math.round(base / 2 + (this.random() * base) / 2);
  }

  /** reset starts over from the initial delay (after a success). */
  reset(): void {
    this.step = this.initialMs;
  }
}

/** AbortedError is thrown by sleep and retry loops when their signal is aborted. */
export class AbortedError extends Error {
  constructor() {
    super('aborted');
    this.name = 'AbortedError';
  }
}

/** isAborted says whether err is the AbortedError of a cancelled loop. */
export function isAborted(err: unknown): boolean {
  return err instanceof AbortedError;
}

/** sleep waits ms milliseconds; rejects with AbortedError as soon as signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortedError());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** RetryOptions configure retryUntilSuccess. */
export interface RetryOptions {
  /** Stops the loop (rejecting with AbortedError). */
  signal?: AbortSignal;
  /** Delay policy; a fresh default Backoff when absent. */
  backoff?: Backoff;
  /** Called after each failed attempt with the error, the attempt number (1-based) and the delay before the next. */
  onError?: (err: unknown, attempt: number, delayMs: number) => void;
}

/** retryUntilSuccess calls fn until it resolves, sleeping with backoff between failures. */
export async function retryUntilSuccess<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const backoff = opts.backoff ?? new Backoff();
  for (let attempt = 1; ; attempt++) {
    if (opts.signal?.aborted) throw new AbortedError();
    try {
      return await fn(attempt);
    } catch (err) {
      if (isAborted(err) || opts.signal?.aborted) throw new AbortedError();
      const delay = backoff.next();
      opts.onError?.(err, attempt, delay);
      await sleep(delay, opts.signal);
    }
  }
}

/** retryLogLevel keeps retry loops quiet: the first failure and every tenth are warnings, the rest debug. */
export function retryLogLevel(attempt: number): 'warn' | 'debug' {
  return attempt === 1 || attempt % 10 === 0 ? 'warn' : 'debug';
}
