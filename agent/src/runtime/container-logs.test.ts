import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nullLogger } from '../../../shared/src/logger.js';
import { Demuxer, LogCopier, POS_FILE, readPosition, type LogPosition } from './container-logs.js';
import { frame } from './testdata/fake-engine.js';

type Got = { stream: 'stdout' | 'stderr'; data: string }[];

function demuxAll(chunks: Buffer[]): Got {
  const got: Got = [];
  const d = new Demuxer((stream, data) => got.push({ stream, data: data.toString('utf8') }));
  for (const c of chunks) d.push(c);
  return got;
}

const STREAM = Buffer.concat([frame(1, 'hello '), frame(2, 'oops\n'), frame(1, 'world\n'), frame(1, ''), frame(2, Buffer.from('é€\n')), frame(1, 'x'.repeat(300))]);

describe('Demuxer', () => {
  it('delivers several frames from one chunk, in order', () => {
    expect(demuxAll([STREAM])).toEqual([
      { stream: 'stdout', data: 'hello ' },
      { stream: 'stderr', data: 'oops\n' },
      { stream: 'stdout', data: 'world\n' },
      { stream: 'stdout', data: '' },
      { stream: 'stderr', data: 'é€\n' },
      { stream: 'stdout', data: 'x'.repeat(300) },
    ]);
  });

  it('gives the same frames however the stream is split (every byte boundary)', () => {
    const whole = demuxAll([STREAM]);
    for (let i = 0; i <= STREAM.length; i++) {
      expect(demuxAll([STREAM.subarray(0, i), STREAM.subarray(i)]), `split at ${i}`).toEqual(whole);
    }
    // one byte at a time
    const bytes = [...STREAM].map((b) => Buffer.from([b]));
    expect(demuxAll(bytes)).toEqual(whole);
  });

  it('holds a partial frame until the rest arrives', () => {
    const got: Got = [];
    const d = new Demuxer((stream, data) => got.push({ stream, data: data.toString() }));
    const f = frame(1, 'abcdef');
    d.push(f.subarray(0, 5));
    d.push(f.subarray(5, 10));
    expect(got).toEqual([]);
    d.push(f.subarray(10));
    expect(got).toEqual([{ stream: 'stdout', data: 'abcdef' }]);
  });

  it('drops stdin (0) and unknown stream types but keeps its place in the stream', () => {
    const s = Buffer.concat([frame(0, 'stdin'), frame(1, 'out'), frame(3, 'three'), frame(255, 'ff'), frame(2, 'err')]);
    const got = demuxAll([s]);
    expect(got).toEqual([
      { stream: 'stdout', data: 'out' },
      { stream: 'stderr', data: 'err' },
    ]);
    expect(demuxAll([...s].map((b) => Buffer.from([b])))).toEqual(got);
  });

  it('does not let a later chunk change a delivered frame (no aliasing of the input buffer)', () => {
    const got: Buffer[] = [];
    const d = new Demuxer((_s, data) => got.push(Buffer.from(data)));
    const chunk = Buffer.concat([frame(1, 'abc'), frame(1, 'de').subarray(0, 4)]);
    d.push(chunk);
    d.push(frame(1, 'de').subarray(4));
    expect(got.map((b) => b.toString())).toEqual(['abc', 'de']);
  });
});

describe('LogCopier', () => {
  let dir: string;
  let podDir: string;
  let files: { stdoutPath: string; stderrPath: string; podDir: string };
  const copiers: LogCopier[] = [];

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'muster-container-logs-'));
    podDir = path.join(dir, 'pod');
    mkdirSync(podDir); // the agent creates the pod's directory before any driver runs
    files = { stdoutPath: path.join(dir, 'logs', 'stdout.log'), stderrPath: path.join(dir, 'logs', 'stderr.log'), podDir };
  });

  afterEach(() => {
    for (const c of copiers.splice(0)) c.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function copier(from?: LogPosition): LogCopier {
    const c = new LogCopier({ ...files, from, logger: nullLogger });
    copiers.push(c);
    return c;
  }

  const read = (f: string): string => (existsSync(f) ? readFileSync(f, 'utf8') : '');

  it('appends each stream to its file and saves the position when the stream ends', async () => {
    const c = copier();
    const pt = new PassThrough();
    c.attach(pt);
    pt.write(STREAM.subarray(0, 11));
    pt.write(STREAM.subarray(11));
    pt.end();
    await c.done;
    const out = 'hello world\n' + 'x'.repeat(300);
    const err = 'oops\né€\n';
    expect(read(files.stdoutPath)).toBe(out);
    expect(read(files.stderrPath)).toBe(err);
    expect(c.copied).toEqual({ stdout: Buffer.byteLength(out), stderr: Buffer.byteLength(err) });
    expect(JSON.parse(readFileSync(path.join(podDir, POS_FILE), 'utf8'))).toEqual({ stdout: Buffer.byteLength(out), stderr: Buffer.byteLength(err) });
    expect(readPosition(podDir)).toEqual(c.copied);
  });

  it('appends to existing files (it never truncates them)', async () => {
    const c0 = copier();
    c0.close();
    writeFileSync(files.stdoutPath, 'before\n');
    const c = copier();
    const pt = new PassThrough();
    c.attach(pt);
    pt.end(frame(1, 'after\n'));
    await c.done;
    expect(read(files.stdoutPath)).toBe('before\nafter\n');
  });

  it('skips exactly `from` bytes of each stream, also when the skip ends inside a frame', async () => {
    // stdout: "hello " (6) + "world\n" (6) + 300 x; stderr: "oops\n" (5) + "é€\n" (6 bytes)
    const c = copier({ stdout: 8, stderr: 7 });
    const pt = new PassThrough();
    c.attach(pt);
    pt.end(STREAM);
    await c.done;
    const fullOut = Buffer.from('hello world\n' + 'x'.repeat(300));
    const fullErr = Buffer.from('oops\né€\n');
    expect(readFileSync(files.stdoutPath)).toEqual(fullOut.subarray(8));
    expect(readFileSync(files.stderrPath)).toEqual(fullErr.subarray(7));
    // the position counts the skipped bytes too: it is the stream's offset, not the file's size
    expect(readPosition(podDir)).toEqual({ stdout: fullOut.length, stderr: fullErr.length });
  });

  it('skipping more than the stream holds writes nothing and keeps the position', async () => {
    const c = copier({ stdout: 10_000, stderr: 10_000 });
    const pt = new PassThrough();
    c.attach(pt);
    pt.end(STREAM);
    await c.done;
    expect(read(files.stdoutPath)).toBe('');
    expect(read(files.stderrPath)).toBe('');
    expect(readPosition(podDir)).toEqual({ stdout: 10_000, stderr: 10_000 });
  });

  it('resumes after a restart: every byte ends up in the files exactly once', async () => {
    const full = Buffer.concat([STREAM, frame(2, 'late error\n'), frame(1, 'bye\n')]);
    // Cut in the middle of a frame's payload: the partial frame is not written nor counted.
    const cut = STREAM.length - 100;
    const first = copier();
    const pt1 = new PassThrough();
    first.attach(pt1);
    pt1.write(full.subarray(0, cut));
    await new Promise((r) => setImmediate(r));
    first.close(); // the agent stops: the stream is dropped, the position saved
    await first.done;
    expect(pt1.destroyed).toBe(true);
    const saved = readPosition(podDir);
    expect(saved.stdout).toBeGreaterThan(0);
    expect(saved.stdout).toBeLessThan(Buffer.byteLength('hello world\n' + 'x'.repeat(300)));

    // The next agent streams the log from the start again.
    const second = copier(readPosition(podDir));
    const pt2 = new PassThrough();
    second.attach(pt2);
    for (let i = 0; i < full.length; i += 7) pt2.write(full.subarray(i, i + 7));
    pt2.end();
    await second.done;
    expect(read(files.stdoutPath)).toBe('hello world\n' + 'x'.repeat(300) + 'bye\n');
    expect(read(files.stderrPath)).toBe('oops\né€\nlate error\n');
    expect(readPosition(podDir)).toEqual({ stdout: Buffer.byteLength('hello world\n' + 'x'.repeat(300) + 'bye\n'), stderr: Buffer.byteLength('oops\né€\nlate error\n') });
  });

  it('closes itself when the stream fails, keeping what was copied', async () => {
    const c = copier();
    const pt = new PassThrough();
    c.attach(pt);
    pt.write(frame(1, 'partial\n'));
    await new Promise((r) => setImmediate(r));
    pt.destroy(new Error('connection reset'));
    await c.done;
    expect(read(files.stdoutPath)).toBe('partial\n');
    expect(readPosition(podDir)).toEqual({ stdout: 8, stderr: 0 });
  });

  it('readPosition gives zeros when the file is missing or malformed', () => {
    expect(readPosition(podDir)).toEqual({ stdout: 0, stderr: 0 });
    writeFileSync(path.join(podDir, POS_FILE), 'not json');
    expect(readPosition(podDir)).toEqual({ stdout: 0, stderr: 0 });
    writeFileSync(path.join(podDir, POS_FILE), JSON.stringify({ stdout: -1, stderr: 1.5 }));
    expect(readPosition(podDir)).toEqual({ stdout: 0, stderr: 0 });
    writeFileSync(path.join(podDir, POS_FILE), JSON.stringify({ stdout: 12 }));
    expect(readPosition(podDir)).toEqual({ stdout: 12, stderr: 0 });
  });
});
