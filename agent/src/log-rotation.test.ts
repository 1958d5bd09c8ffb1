/** Capping pods' output files: copy to .1 and truncate in place, while the pod's append-mode descriptor keeps writing. */
import { closeSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nullLogger } from '../../shared/src/logger.js';
import { podStatus } from '../../test/helpers/builders.js';
import { rotateIfLarge, rotatePodLogs } from './log-rotation.js';
import { podPaths } from './pod-paths.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'muster-log-rotation-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('rotateIfLarge', () => {
  it('copies to .1 and truncates; the writer (append mode) goes on at the new start, no hole', async () => {
    const file = path.join(dir, 'stdout.log');
    const fd = openSync(file, 'a');
    try {
      writeSync(fd, 'x'.repeat(100));
      expect(await rotateIfLarge(file, 50, nullLogger)).toBe(true);
      writeSync(fd, 'after\n');
    } finally {
      closeSync(fd);
    }
    expect(readFileSync(`${file}.1`, 'utf8')).toBe('x'.repeat(100));
    expect(readFileSync(file, 'utf8')).toBe('after\n');
    expect(await rotateIfLarge(file, 50, nullLogger)).toBe(false);
    expect(await rotateIfLarge(path.join(dir, 'none.log'), 50, nullLogger)).toBe(false);
  });
});

describe('rotateIfLarge and links', () => {
  it('a linked log is not rotated, and a linked .1 is replaced, not written through', async () => {
    const victim = path.join(dir, 'victim');
    writeFileSync(victim, 'v'.repeat(500));
    const linked = path.join(dir, 'linked.log');
    symlinkSync(victim, linked);
    expect(await rotateIfLarge(linked, 10, nullLogger)).toBe(false);
    expect(readFileSync(victim, 'utf8')).toBe('v'.repeat(500));

    const file = path.join(dir, 'stdout.log');
    writeFileSync(file, 'z'.repeat(100));
    symlinkSync(victim, `${file}.1`);
    expect(await rotateIfLarge(file, 10, nullLogger)).toBe(true);
    expect(readFileSync(victim, 'utf8')).toBe('v'.repeat(500));
    expect(lstatSync(`${file}.1`).isFile()).toBe(true);
    expect(readFileSync(`${file}.1`, 'utf8')).toBe('z'.repeat(100));
  });
});

describe('rotatePodLogs', () => {
  it('checks only running pods\' files, and skips ids that name no file this agent could write', async () => {
    const uid = '0f3c9a7e-0000-1111-2222-333344445555';
    const files = (podId: string) => {
      const [jobset = '', replicatedJob = '', j = '0', p = '0'] = podId.split('/');
      const paths = podPaths(dir, { jobset, jobsetUid: uid, replicatedJob, jobIndex: Number(j), podIndex: Number(p), generation: 1 });
      mkdirSync(paths.dir, { recursive: true });
      writeFileSync(paths.stdout, 'y'.repeat(200));
      writeFileSync(paths.stderr, 'small');
      return paths;
    };
    const running = files('train/w/0/0');
    const done = files('train/w/1/0');
    const pods = [
      podStatus('train/w/0/0', { phase: 'POD_PHASE_RUNNING', jobsetUid: uid, generation: 1 }),
      podStatus('train/w/1/0', { phase: 'POD_PHASE_SUCCEEDED', jobsetUid: uid, generation: 1 }),
      podStatus('../../x/w/0/0', { phase: 'POD_PHASE_RUNNING', jobsetUid: uid, generation: 1 }),
    ];
    expect(await rotatePodLogs(dir, pods, 100, nullLogger)).toBe(1);
    expect(statSync(running.stdout).size).toBe(0);
    expect(statSync(running.stderr).size).toBe(5);
    expect(statSync(done.stdout).size).toBe(200);
  });
});
