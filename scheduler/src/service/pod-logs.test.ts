/**
 * `muster logs` on the scheduler's side: which pod and node a request means,
 * what the node's agent is asked (the pod's current incarnation), and the
 * errors a user sees — no such pod, not placed yet, the agent silent or
 * unable to read. The agent is a function here; the NATS round trip is in
 * test/integration/logs.int.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PodLogsChunk, PodLogsRequest } from '../../../shared/src/proto/types.js';
import { assignmentsOf, heartbeatOf, podReport, registerTestNode, startTestScheduler, submitTestJobSet, type TestScheduler } from '../../../test/helpers/scheduler-context.js';
import { handleHeartbeat } from '../controller/heartbeats.js';
import { getPodLogs } from './pod-logs.js';

let s: TestScheduler;
afterEach(() => s?.close());

const chunk = (over: Partial<PodLogsChunk> = {}): PodLogsChunk => ({
  data: Buffer.from('out\n'), offset: 0, nextOffset: 4, size: 4, missing: false, node: '', podId: '', generation: 0, finished: false, error: '', rotations: 0, ...over,
});
const ask = (over: Record<string, unknown> = {}) => getPodLogs(s.ctx, { jobset: 'train', replicatedJob: '', jobIndex: 0, podIndex: 0, stream: '', offset: 0, maxBytes: 0, previous: false, ...over });

function admitted(): PodLogsRequest[] {
  s = startTestScheduler();
  registerTestNode(s, 'n1', { cpu: 16, gpus: 4 });
  submitTestJobSet(s, 'train', { leader: { cpu: 1 }, w: { replicas: 2, cpu: 1 } });
  s.runCycle();
  const asked: PodLogsRequest[] = [];
  s.out.podLogs = async (node, req) => {
    asked.push({ ...req });
    expect(node).toBe('n1');
    return chunk();
  };
  return asked;
}

describe('getPodLogs', () => {
  it('asks the node of the pod for its current incarnation; default is the first pod, stdout', async () => {
    const asked = admitted();
    const uid = s.store.getJobSet('train')!.jobset.metadata!.uid;
    const first = await ask();
    expect(first).toMatchObject({ node: 'n1', podId: 'train/leader/0/0', generation: 0, finished: false });
    expect(Buffer.from(first.data).toString()).toBe('out\n');
    expect(asked[0]).toMatchObject({ jobset: 'train', jobsetUid: uid, replicatedJob: 'leader', jobIndex: 0, podIndex: 0, generation: 0, stream: 'stdout', offset: 0, maxBytes: 1 << 20 });
    await ask({ replicatedJob: 'w', jobIndex: 1, stream: 'stderr', offset: -100 });
    expect(asked[1]).toMatchObject({ replicatedJob: 'w', jobIndex: 1, stream: 'stderr', offset: -100 });
  });

  it('says when the pod has ended (a follower stops there)', async () => {
    admitted();
    const a = assignmentsOf(s, 'train')[0]!;
    handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(a, 'POD_PHASE_SUCCEEDED', { exitCode: 0 })]));
    expect((await ask()).finished).toBe(true);
  });

  it('errors a user can act on: no such pod (naming the replicatedJobs), bad fields, a silent or failing agent', async () => {
    admitted();
    await expect(ask({ replicatedJob: 'w', jobIndex: 5 })).rejects.toThrow("pod train/w/5/0 not found; the JobSet's replicatedJobs: leader (1 job(s) × 1 pod(s)), w (2 job(s) × 1 pod(s))");
    await expect(ask({ jobset: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(ask({ jobIndex: 1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', issues: [{ path: 'replicatedJob', message: 'is required with jobIndex or podIndex' }] });
    await expect(ask({ stream: 'stdin', replicatedJob: 'w', jobIndex: -1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', issues: [{ path: 'stream', message: 'must be stdout or stderr' }, { path: 'jobIndex', message: 'must be ≥ 0' }] });
    s.out.podLogs = undefined;
    await expect(ask()).rejects.toMatchObject({ code: 'UNAVAILABLE', message: 'node n1 did not answer (no agent in this test)' });
    s.out.podLogs = async () => chunk({ error: 'EACCES: permission denied' });
    await expect(ask()).rejects.toMatchObject({ code: 'FAILED_PRECONDITION', message: 'node n1 could not read the logs of train/leader/0/0: EACCES: permission denied' });
  });

  it('a JobSet not placed yet: FAILED_PRECONDITION saying why it waits', async () => {
    s = startTestScheduler();
    submitTestJobSet(s, 'train', { w: { gpus: 64 } });
    s.runCycle();
    await expect(ask()).rejects.toMatchObject({ code: 'FAILED_PRECONDITION', message: expect.stringMatching(/^pod train\/w\/0\/0 has not been placed on a node yet \(the JobSet is pending: /) });
  });
});
