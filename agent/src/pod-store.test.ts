import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PodAssignment, PodStatus } from '../../shared/src/proto/types.js';
import { parseStoredPod, POD_TABLE_DIR, PodStore, type StoredPod } from './pod-store.js';
import { podKeyString, type PodKey } from './runtime/driver.js';
import { runningStatusOf, testAssignment } from './testdata/pods.js';

const assignment = testAssignment;
const statusOf = runningStatusOf;

function stored(a: PodAssignment, over: Partial<PodStatus> = {}): StoredPod {
  return { assignment: a, status: statusOf(a, over) };
}

/** fileOf is the file a pod is kept in: a hash of its key (what the store promises: one file per incarnation). */
function fileOf(stateDir: string, key: PodKey): string {
  return path.join(stateDir, POD_TABLE_DIR, `${createHash('sha256').update(podKeyString(key)).digest('hex').slice(0, 32)}.json`);
}

let stateDir: string;
let store: PodStore;

beforeEach(() => {
  stateDir = mkdtempSync(path.join(os.tmpdir(), 'muster-pod-store-'));
  store = new PodStore(stateDir);
});

afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

describe('PodStore', () => {
  it('keeps each pod in a file of its own under <stateDir>/pod-table and loads them back as saved', () => {
    const running = stored(assignment(0));
    const failed = stored(assignment(1), { phase: 'POD_PHASE_FAILED', reason: 'Error', exitCode: 3, finishedMs: 2000, seq: 3 });
    store.save(running);
    store.save(failed);
    expect(store.dir).toBe(path.join(stateDir, POD_TABLE_DIR));
    expect(readdirSync(store.dir).sort()).toEqual([path.basename(fileOf(stateDir, running.status)), path.basename(fileOf(stateDir, failed.status))].sort());
    // Only the agent reads it (the assignment holds the user's environment).
    expect(statSync(fileOf(stateDir, running.status)).mode & 0o777).toBe(0o600);

    const { pods, bad } = new PodStore(stateDir).load();
    expect(bad).toEqual([]);
    const byId = new Map(pods.map((p) => [p.status.podId, p]));
    expect(byId.get(running.status.podId)).toEqual(running);
    expect(byId.get(failed.status.podId)).toEqual(failed);
    expect(pods).toHaveLength(2);
  });

  it('tells incarnations of one pod apart (JobSet uid, generation)', () => {
    const a = assignment(0);
    store.save(stored(a));
    store.save(stored({ ...a, generation: 2 }));
    store.save(stored({ ...a, jobsetUid: '7d0e4b12-9a3c-4f1e-8b2d-5c6a7e8f9012' }));
    expect(readdirSync(store.dir)).toHaveLength(3);
    expect(store.load().pods).toHaveLength(3);
  });

  it('overwrites a pod atomically: a new file renamed over the old, nothing left beside it', () => {
    const a = assignment(0);
    store.save(stored(a, { phase: 'POD_PHASE_RUNNING', seq: 2 }));
    const file = fileOf(stateDir, a);
    const before = statSync(file).ino;
    store.save(stored(a, { phase: 'POD_PHASE_SUCCEEDED', reason: 'Completed', exitCode: 0, seq: 3 }));
    // Written in place, a crash half-way would leave a torn file; a renamed file is another inode.
    expect(statSync(file).ino).not.toBe(before);
    expect(readdirSync(store.dir)).toEqual([path.basename(file)]);
    expect(store.load().pods.map((p) => [p.status.phase, p.status.seq])).toEqual([['POD_PHASE_SUCCEEDED', 3]]);
  });

  it('remove forgets a pod (and a pod it does not have is no error)', () => {
    const a = assignment(0);
    const b = assignment(1);
    store.save(stored(a));
    store.save(stored(b));
    store.remove(a);
    store.remove(a);
    expect(existsSync(fileOf(stateDir, a))).toBe(false);
    expect(store.load().pods.map((p) => p.status.podId)).toEqual([b.podId]);
    expect(() => new PodStore(path.join(stateDir, 'missing')).remove(a)).not.toThrow();
  });

  it('loads nothing from a state dir without a pod table', () => {
    expect(new PodStore(path.join(stateDir, 'missing')).load()).toEqual({ pods: [], bad: [] });
  });

  it('removes and reports the files that are not pods of this table, keeping the good ones', () => {
    const good = stored(assignment(0));
    store.save(good);
    const dirOf = store.dir;
    const goodFile = fileOf(stateDir, good.status);

    // Malformed JSON, in a file named like a pod's.
    const malformed = path.join(dirOf, `${'a'.repeat(32)}.json`);
    writeFileSync(malformed, '{"assignment":');
    // A write a crash interrupted.
    const tmp = `${goodFile}.tmp`;
    writeFileSync(tmp, '{"assign');
    // Assignments whose names would leave the pod directory, saved as the store saves (it does not validate on save).
    const slash = stored(assignment(1, { jobset: 'a/b' }));
    const dotdot = stored(assignment(2, { jobset: '..' }));
    const badUid = stored(assignment(3, { jobsetUid: '../../etc' }));
    for (const p of [slash, dotdot, badUid]) store.save(p);
    // A status of another pod than the assignment (written under the status' key).
    const mixed: StoredPod = { assignment: assignment(4), status: statusOf(assignment(5)) };
    store.save(mixed);
    // A good pod's content under another pod's name.
    const renamed = fileOf(stateDir, assignment(6));
    copyFileSync(goodFile, renamed);
    // Neither a pod nor a temporary file.
    const stray = path.join(dirOf, 'README');
    writeFileSync(stray, 'hello');
    mkdirSync(path.join(dirOf, 'subdir'));

    const { pods, bad } = store.load();

    expect(pods).toEqual([good]);
    const problems = new Map(bad.map((b) => [b.file, b.problem]));
    expect(problems.size).toBe(bad.length);
    expect([...problems.keys()].sort()).toEqual(
      [malformed, tmp, fileOf(stateDir, slash.status), fileOf(stateDir, dotdot.status), fileOf(stateDir, badUid.status), fileOf(stateDir, mixed.status), renamed, stray, path.join(dirOf, 'subdir')].sort(),
    );
    expect(problems.get(tmp)).toBe('an unfinished write');
    expect(problems.get(fileOf(stateDir, slash.status))).toContain('jobset');
    expect(problems.get(fileOf(stateDir, dotdot.status))).toContain('jobset');
    expect(problems.get(fileOf(stateDir, badUid.status))).toContain('jobsetUid');
    expect(problems.get(fileOf(stateDir, mixed.status))).toBe('status and assignment name different pods');
    expect(problems.get(renamed)).toBe('the file name does not match the pod it holds');
    expect(problems.get(stray)).toBe('not a pod table file');
    // All of them are gone; the good pod stays.
    expect(readdirSync(dirOf)).toEqual([path.basename(goodFile)]);
    expect(store.load()).toEqual({ pods: [good], bad: [] });
  });
});

describe('parseStoredPod', () => {
  const good = stored(assignment(0));
  const text = (v: unknown): string => JSON.stringify(v);

  it('accepts a saved pod as it was saved', () => {
    expect(parseStoredPod(text(good))).toEqual(good);
    expect(parseStoredPod(readFileSync(fileOfSaved(good), 'utf8'))).toEqual(good);
  });

  function fileOfSaved(p: StoredPod): string {
    store.save(p);
    return fileOf(stateDir, p.status);
  }

  it('names what is wrong', () => {
    const cases: [unknown, RegExp][] = [
      [null, /not a JSON object/],
      [42, /not a JSON object/],
      [{ status: good.status }, /assignment: missing/],
      [{ assignment: good.assignment }, /status: missing/],
      [{ ...good, assignment: { ...good.assignment, podId: '' } }, /assignment\.podId/],
      [{ ...good, assignment: { ...good.assignment, jobsetUid: 7 } }, /assignment\.jobsetUid/],
      [{ ...good, status: { ...good.status, phase: '' } }, /status\.phase/],
      [{ ...good, status: { ...good.status, seq: '2' } }, /integers/],
      [{ ...good, assignment: { ...good.assignment, generation: 1.5 } }, /integers/],
      [{ ...good, status: { ...good.status, generation: 2 } }, /different pods/],
      [{ ...good, assignment: { ...good.assignment, template: null } }, /template/],
      [{ ...good, assignment: { ...good.assignment, replicatedJob: 'x/../y' } }, /replicatedJob/],
    ];
    for (const [v, problem] of cases) expect(() => parseStoredPod(text(v)), text(v).slice(0, 80)).toThrow(problem);
    expect(() => parseStoredPod('{')).toThrow();
  });
});
