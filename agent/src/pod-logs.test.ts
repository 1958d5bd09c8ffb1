/** Serving pods' output from the agent's state dir: chunks, offsets, tails, and requests that must not reach the filesystem. */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PodLogsRequest } from '../../shared/src/proto/types.js';
import { nullLogger } from '../../shared/src/logger.js';
import { rotateIfLarge } from './log-rotation.js';
import { MAX_LOG_CHUNK_BYTES, readPodLogs, servePodLogs } from './pod-logs.js';
import { podPaths } from './pod-paths.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'muster-pod-logs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const UID = '0f3c9a7e-1111-2222-3333-444455556666';
const req = (over: Partial<PodLogsRequest> = {}): PodLogsRequest => ({
  jobset: 'train', jobsetUid: UID, replicatedJob: 'w', jobIndex: 1, podIndex: 0, generation: 2, stream: 'stdout', offset: 0, maxBytes: 0, previous: false, ...over,
});

function write(stdout: string, stderr = ''): void {
  const p = podPaths(dir, { jobset: 'train', jobsetUid: UID, replicatedJob: 'w', jobIndex: 1, podIndex: 0, generation: 2 });
  mkdirSync(p.dir, { recursive: true });
  writeFileSync(p.stdout, stdout);
  writeFileSync(p.stderr, stderr);
}

const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

describe('readPodLogs', () => {
  it('reads from an offset, up to maxBytes, and says where to go on', async () => {
    write('hello\nworld\n', 'oops\n');
    const all = await readPodLogs(dir, req());
    expect([text(all.data), all.offset, all.nextOffset, all.size, all.missing]).toEqual(['hello\nworld\n', 0, 12, 12, false]);
    const part = await readPodLogs(dir, req({ offset: 6, maxBytes: 3 }));
    expect([text(part.data), part.nextOffset]).toEqual(['wor', 9]);
    const end = await readPodLogs(dir, req({ offset: 12 }));
    expect([end.data.length, end.nextOffset]).toEqual([0, 12]);
    expect(text((await readPodLogs(dir, req({ stream: 'stderr' }))).data)).toBe('oops\n');
  });

  it('a negative offset is a tail; past the end reads nothing', async () => {
    write('0123456789');
    const tail = await readPodLogs(dir, req({ offset: -4 }));
    expect([text(tail.data), tail.offset]).toEqual(['6789', 6]);
    expect(text((await readPodLogs(dir, req({ offset: -100 }))).data)).toBe('0123456789');
    expect((await readPodLogs(dir, req({ offset: 50 }))).offset).toBe(10);
  });

  it('caps a chunk at MAX_LOG_CHUNK_BYTES', async () => {
    write('x'.repeat(MAX_LOG_CHUNK_BYTES + 10));
    const c = await readPodLogs(dir, req({ maxBytes: 10 * MAX_LOG_CHUNK_BYTES }));
    expect([c.data.length, c.nextOffset, c.size]).toEqual([MAX_LOG_CHUNK_BYTES, MAX_LOG_CHUNK_BYTES, MAX_LOG_CHUNK_BYTES + 10]);
  });

  it('after a rotation: the count of rotations, and the copy in .1 with previous', async () => {
    write('x'.repeat(100));
    const p = podPaths(dir, { jobset: 'train', jobsetUid: UID, replicatedJob: 'w', jobIndex: 1, podIndex: 0, generation: 2 });
    expect(await rotateIfLarge(p.stdout, 10, nullLogger)).toBe(true);
    appendFileSync(p.stdout, 'new\n');
    expect(await readPodLogs(dir, req())).toMatchObject({ rotations: 1, size: 4 });
    const prev = await readPodLogs(dir, req({ previous: true, offset: 95 }));
    expect([text(prev.data), prev.rotations]).toEqual(['xxxxx', 1]);
    appendFileSync(p.stdout, 'y'.repeat(20));
    await rotateIfLarge(p.stdout, 10, nullLogger);
    expect((await readPodLogs(dir, req())).rotations).toBe(2);
  });

  it('a pod that never wrote here: missing, not an error', async () => {
    expect(await readPodLogs(dir, req({ generation: 7 }))).toMatchObject({ missing: true, size: 0 });
  });
});

describe('files that are not the pod\'s own', () => {
  it('never follows a link and never blocks on a FIFO', async () => {
    const p = podPaths(dir, { jobset: 'train', jobsetUid: UID, replicatedJob: 'w', jobIndex: 1, podIndex: 0, generation: 2 });
    mkdirSync(p.dir, { recursive: true });
    const secret = path.join(dir, 'secret');
    writeFileSync(secret, 'root only');
    symlinkSync(secret, p.stdout);
    await expect(readPodLogs(dir, req())).rejects.toThrow('stdout of the pod is a symbolic link: not read');
    execFileSync('mkfifo', [p.stderr]);
    await expect(readPodLogs(dir, req({ stream: 'stderr' }))).rejects.toThrow('stderr of the pod is not a regular file: not read');
  });
});

describe('servePodLogs', () => {
  const serve = async (body: unknown) => JSON.parse(text(await servePodLogs(dir, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body))))) as Record<string, unknown>;

  it('answers with base64 data', async () => {
    write('héllo\n');
    const r = await serve(req());
    expect(Buffer.from(r.data as string, 'base64').toString('utf8')).toBe('héllo\n');
    expect(r.error).toBe('');
  });

  it('never touches a path built from a bad name, and never throws on garbage', async () => {
    expect((await serve(req({ jobset: '../../etc' }))).error).toMatch(/jobset/);
    expect((await serve(req({ jobsetUid: '../x' }))).error).toMatch(/jobsetUid/);
    expect((await serve(req({ stream: 'stdin' }))).error).toBe('stream: must be stdout or stderr, not "stdin"');
    expect((await serve('{not json')).error).toMatch(/^malformed request: .*not valid JSON/);
    expect((await serve({ jobIndex: 'one' })).error).toMatch(/^malformed request: jobIndex/);
  });
});
