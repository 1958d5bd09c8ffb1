/**
 * Copies a container's stdout and stderr into the pod's log files, so that
 * `muster logs`, rotation and the files' layout are the same for containers
 * as for processes. The engine's log stream (`GET /containers/<id>/logs?
 * follow=1`, multiplexed: an 8-byte header per frame naming the stream and the
 * payload size) is demultiplexed and appended to the files.
 *
 * Across an agent restart: the engine keeps the container's whole log, and
 * the copier keeps, beside the stdout file, how many bytes of each stream it
 * has written (`<podDir>/container-log.pos`, updated at most every
 * POS_FLUSH_MS and when the stream ends). An adopting agent streams the log
 * from its start again and skips what was already copied. Output written in
 * the last POS_FLUSH_MS before an agent crash may therefore appear twice;
 * nothing is lost.
 */
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { errorFields, type Logger } from '../../../shared/src/logger.js';

/** POS_FILE is the copier's position file in the pod's directory. */
export const POS_FILE = 'container-log.pos';

/** POS_FLUSH_MS bounds how often the position file is rewritten while output flows. */
export const POS_FLUSH_MS = 500;

/** LogPosition is how many bytes of each stream were copied. */
export interface LogPosition {
  stdout: number;
  stderr: number;
}

/** readPosition reads a pod's copy position (zeros when there is none or it is malformed). */
export function readPosition(podDir: string): LogPosition {
  try {
    const raw = JSON.parse(readFileSync(path.join(podDir, POS_FILE), 'utf8')) as Partial<LogPosition>;
    const n = (v: unknown): number => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : 0);
    return { stdout: n(raw.stdout), stderr: n(raw.stderr) };
  } catch {
    return { stdout: 0, stderr: 0 };
  }
}

/**
 * Demuxer splits the engine's multiplexed log stream into frames. Stream 1 is
 * stdout, 2 stderr; 0 (stdin) and anything else is dropped.
 */
export class Demuxer {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (stream: 'stdout' | 'stderr', data: Buffer) => void) {}

  /** push feeds bytes as they arrive; complete frames are delivered at once, a partial one waits for the rest. */
  push(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    while (this.buf.length >= 8) {
      const size = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + size) return;
      const type = this.buf[0];
      const data = this.buf.subarray(8, 8 + size);
      this.buf = this.buf.subarray(8 + size);
      if (type === 1) this.onFrame('stdout', data);
      else if (type === 2) this.onFrame('stderr', data);
    }
  }
}

/** LogCopierOptions name the files and the position to start from. */
export interface LogCopierOptions {
  stdoutPath: string;
  stderrPath: string;
  podDir: string;
  /** Bytes of each stream already copied (an adopted container): skipped. */
  from?: LogPosition;
  logger: Logger;
}

/** LogCopier appends one container's log stream to its pod's files. */
export class LogCopier {
  private readonly fds: Record<'stdout' | 'stderr', number>;
  private readonly pos: LogPosition;
  private readonly skip: LogPosition;
  private flushTimer: NodeJS.Timeout | undefined;
  private stream: Readable | undefined;
  private closed = false;
  /** How the stream ended: `end` (the engine finished it: the container exited), `cut` (error or closed early), or not yet. */
  ending: 'end' | 'cut' | undefined;
  private resolveDone!: () => void;
  /** Resolves once the stream has ended (or failed, or the copier was closed) and the files are closed. */
  readonly done = new Promise<void>((resolve) => (this.resolveDone = resolve));

  constructor(private readonly opts: LogCopierOptions) {
    mkdirSync(path.dirname(opts.stdoutPath), { recursive: true });
    mkdirSync(path.dirname(opts.stderrPath), { recursive: true });
    this.fds = { stdout: openSync(opts.stdoutPath, 'a', 0o640), stderr: openSync(opts.stderrPath, 'a', 0o640) };
    this.pos = { ...(opts.from ?? { stdout: 0, stderr: 0 }) };
    this.skip = { ...this.pos };
  }

  /** copied is how many bytes of each stream are in the files. */
  get copied(): LogPosition {
    return { ...this.pos };
  }

  /** attach starts copying from the engine's stream; the copier closes itself when the stream ends. */
  attach(stream: Readable): void {
    this.stream = stream;
    const demux = new Demuxer((which, data) => this.write(which, data));
    stream.on('data', (chunk: Buffer) => demux.push(chunk));
    stream.once('end', () => {
      this.ending ??= 'end';
      this.close();
    });
    stream.once('close', () => {
      this.ending ??= 'cut';
      this.close();
    });
    stream.once('error', (err) => {
      this.ending ??= 'cut';
      this.opts.logger.warn('container log stream failed', { podDir: this.opts.podDir, ...errorFields(err) });
      this.close();
    });
  }

  private write(which: 'stdout' | 'stderr', data: Buffer): void {
    if (this.closed) return;
    let chunk = data;
    if (this.skip[which] > 0) {
      const n = Math.min(this.skip[which], chunk.length);
      this.skip[which] -= n;
      chunk = chunk.subarray(n);
    }
    if (chunk.length === 0) return;
    try {
      let off = 0;
      while (off < chunk.length) off += writeSync(this.fds[which], chunk, off, chunk.length - off);
      this.pos[which] += chunk.length;
    } catch (err) {
      this.opts.logger.warn('cannot write a container\'s output to its log file', { podDir: this.opts.podDir, stream: which, ...errorFields(err) });
      return;
    }
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      this.savePosition();
    }, POS_FLUSH_MS);
    this.flushTimer.unref();
  }

  private savePosition(): void {
    const file = path.join(this.opts.podDir, POS_FILE);
    try {
      writeFileSync(file + '.tmp', JSON.stringify(this.pos) + '\n');
      renameSync(file + '.tmp', file);
    } catch (err) {
      this.opts.logger.warn('cannot save the container log position', { podDir: this.opts.podDir, ...errorFields(err) });
    }
  }

  /** close stops copying (the stream is dropped), saves the position and closes the files. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.stream?.destroy();
    this.savePosition();
    for (const fd of Object.values(this.fds)) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    }
    this.resolveDone();
  }
}
