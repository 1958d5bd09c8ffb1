import { afterEach, describe, expect, it } from 'vitest';
import type { NodeDesired, PodAssignment, PodStatus } from '../../../shared/src/proto/types.js';
import { deleteJobSet } from '../service/jobsets.js';
import { registerNode } from '../service/nodes.js';
import {
  allocatedOf,
  assignmentsOf,
  heartbeatOf,
  jobsetOf,
  lingeringOf,
  persistedNode,
  podReport,
  registerRequest,
  registerTestNode,
  startTestScheduler,
  submitTestJobSet,
  type TestScheduler,
} from '../../../test/helpers/scheduler-context.js';
import { handleHeartbeat } from './heartbeats.js';
import { checkLiveness } from './liveness.js';

let s: TestScheduler;
afterEach(() => s?.close());

/** REGISTER_AGAIN is the desired document that tells an agent to register again. */
const registerAgain = (node: string): NodeDesired => ({ node, epoch: 0, revision: 0, pods: [], hostfiles: [] });

function heartbeat(node: string, pods: PodStatus[] = [], over: Parameters<typeof heartbeatOf>[3] = {}): void {
  handleHeartbeat(s.ctx, heartbeatOf(s, node, pods, over));
}

describe('capacity held by pods that are stopping (Node.lingering)', () => {
  /**
   * n1 has 8 GPUs; `old` runs a pod taking all of them and a small CPU pod
   * beside it, both Running. `ends` then makes `old` finish or go away.
   */
  function oldRunningOnN1(): { big: PodAssignment; side: PodAssignment } {
    s = startTestScheduler();
    registerTestNode(s, 'n1', { cpu: 32, memory: '256Gi', gpus: 8 });
    submitTestJobSet(s, 'old', { big: { gpus: 8, cpu: 4 }, side: { cpu: 1 } });
    s.runCycle();
    const [big, side] = assignmentsOf(s, 'old') as [PodAssignment, PodAssignment];
    heartbeat('n1', [podReport(big, 'POD_PHASE_RUNNING'), podReport(side, 'POD_PHASE_RUNNING')]);
    expect(jobsetOf(s, 'old').status!.phase).toBe('JOB_SET_PHASE_RUNNING');
    return { big, side };
  }

  const endings = {
    /** its small pod fails, so the JobSet fails while the 8-GPU pod is still being stopped */
    fails: ({ big, side }: { big: PodAssignment; side: PodAssignment }) =>
      heartbeat('n1', [podReport(big, 'POD_PHASE_RUNNING'), podReport(side, 'POD_PHASE_FAILED', { exitCode: 1 })]),
    /** `muster cancel` */
    'is deleted': () => void deleteJobSet(s.ctx, 'old'),
  };
  const releases = {
    'a heartbeat that lists it terminal': ({ big, side }: { big: PodAssignment; side: PodAssignment }) =>
      heartbeat('n1', [podReport(big, 'POD_PHASE_FAILED', { reason: 'Stopped', exitCode: 0 }), podReport(side, 'POD_PHASE_FAILED', { exitCode: 1 })]),
    'a heartbeat that no longer lists it': () => heartbeat('n1', []),
  };
  const cases = Object.keys(endings).flatMap((ending) => Object.keys(releases).map((release) => ({ ending: ending as keyof typeof endings, release: release as keyof typeof releases })));

  it.each(cases)('after the JobSet $ending, its 8-GPU pod holds the GPUs until $release', ({ ending, release }) => {
    const pods = oldRunningOnN1();
    endings[ending](pods);

    // Nothing desires the pods any more, but they still hold what they use.
    expect(s.out.lastDesired('n1')!.pods).toEqual([]);
    expect(lingeringOf(s, 'n1')).toMatchObject({ gpus: 8, cpuMillis: 4000 + (ending === 'fails' ? 0 : 1000) });
    expect(allocatedOf(s, 'n1').gpus).toBe(8);

    submitTestJobSet(s, 'next', { workers: { gpus: 8 } });
    s.runCycle();
    expect(jobsetOf(s, 'next').status).toMatchObject({ phase: 'JOB_SET_PHASE_PENDING', reason: 'NoFit' });

    // The agent says the pod is still running (it is checkpointing): still held.
    s.clock.advance(1000);
    heartbeat('n1', [podReport(pods.big, 'POD_PHASE_RUNNING')]);
    s.runCycle();
    expect(allocatedOf(s, 'n1').gpus).toBe(8);
    expect(jobsetOf(s, 'next').status!.phase).toBe('JOB_SET_PHASE_PENDING');

    s.clock.advance(1000);
    s.cycleRequests.length = 0;
    releases[release](pods);

    expect(lingeringOf(s, 'n1')).toEqual({ cpuMillis: 0, memoryBytes: 0, gpus: 0, rdma: 0 });
    expect(allocatedOf(s, 'n1').gpus).toBe(0);
    expect(s.cycleRequests).toContain('stopping pods gone');
    s.runCycle();
    const next = jobsetOf(s, 'next');
    expect(next.status!.phase).toBe('JOB_SET_PHASE_ADMITTED');
    expect(next.status!.pods[0]!.binding!.gpuIndices).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('a heartbeat sent before the agent saw the pod removed (older desired revision) does not release its hold', () => {
    s = startTestScheduler();
    registerTestNode(s, 'n1', { cpu: 32, gpus: 8 });
    const before = s.store.getNode('n1')!.revision;
    submitTestJobSet(s, 'old', { big: { gpus: 8 } });
    s.runCycle(); // admitted: the pod is in revision before + 1, the agent may be starting it now
    deleteJobSet(s.ctx, 'old'); // removed in revision before + 2
    const removedAt = s.store.getNode('n1')!.revision;
    expect(removedAt).toBe(before + 2);

    // A heartbeat from an agent that had applied only the revision before admission lists no pod: proves nothing.
    heartbeat('n1', [], { desiredRevision: before });
    expect(lingeringOf(s, 'n1').gpus).toBe(8);
    submitTestJobSet(s, 'next', { workers: { gpus: 8 } });
    s.runCycle();
    expect(jobsetOf(s, 'next').status!.phase).toBe('JOB_SET_PHASE_PENDING');

    // Once the agent applied the removal and lists no pod, the GPUs are free.
    s.clock.advance(1000);
    heartbeat('n1', [], { desiredRevision: removedAt });
    expect(lingeringOf(s, 'n1').gpus).toBe(0);
    s.runCycle();
    expect(jobsetOf(s, 'next').status!.phase).toBe('JOB_SET_PHASE_ADMITTED');
  });

  it('a pod of a deleted JobSet that is still Pending on its node (not started yet) holds its capacity too', () => {
    s = startTestScheduler();
    registerTestNode(s, 'n1', { cpu: 32, gpus: 8 });
    submitTestJobSet(s, 'old', { big: { gpus: 8 } });
    s.runCycle();

    deleteJobSet(s.ctx, 'old');

    expect(lingeringOf(s, 'n1').gpus).toBe(8);
    expect(s.store.getNode('n1')!.node.pods).toBe(1);
  });
});

describe('heartbeats', () => {
  describe('a node that must register again is sent a desired document of epoch 0, at most every 5 heartbeat intervals', () => {
    const cases: { name: string; setup: () => void; epoch: number }[] = [
      { name: 'an unknown node', setup: () => undefined, epoch: 1 },
      {
        name: 'a node heartbeating with an old epoch',
        setup: () => {
          registerTestNode(s, 'n1');
          registerTestNode(s, 'n1'); // the agent restarted: epoch 2
        },
        epoch: 1,
      },
      {
        name: 'a node declared Lost',
        setup: () => {
          registerTestNode(s, 'n1');
          s.clock.advance(30_001);
          checkLiveness(s.ctx, true);
          expect(s.store.getNode('n1')!.node.state).toBe('NODE_STATE_LOST');
        },
        epoch: 1,
      },
    ];

    it.each(cases)('$name', ({ setup, epoch }) => {
      s = startTestScheduler();
      setup();
      const before = structuredClone(s.store.getNode('n1')?.node);
      s.out.clear();

      heartbeat('n1', [], { epoch, desiredRevision: 3 });
      expect(s.out.desired).toEqual([registerAgain('n1')]);

      // Rate-limited: heartbeats right after (and for 5 intervals) publish nothing more.
      heartbeat('n1', [], { epoch, desiredRevision: 3 });
      s.clock.advance(4999);
      heartbeat('n1', [], { epoch, desiredRevision: 3 });
      expect(s.out.desired).toHaveLength(1);

      s.clock.advance(1);
      heartbeat('n1', [], { epoch, desiredRevision: 3 });
      expect(s.out.desired).toEqual([registerAgain('n1'), registerAgain('n1')]);

      // Such a heartbeat revives nothing and changes nothing it reports.
      expect(s.store.getNode('n1')?.node).toEqual(before);
    });

    it('each node is rate-limited on its own', () => {
      s = startTestScheduler();
      heartbeat('ghost-a', [], { epoch: 1 });
      heartbeat('ghost-b', [], { epoch: 1 });
      heartbeat('ghost-a', [], { epoch: 1 });
      expect(s.out.desired.map((d) => [d.node, d.epoch])).toEqual([
        ['ghost-a', 0],
        ['ghost-b', 0],
      ]);
    });
  });

  it('a node lagging its desired document is sent it again, once the resend interval has passed since the last push', () => {
    s = startTestScheduler();
    registerTestNode(s, 'n1', { gpus: 2 });
    submitTestJobSet(s, 'train', { workers: { gpus: 1 } });
    s.runCycle();
    const current = s.store.getNode('n1')!.revision;
    s.out.clear();

    heartbeat('n1', [], { desiredRevision: current - 1 }); // the push is still in flight
    s.clock.advance(999);
    heartbeat('n1', [], { desiredRevision: current - 1 });
    expect(s.out.desired).toEqual([]);

    s.clock.advance(1);
    heartbeat('n1', [], { desiredRevision: current - 1 });
    expect(s.out.desired).toHaveLength(1);
    expect(s.out.lastDesired('n1')).toMatchObject({ epoch: 1, revision: current, pods: [expect.objectContaining({ podId: 'train/workers/0/0' })] });

    heartbeat('n1', [], { desiredRevision: current - 1 });
    expect(s.out.desired).toHaveLength(1);
    // A node that caught up is not sent anything.
    s.clock.advance(5000);
    heartbeat('n1', [], { desiredRevision: current });
    expect(s.out.desired).toHaveLength(1);
  });

  it('a node reporting a revision above the store’s (a restored database) makes the store move past it, persisted, and resend', () => {
    s = startTestScheduler();
    registerTestNode(s, 'n1', { gpus: 2 });
    submitTestJobSet(s, 'train', { workers: { gpus: 1 } });
    s.runCycle();
    s.out.clear();

    heartbeat('n1', [], { desiredRevision: 41 });

    expect(s.store.getNode('n1')!.revision).toBe(42);
    expect(persistedNode(s.db, 'n1')!.revision).toBe(42);
    expect(s.out.desired).toHaveLength(1);
    expect(s.out.lastDesired('n1')).toMatchObject({ node: 'n1', epoch: 1, revision: 42 });
    expect(s.out.lastDesired('n1')!.pods.map((p) => p.podId)).toEqual(['train/workers/0/0']);

    // The next change goes on from there.
    deleteJobSet(s.ctx, 'train');
    expect(s.out.lastDesired('n1')).toMatchObject({ revision: 43, pods: [] });
  });

  it('a NotReady node is Ready again on its next heartbeat, and a cycle is asked for', () => {
    s = startTestScheduler();
    registerTestNode(s, 'n1', { gpus: 2 });
    s.clock.advance(3001);
    checkLiveness(s.ctx, true);
    expect(s.store.getNode('n1')!.node.state).toBe('NODE_STATE_NOT_READY');
    submitTestJobSet(s, 'train', { workers: { gpus: 1 } });
    s.runCycle();
    expect(jobsetOf(s, 'train').status!.reason).toBe('NoReadyNodes');
    s.cycleRequests.length = 0;

    heartbeat('n1');

    expect(s.store.getNode('n1')!.node.state).toBe('NODE_STATE_READY');
    expect(s.store.getNode('n1')!.node.lastHeartbeatMs).toBe(s.clock.now());
    expect(s.cycleRequests).toEqual(['node ready']);
    s.runCycle();
    expect(jobsetOf(s, 'train').status!.phase).toBe('JOB_SET_PHASE_ADMITTED');
  });

  it('a Ready node’s heartbeat asks for no cycle', () => {
    s = startTestScheduler();
    registerNode(s.ctx, registerRequest('n1'));
    s.cycleRequests.length = 0;
    s.out.clear();

    heartbeat('n1');

    expect(s.cycleRequests).toEqual([]);
    expect(s.out.desired).toEqual([]);
  });

  it('after a scheduler restart a node is NotReady until its next heartbeat, which makes it Ready in the same epoch, its pods untouched', () => {
    s = startTestScheduler({ db: 'file' });
    registerTestNode(s, 'n1', { gpus: 2 });
    submitTestJobSet(s, 'train', { workers: { gpus: 2 } });
    s.runCycle();
    const [a] = assignmentsOf(s, 'train') as [PodAssignment];
    heartbeat('n1', [podReport(a, 'POD_PHASE_RUNNING')]);
    const revision = s.store.getNode('n1')!.revision;

    s.clock.advance(10_000);
    s = s.restart();
    expect(s.store.getNode('n1')!.node.state).toBe('NODE_STATE_NOT_READY');
    expect(allocatedOf(s, 'n1').gpus).toBe(2);
    checkLiveness(s.ctx, true); // a full grace period before judging anyone after a restart
    expect(s.store.getNode('n1')!.node.state).toBe('NODE_STATE_NOT_READY');

    heartbeat('n1', [podReport(a, 'POD_PHASE_RUNNING')], { epoch: 1, desiredRevision: revision });

    expect(s.store.getNode('n1')!.node).toMatchObject({ state: 'NODE_STATE_READY', epoch: 1 });
    expect(s.out.desired).toEqual([]);
    expect(jobsetOf(s, 'train').status!.phase).toBe('JOB_SET_PHASE_RUNNING');
    expect(lingeringOf(s, 'n1').gpus).toBe(0);
  });
});

describe('handleHeartbeat: what an acknowledgement means', () => {
  it('true for a heartbeat of the node\'s current epoch; false for an old epoch, an unknown node, or a Lost node', () => {
    s = startTestScheduler();
    registerTestNode(s, 'n1', { cpu: 8, memory: '16Gi', gpus: 0 });
    expect(handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', []))).toBe(true);
    const current = s.ctx.store.getNode('n1')!.node.epoch;
    expect(handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [], { epoch: current - 1 }))).toBe(false);
    expect(handleHeartbeat(s.ctx, { ...heartbeatOf(s, 'n1', []), node: 'nobody' })).toBe(false);
    s.ctx.store.getNode('n1')!.node.state = 'NODE_STATE_LOST';
    expect(handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', []))).toBe(false);
  });
});
