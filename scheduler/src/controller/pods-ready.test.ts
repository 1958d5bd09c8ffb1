/**
 * waitForPodsReady through a test scheduler (real SQLite store, fake clock):
 * a queued JobSet whose pods are not all running in time is evicted with its
 * GPUs and quota given back, sits out an exponential back-off, is admitted
 * again, and is suspended once past the requeue limit; a JobSet that did run,
 * one naming no queue, and everything with the timeout off are left alone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PodAssignment } from '../../../shared/src/proto/types.js';
import { flavorYaml, queueYaml, queueingObjects } from '../../../test/helpers/queues.js';
import { requeueBackoffMs, type PodsReadySettings } from '../core/pods-ready.js';
import { resumeJobSet } from '../service/suspend.js';
import { assignmentsOf, heartbeatOf, jobsetOf, lingeringOf, podReport, registerTestNode, startTestScheduler, submitTestJobSet, type TestScheduler } from '../../../test/helpers/scheduler-context.js';
import { handleHeartbeat } from './heartbeats.js';
import { evictUnready } from './pods-ready.js';

let s: TestScheduler;
afterEach(() => s?.close());

const TIMEOUT = 5 * 60_000;
const SETTINGS: PodsReadySettings = { timeoutMs: TIMEOUT, backoffBaseMs: 60_000, backoffMaxMs: 150_000, requeueLimit: 2 };

const OBJECTS = queueingObjects(flavorYaml('any'), queueYaml('team', { gpus: 8, flavor: 'any' }));

/** cluster: one 8-GPU node and queue `team`, waitForPodsReady on with SETTINGS (or `settings`). */
function cluster(settings: PodsReadySettings = SETTINGS): void {
  s = startTestScheduler({ settings: { podsReady: settings } });
  s.ctx.objects.apply(OBJECTS, s.clock.now());
  registerTestNode(s, 'n1', { cpu: 64, memory: '512Gi', gpus: 8 });
}

/** stuckGang submits a 2-pod 4-GPU gang in `queue` and admits it; only its first pod is reported running. */
function stuckGang(name: string, queue?: string): PodAssignment[] {
  submitTestJobSet(s, name, { w: { replicas: 2, gpus: 4 } }, queue ? { queue } : {});
  s.runCycle();
  const pods = assignmentsOf(s, name);
  handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(pods[0]!, 'POD_PHASE_RUNNING'), podReport(pods[1]!, 'POD_PHASE_PENDING')]));
  expect(jobsetOf(s, name).status!.phase).toBe('JOB_SET_PHASE_ADMITTED');
  return pods;
}

describe('waitForPodsReady', () => {
  it('evicts a gang not all running by the timeout: pods stopped, quota back, requeued after the back-off, admitted again', () => {
    cluster();
    stuckGang('stuck', 'team');
    s.clock.advance(TIMEOUT - 1);
    evictUnready(s.ctx);
    expect(jobsetOf(s, 'stuck').status!.phase).toBe('JOB_SET_PHASE_ADMITTED'); // not yet

    s.clock.advance(1);
    evictUnready(s.ctx);
    const st = jobsetOf(s, 'stuck').status!;
    expect(st).toMatchObject({ phase: 'JOB_SET_PHASE_PENDING', reason: 'PodsReadyTimeout', admission: null, requeueState: { count: 1 } });
    expect(Number(st.requeueState!.requeueAtMs)).toBe(s.clock.now() + 60_000);
    expect(st.message).toContain('1 of 2 pods running or done 5m after admission');
    expect(st.conditions.find((c) => c.type === 'Evicted')).toMatchObject({ status: 'True', reason: 'PodsReadyTimeout' });
    expect(s.ctx.store.assignmentsFor('n1')).toEqual([]);
    expect(lingeringOf(s, 'n1').gpus).toBe(8); // both pods (one may be starting) hold their GPUs until the agent says they are gone

    // The pod is gone, but the back-off holds the JobSet out of the queue.
    handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', []));
    s.clock.advance(59_999);
    s.runCycle();
    expect(jobsetOf(s, 'stuck').status!.phase).toBe('JOB_SET_PHASE_PENDING');
    s.clock.advance(1);
    s.runCycle();
    expect(jobsetOf(s, 'stuck').status).toMatchObject({ phase: 'JOB_SET_PHASE_ADMITTED', requeueState: { count: 1 } });
  });

  it('doubles the back-off per eviction up to the max, and suspends past the requeue limit (RequeuingLimitExceeded) until resumed', () => {
    expect([1, 2, 3, 4].map((n) => requeueBackoffMs(n, SETTINGS))).toEqual([60_000, 120_000, 150_000, 150_000]);
    cluster();
    stuckGang('stuck', 'team');
    for (const [n, wait] of [
      [1, 60_000],
      [2, 120_000],
    ] as const) {
      s.clock.advance(TIMEOUT);
      evictUnready(s.ctx);
      expect(jobsetOf(s, 'stuck').status!.requeueState!.count).toBe(n);
      handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', []));
      s.clock.advance(wait);
      s.runCycle();
      expect(jobsetOf(s, 'stuck').status!.phase).toBe('JOB_SET_PHASE_ADMITTED');
    }
    s.clock.advance(TIMEOUT);
    evictUnready(s.ctx);
    const js = jobsetOf(s, 'stuck');
    expect(js.spec!.suspend).toBe(true);
    expect(js.status).toMatchObject({ phase: 'JOB_SET_PHASE_PENDING', reason: 'RequeuingLimitExceeded', requeueState: { count: 3 } });
    expect(js.status!.message).toContain('more than podsReadyRequeueLimit 2');
    s.clock.advance(3_600_000);
    s.runCycle();
    expect(jobsetOf(s, 'stuck').status!.phase).toBe('JOB_SET_PHASE_PENDING');

    handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', []));
    resumeJobSet(s.ctx, 'stuck');
    expect(jobsetOf(s, 'stuck').status!.requeueState).toBeNull();
    s.runCycle();
    expect(jobsetOf(s, 'stuck').status!.phase).toBe('JOB_SET_PHASE_ADMITTED');
  });

  it('leaves alone a JobSet whose pods all ran, one that names no queue, and everything when the timeout is 0', () => {
    cluster();
    const pods = stuckGang('ran', 'team');
    handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', pods.map((p) => podReport(p, 'POD_PHASE_RUNNING'))));
    expect(jobsetOf(s, 'ran').status!.phase).toBe('JOB_SET_PHASE_RUNNING');
    s.clock.advance(TIMEOUT * 10);
    evictUnready(s.ctx);
    expect(jobsetOf(s, 'ran').status!.phase).toBe('JOB_SET_PHASE_RUNNING');
    s.close();

    cluster();
    stuckGang('unqueued');
    s.clock.advance(TIMEOUT * 10);
    evictUnready(s.ctx);
    expect(jobsetOf(s, 'unqueued').status!.phase).toBe('JOB_SET_PHASE_ADMITTED');
    s.close();

    cluster({ ...SETTINGS, timeoutMs: 0 });
    stuckGang('off', 'team');
    s.clock.advance(TIMEOUT * 10);
    evictUnready(s.ctx);
    expect(jobsetOf(s, 'off').status!.phase).toBe('JOB_SET_PHASE_ADMITTED');
  });

  it('gives a pipeline step waiting on dependsOn no timeout of its own while the step before runs, and each step its own once allowed to start', () => {
    cluster();
    submitTestJobSet(s, 'pipeline', { prep: { gpus: 4 }, train: { gpus: 4, dependsOn: [{ name: 'prep', status: 'Complete' }] } }, { queue: 'team' });
    s.runCycle();
    const [prep] = assignmentsOf(s, 'pipeline');
    handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(prep!, 'POD_PHASE_RUNNING')]));
    s.clock.advance(TIMEOUT * 10); // prep runs for 50 minutes
    evictUnready(s.ctx);
    expect(jobsetOf(s, 'pipeline').status!.phase).toBe('JOB_SET_PHASE_ADMITTED');

    // prep completes: train may start now, and has TIMEOUT from now to be running.
    handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(prep!, 'POD_PHASE_SUCCEEDED', { exitCode: 0 })]));
    expect(jobsetOf(s, 'pipeline').status!.startedReplicatedJobs).toContain('train');
    s.clock.advance(TIMEOUT - 1);
    evictUnready(s.ctx);
    expect(jobsetOf(s, 'pipeline').status!.phase).toBe('JOB_SET_PHASE_ADMITTED');
    s.clock.advance(1);
    evictUnready(s.ctx);
    expect(jobsetOf(s, 'pipeline').status).toMatchObject({ phase: 'JOB_SET_PHASE_PENDING', reason: 'PodsReadyTimeout', message: expect.stringContaining('1 of 2 pods running or done 5m after its latest replicatedJobs were allowed to start') });
  });

  it('does not count time the scheduler could not hear from agents (warm-up after a start, its own NATS outage)', () => {
    cluster();
    stuckGang('stuck', 'team');
    s.clock.advance(TIMEOUT - 60_000);
    s.ctx.transportLastDownMs = s.clock.now(); // NATS was out until now: pods may have started unheard
    s.clock.advance(60_000);
    evictUnready(s.ctx);
    expect(jobsetOf(s, 'stuck').status!.phase).toBe('JOB_SET_PHASE_ADMITTED');
    s.clock.advance(TIMEOUT - 60_000);
    evictUnready(s.ctx);
    expect(jobsetOf(s, 'stuck').status!.reason).toBe('PodsReadyTimeout');
    s.close();

    s = startTestScheduler({ settings: { podsReady: SETTINGS }, holdScheduling: () => 'warming up' });
    s.ctx.objects.apply(OBJECTS, s.clock.now());
    registerTestNode(s, 'n1', { cpu: 64, memory: '512Gi', gpus: 8 });
    submitTestJobSet(s, 'early', { w: { gpus: 4 } }, { queue: 'team' });
    s.runCycle(); // held: nothing admitted, nothing judged
    s.clock.advance(TIMEOUT * 2);
    evictUnready(s.ctx);
    expect(jobsetOf(s, 'early').status!.reason).not.toBe('PodsReadyTimeout');
  });
});
