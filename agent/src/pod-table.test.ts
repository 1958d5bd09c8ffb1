import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogFields, Logger } from '../../shared/src/logger.js';
import type { PodAssignment, PodStatus } from '../../shared/src/proto/types.js';
import { PodStore } from './pod-store.js';
import { PodTable } from './pod-table.js';
import { TEST_JOBSET_UID as UID, testAssignment } from './testdata/pods.js';

/** assignment is a GPU-less, unbound pod (the table does not care what it holds). */
function assignment(jobIndex: number): PodAssignment {
  return testAssignment(jobIndex, { env: {}, binding: { gpuIndices: [], gpuUuids: [], cpuset: '', numaNode: 0, nics: [] }, submitDir: '', user: '', requests: { cpuMillis: 1000, memoryBytes: 0, gpus: 0, rdma: 0 } });
}

/** A logger that keeps errors. */
function errorsLogger(errors: { msg: string; fields: LogFields }[]): Logger {
  const make = (bound: LogFields): Logger => ({
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: (msg, fields) => errors.push({ msg, fields: { ...bound, ...fields } }),
    child: (b) => make({ ...bound, ...b }),
  });
  return make({});
}

let stateDir: string;
let store: PodStore;
let table: PodTable;
let changes: PodStatus[];

beforeEach(() => {
  stateDir = mkdtempSync(path.join(os.tmpdir(), 'muster-pod-table-'));
  store = new PodStore(stateDir);
  table = new PodTable('n1', undefined, store);
  changes = [];
  table.onChange((s) => changes.push(s));
});

afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

/** onDisk is the persisted status of a pod, as a new agent process would load it. */
function onDisk(a: PodAssignment): PodStatus | undefined {
  return new PodStore(stateDir).load().pods.find((p) => p.status.podId === a.podId)?.status;
}

describe('PodTable with a PodStore', () => {
  it('persists every phase change: add (Pending), markRunning, markFinished', () => {
    const a = assignment(0);
    table.add(a);
    expect(onDisk(a)).toMatchObject({ phase: 'POD_PHASE_PENDING', seq: 1, node: 'n1', jobsetUid: UID });
    expect(new PodStore(stateDir).load().pods[0]?.assignment).toEqual(a);

    table.markRunning(a, 4242, 1000);
    expect(onDisk(a)).toMatchObject({ phase: 'POD_PHASE_RUNNING', seq: 2, pid: 4242, startedMs: 1000 });

    table.markFinished(a, { phase: 'POD_PHASE_FAILED', reason: 'Error', exitCode: 3, signal: '', message: 'exited with code 3', finishedMs: 2000 });
    expect(onDisk(a)).toMatchObject({ phase: 'POD_PHASE_FAILED', seq: 3, reason: 'Error', exitCode: 3, message: 'exited with code 3', finishedMs: 2000 });
    // What is on disk is what the table reports.
    expect(onDisk(a)).toEqual(table.get(a)?.status);
  });

  it('does not persist a refused transition', () => {
    const a = assignment(0);
    table.add(a);
    table.markFinished(a, { phase: 'POD_PHASE_SUCCEEDED', reason: 'Completed', exitCode: 0, signal: '', message: '', finishedMs: 5 });
    expect(table.markRunning(a, 1, 1)).toBe(false);
    expect(onDisk(a)).toMatchObject({ phase: 'POD_PHASE_SUCCEEDED', seq: 2, pid: 0 });
  });

  it('remove forgets a pod on disk too', () => {
    const a = assignment(0);
    const b = assignment(1);
    table.add(a);
    table.add(b);
    expect(table.remove(a)).toBe(true);
    expect(onDisk(a)).toBeUndefined();
    expect(onDisk(b)).toBeDefined();
    expect(new PodStore(stateDir).load().pods).toHaveLength(1);
  });

  it('restore puts back a status as it stands, on this node, without a change event; later changes go on from it', () => {
    const a = assignment(0);
    const status: PodStatus = { ...new PodTable('old').add(a).status, node: 'elsewhere', phase: 'POD_PHASE_RUNNING', seq: 2, pid: 4242, startedMs: 1000 };

    const rec = table.restore(a, status);

    expect(changes).toEqual([]);
    expect(rec.status).toEqual({ ...status, node: 'n1' });
    expect(table.get(a)?.status).toEqual({ ...status, node: 'n1' });
    expect(table.statuses()).toEqual([{ ...status, node: 'n1' }]);
    expect(onDisk(a)).toEqual({ ...status, node: 'n1' });
    // The table holds its own copy.
    status.pid = 1;
    expect(table.get(a)?.status.pid).toBe(4242);
    expect(() => table.restore(a, status)).toThrow(/already in the table/);

    expect(table.markFinished(a, { phase: 'POD_PHASE_SUCCEEDED', reason: 'Completed', exitCode: 0, signal: '', message: 'exited with code 0', finishedMs: 3000 })).toBe(true);
    expect(changes.map((c) => `${c.seq}:${c.phase}`)).toEqual(['3:POD_PHASE_SUCCEEDED']);
    expect(onDisk(a)).toMatchObject({ phase: 'POD_PHASE_SUCCEEDED', seq: 3, pid: 4242 });
  });

  it('keeps working, logging the error, when the store cannot be written', () => {
    const errors: { msg: string; fields: LogFields }[] = [];
    const blocked = path.join(stateDir, 'blocked');
    writeFileSync(blocked, 'a file where the state dir should be');
    const t = new PodTable('n1', errorsLogger(errors), new PodStore(blocked));
    const a = assignment(0);
    t.add(a);
    expect(t.markRunning(a, 1, 1)).toBe(true);
    expect(t.get(a)?.status.phase).toBe('POD_PHASE_RUNNING');
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors[0]).toMatchObject({ msg: 'cannot persist a pod of the table', fields: { podId: a.podId } });
  });
});
