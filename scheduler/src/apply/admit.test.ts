import { afterEach, describe, expect, it } from 'vitest';
import type { JobSet, NodeDesired } from '../../../shared/src/proto/types.js';
import {
  allocatedOf,
  assignmentsOf,
  jobsetOf,
  persistedJobSet,
  persistedNode,
  registerTestNode,
  startTestScheduler,
  submitTestJobSet,
  type TestScheduler,
} from '../../../test/helpers/scheduler-context.js';

let s: TestScheduler;
afterEach(() => s?.close());

/** podIdsOf lists the pod ids a desired document tells its node to run. */
function podIdsOf(doc: NodeDesired | undefined): string[] {
  return (doc?.pods ?? []).map((p) => p.podId).sort();
}

/** podsPlacedOn lists the pod ids the JobSet's status places on `node`. */
function podsPlacedOn(js: JobSet, node: string): string[] {
  return js.status!.pods.filter((p) => p.node === node).map((p) => p.podId).sort();
}

describe('admitting a gang, end to end in-process', () => {
  /** Two 4-GPU nodes and an idle CPU-only one; `train` is a leader and three workers of 2 GPUs each (8 GPUs in all). */
  function clusterWithTrain(): JobSet {
    s = startTestScheduler({ db: 'file' });
    registerTestNode(s, 'n1', { cpu: 16, memory: '64Gi', gpus: 4, address: '10.0.0.1' });
    registerTestNode(s, 'n2', { cpu: 16, memory: '64Gi', gpus: 4, address: '10.0.0.2' });
    registerTestNode(s, 'n3', { cpu: 16, memory: '64Gi', address: '10.0.0.3' });
    submitTestJobSet(s, 'train', { leader: { gpus: 2 }, workers: { replicas: 3, gpus: 2 } });
    s.out.clear();
    return jobsetOf(s, 'train');
  }

  it('admits the JobSet once every pod has a place, binding each pod to a node and GPUs', () => {
    clusterWithTrain();
    expect(jobsetOf(s, 'train').status!.phase).toBe('JOB_SET_PHASE_PENDING');

    s.runCycle();

    const js = jobsetOf(s, 'train');
    expect(js.status!.phase).toBe('JOB_SET_PHASE_ADMITTED');
    expect(js.status!.reason).toBe('Admitted');
    expect(js.status!.coordinatorPort).toBe(29500);
    expect(js.status!.pods.map((p) => [p.podId, p.node, p.phase, p.binding?.gpuIndices])).toEqual([
      ['train/leader/0/0', 'n1', 'POD_PHASE_PENDING', [0, 1]],
      ['train/workers/0/0', 'n1', 'POD_PHASE_PENDING', [2, 3]],
      ['train/workers/1/0', 'n2', 'POD_PHASE_PENDING', [0, 1]],
      ['train/workers/2/0', 'n2', 'POD_PHASE_PENDING', [2, 3]],
    ]);
    expect(allocatedOf(s, 'n1').gpus).toBe(4);
    expect(allocatedOf(s, 'n2').gpus).toBe(4);
  });

  it('publishes one desired document per involved node, with its pods and the hostfile once, hosts in rank order', () => {
    clusterWithTrain();

    s.runCycle();

    const js = jobsetOf(s, 'train');
    const uid = js.metadata!.uid;
    expect(s.out.desired.map((d) => d.node).sort()).toEqual(['n1', 'n2']);
    for (const node of ['n1', 'n2']) {
      const doc = s.out.lastDesired(node)!;
      expect(doc.epoch).toBe(s.store.getNode(node)!.node.epoch);
      expect(podIdsOf(doc)).toEqual(podsPlacedOn(js, node));
      expect(doc.pods.every((p) => p.jobsetUid === uid && p.generation === 0)).toBe(true);
      expect(doc.hostfiles).toEqual([{ jobsetUid: uid, hosts: ['10.0.0.1', '10.0.0.1', '10.0.0.2', '10.0.0.2'] }]);
    }
    expect(s.out.desiredOf('n3')).toEqual([]);
    // Every pod learns the same coordinator: the leader (rank 0) on n1.
    const envs = assignmentsOf(s, 'train').map((a) => a.env);
    expect(new Set(envs.map((e) => e.MUSTER_COORDINATOR))).toEqual(new Set(['10.0.0.1:29500']));
    expect(envs.map((e) => e.RANK)).toEqual(['0', '1', '2', '3']);
  });

  it('announces the admission on NATS and to watchers of the JobSet', () => {
    clusterWithTrain();
    const watched: (JobSet | undefined)[] = [];
    s.ctx.hub.subscribe('train', (js) => watched.push(js));

    s.runCycle();

    expect(s.out.eventsOf('train').map((e) => [e.phase, e.reason])).toEqual([['JOB_SET_PHASE_ADMITTED', 'Admitted']]);
    expect(watched.map((js) => js?.status!.phase)).toEqual(['JOB_SET_PHASE_ADMITTED']);
  });

  it('bumps the revision of exactly the involved nodes and persists it with the admission (a restarted scheduler sees both)', () => {
    clusterWithTrain();
    const before = Object.fromEntries(['n1', 'n2', 'n3'].map((n) => [n, s.store.getNode(n)!.revision]));

    s.runCycle();

    const after = Object.fromEntries(['n1', 'n2', 'n3'].map((n) => [n, s.store.getNode(n)!.revision]));
    expect(after).toEqual({ n1: before.n1! + 1, n2: before.n2! + 1, n3: before.n3 });
    expect(s.out.lastDesired('n1')!.revision).toBe(after.n1);
    expect(s.out.lastDesired('n2')!.revision).toBe(after.n2);

    const restarted = s.reopen();
    for (const n of ['n1', 'n2', 'n3']) expect(restarted.getNode(n)!.revision).toBe(after[n]);
    const reloaded = restarted.getJobSet('train')!;
    expect(reloaded.jobset.status).toEqual(jobsetOf(s, 'train').status);
    expect(reloaded.placement).toEqual(s.store.getJobSet('train')!.placement);
    // What the restarted scheduler would tell n1 is what n1 was told.
    expect(restarted.assignmentsFor('n1')).toEqual(s.out.lastDesired('n1')!.pods);
  });

  it('persists the admission and the revision before the desired document is published', () => {
    clusterWithTrain();
    const atPublish: { node: string; revision: number; persisted: ReturnType<typeof persistedNode>; jobset: ReturnType<typeof persistedJobSet> }[] = [];
    s.out.onDesired = (doc) => atPublish.push({ node: doc.node, revision: doc.revision, persisted: persistedNode(s.db, doc.node), jobset: persistedJobSet(s.db, 'train') });

    s.runCycle();

    expect(atPublish.map((p) => p.node).sort()).toEqual(['n1', 'n2']);
    for (const p of atPublish) {
      expect(p.persisted?.revision).toBe(p.revision);
      expect(p.jobset?.phase).toBe('JOB_SET_PHASE_ADMITTED');
      expect(p.jobset?.placement).not.toBeNull();
    }
  });

  it('sends each JobSet’s hostfile once per node even when several JobSets share it', () => {
    s = startTestScheduler();
    registerTestNode(s, 'n1', { cpu: 16, gpus: 8 });
    submitTestJobSet(s, 'a', { workers: { replicas: 2, gpus: 1 } });
    submitTestJobSet(s, 'b', { workers: { replicas: 3, gpus: 1 } });
    s.out.clear();

    s.runCycle();

    expect(s.out.desiredOf('n1')).toHaveLength(1);
    const doc = s.out.lastDesired('n1')!;
    expect(doc.pods).toHaveLength(5);
    const uids = [jobsetOf(s, 'a').metadata!.uid, jobsetOf(s, 'b').metadata!.uid];
    expect(doc.hostfiles.map((h) => h.jobsetUid).sort()).toEqual([...uids].sort());
    expect(doc.hostfiles.find((h) => h.jobsetUid === uids[0])!.hosts).toHaveLength(2);
    expect(doc.hostfiles.find((h) => h.jobsetUid === uids[1])!.hosts).toHaveLength(3);
    // Each JobSet has its own coordinator port on n1, lowest free first.
    expect([jobsetOf(s, 'a').status!.coordinatorPort, jobsetOf(s, 'b').status!.coordinatorPort]).toEqual([29500, 29501]);
  });

  it('leaves a JobSet that does not fit Pending with reason NoFit, publishing no desired document', () => {
    s = startTestScheduler();
    registerTestNode(s, 'n1', { cpu: 16, gpus: 4 });
    submitTestJobSet(s, 'huge', { workers: { replicas: 2, gpus: 4 } });
    s.out.clear();
    const revision = s.store.getNode('n1')!.revision;

    s.runCycle();

    expect(jobsetOf(s, 'huge').status).toMatchObject({ phase: 'JOB_SET_PHASE_PENDING', reason: 'NoFit' });
    expect(s.out.desired).toEqual([]);
    expect(s.store.getNode('n1')!.revision).toBe(revision);
  });

  it('admits a submitted JobSet through the cycle the submit asks for (cycles run as soon as requested)', () => {
    s = startTestScheduler({ cycles: 'sync' });
    registerTestNode(s, 'n1', { cpu: 16, gpus: 4 });

    submitTestJobSet(s, 'train', { workers: { replicas: 2, gpus: 2 } });

    expect(s.cycleRequests).toEqual(['node registered', 'submitted']);
    expect(jobsetOf(s, 'train').status!.phase).toBe('JOB_SET_PHASE_ADMITTED');
    expect(s.out.lastDesired('n1')!.pods).toHaveLength(2);
  });

  it('does nothing while scheduling is held (after a restart, until nodes heartbeat)', () => {
    s = startTestScheduler({ holdScheduling: () => 'waiting for nodes' });
    registerTestNode(s, 'n1', { cpu: 16, gpus: 4 });
    submitTestJobSet(s, 'train', { workers: { gpus: 1 } });
    s.out.clear();

    s.runCycle();

    expect(jobsetOf(s, 'train').status).toMatchObject({ phase: 'JOB_SET_PHASE_PENDING', reason: 'Queued' });
    expect(s.out.desired).toEqual([]);
    expect(s.out.events).toEqual([]);
  });
});

describe('desired documents that would not fit one NATS message', () => {
  const MAX = 20_000;
  /** env gives every pod of a JobSet some template env, as real training jobs have. */
  const env = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`SETTING_${i}`, 'x'.repeat(40)]));

  it.each([
    { name: 'a JobSet whose pods would overflow the node’s document stays Pending (TooLargeForTransport)', pods: 40, admitted: false },
    { name: 'a small JobSet is admitted under the same limit', pods: 2, admitted: true },
  ])('$name', ({ pods, admitted }) => {
    s = startTestScheduler({ settings: { maxDesiredBytes: MAX } });
    registerTestNode(s, 'n1', { cpu: 128, memory: '512Gi' });
    submitTestJobSet(s, 'job', { workers: { replicas: pods, cpu: 1, env } });
    s.out.clear();
    const revision = s.store.getNode('n1')!.revision;

    s.runCycle();

    const status = jobsetOf(s, 'job').status!;
    if (admitted) {
      expect(status.phase).toBe('JOB_SET_PHASE_ADMITTED');
      const doc = s.out.lastDesired('n1')!;
      expect(doc.pods).toHaveLength(pods);
      expect(JSON.stringify(doc).length).toBeLessThanOrEqual(MAX);
      return;
    }
    expect(status.phase).toBe('JOB_SET_PHASE_PENDING');
    expect(status.reason).toBe('TooLargeForTransport');
    expect(status.message).toContain('node n1');
    expect(status.message).toContain(`max_payload ${MAX}`);
    expect(s.out.desired).toEqual([]);
    expect(s.store.getNode('n1')!.revision).toBe(revision);
    expect(allocatedOf(s, 'n1').cpuMillis).toBe(0);
    expect(s.out.eventsOf('job').map((e) => e.reason)).toEqual(['TooLargeForTransport']);
  });

  it('refuses the oversized JobSet and admits the small one queued behind it in the same cycle', () => {
    s = startTestScheduler({ settings: { maxDesiredBytes: MAX } });
    registerTestNode(s, 'n1', { cpu: 128, memory: '512Gi' });
    submitTestJobSet(s, 'big', { workers: { replicas: 40, cpu: 1, env } });
    s.clock.advance(1);
    submitTestJobSet(s, 'small', { workers: { replicas: 2, cpu: 1, env } });
    s.out.clear();

    s.runCycle();

    expect(jobsetOf(s, 'big').status).toMatchObject({ phase: 'JOB_SET_PHASE_PENDING', reason: 'TooLargeForTransport' });
    expect(jobsetOf(s, 'small').status!.phase).toBe('JOB_SET_PHASE_ADMITTED');
    expect(s.out.desiredOf('n1')).toHaveLength(1);
    expect(podIdsOf(s.out.lastDesired('n1'))).toEqual(['small/workers/0/0', 'small/workers/1/0']);
    expect(allocatedOf(s, 'n1').cpuMillis).toBe(2000);

    // Later cycles keep refusing it; once nothing changes they do not rewrite its status either
    // (the message names the document's size, which changed when `small` joined n1's document).
    s.runCycle();
    const writes = s.writes();
    s.out.clear();
    s.runCycle();
    expect(jobsetOf(s, 'big').status!.reason).toBe('TooLargeForTransport');
    expect(s.writes()).toBe(writes);
    expect(s.out.desired).toEqual([]);
    expect(s.out.events).toEqual([]);
  });

  // Suspected bug (fails today): decideCycle places the oversized JobSet first, so a JobSet behind it that
  // needs the same capacity is judged NoFit ("the freest node n1 has cpu=24" on an idle 64-CPU node);
  // applyDecision then refuses the oversized one, and the next cycle repeats the same decision, forever.
  it('a JobSet refused as TooLargeForTransport does not keep the capacity it was refused from the JobSets behind it', () => {
    s = startTestScheduler({ settings: { maxDesiredBytes: MAX } });
    registerTestNode(s, 'n1', { cpu: 64, memory: '512Gi' });
    submitTestJobSet(s, 'big', { workers: { replicas: 40, cpu: 1, env } });
    s.clock.advance(1);
    submitTestJobSet(s, 'next', { workers: { replicas: 1, cpu: 30 } });

    s.runCycle();

    expect(jobsetOf(s, 'big').status!.reason).toBe('TooLargeForTransport');
    expect(jobsetOf(s, 'next').status).toMatchObject({ phase: 'JOB_SET_PHASE_ADMITTED' });

    // It sits out the next cycles (its reason does not flip every second)…
    const writes = s.writes();
    s.runCycle();
    expect(jobsetOf(s, 'big').status!.reason).toBe('TooLargeForTransport');
    expect(s.writes()).toBe(writes);
    // …and is judged again later: by then it does not fit for capacity either, and says so; `next` keeps running.
    s.clock.advance(31_000);
    s.runCycle();
    expect(jobsetOf(s, 'big').status).toMatchObject({ phase: 'JOB_SET_PHASE_PENDING', reason: 'NoFit' });
    expect(jobsetOf(s, 'next').status!.phase).toBe('JOB_SET_PHASE_ADMITTED');
  });
});
