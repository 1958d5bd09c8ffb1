import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nullLogger, type LogFields, type Logger } from '../../shared/src/logger.js';
import type { PodAssignment, PodStatus } from '../../shared/src/proto/types.js';
import { podPaths } from './pod-paths.js';
import { PodStore, type StoredPod } from './pod-store.js';
import { gpuIdsOf, PodSupervisor } from './pod-supervisor.js';
import { PodTable } from './pod-table.js';
import { runningStatusOf, TEST_JOBSET_UID, testAssignment } from './testdata/pods.js';
import { podKeyString, type PodExit, type PodKey, type PodSpec, type PodStart, type RecoveredPod, type RunningPod, type RuntimeDriver } from './runtime/driver.js';
import { ProcessDriver } from './runtime/process-driver.js';

let stateDir: string;
let table: PodTable;
let sup: PodSupervisor;
let changes: PodStatus[];
let warnings: { msg: string; fields: LogFields }[];

/** A logger that keeps warnings. */
function warningsLogger(bound: LogFields = {}): Logger {
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (msg, fields) => warnings.push({ msg, fields: { ...bound, ...fields } }),
    error: () => undefined,
    child: (b) => warningsLogger({ ...bound, ...b }),
  };
}

beforeEach(() => {
  stateDir = mkdtempSync(path.join(os.tmpdir(), 'muster-supervisor-'));
  table = new PodTable('n1');
  changes = [];
  warnings = [];
  table.onChange((s) => changes.push(s));
  sup = new PodSupervisor({
    nodeName: 'n1',
    stateDir,
    stopGracePeriodMs: 5000,
    driver: new ProcessDriver({ logger: nullLogger }),
    table,
    logger: warningsLogger(),
    agentEnv: { PATH: process.env.PATH, SECRET: 'no' },
  });
});

/** The uids of a JobSet `train` and of `train` cancelled and submitted again. */
const UID = TEST_JOBSET_UID;
const UID2 = '7d0e4b12-9a3c-4f1e-8b2d-5c6a7e8f9012';
const HOSTS = [{ jobsetUid: UID, hosts: ['h0', 'h1'] }];

afterEach(async () => {
  await sup.shutdown();
  rmSync(stateDir, { recursive: true, force: true });
});

/** pod is the shared fixture's pod (UID, GPU jobIndex) at `generation`, running `script` as the agent in its pod dir. */
function pod(jobIndex: number, generation: number, script: string, over: Partial<PodAssignment> = {}): PodAssignment {
  return testAssignment(jobIndex, {
    generation,
    template: { image: '', command: ['sh', '-c', script], args: [], env: [{ name: 'FROM_TEMPLATE', value: 't' }], workingDir: '', resources: null, user: '', migProfile: '', imagePullPolicy: '', mounts: [], shmSizeBytes: 0 },
    submitDir: '',
    user: '',
    ...over,
  });
}

async function until(what: string, cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const phaseOf = (podId: string, generation: number, jobsetUid = UID) => table.get({ podId, jobsetUid, generation })?.status.phase;
const history = (podId: string, generation: number, jobsetUid = UID) =>
  changes.filter((c) => c.podId === podId && c.jobsetUid === jobsetUid && c.generation === generation).map((c) => `${c.seq}:${c.phase.replace('POD_PHASE_', '')}`);

describe('PodSupervisor', () => {
  it('runs a desired pod with its hostfile, environment and logs; reports Pending → Running → Succeeded with growing seq', async () => {
    const a = pod(0, 1, 'echo "$RANK $FROM_TEMPLATE $MUSTER_NODE ${SECRET:-none} $PWD"; cat "$MUSTER_HOSTFILE"');
    sup.apply([a], [{ jobsetUid: UID2, hosts: ['not', 'mine'] }, ...HOSTS]);
    await until('success', () => phaseOf(a.podId, 1) === 'POD_PHASE_SUCCEEDED');
    const paths = podPaths(stateDir, a);
    expect(paths.dir).toBe(path.join(stateDir, 'pods', 'train', '0f3c9a7e', 'workers-0-0', 'g1'));
    expect(readFileSync(paths.stdout, 'utf8')).toBe(`0 t n1 none ${paths.dir}\nh0\nh1\n`);
    expect(history(a.podId, 1)).toEqual(['1:PENDING', '2:RUNNING', '3:SUCCEEDED']);
    const running = changes.find((c) => c.phase === 'POD_PHASE_RUNNING')!;
    expect(running.pid).toBeGreaterThan(0);
    expect(running.node).toBe('n1');
    expect(warnings).toEqual([]);
  });

  it('reports the JobSet uid, requests and binding of the assignment in every status', async () => {
    const a = pod(3, 1, 'true');
    sup.apply([a], HOSTS);
    await until('success', () => phaseOf(a.podId, 1) === 'POD_PHASE_SUCCEEDED');
    expect(changes).toHaveLength(3);
    for (const c of [...changes, ...table.statuses()])
      expect(c).toMatchObject({ podId: a.podId, jobsetUid: UID, generation: 1, requests: a.requests, binding: a.binding });
  });

  it('writes an empty hostfile, with a warning, when the desired document has none for the pod\'s JobSet', async () => {
    const a = pod(0, 1, 'wc -c < "$MUSTER_HOSTFILE"');
    sup.apply([a], [{ jobsetUid: UID2, hosts: ['h9'] }]);
    await until('success', () => phaseOf(a.podId, 1) === 'POD_PHASE_SUCCEEDED');
    expect(readFileSync(podPaths(stateDir, a).hostfile, 'utf8')).toBe('');
    expect(readFileSync(podPaths(stateDir, a).stdout, 'utf8').trim()).toBe('0');
    expect(warnings).toEqual([{ msg: expect.stringContaining('no hostfile'), fields: expect.objectContaining({ podId: a.podId, jobsetUid: UID }) }]);
  });

  it('a JobSet submitted again under the same name: stops the old pod first, starts the new one only after it exited, in its own directory', async () => {
    const old = pod(0, 0, 'echo old; trap "echo old stopping; exit 1" TERM; while :; do sleep 0.1; done');
    sup.apply([old], HOSTS);
    await until('old running', () => phaseOf(old.podId, 0) === 'POD_PHASE_RUNNING' && readFileSync(podPaths(stateDir, old).stdout, 'utf8').includes('old'));
    // Same podId, same generation, another uid (and another hostfile).
    const fresh = pod(0, 0, 'echo fresh; cat "$MUSTER_HOSTFILE"', { jobsetUid: UID2 });
    sup.apply([fresh], [{ jobsetUid: UID2, hosts: ['h7'] }]);
    await until('fresh done', () => phaseOf(fresh.podId, 0, UID2) === 'POD_PHASE_SUCCEEDED');
    const order = changes.map((c) => `${c.jobsetUid.slice(0, 8)}:${c.phase.replace('POD_PHASE_', '')}${c.reason ? '/' + c.reason : ''}`);
    expect(order).toEqual(['0f3c9a7e:PENDING', '0f3c9a7e:RUNNING', '0f3c9a7e:FAILED/Stopped', '7d0e4b12:PENDING', '7d0e4b12:RUNNING', '7d0e4b12:SUCCEEDED/Completed']);
    const stopped = changes.find((c) => c.reason === 'Stopped')!;
    expect(stopped.message).toContain(`uid ${UID2}`);
    expect(podPaths(stateDir, fresh).dir).not.toBe(podPaths(stateDir, old).dir);
    expect(readFileSync(podPaths(stateDir, old).stdout, 'utf8')).toBe('old\nold stopping\n');
    expect(readFileSync(podPaths(stateDir, fresh).stdout, 'utf8')).toBe('fresh\nh7\n');
    expect(table.get(old)).toBeUndefined();
  });

  it('keeps a finished desired pod in the table and never restarts it; forgets it once undesired', async () => {
    const a = pod(0, 1, 'exit 4');
    sup.apply([a]);
    await until('failure', () => phaseOf(a.podId, 1) === 'POD_PHASE_FAILED');
    expect(table.get(a)?.status).toMatchObject({ reason: 'Error', exitCode: 4 });
    sup.apply([a]);
    expect(table.size).toBe(1);
    expect(history(a.podId, 1)).toHaveLength(3);
    sup.apply([]);
    expect(table.size).toBe(0);
  });

  it('replaces a generation: stops the old one first and starts the new one only after it exited', async () => {
    const g1 = pod(0, 1, 'echo ready; sleep 30');
    sup.apply([g1], HOSTS);
    await until('g1 running', () => phaseOf(g1.podId, 1) === 'POD_PHASE_RUNNING');
    const g2 = pod(0, 2, 'echo g2');
    sup.apply([g2], HOSTS);
    await until('g2 done', () => phaseOf(g2.podId, 2) === 'POD_PHASE_SUCCEEDED');
    // g1 ended (as Stopped) before g2 was even Pending.
    const order = changes.map((c) => `g${c.generation}:${c.phase.replace('POD_PHASE_', '')}${c.reason ? '/' + c.reason : ''}`);
    expect(order).toEqual(['g1:PENDING', 'g1:RUNNING', 'g1:FAILED/Stopped', 'g2:PENDING', 'g2:RUNNING', 'g2:SUCCEEDED/Completed']);
    expect(table.get(g1)).toBeUndefined();
  });

  it('fails a pod it cannot prepare or start with StartError, without affecting others', async () => {
    const bad = pod(0, 1, 'true', { template: { image: '', command: ['no-such-command-muster'], args: [], env: [], workingDir: '', resources: null, user: '', migProfile: '', imagePullPolicy: '', mounts: [], shmSizeBytes: 0 } });
    const noTemplate = pod(1, 1, 'true', { template: null });
    const good = pod(2, 1, 'true');
    const badUid = pod(3, 1, 'true', { jobsetUid: '../../etc' });
    sup.apply([bad, noTemplate, good, badUid], HOSTS);
    await until('all done', () => table.records().every((r) => r.status.phase === 'POD_PHASE_SUCCEEDED' || r.status.phase === 'POD_PHASE_FAILED'));
    expect(table.get(bad)?.status).toMatchObject({ phase: 'POD_PHASE_FAILED', reason: 'StartError' });
    expect(table.get(bad)?.status.message).toContain('no-such-command-muster');
    expect(table.get(noTemplate)?.status).toMatchObject({ phase: 'POD_PHASE_FAILED', reason: 'StartError' });
    expect(table.get(good)?.status.phase).toBe('POD_PHASE_SUCCEEDED');
    expect(table.get(badUid)?.status).toMatchObject({ phase: 'POD_PHASE_FAILED', reason: 'StartError' });
    expect(table.get(badUid)?.status.message).toContain('jobsetUid');
  });

  it('fence stops every running pod with the reason given and starts nothing — not the next generation when the old one exits — until unfence', async () => {
    const g1 = pod(0, 1, 'sleep 30');
    const other = pod(1, 1, 'sleep 30');
    sup.apply([g1, other], HOSTS);
    await until('both running', () => phaseOf(g1.podId, 1) === 'POD_PHASE_RUNNING' && phaseOf(other.podId, 1) === 'POD_PHASE_RUNNING');
    sup.fence('fenced: the scheduler has acknowledged no heartbeat for 3.0s');
    // A newer document (sent just before the cut) asks for generation 2 of the first pod.
    const g2 = pod(0, 2, 'echo g2');
    sup.apply([g2, other], HOSTS);
    const ended = (p: PodAssignment) => changes.find((c) => c.podId === p.podId && c.generation === p.generation && c.phase === 'POD_PHASE_FAILED');
    await until('both stopped', () => ended(g1) !== undefined && ended(other) !== undefined);
    for (const p of [g1, other]) {
      expect(ended(p)).toMatchObject({ reason: 'Stopped' });
      expect(ended(p)!.message).toContain('fenced: the scheduler has acknowledged no heartbeat');
    }
    sup.reconcileNow();
    expect(table.get(g2)).toBeUndefined();
    // The fenced incarnation still desired is never started again; generation 2 starts once unfenced.
    sup.unfence();
    await until('g2 done', () => phaseOf(g2.podId, 2) === 'POD_PHASE_SUCCEEDED');
    expect(phaseOf(other.podId, 1)).toBe('POD_PHASE_FAILED');
    expect(changes.filter((c) => c.podId === other.podId && c.phase === 'POD_PHASE_RUNNING')).toHaveLength(1);
  });

  it('shutdown stops every running pod and starts nothing more', async () => {
    const a = pod(0, 1, 'sleep 30');
    const b = pod(1, 1, 'sleep 30');
    sup.apply([a, b]);
    await until('both running', () => phaseOf(a.podId, 1) === 'POD_PHASE_RUNNING' && phaseOf(b.podId, 1) === 'POD_PHASE_RUNNING');
    await sup.shutdown();
    for (const p of [a, b]) expect(table.get(p)?.status).toMatchObject({ phase: 'POD_PHASE_FAILED', reason: 'Stopped', signal: 'SIGTERM' });
    sup.apply([pod(2, 1, 'true')]);
    expect(table.size).toBe(2);
  });
});

/** FakeDriver runs nothing: it records what it is asked; adopted pods end when the test (or stop) says. */
class FakeDriver implements RuntimeDriver {
  readonly name = 'fake';
  readonly starts: PodSpec[] = [];
  readonly stops: { key: PodKey; why: string }[] = [];
  private readonly ends = new Map<string, (exit: PodExit) => void>();
  private readonly running = new Map<string, RunningPod>();

  /** adopted is a pod as recover would return it still running; `end` finishes it. */
  adopted(key: PodKey, pid: number, startedMs: number): { pod: RecoveredPod; end: (exit: PodExit) => void } {
    let end!: (exit: PodExit) => void;
    const exited = new Promise<PodExit>((resolve) => (end = resolve));
    const k = podKeyString(key);
    this.running.set(k, { ...key, pid, startedMs });
    const finish = (exit: PodExit): void => {
      this.running.delete(k);
      end(exit);
    };
    this.ends.set(k, finish);
    return { pod: { ...key, state: 'running', pid, startedMs, exited }, end: finish };
  }

  async start(spec: PodSpec): Promise<PodStart> {
    this.starts.push(spec);
    return { kind: 'failed', exit: { phase: 'POD_PHASE_FAILED', reason: 'StartError', signal: '', message: 'the fake driver starts nothing', finishedMs: 1 } };
  }
  async stop(key: PodKey, _gracePeriodMs: number, why: string): Promise<PodExit | undefined> {
    this.stops.push({ key, why });
    const end = this.ends.get(podKeyString(key));
    if (!end) return undefined;
    const exit: PodExit = { phase: 'POD_PHASE_FAILED', reason: 'Stopped', exitCode: 143, signal: 'SIGTERM', message: `stopped by the agent (${why})`, finishedMs: 9 };
    end(exit);
    return exit;
  }
  list(): RunningPod[] {
    return [...this.running.values()];
  }
  containerized(): boolean {
    return false;
  }
  async recover(): Promise<RecoveredPod[]> {
    return [];
  }
}

describe('PodSupervisor.adopt', () => {
  let fake: FakeDriver;
  let adopter: PodSupervisor;

  beforeEach(() => {
    fake = new FakeDriver();
    adopter = new PodSupervisor({ nodeName: 'n1', stateDir, stopGracePeriodMs: 5000, driver: fake, table, logger: warningsLogger(), agentEnv: {} });
  });

  afterEach(async () => {
    await adopter.shutdown();
  });

  /** storedAs is a pod as the previous agent process persisted it. */
  function storedAs(a: PodAssignment, over: Partial<PodStatus>): StoredPod {
    const status = runningStatusOf(a, over);
    return { assignment: a, status };
  }

  const exitCode3: PodExit = { phase: 'POD_PHASE_FAILED', reason: 'Error', exitCode: 3, signal: '', message: 'exited with code 3', finishedMs: 5000 };

  it('restores a terminal pod as it was, with no event and nothing to watch', () => {
    const a = pod(0, 1, 'true');
    const s = storedAs(a, { phase: 'POD_PHASE_FAILED', reason: 'Error', exitCode: 3, message: 'exited with code 3', finishedMs: 2000, seq: 3 });
    expect(adopter.adopt([s], [])).toBe(0);
    expect(table.get(a)?.status).toEqual(s.status);
    expect(changes).toEqual([]);
    expect(fake.stops).toEqual([]);
  });

  it('adopts a running pod the driver found running: Running with the recovered pid, and its exit is recorded with an event when it comes', async () => {
    const a = pod(0, 1, 'true');
    const s = storedAs(a, { pid: 1111, startedMs: 1000, seq: 2 });
    const found = fake.adopted(a, 777, 1500);

    expect(adopter.adopt([s], [found.pod])).toBe(1);

    expect(table.get(a)?.status).toMatchObject({ phase: 'POD_PHASE_RUNNING', pid: 777, startedMs: 1500, seq: 2, jobsetUid: UID });
    expect(changes).toEqual([]);
    found.end(exitCode3);
    await until('the exit', () => phaseOf(a.podId, 1) === 'POD_PHASE_FAILED');
    expect(table.get(a)?.status).toMatchObject({ reason: 'Error', exitCode: 3, finishedMs: 5000, seq: 3, pid: 777 });
    expect(history(a.podId, 1)).toEqual(['3:FAILED']);
  });

  it('adopts a pod stored as Pending that the driver found running (it started just before the agent went down)', () => {
    const a = pod(0, 1, 'true');
    const s = storedAs(a, { phase: 'POD_PHASE_PENDING', pid: 0, startedMs: 0, seq: 1 });
    expect(adopter.adopt([s], [fake.adopted(a, 777, 1500).pod])).toBe(1);
    // Pending → Running is a phase change: a higher seq, or the scheduler would take the report for a stale one.
    expect(table.get(a)?.status).toMatchObject({ phase: 'POD_PHASE_RUNNING', pid: 777, startedMs: 1500, seq: 2 });
  });

  it('an adopted pod is the supervisor\'s like any other: still desired, it is not started again; no longer desired, it is stopped and forgotten', async () => {
    const a = pod(0, 1, 'true');
    adopter.adopt([storedAs(a, {})], [fake.adopted(a, 777, 1500).pod]);

    adopter.apply([a], HOSTS);
    // A start would add a Pending incarnation at once.
    expect(changes).toEqual([]);
    expect(table.records().map((r) => r.status.phase)).toEqual(['POD_PHASE_RUNNING']);

    adopter.apply([], HOSTS);
    await until('the pod stopped and forgotten', () => table.size === 0);
    expect(fake.stops.map((x) => podKeyString(x.key))).toEqual([podKeyString(a)]);
    expect(history(a.podId, 1)).toEqual(['3:FAILED']);
    expect(changes.at(-1)).toMatchObject({ reason: 'Stopped', signal: 'SIGTERM' });
    expect(fake.starts).toEqual([]);
  });

  it('finishes a running pod the driver found ended with the exit it recorded', () => {
    const a = pod(0, 1, 'true');
    const ended: RecoveredPod = { podId: a.podId, jobsetUid: a.jobsetUid, generation: a.generation, state: 'ended', exit: exitCode3 };
    expect(adopter.adopt([storedAs(a, { seq: 2 })], [ended])).toBe(0);
    expect(table.get(a)?.status).toMatchObject({ phase: 'POD_PHASE_FAILED', reason: 'Error', exitCode: 3, message: 'exited with code 3', finishedMs: 5000, seq: 3, pid: 4242 });
    expect(history(a.podId, 1)).toEqual(['3:FAILED']);
  });

  it('fails a running pod the driver did not find with ExitUnknown', () => {
    const a = pod(0, 1, 'true');
    // Found: another incarnation only (another generation), which is not this pod.
    const other: RecoveredPod = { podId: a.podId, jobsetUid: a.jobsetUid, generation: 2, state: 'ended', exit: exitCode3 };
    expect(adopter.adopt([storedAs(a, { seq: 2 })], [other])).toBe(0);
    expect(table.get(a)?.status).toMatchObject({ phase: 'POD_PHASE_FAILED', reason: 'ExitUnknown', seq: 3 });
    expect(table.get(a)?.status.exitCode).toBeUndefined();
    expect(history(a.podId, 1)).toEqual(['3:FAILED']);
    expect(table.size).toBe(1);
  });

  it('drops a pod stored as Pending that the driver did not find (it never started), with a warning, from the persisted table too', () => {
    const store = new PodStore(stateDir);
    table = new PodTable('n1', nullLogger, store);
    adopter = new PodSupervisor({ nodeName: 'n1', stateDir, stopGracePeriodMs: 5000, driver: fake, table, logger: warningsLogger(), agentEnv: {} });
    const a = pod(0, 1, 'true');
    const b = pod(1, 1, 'true');
    const pending = storedAs(a, { phase: 'POD_PHASE_PENDING', pid: 0, startedMs: 0, seq: 1 });
    store.save(pending);
    const found = fake.adopted(b, 778, 1500);
    expect(adopter.adopt([pending, storedAs(b, {})], [found.pod])).toBe(1);
    expect(table.get(a)).toBeUndefined();
    // Not loaded again by the next agent process.
    expect(store.load().pods.map((p) => p.status.podId)).toEqual([b.podId]);
    expect(table.size).toBe(1);
    expect(changes).toEqual([]);
    expect(warnings).toEqual([{ msg: expect.stringContaining('had not started'), fields: expect.objectContaining({ podId: a.podId, generation: 1 }) }]);
  });
});

describe('gpuIdsOf (how a container pod names its GPUs to the engine)', () => {
  const binding = (gpuIndices: number[], gpuUuids: string[]) => ({ binding: { gpuIndices, gpuUuids, cpuset: '', numaNode: -1, nics: [] } });
  it('by UUID when the binding has one for each GPU', () => {
    expect(gpuIdsOf(binding([2, 3], ['GPU-a', 'GPU-b']))).toEqual(['GPU-a', 'GPU-b']);
  });
  it('a MIG pod: its MIG devices by UUID (more devices than GPU indices)', () => {
    expect(gpuIdsOf(binding([0], ['MIG-a', 'MIG-b']))).toEqual(['MIG-a', 'MIG-b']);
  });
  it('by index when UUIDs are missing (recorded inventories without them)', () => {
    expect(gpuIdsOf(binding([2, 3], []))).toEqual(['2', '3']);
    expect(gpuIdsOf(binding([2, 3], ['GPU-a', '']))).toEqual(['2', '3']);
    expect(gpuIdsOf({ binding: null })).toEqual([]);
  });
});
