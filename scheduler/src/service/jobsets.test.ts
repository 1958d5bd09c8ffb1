import { afterEach, describe, expect, it } from 'vitest';
import { AlreadyExistsError, InvalidArgumentError, NotFoundError } from '../../../shared/src/errors.js';
import type { JobSet, PodAssignment } from '../../../shared/src/proto/types.js';
import { handleHeartbeat } from '../controller/heartbeats.js';
import {
  allocatedOf,
  assignmentsOf,
  heartbeatOf,
  jobsetOf,
  persistedJobSet,
  podReport,
  registerTestNode,
  startTestScheduler,
  submitTestJobSet,
  type TestScheduler,
} from '../../../test/helpers/scheduler-context.js';
import { deleteJobSet, listJobSets, submitJobSet } from './jobsets.js';

let s: TestScheduler;
afterEach(() => s?.close());

function cluster(): void {
  s = startTestScheduler();
  registerTestNode(s, 'n1', { cpu: 16, gpus: 4 });
  s.out.clear();
  s.cycleRequests.length = 0;
}

describe('submitting a JobSet', () => {
  it('stores it Pending (Queued), persisted, announced, and asks for a cycle', () => {
    cluster();
    const watched: (JobSet | undefined)[] = [];
    s.ctx.hub.subscribe('train', (js) => watched.push(js));

    const js = submitTestJobSet(s, 'train', { leader: { cpu: 1 }, workers: { replicas: 2, parallelism: 2, gpus: 1 } });

    expect(js.metadata).toMatchObject({ name: 'train', user: 'alice', createdMs: s.clock.now() });
    expect(js.metadata!.uid).not.toBe('');
    expect(js.status).toMatchObject({ phase: 'JOB_SET_PHASE_PENDING', reason: 'Queued' });
    expect(js.status!.replicatedJobs.map((r) => [r.name, r.pods, r.pending])).toEqual([
      ['leader', 1, 1],
      ['workers', 4, 4],
    ]);
    expect(persistedJobSet(s.db, 'train')).toMatchObject({ phase: 'JOB_SET_PHASE_PENDING', placement: null });
    expect(s.out.eventsOf('train').map((e) => e.phase)).toEqual(['JOB_SET_PHASE_PENDING']);
    expect(watched).toHaveLength(1);
    expect(s.cycleRequests).toEqual(['submitted']);
  });

  it('refuses a name that is taken (ALREADY_EXISTS)', () => {
    cluster();
    submitTestJobSet(s, 'train', { workers: { cpu: 1 } });
    expect(() => submitTestJobSet(s, 'train', { workers: { cpu: 1 } })).toThrow(AlreadyExistsError);
  });

  it.each([
    { name: 'a name that is not a DNS label', jobset: 'Train_1', path: 'name' },
    { name: 'no replicatedJobs', jobset: 'train', path: 'spec.replicatedJobs' },
  ])('refuses $name (INVALID_ARGUMENT naming the field), storing nothing', ({ jobset, path }) => {
    cluster();
    let err: unknown;
    try {
      submitJobSet(s.ctx, {
        metadata: { name: jobset, labels: {}, uid: '', createdMs: 0, user: 'alice', userVerified: false, submitDir: '' },
        spec: { replicatedJobs: [], successPolicy: null, failurePolicy: null, coordinator: null, queue: '', priorityClass: '', suspend: false, startupPolicy: null, placement: null },
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).issues.map((i) => i.path).join(' ')).toContain(path);
    expect(s.store.allJobSets()).toEqual([]);
    expect(s.cycleRequests).toEqual([]);
  });
});

describe('deleting a JobSet', () => {
  it('removes a running JobSet at once: gone from the store and SQLite, its pods out of the desired document, watchers told', () => {
    cluster();
    submitTestJobSet(s, 'train', { workers: { replicas: 2, gpus: 1 } });
    s.runCycle();
    const a = assignmentsOf(s, 'train');
    handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', a.map((p) => podReport(p, 'POD_PHASE_RUNNING'))));
    const revision = s.store.getNode('n1')!.revision;
    const watched: (JobSet | undefined)[] = [];
    s.ctx.hub.subscribe('train', (js) => watched.push(js));
    s.out.clear();

    const res = deleteJobSet(s.ctx, 'train');

    expect(res).toEqual({ name: 'train', stoppedPods: 2 });
    expect(s.store.getJobSet('train')).toBeUndefined();
    expect(persistedJobSet(s.db, 'train')).toBeUndefined();
    expect(s.out.desired).toEqual([{ node: 'n1', epoch: 1, revision: revision + 1, pods: [], hostfiles: [] }]);
    expect(watched).toEqual([undefined]);
    expect(listJobSets(s.ctx, '', 0)).toEqual([]);
    // Its pods hold their GPUs until n1 reports them gone.
    expect(allocatedOf(s, 'n1').gpus).toBe(2);
  });

  it('removes a Pending JobSet without telling any node', () => {
    cluster();
    submitTestJobSet(s, 'train', { workers: { gpus: 8 } });
    s.runCycle();
    s.out.clear();

    expect(deleteJobSet(s.ctx, 'train')).toEqual({ name: 'train', stoppedPods: 0 });

    expect(s.out.desired).toEqual([]);
    expect(s.store.getJobSet('train')).toBeUndefined();
  });

  it('refuses an unknown name (NOT_FOUND)', () => {
    cluster();
    expect(() => deleteJobSet(s.ctx, 'nope')).toThrow(NotFoundError);
  });

  it('a JobSet submitted again under the same name is another JobSet: the old one’s pods stopping do not touch it', () => {
    s = startTestScheduler();
    registerTestNode(s, 'n1', { cpu: 16, gpus: 4 });
    submitTestJobSet(s, 'train', { workers: { gpus: 2 } });
    s.runCycle();
    const [old] = assignmentsOf(s, 'train') as [PodAssignment];
    handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(old, 'POD_PHASE_RUNNING')]));
    deleteJobSet(s.ctx, 'train');

    submitTestJobSet(s, 'train', { workers: { gpus: 2 } });
    s.runCycle();
    const [fresh] = assignmentsOf(s, 'train') as [PodAssignment];
    expect(fresh.podId).toBe(old.podId);
    expect(fresh.jobsetUid).not.toBe(old.jobsetUid);
    // Started beside the old incarnation, which still holds GPUs 0-1 while it stops.
    expect(fresh.binding!.gpuIndices).toEqual([2, 3]);
    expect(s.out.lastDesired('n1')!.pods.map((p) => p.jobsetUid)).toEqual([fresh.jobsetUid]);

    handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(old, 'POD_PHASE_FAILED', { reason: 'Stopped', exitCode: 0 }), podReport(fresh, 'POD_PHASE_RUNNING')]));

    const st = jobsetOf(s, 'train').status!;
    expect(st.phase).toBe('JOB_SET_PHASE_RUNNING');
    expect(st.pods[0]).toMatchObject({ phase: 'POD_PHASE_RUNNING', jobsetUid: fresh.jobsetUid });
    expect(allocatedOf(s, 'n1').gpus).toBe(2);
  });
});
