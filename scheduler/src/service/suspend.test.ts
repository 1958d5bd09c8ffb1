import { afterEach, describe, expect, it } from 'vitest';
import { MusterError, NotFoundError } from '../../../shared/src/errors.js';
import type { JobSet, PodAssignment } from '../../../shared/src/proto/types.js';
import { parseJobSetObject } from '../../../shared/src/spec/document.js';
import { handleHeartbeat } from '../controller/heartbeats.js';
import {
  allocatedOf,
  assignmentsOf,
  heartbeatOf,
  jobsetOf,
  lingeringOf,
  persistedJobSet,
  podReport,
  registerTestNode,
  startTestScheduler,
  submitTestJobSet,
  type TestScheduler,
  type TestSchedulerOptions,
} from '../../../test/helpers/scheduler-context.js';
import { submitJobSet } from './jobsets.js';
import { resumeJobSet, suspendJobSet } from './suspend.js';

let s: TestScheduler;
afterEach(() => s?.close());

/** `train` runs one 4-GPU worker on each of n1 and n2 (4 GPUs each), every pod Running. */
function trainRunning(opts: TestSchedulerOptions = {}): PodAssignment[] {
  s = startTestScheduler(opts);
  registerTestNode(s, 'n1', { cpu: 16, gpus: 4 });
  registerTestNode(s, 'n2', { cpu: 16, gpus: 4 });
  submitTestJobSet(s, 'train', { workers: { replicas: 2, gpus: 4 } });
  s.runCycle();
  const a = assignmentsOf(s, 'train');
  for (const p of a) handleHeartbeat(s.ctx, heartbeatOf(s, nodeOf(p.podId), [podReport(p, 'POD_PHASE_RUNNING')]));
  expect(jobsetOf(s, 'train').status!.phase).toBe('JOB_SET_PHASE_RUNNING');
  return a;
}

/** nodeOf is the node a pod of `train` is placed on. */
function nodeOf(podId: string): string {
  return jobsetOf(s, 'train').status!.pods.find((p) => p.podId === podId)!.node;
}

/** goneFrom sends `node`'s heartbeat listing no pod (the agent stopped them, having applied the latest revision). */
function goneFrom(...nodes: string[]): void {
  for (const n of nodes) handleHeartbeat(s.ctx, heartbeatOf(s, n, []));
}

function condition(js: JobSet, type: string) {
  return js.status!.conditions.find((c) => c.type === type);
}

function maxGeneration(js: JobSet): number {
  return Math.max(...js.status!.pods.map((p) => p.generation));
}

/** thrown returns what `fn` threw. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

describe('suspending a running JobSet', () => {
  it('stops its pods and releases its nodes: Pending (Suspended), pods at a new generation with no node, desired documents without them', () => {
    trainRunning();
    const before = structuredClone(jobsetOf(s, 'train'));
    const revisions = { n1: s.store.getNode('n1')!.revision, n2: s.store.getNode('n2')!.revision };
    s.out.clear();
    s.cycleRequests.length = 0;
    s.clock.advance(5000);
    const now = s.clock.now();

    const js = suspendJobSet(s.ctx, 'train');

    const stored = jobsetOf(s, 'train');
    expect(js).toEqual(stored);
    expect(stored.spec!.suspend).toBe(true);
    expect(stored.status).toMatchObject({ phase: 'JOB_SET_PHASE_PENDING', reason: 'Suspended', updatedMs: now, coordinatorPort: 0, restarts: 0 });
    expect(stored.status!.message).toContain('suspended');
    expect(condition(stored, 'Suspended')).toMatchObject({ status: 'True', reason: 'JobSetSuspended', lastTransitionMs: now });
    expect(stored.status!.history.at(-1)).toMatchObject({ type: 'Suspended', timeMs: now });
    expect(stored.status!.history.map((h) => h.type)).toEqual([...before.status!.history.map((h) => h.type), 'Suspended']);
    const oldMax = maxGeneration(before);
    for (const p of stored.status!.pods) {
      expect(p, p.podId).toMatchObject({ phase: 'POD_PHASE_PENDING', node: '', binding: null, startedMs: 0 });
      expect(p.generation, p.podId).toBeGreaterThan(oldMax);
    }
    // The Jobs' activeDeadlineSeconds timers start again with the next run.
    expect(stored.status!.jobs.map((j) => j.startedMs)).toEqual([0, 0]);

    expect(s.store.getJobSet('train')!.placement).toBeNull();
    const row = persistedJobSet(s.db, 'train')!;
    expect(row.phase).toBe('JOB_SET_PHASE_PENDING');
    expect(row.placement).toBeNull();
    expect((JSON.parse(row.doc) as JobSet).spec!.suspend).toBe(true);

    for (const node of ['n1', 'n2'] as const) {
      const doc = s.out.lastDesired(node)!;
      expect(doc.revision, node).toBe(revisions[node] + 1);
      expect(doc.pods, node).toEqual([]);
      expect(doc.hostfiles, node).toEqual([]);
    }
    expect(s.out.eventsOf('train').at(-1)).toMatchObject({ phase: 'JOB_SET_PHASE_PENDING', reason: 'Suspended' });
    expect(s.cycleRequests).toContain('capacity freed');
  });

  it('the stopping pods hold their capacity until a heartbeat reports them gone', () => {
    const a = trainRunning();
    const where = a.map((p) => nodeOf(p.podId));
    suspendJobSet(s.ctx, 'train');

    for (const n of ['n1', 'n2']) {
      expect(lingeringOf(s, n).gpus, n).toBe(4);
      expect(allocatedOf(s, n).gpus, n).toBe(4);
    }
    // The agents still run the pods (they are stopping): still held, and the reports do not move the JobSet.
    s.clock.advance(1000);
    a.forEach((p, i) => handleHeartbeat(s.ctx, heartbeatOf(s, where[i]!, [podReport(p, 'POD_PHASE_RUNNING', { seq: 5 })])));
    for (const n of ['n1', 'n2']) expect(lingeringOf(s, n).gpus, n).toBe(4);
    expect(jobsetOf(s, 'train').status).toMatchObject({ phase: 'JOB_SET_PHASE_PENDING', reason: 'Suspended' });
    expect(jobsetOf(s, 'train').status!.pods.every((p) => p.phase === 'POD_PHASE_PENDING' && p.node === '')).toBe(true);

    s.cycleRequests.length = 0;
    goneFrom('n1', 'n2');
    for (const n of ['n1', 'n2']) {
      expect(lingeringOf(s, n).gpus, n).toBe(0);
      expect(allocatedOf(s, n).gpus, n).toBe(0);
    }
    expect(s.cycleRequests).toContain('stopping pods gone');
  });

  it('a scheduling cycle does not admit it while it is suspended, even with room', () => {
    trainRunning();
    suspendJobSet(s.ctx, 'train');
    goneFrom('n1', 'n2');

    s.runCycle();
    s.runCycle();

    const js = jobsetOf(s, 'train');
    expect(js.status).toMatchObject({ phase: 'JOB_SET_PHASE_PENDING', reason: 'Suspended' });
    expect(s.store.getJobSet('train')!.placement).toBeNull();
    expect(s.out.lastDesired('n1')!.pods).toEqual([]);
  });

  it('the per-replicatedJob counts show its pods pending and its Jobs suspended, then active again once resumed', () => {
    trainRunning();
    suspendJobSet(s.ctx, 'train');
    expect(jobsetOf(s, 'train').status!.replicatedJobs).toEqual([
      { name: 'workers', pods: 2, pending: 2, running: 0, succeeded: 0, failed: 0, readyJobs: 0, activeJobs: 0, succeededJobs: 0, failedJobs: 0, suspendedJobs: 2 },
    ]);
    resumeJobSet(s.ctx, 'train');
    expect(jobsetOf(s, 'train').status!.replicatedJobs).toEqual([
      { name: 'workers', pods: 2, pending: 2, running: 0, succeeded: 0, failed: 0, readyJobs: 0, activeJobs: 2, succeededJobs: 0, failedJobs: 0, suspendedJobs: 0 },
    ]);
  });
});

describe('per-replicatedJob counts of a JobSet suspended before admission', () => {
  it('keep its pods pending and count its Jobs suspended', () => {
    s = startTestScheduler();
    submitTestJobSet(s, 'train', { workers: { replicas: 2, gpus: 4 } });
    suspendJobSet(s.ctx, 'train');
    expect(jobsetOf(s, 'train').status!.replicatedJobs).toEqual([
      { name: 'workers', pods: 2, pending: 2, running: 0, succeeded: 0, failed: 0, readyJobs: 0, activeJobs: 0, succeededJobs: 0, failedJobs: 0, suspendedJobs: 2 },
    ]);
  });
});

describe('resuming', () => {
  it('lets a scheduling cycle admit it again, with pods of a generation above the old ones', () => {
    const old = trainRunning();
    const oldMax = Math.max(...old.map((a) => a.generation));
    suspendJobSet(s.ctx, 'train');
    goneFrom('n1', 'n2');
    s.cycleRequests.length = 0;
    s.clock.advance(1000);
    const now = s.clock.now();

    const js = resumeJobSet(s.ctx, 'train');

    const stored = jobsetOf(s, 'train');
    expect(js).toEqual(stored);
    expect(stored.spec!.suspend).toBe(false);
    expect(stored.status).toMatchObject({ phase: 'JOB_SET_PHASE_PENDING', reason: 'Queued', updatedMs: now });
    expect(condition(stored, 'Suspended')).toMatchObject({ status: 'False', reason: 'JobSetResumed', lastTransitionMs: now });
    expect(stored.status!.history.slice(-2).map((h) => h.type)).toEqual(['Suspended', 'Resumed']);
    expect(s.cycleRequests).toContain('resumed');
    expect((JSON.parse(persistedJobSet(s.db, 'train')!.doc) as JobSet).spec!.suspend).toBe(false);

    s.runCycle();

    const admitted = jobsetOf(s, 'train');
    expect(admitted.status!.phase).toBe('JOB_SET_PHASE_ADMITTED');
    expect(admitted.status!.restarts).toBe(0);
    const fresh = assignmentsOf(s, 'train');
    expect(fresh.map((a) => a.podId)).toEqual(old.map((a) => a.podId));
    for (const a of fresh) expect(a.generation, a.podId).toBeGreaterThan(oldMax);
    for (const p of admitted.status!.pods) expect(p.generation, p.podId).toBeGreaterThan(oldMax);
    const told = ['n1', 'n2'].flatMap((n) => s.out.lastDesired(n)!.pods);
    expect(told.map((p) => [p.podId, p.generation]).sort()).toEqual(fresh.map((a) => [a.podId, a.generation]).sort());

    // Runs again like any admitted JobSet.
    for (const a of fresh) handleHeartbeat(s.ctx, heartbeatOf(s, nodeOf(a.podId), [podReport(a, 'POD_PHASE_RUNNING')]));
    expect(jobsetOf(s, 'train').status!.phase).toBe('JOB_SET_PHASE_RUNNING');
  });

  it('while its old pods still hold their GPUs it is not admitted on them; once they are gone it is', () => {
    trainRunning();
    suspendJobSet(s.ctx, 'train');
    resumeJobSet(s.ctx, 'train');

    s.runCycle();
    expect(jobsetOf(s, 'train').status!.phase).toBe('JOB_SET_PHASE_PENDING');

    goneFrom('n1', 'n2');
    s.runCycle();
    expect(jobsetOf(s, 'train').status!.phase).toBe('JOB_SET_PHASE_ADMITTED');
  });

  it('may be admitted on other GPUs than before (the old pod is still stopping on its own)', () => {
    s = startTestScheduler();
    registerTestNode(s, 'n1', { cpu: 16, gpus: 8 });
    submitTestJobSet(s, 'train', { workers: { gpus: 4 } });
    s.runCycle();
    const [old] = assignmentsOf(s, 'train') as [PodAssignment];
    expect(old.binding!.gpuIndices).toEqual([0, 1, 2, 3]);
    handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(old, 'POD_PHASE_RUNNING')]));

    suspendJobSet(s.ctx, 'train');
    resumeJobSet(s.ctx, 'train');
    s.runCycle();

    const [fresh] = assignmentsOf(s, 'train') as [PodAssignment];
    expect(jobsetOf(s, 'train').status!.phase).toBe('JOB_SET_PHASE_ADMITTED');
    expect(fresh.binding!.gpuIndices).toEqual([4, 5, 6, 7]);
    expect(fresh.generation).toBeGreaterThan(old.generation);
    expect(s.out.lastDesired('n1')!.pods.map((p) => [p.podId, p.generation])).toEqual([[fresh.podId, fresh.generation]]);
    expect(allocatedOf(s, 'n1').gpus).toBe(8);
  });
});

describe('suspend and resume are idempotent', () => {
  it('suspending a suspended JobSet changes nothing: no write, no push, no second history entry', () => {
    trainRunning();
    const first = suspendJobSet(s.ctx, 'train');
    const writes = s.writes();
    s.out.clear();
    s.cycleRequests.length = 0;
    s.clock.advance(1000);

    const again = suspendJobSet(s.ctx, 'train');

    expect(again).toEqual(first);
    expect(jobsetOf(s, 'train')).toEqual(first);
    expect(s.writes()).toBe(writes);
    expect(s.out.desired).toEqual([]);
    expect(s.out.events).toEqual([]);
    expect(s.cycleRequests).toEqual([]);
    expect(jobsetOf(s, 'train').status!.history.filter((h) => h.type === 'Suspended')).toHaveLength(1);
  });

  it('resuming a resumed (or never suspended) JobSet changes nothing', () => {
    trainRunning();
    const running = structuredClone(jobsetOf(s, 'train'));
    const writes = s.writes();
    s.out.clear();
    expect(resumeJobSet(s.ctx, 'train')).toEqual(running);
    expect(jobsetOf(s, 'train')).toEqual(running);
    expect(s.writes()).toBe(writes);
    expect(s.out.events).toEqual([]);

    suspendJobSet(s.ctx, 'train');
    const resumed = resumeJobSet(s.ctx, 'train');
    const writes2 = s.writes();
    s.out.clear();
    s.cycleRequests.length = 0;
    expect(resumeJobSet(s.ctx, 'train')).toEqual(resumed);
    expect(s.writes()).toBe(writes2);
    expect(s.out.events).toEqual([]);
    expect(s.cycleRequests).toEqual([]);
    expect(jobsetOf(s, 'train').status!.history.filter((h) => h.type === 'Resumed')).toHaveLength(1);
  });
});

describe('what cannot be suspended or resumed', () => {
  it.each(['suspend', 'resume'] as const)('a finished JobSet: FAILED_PRECONDITION (%s), nothing changes', (verb) => {
    const a = trainRunning();
    for (const p of a) handleHeartbeat(s.ctx, heartbeatOf(s, nodeOf(p.podId), [podReport(p, 'POD_PHASE_SUCCEEDED')]));
    expect(jobsetOf(s, 'train').status!.phase).toBe('JOB_SET_PHASE_SUCCEEDED');
    const before = structuredClone(jobsetOf(s, 'train'));

    const err = thrown(() => (verb === 'suspend' ? suspendJobSet : resumeJobSet)(s.ctx, 'train'));

    expect(err).toBeInstanceOf(MusterError);
    expect((err as MusterError).code).toBe('FAILED_PRECONDITION');
    expect((err as MusterError).message).toContain('train');
    expect(jobsetOf(s, 'train')).toEqual(before);
  });

  it('a failed JobSet cannot be suspended either', () => {
    const a = trainRunning();
    handleHeartbeat(s.ctx, heartbeatOf(s, nodeOf(a[0]!.podId), [podReport(a[0]!, 'POD_PHASE_FAILED', { exitCode: 1 })]));
    expect(jobsetOf(s, 'train').status!.phase).toBe('JOB_SET_PHASE_FAILED');
    expect((thrown(() => suspendJobSet(s.ctx, 'train')) as MusterError).code).toBe('FAILED_PRECONDITION');
  });

  it.each(['suspend', 'resume'] as const)('an unknown name: NotFound (%s)', (verb) => {
    s = startTestScheduler();
    const err = thrown(() => (verb === 'suspend' ? suspendJobSet : resumeJobSet)(s.ctx, 'nope'));
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as MusterError).code).toBe('NOT_FOUND');
  });
});

describe('suspending a JobSet that was never admitted', () => {
  it('keeps it Pending (Suspended); it is not admitted until resumed', () => {
    s = startTestScheduler();
    submitTestJobSet(s, 'train', { workers: { replicas: 2, gpus: 4 } });
    s.runCycle(); // no node yet: stays Pending
    s.out.clear();
    s.cycleRequests.length = 0;

    const js = suspendJobSet(s.ctx, 'train');

    expect(js.spec!.suspend).toBe(true);
    expect(js.status).toMatchObject({ phase: 'JOB_SET_PHASE_PENDING', reason: 'Suspended', pods: [] });
    expect(js.status!.message).toContain('before admission');
    expect(condition(js, 'Suspended')).toMatchObject({ status: 'True', reason: 'JobSetSuspended' });
    expect(js.status!.history.map((h) => h.type)).toEqual(['Submitted', 'Suspended']);
    expect(s.out.desired).toEqual([]);
    expect(s.cycleRequests).not.toContain('capacity freed');

    registerTestNode(s, 'n1', { cpu: 16, gpus: 4 });
    registerTestNode(s, 'n2', { cpu: 16, gpus: 4 });
    s.runCycle();
    expect(jobsetOf(s, 'train').status).toMatchObject({ phase: 'JOB_SET_PHASE_PENDING', reason: 'Suspended' });

    resumeJobSet(s.ctx, 'train');
    s.runCycle();
    expect(jobsetOf(s, 'train').status!.phase).toBe('JOB_SET_PHASE_ADMITTED');
    expect(condition(jobsetOf(s, 'train'), 'Suspended')).toMatchObject({ status: 'False', reason: 'JobSetResumed' });
  });

  it('a JobSet submitted with spec.suspend is not admitted until resumed', () => {
    s = startTestScheduler();
    registerTestNode(s, 'n1', { cpu: 16, gpus: 4 });
    const doc = parseJobSetObject({
      apiVersion: 'muster.dev/v1',
      kind: 'JobSet',
      metadata: { name: 'later' },
      spec: { suspend: true, replicatedJobs: [{ name: 'workers', template: { template: { command: ['train'], resources: { cpu: 1, gpus: 4 } } } }] },
    });
    submitJobSet(s.ctx, { metadata: { name: 'later', labels: {}, uid: '', createdMs: 0, user: 'alice', userVerified: false, submitDir: '/home/alice' }, spec: doc.spec });
    s.runCycle();
    expect(jobsetOf(s, 'later').status).toMatchObject({ phase: 'JOB_SET_PHASE_PENDING', reason: 'Suspended' });

    // Already suspended: suspending again does nothing.
    const before = structuredClone(jobsetOf(s, 'later'));
    expect(suspendJobSet(s.ctx, 'later')).toEqual(before);

    resumeJobSet(s.ctx, 'later');
    s.runCycle();
    expect(jobsetOf(s, 'later').status!.phase).toBe('JOB_SET_PHASE_ADMITTED');
  });
});

describe('the suspended state survives a scheduler restart', () => {
  it('a restarted scheduler loads it suspended, does not admit it, and admits it once resumed', () => {
    trainRunning({ db: 'file' });
    const suspended = suspendJobSet(s.ctx, 'train');

    // Another Store over the same file sees what was committed.
    const reopened = s.reopen().getJobSet('train')!;
    expect(reopened.jobset.spec!.suspend).toBe(true);
    expect(reopened.jobset.status).toMatchObject({ phase: 'JOB_SET_PHASE_PENDING', reason: 'Suspended' });
    expect(reopened.placement).toBeNull();

    s = s.restart();
    const loaded = jobsetOf(s, 'train');
    expect(loaded.spec!.suspend).toBe(true);
    expect(loaded.status).toEqual(suspended.status);
    expect(condition(loaded, 'Suspended')).toMatchObject({ status: 'True', reason: 'JobSetSuspended' });

    goneFrom('n1', 'n2'); // the agents come back: the nodes are Ready again
    expect(s.store.getNode('n1')!.node.state).toBe('NODE_STATE_READY');
    s.runCycle();
    expect(jobsetOf(s, 'train').status).toMatchObject({ phase: 'JOB_SET_PHASE_PENDING', reason: 'Suspended' });

    resumeJobSet(s.ctx, 'train');
    s.runCycle();
    expect(jobsetOf(s, 'train').status!.phase).toBe('JOB_SET_PHASE_ADMITTED');
    for (const p of jobsetOf(s, 'train').status!.pods) expect(p.generation).toBeGreaterThan(0);
  });
});

describe('suspending a JobSet with a start order', () => {
  it('the start order begins again when it is admitted after resuming', () => {
    s = startTestScheduler();
    registerTestNode(s, 'n1', { cpu: 16, gpus: 4 });
    const doc = parseJobSetObject({
      apiVersion: 'muster.dev/v1',
      kind: 'JobSet',
      metadata: { name: 'pipe' },
      spec: {
        replicatedJobs: [
          { name: 'setup', template: { backoffLimit: 0, template: { command: ['prepare'], resources: { cpu: 1 } } } },
          { name: 'workers', dependsOn: [{ name: 'setup', status: 'Ready' }], template: { backoffLimit: 0, template: { command: ['train'], resources: { cpu: 1, gpus: 4 } } } },
        ],
      },
    });
    submitJobSet(s.ctx, { metadata: { name: 'pipe', labels: {}, uid: '', createdMs: 0, user: 'alice', userVerified: false, submitDir: '/home/alice' }, spec: doc.spec });
    s.runCycle();
    const setup = assignmentsOf(s, 'pipe').find((a) => a.replicatedJob === 'setup')!;
    handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(setup, 'POD_PHASE_RUNNING')]));
    expect(jobsetOf(s, 'pipe').status!.startedReplicatedJobs).toEqual(['setup', 'workers']);

    suspendJobSet(s.ctx, 'pipe');
    expect(jobsetOf(s, 'pipe').status!.startedReplicatedJobs).toEqual([]);
    goneFrom('n1');
    resumeJobSet(s.ctx, 'pipe');
    s.runCycle();

    const st = jobsetOf(s, 'pipe').status!;
    expect(st.phase).toBe('JOB_SET_PHASE_ADMITTED');
    expect(st.startedReplicatedJobs).toEqual(['setup']);
    expect(s.out.lastDesired('n1')!.pods.map((p) => p.replicatedJob)).toEqual(['setup']);
  });
});

describe('suspending after a replicatedJob completed', () => {
  /** `pipe` on n1: setup, then workers after setup is Complete; setup Succeeded and the worker Running, then suspended, resumed and admitted again. */
  function resumedAfterSetup(): PodAssignment[] {
    s = startTestScheduler();
    registerTestNode(s, 'n1', { cpu: 16, gpus: 4 });
    const doc = parseJobSetObject({
      apiVersion: 'muster.dev/v1',
      kind: 'JobSet',
      metadata: { name: 'pipe' },
      spec: {
        replicatedJobs: [
          { name: 'setup', template: { backoffLimit: 0, template: { command: ['prepare'], resources: { cpu: 1 } } } },
          { name: 'workers', dependsOn: [{ name: 'setup', status: 'Complete' }], template: { backoffLimit: 0, template: { command: ['train'], resources: { cpu: 1 } } } },
        ],
      },
    });
    submitJobSet(s.ctx, { metadata: { name: 'pipe', labels: {}, uid: '', createdMs: 0, user: 'alice', userVerified: false, submitDir: '/home/alice' }, spec: doc.spec });
    s.runCycle();
    const [setup, worker] = assignmentsOf(s, 'pipe') as [PodAssignment, PodAssignment];
    handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(setup, 'POD_PHASE_SUCCEEDED')]));
    handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(worker, 'POD_PHASE_RUNNING')]));
    expect(jobsetOf(s, 'pipe').status!.phase).toBe('JOB_SET_PHASE_RUNNING');

    suspendJobSet(s.ctx, 'pipe');
    goneFrom('n1');
    resumeJobSet(s.ctx, 'pipe');
    s.runCycle();
    expect(jobsetOf(s, 'pipe').status!.phase).toBe('JOB_SET_PHASE_ADMITTED');
    return assignmentsOf(s, 'pipe');
  }

  // Admission runs every pod again, setup's included: the start order must hold for that new run too.
  it('every pod runs again, so the workers wait for setup to complete again', () => {
    resumedAfterSetup();
    expect(jobsetOf(s, 'pipe').status!.startedReplicatedJobs).toEqual(['setup']);
    expect(s.out.lastDesired('n1')!.pods.map((p) => p.replicatedJob)).toEqual(['setup']);
  });

  it('setup failing in its new run fails the JobSet (it is not ignored, leaving the JobSet stuck)', () => {
    const [setup] = resumedAfterSetup() as [PodAssignment];
    handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(setup, 'POD_PHASE_FAILED', { exitCode: 1 })]));
    expect(jobsetOf(s, 'pipe').status).toMatchObject({ phase: 'JOB_SET_PHASE_FAILED', reason: 'FailedJobs', failedPod: setup.podId });
  });
});
