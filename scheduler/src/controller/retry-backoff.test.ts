/**
 * batch/v1's back-off between retries: a failed pod is replaced after
 * podRetryBackoffMs, doubled per failure of its Job, at most 6 minutes. The
 * new incarnation stays out of its node's desired document until then, and
 * the node is told when the back-off ends.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PodAssignment } from '../../../shared/src/proto/types.js';
import { assignmentsOf, heartbeatOf, jobsetOf, podReport, registerTestNode, startTestScheduler, submitTestJobSet, type TestScheduler } from '../../../test/helpers/scheduler-context.js';
import { MAX_RETRY_BACKOFF_MS, retryBackoff } from '../core/lifecycle.js';
import { handleHeartbeat } from './heartbeats.js';
import { pushDueRetries } from './pod-status.js';

let s: TestScheduler;
afterEach(() => s?.close());

describe('retryBackoff', () => {
  it('doubles per failure from the base and stops at 6 minutes; 0 means at once', () => {
    expect([1, 2, 3, 4].map((n) => retryBackoff(10_000, n))).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect(retryBackoff(10_000, 7)).toBe(MAX_RETRY_BACKOFF_MS);
    expect(retryBackoff(10_000, 1_000)).toBe(MAX_RETRY_BACKOFF_MS);
    expect(retryBackoff(0, 3)).toBe(0);
  });
});

describe('a retried pod waits out its back-off', () => {
  function failOnce(a: PodAssignment): void {
    handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(a, 'POD_PHASE_FAILED', { exitCode: 1 })]));
  }
  const desired = () => (s.out.lastDesired('n1')?.pods ?? []).map((p) => `${p.podId}#${p.generation}`);

  it('is kept out of the desired document until podRetryBackoffMs has passed, then pushed; the next wait doubles', () => {
    s = startTestScheduler({ settings: { podRetryBackoffMs: 10_000 } });
    registerTestNode(s, 'n1', { cpu: 8, memory: '32Gi' });
    submitTestJobSet(s, 'flaky', { w: { backoffLimit: 3 } });
    s.runCycle();
    const [a0] = assignmentsOf(s, 'flaky') as [PodAssignment];
    pushDueRetries(s.ctx); // the sweep starts now
    failOnce(a0);
    const pod = jobsetOf(s, 'flaky').status!.pods[0]!;
    expect(pod).toMatchObject({ generation: 1, phase: 'POD_PHASE_PENDING', notBeforeMs: s.clock.now() + 10_000 });
    expect(jobsetOf(s, 'flaky').status!.history.at(-1)!.message).toContain('replaced on n1 in 10s');
    expect(desired()).toEqual([]);

    s.clock.advance(9_999);
    expect(pushDueRetries(s.ctx)).toEqual([]);
    s.clock.advance(1);
    expect(pushDueRetries(s.ctx)).toEqual(['n1']);
    expect(desired()).toEqual(['flaky/w/0/0#1']);

    // The second failure of the Job waits twice as long.
    const [a1] = assignmentsOf(s, 'flaky') as [PodAssignment];
    failOnce(a1);
    expect(jobsetOf(s, 'flaky').status!.pods[0]!.notBeforeMs).toBe(s.clock.now() + 20_000);
  });

  it('with podRetryBackoffMs 0 the pod is replaced at once', () => {
    s = startTestScheduler({ settings: { podRetryBackoffMs: 0 } });
    registerTestNode(s, 'n1', { cpu: 8, memory: '32Gi' });
    submitTestJobSet(s, 'flaky', { w: { backoffLimit: 3 } });
    s.runCycle();
    failOnce(assignmentsOf(s, 'flaky')[0]!);
    expect(jobsetOf(s, 'flaky').status!.pods[0]!.notBeforeMs).toBe(0);
    expect(desired()).toEqual(['flaky/w/0/0#1']);
  });
});
