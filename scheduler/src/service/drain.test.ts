import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, NotFoundError } from '../../../shared/src/errors.js';
import type { DrainNodeRequest } from '../../../shared/src/proto/types.js';
import { handleHeartbeat } from '../controller/heartbeats.js';
import {
  assignmentsOf,
  heartbeatOf,
  jobsetOf,
  podReport,
  registerRequest,
  registerTestNode,
  startTestScheduler,
  submitTestJobSet,
  type TestScheduler,
} from '../../../test/helpers/scheduler-context.js';
import { drainNode, nodeView, undrainNode } from './drain.js';
import { registerNode } from './nodes.js';

let s: TestScheduler;
afterEach(() => s?.close());

const drain = (name: string, reason: string, evict = false): DrainNodeRequest => ({ name, reason, evict });
const stateOf = (name: string): string => nodeView(s.store.getNode(name)!).state;

/** One 2-GPU pod of `train` runs on n1 (reported Running); n2 is empty. */
function trainOnN1(opts: Parameters<typeof startTestScheduler>[0] = {}) {
  s = startTestScheduler(opts);
  registerTestNode(s, 'n1', { gpus: 2 });
  submitTestJobSet(s, 'train', { w: { gpus: 2 } }, { failurePolicy: { maxRestarts: 1 } });
  s.runCycle();
  registerTestNode(s, 'n2', { gpus: 2 });
  const [a] = assignmentsOf(s, 'train');
  expect(a!.podId).toBe('train/w/0/0');
  handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(a!, 'POD_PHASE_RUNNING')]));
  return a!;
}

describe('drain', () => {
  it('keeps new pods off a drained node while its running pod finishes: Draining, then Drained', () => {
    const a = trainOnN1();
    const view = drainNode(s.ctx, drain('n1', 'DIMM errors, replace on Tuesday'));
    expect(view).toMatchObject({ state: 'NODE_STATE_DRAINING', drain: { reason: 'DIMM errors, replace on Tuesday', evict: false, sinceMs: s.clock.now() } });

    // The running pod is left alone: still desired on n1.
    expect(s.out.lastDesired('n1')!.pods.map((p) => p.podId)).toEqual(['train/w/0/0']);
    // A new JobSet goes to n2, not n1, though n1 will have room once train ends.
    submitTestJobSet(s, 'next', { w: { gpus: 2 } });
    s.runCycle();
    expect(assignmentsOf(s, 'next').map((p) => s.store.getJobSet('next')!.jobset.status!.pods.find((q) => q.podId === p.podId)!.node)).toEqual(['n2']);

    handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(a, 'POD_PHASE_SUCCEEDED')]));
    expect(stateOf('n1')).toBe('NODE_STATE_DRAINED');
    // Nothing lands on a Drained node either.
    submitTestJobSet(s, 'third', { w: { gpus: 1 } });
    s.runCycle();
    expect(jobsetOf(s, 'third').status!.phase).toBe('JOB_SET_PHASE_PENDING');
  });

  it('undrain lets new pods onto the node again', () => {
    trainOnN1();
    drainNode(s.ctx, drain('n2', 'firmware update'));
    submitTestJobSet(s, 'waits', { w: { gpus: 2 } });
    s.runCycle();
    expect(jobsetOf(s, 'waits').status!.phase).toBe('JOB_SET_PHASE_PENDING');
    expect(stateOf('n2')).toBe('NODE_STATE_DRAINED');

    const view = undrainNode(s.ctx, { name: 'n2' });
    expect(view).toMatchObject({ state: 'NODE_STATE_READY', drain: null });
    expect(s.cycleRequests).toContain('node undrained');
    s.runCycle();
    expect(jobsetOf(s, 'waits').status!.phase).not.toBe('JOB_SET_PHASE_PENDING');
    expect(jobsetOf(s, 'waits').status!.pods[0]!.node).toBe('n2');
  });

  it('with evict, the pods on the node fail with NodeDrained and leave its desired document; like a lost node, the JobSet\'s failurePolicy restarts it elsewhere', () => {
    const a = trainOnN1();
    drainNode(s.ctx, drain('n1', 'bad GPU', true));
    expect(s.out.lastDesired('n1')!.pods).toEqual([]);
    s.runCycle();
    const after = jobsetOf(s, 'train').status!;
    expect(after.restarts).toBe(1);
    expect(after.pods[0]).toMatchObject({ node: 'n2', generation: a.generation + 1 });
  });

  it('with evict and no failurePolicy, the JobSet is requeued (as for a lost node) and placed on another node, nothing counted', () => {
    s = startTestScheduler();
    registerTestNode(s, 'n1', { gpus: 2 });
    submitTestJobSet(s, 'train', { w: { gpus: 2 } });
    s.runCycle();
    registerTestNode(s, 'n2', { gpus: 2 });
    const [a] = assignmentsOf(s, 'train');
    handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(a!, 'POD_PHASE_RUNNING')]));
    drainNode(s.ctx, drain('n1', 'bad GPU', true));
    const st = jobsetOf(s, 'train').status!;
    expect(st).toMatchObject({ phase: 'JOB_SET_PHASE_PENDING', reason: 'Requeued' });
    expect(st.message).toContain('drained with evict');
    // n1 stops the pod; once it reports it gone, the gang is placed on n2.
    handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', []));
    s.runCycle();
    const again = jobsetOf(s, 'train').status!;
    expect(again.pods[0]).toMatchObject({ node: 'n2', generation: a!.generation + 1 });
    expect(again.jobs[0]!.failures).toBe(0);
  });

  it('a podFailurePolicy rule on DisruptionTarget matches an eviction by drain (Ignore: the failure is not counted)', () => {
    s = startTestScheduler();
    registerTestNode(s, 'n1', { gpus: 2 });
    submitTestJobSet(s, 'train', { w: { gpus: 2, backoffLimit: 0, podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }] } } });
    s.runCycle();
    const [a] = assignmentsOf(s, 'train');
    handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(a!, 'POD_PHASE_RUNNING')]));
    drainNode(s.ctx, drain('n1', 'maintenance', true));
    expect(jobsetOf(s, 'train').status!.phase).not.toBe('JOB_SET_PHASE_FAILED');
    expect(jobsetOf(s, 'train').status!.jobs[0]!.failures).toBe(0);
  });

  it('refuses a drain without a reason, with a multi-line or too long one, and of an unknown node, naming the field', () => {
    trainOnN1();
    const issueOf = (req: DrainNodeRequest): string => {
      try {
        drainNode(s.ctx, req);
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidArgumentError);
        return (err as InvalidArgumentError).message;
      }
      throw new Error('no error');
    };
    expect(issueOf(drain('n1', '  '))).toContain('reason');
    expect(issueOf(drain('n1', 'two\nlines'))).toContain('one line');
    expect(issueOf(drain('n1', 'x'.repeat(300)))).toContain('at most 256');
    expect(issueOf(drain('', 'why'))).toContain('name');
    expect(() => drainNode(s.ctx, drain('ghost', 'why'))).toThrow(NotFoundError);
    expect(() => undrainNode(s.ctx, { name: 'ghost' })).toThrow(NotFoundError);
    expect(s.store.getNode('n1')!.node.drain).toBeNull();
  });

  it('outlives the agent\'s re-registration and a scheduler restart', () => {
    trainOnN1({ db: 'file' });
    drainNode(s.ctx, drain('n2', 'rack power work'));
    registerNode(s.ctx, registerRequest('n2', { gpus: 2 }));
    expect(s.store.getNode('n2')!.node.drain).toMatchObject({ reason: 'rack power work' });
    const reopened = s.reopen();
    expect(reopened.getNode('n2')!.node.drain).toMatchObject({ reason: 'rack power work', evict: false });
    expect(reopened.getNode('n1')!.node.drain).toBeNull();
  });

  it('draining again replaces the reason but keeps when the drain began', () => {
    trainOnN1();
    drainNode(s.ctx, drain('n2', 'first'));
    const since = s.store.getNode('n2')!.node.drain!.sinceMs;
    s.clock.advance(60_000);
    expect(drainNode(s.ctx, drain('n2', 'second')).drain).toMatchObject({ reason: 'second', sinceMs: since });
  });
});
