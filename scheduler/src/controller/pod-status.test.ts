import { afterEach, describe, expect, it } from 'vitest';
import type { PodAssignment, PodPhase, PodStatus } from '../../../shared/src/proto/types.js';
import {
  assignmentsOf,
  heartbeatOf,
  jobsetOf,
  persistedJobSet,
  podEventOf,
  podReport,
  registerTestNode,
  startTestScheduler,
  submitTestJobSet,
  type TestScheduler,
} from '../../../test/helpers/scheduler-context.js';
import { handleHeartbeat } from './heartbeats.js';
import { PodEventBatcher } from './pod-events.js';

let s: TestScheduler;
afterEach(() => s?.close());

/** Two 4-GPU nodes running `train`: four 2-GPU workers, two per node, admitted. */
function admittedTrain(): { a: PodAssignment[]; onNode: (node: string) => PodAssignment[] } {
  s = startTestScheduler();
  registerTestNode(s, 'n1', { cpu: 16, gpus: 4 });
  registerTestNode(s, 'n2', { cpu: 16, gpus: 4 });
  submitTestJobSet(s, 'train', { workers: { replicas: 4, gpus: 2 } });
  s.runCycle();
  expect(jobsetOf(s, 'train').status!.phase).toBe('JOB_SET_PHASE_ADMITTED');
  const a = assignmentsOf(s, 'train');
  const nodeOf = new Map(jobsetOf(s, 'train').status!.pods.map((p) => [p.podId, p.node]));
  return { a, onNode: (node) => a.filter((x) => nodeOf.get(x.podId) === node) };
}

/** heartbeat sends `node`'s heartbeat (current epoch and revision) listing `pods`. */
function heartbeat(node: string, pods: PodStatus[]): void {
  handleHeartbeat(s.ctx, heartbeatOf(s, node, pods));
}

/** allIn reports every pod of `pods` in `phase`, with per-pod overrides by pod id. */
function allIn(pods: PodAssignment[], phase: PodPhase, over: Record<string, Partial<PodStatus>> = {}): PodStatus[] {
  return pods.map((p) => podReport(p, phase, over[p.podId] ?? {}));
}

/** Channel is how a report reaches the scheduler: a heartbeat's pod set, or a JetStream pod event. */
type Channel = 'heartbeat' | 'pod event';

function report(channel: Channel, node: string, pods: PodStatus[]): void {
  if (channel === 'heartbeat') {
    heartbeat(node, pods);
    return;
  }
  const batcher = new PodEventBatcher(s.ctx);
  for (const p of pods) batcher.add(podEventOf(s, node, p), () => undefined);
  batcher.flush();
}

describe('pod reports fold into the JobSet', () => {
  it.each<Channel>(['heartbeat', 'pod event'])('the JobSet is Running once every pod reported Running (%s)', (channel) => {
    const { onNode } = admittedTrain();
    s.out.clear();

    report(channel, 'n1', allIn(onNode('n1'), 'POD_PHASE_RUNNING'));
    expect(jobsetOf(s, 'train').status!.phase).toBe('JOB_SET_PHASE_ADMITTED');
    report(channel, 'n2', allIn(onNode('n2'), 'POD_PHASE_RUNNING'));

    const st = jobsetOf(s, 'train').status!;
    expect(st.phase).toBe('JOB_SET_PHASE_RUNNING');
    expect(st.reason).toBe('AllPodsRunning');
    expect(st.pods.map((p) => p.phase)).toEqual(Array(4).fill('POD_PHASE_RUNNING'));
    expect(st.replicatedJobs).toEqual([{ name: 'workers', pods: 4, pending: 0, running: 4, succeeded: 0, failed: 0, readyJobs: 4, activeJobs: 4, succeededJobs: 0, failedJobs: 0, suspendedJobs: 0 }]);
    expect(persistedJobSet(s.db, 'train')!.phase).toBe('JOB_SET_PHASE_RUNNING');
    expect(s.out.eventsOf('train').at(-1)!.phase).toBe('JOB_SET_PHASE_RUNNING');
    // Running changes nobody's desired pods.
    expect(s.out.desired).toEqual([]);
  });

  it.each<Channel>(['heartbeat', 'pod event'])('a failed pod fails the JobSet, naming the pod and exit code, and its pods leave every desired document (%s)', (channel) => {
    const { onNode } = admittedTrain();
    heartbeat('n1', allIn(onNode('n1'), 'POD_PHASE_RUNNING'));
    heartbeat('n2', allIn(onNode('n2'), 'POD_PHASE_RUNNING'));
    const victim = onNode('n2')[1]!.podId;
    const revisions = { n1: s.store.getNode('n1')!.revision, n2: s.store.getNode('n2')!.revision };
    s.out.clear();

    report(channel, 'n2', [podReport(onNode('n2')[1]!, 'POD_PHASE_FAILED', { exitCode: 137, signal: 'SIGKILL', reason: 'OOMKilled' })]);

    const st = jobsetOf(s, 'train').status!;
    expect(st.phase).toBe('JOB_SET_PHASE_FAILED');
    expect(st.reason).toBe('FailedJobs');
    expect(st.failedPod).toBe(victim);
    expect(st.exitCode).toBe(137);
    expect(st.message).toContain(victim);
    expect(st.message).toContain('exit code 137');
    expect(persistedJobSet(s.db, 'train')!.phase).toBe('JOB_SET_PHASE_FAILED');
    for (const node of ['n1', 'n2'] as const) {
      const doc = s.out.lastDesired(node)!;
      expect(doc.revision).toBe(revisions[node] + 1);
      expect(doc.pods).toEqual([]);
      expect(doc.hostfiles).toEqual([]);
    }
    expect(s.out.eventsOf('train').map((e) => [e.phase, e.reason])).toEqual([['JOB_SET_PHASE_FAILED', 'FailedJobs']]);
    expect(s.cycleRequests).toContain('capacity freed');
  });

  it('pods stopped after the JobSet failed still show how they ended, without moving its phase', () => {
    const { onNode } = admittedTrain();
    heartbeat('n1', allIn(onNode('n1'), 'POD_PHASE_RUNNING'));
    heartbeat('n2', allIn(onNode('n2'), 'POD_PHASE_RUNNING', { [onNode('n2')[1]!.podId]: { phase: 'POD_PHASE_FAILED', seq: 3, exitCode: 1 } }));
    expect(jobsetOf(s, 'train').status!.phase).toBe('JOB_SET_PHASE_FAILED');

    heartbeat('n1', allIn(onNode('n1'), 'POD_PHASE_FAILED', { [onNode('n1')[0]!.podId]: { reason: 'Stopped', exitCode: 0 }, [onNode('n1')[1]!.podId]: { reason: 'Stopped', exitCode: 0 } }));

    const st = jobsetOf(s, 'train').status!;
    expect(st.phase).toBe('JOB_SET_PHASE_FAILED');
    expect(st.failedPod).toBe(onNode('n2')[1]!.podId);
    expect(st.pods.filter((p) => p.node === 'n1').map((p) => [p.phase, p.reason])).toEqual([
      ['POD_PHASE_FAILED', 'Stopped'],
      ['POD_PHASE_FAILED', 'Stopped'],
    ]);
  });
});

describe('reports that change nothing are ignored: no SQLite write, no publish', () => {
  /** Each case is a report n1 sends after every pod of `train` reported Running (seq 2). */
  const cases: { name: string; pod: (a: PodAssignment) => PodStatus; node?: string }[] = [
    { name: 'the same Running report again (a redelivered event, a heartbeat repeating it)', pod: (a) => podReport(a, 'POD_PHASE_RUNNING') },
    { name: 'a stale report: Pending (seq 1) arriving after Running', pod: (a) => podReport(a, 'POD_PHASE_PENDING') },
    { name: 'a lower seq claiming a terminal phase', pod: (a) => podReport(a, 'POD_PHASE_FAILED', { seq: 2, exitCode: 1 }) },
    { name: 'a report of another JobSet incarnation (another jobsetUid)', pod: (a) => podReport(a, 'POD_PHASE_FAILED', { jobsetUid: 'uid-of-a-deleted-train', exitCode: 1 }) },
    { name: 'a report of an older generation', pod: (a) => podReport(a, 'POD_PHASE_FAILED', { generation: a.generation - 1, exitCode: 1 }) },
    { name: 'a phase this scheduler does not know', pod: (a) => podReport(a, 'POD_PHASE_UNSPECIFIED', { seq: 3 }) },
    { name: 'a report for the pod from a node it is not placed on', pod: (a) => podReport(a, 'POD_PHASE_FAILED', { exitCode: 1 }), node: 'n2' },
  ];

  it.each(cases)('$name', ({ pod, node }) => {
    const { onNode } = admittedTrain();
    heartbeat('n1', allIn(onNode('n1'), 'POD_PHASE_RUNNING'));
    heartbeat('n2', allIn(onNode('n2'), 'POD_PHASE_RUNNING'));
    const before = structuredClone(jobsetOf(s, 'train'));
    const writes = s.writes();
    s.out.clear();
    const target = onNode('n1')[0]!;
    const batcher = new PodEventBatcher(s.ctx);
    const settled: boolean[] = [];
    batcher.add(podEventOf(s, node ?? 'n1', pod(target)), (ok) => settled.push(ok));

    batcher.flush();

    expect(settled).toEqual([true]);
    expect(jobsetOf(s, 'train')).toEqual(before);
    expect(s.writes()).toBe(writes);
    expect(s.out.desired).toEqual([]);
    expect(s.out.events).toEqual([]);
  });

  it('a heartbeat repeating what is known writes and publishes nothing', () => {
    const { onNode } = admittedTrain();
    heartbeat('n1', allIn(onNode('n1'), 'POD_PHASE_RUNNING'));
    heartbeat('n2', allIn(onNode('n2'), 'POD_PHASE_RUNNING'));
    const writes = s.writes();
    s.out.clear();

    for (let i = 0; i < 3; i++) {
      s.clock.advance(1000);
      heartbeat('n1', allIn(onNode('n1'), 'POD_PHASE_RUNNING'));
      heartbeat('n2', allIn(onNode('n2'), 'POD_PHASE_RUNNING'));
    }

    expect(s.writes()).toBe(writes);
    expect(s.out.desired).toEqual([]);
    expect(s.out.events).toEqual([]);
  });

  it('a failure report of another incarnation does not fail the JobSet now running under that name', () => {
    const { onNode } = admittedTrain();
    heartbeat('n1', allIn(onNode('n1'), 'POD_PHASE_RUNNING'));
    heartbeat('n2', allIn(onNode('n2'), 'POD_PHASE_RUNNING'));
    const old = { ...onNode('n1')[0]!, jobsetUid: 'uid-of-a-deleted-train' };
    s.out.clear();

    heartbeat('n1', [...allIn(onNode('n1'), 'POD_PHASE_RUNNING'), podReport(old, 'POD_PHASE_FAILED', { exitCode: 1 })]);

    expect(jobsetOf(s, 'train').status!.phase).toBe('JOB_SET_PHASE_RUNNING');
    expect(s.out.desired).toEqual([]);
  });
});
