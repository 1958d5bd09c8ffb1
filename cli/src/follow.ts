/**
 * Following a JobSet through WatchJobSet until it reaches a terminal phase.
 * When the stream breaks first (the scheduler restarted, the network blinked)
 * it reconnects with exponential backoff and goes on; errors that retrying
 * cannot fix (not found, invalid, denied) end the watch.
 */
import { fromGrpcError, type MusterError } from '../../shared/src/errors.js';
import { isTerminalJobSet } from '../../shared/src/phases.js';
import type { JobSet } from '../../shared/src/proto/types.js';
import { delay } from './util/poll.js';

/** JobSetStream is the part of a gRPC server stream of JobSets that following needs. */
export interface JobSetStream {
  on(event: 'data', cb: (js: JobSet) => void): unknown;
  on(event: 'error', cb: (err: Error) => void): unknown;
  on(event: 'end', cb: () => void): unknown;
  cancel(): void;
}

/** FollowOptions configure followJobSet. */
export interface FollowOptions {
  /** Opens a new WatchJobSet stream. */
  open: () => JobSetStream;
  /** Called with every JobSet the stream delivers. */
  onUpdate: (js: JobSet) => void;
  /** Called before waiting to reconnect. */
  onReconnect?: (reason: string, attempt: number, delayMs: number) => void;
  /** First reconnect delay (ms), doubled each attempt; default 250. */
  initialBackoffMs?: number;
  /** Longest reconnect delay (ms); default 5000. */
  maxBackoffMs?: number;
  /** Waits between reconnects (tests pass an instant one). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Stops following (the abort reason is thrown). */
  signal?: AbortSignal;
}

/** FINAL_CODES are the error codes that end a watch instead of reconnecting. */
const FINAL_CODES: ReadonlySet<string> = new Set(['NOT_FOUND', 'INVALID_ARGUMENT', 'PERMISSION_DENIED', 'FAILED_PRECONDITION', 'ALREADY_EXISTS']);

type Outcome = { kind: 'terminal'; js: JobSet } | { kind: 'ended' } | { kind: 'error'; err: MusterError };

function consume(stream: JobSetStream, onData: (js: JobSet) => boolean, signal?: AbortSignal): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    let done = false;
    const onAbort = (): void => {
      if (done) return;
      done = true;
      stream.cancel();
      reject(signal?.reason);
    };
    const finish = (o: Outcome): void => {
      if (done) return;
      done = true;
      signal?.removeEventListener('abort', onAbort);
      resolve(o);
    };
    stream.on('data', (js) => {
      if (done) return;
      if (onData(js)) {
        finish({ kind: 'terminal', js });
        stream.cancel();
      }
    });
    stream.on('error', (err) => finish({ kind: 'error', err: fromGrpcError(err) }));
    stream.on('end', () => finish({ kind: 'ended' }));
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * followJobSet streams a JobSet until it is Succeeded or Failed and returns
 * that last JobSet. The first connection's errors are thrown as they are (the
 * scheduler is not there at all); after one message has arrived, a broken
 * stream is reopened with backoff. Errors in FINAL_CODES are always thrown.
 */
export async function followJobSet(opts: FollowOptions): Promise<JobSet> {
  const initial = opts.initialBackoffMs ?? 250;
  const max = opts.maxBackoffMs ?? 5000;
  const sleep = opts.sleep ?? delay;
  let connectedOnce = false;
  let attempt = 0;
  for (;;) {
    opts.signal?.throwIfAborted();
    let gotData = false;
    const outcome = await consume(
      opts.open(),
      (js) => {
        gotData = true;
        connectedOnce = true;
        opts.onUpdate(js);
        return isTerminalJobSet(js.status?.phase ?? 'JOB_SET_PHASE_UNSPECIFIED');
      },
      opts.signal,
    );
    if (outcome.kind === 'terminal') return outcome.js;
    if (outcome.kind === 'error' && (FINAL_CODES.has(outcome.err.code) || !connectedOnce)) throw outcome.err;
    if (gotData) attempt = 0;
    const wait = Math.min(max, initial * 2 ** attempt);
    attempt++;
    const reason = outcome.kind === 'error' ? outcome.err.message : 'the stream ended before the JobSet finished';
    opts.onReconnect?.(reason, attempt, wait);
    await sleep(wait, opts.signal);
  }
}
