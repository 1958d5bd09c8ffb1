import { describe, expect, it } from 'vitest';
import type { JobSet } from '../../../shared/src/proto/types.js';
import { failureText, listRow, podCounts, progressText } from './jobset.js';

const NOW = 1_800_000_000_000;

function js(status: Record<string, unknown>): JobSet {
  return {
    metadata: { name: 'train', createdMs: NOW - 120_000 },
    status: {
      phase: 'JOB_SET_PHASE_RUNNING',
      reason: '',
      message: '',
      restarts: 0,
      replicatedJobs: [
        { name: 'leader', pods: 1, pending: 0, running: 1, succeeded: 0, failed: 0 },
        { name: 'workers', pods: 4, pending: 1, running: 3, succeeded: 0, failed: 0 },
      ],
      pods: [],
      failedPod: '',
      ...status,
    },
  } as unknown as JobSet;
}

describe('progressText', () => {
  it('lists every replicatedJob with its counts, pending only when some are', () => {
    expect(progressText(js({}))).toBe(
      'Running leader: 1/1 running, 0 succeeded, 0 failed; workers: 3/4 running, 0 succeeded, 0 failed, 1 pending',
    );
  });
  it('adds the restart attempt and the reason with its message', () => {
    expect(progressText(js({ restarts: 2, reason: 'Restarting', message: 'pod failed' }))).toMatch(/ \(restart 2\) — Restarting: pod failed$/);
  });
});

describe('listRow and podCounts', () => {
  it('sums running/total pods over the replicatedJobs', () => {
    expect(podCounts(js({}).status)).toEqual({ pods: 5, pending: 1, running: 4, succeeded: 0, failed: 0 });
    expect(listRow(js({ reason: 'AllPodsRunning' }), NOW)).toEqual(['train', 'Running', '4/5', '2m', 'AllPodsRunning']);
  });
});

describe('failureText', () => {
  it('names the failed pod, its node and exit code', () => {
    const failed = js({
      phase: 'JOB_SET_PHASE_FAILED',
      failedPod: 'train/workers/0/1',
      exitCode: 137,
      pods: [{ podId: 'train/workers/0/1', node: 'n2', phase: 'POD_PHASE_FAILED', exitCode: 137, signal: 'SIGKILL', reason: 'Error', message: '' }],
    });
    expect(failureText(failed)).toBe('jobset/train failed: pod train/workers/0/1 on n2 exited with code 137 (Error)');
  });
  it('falls back to the reason when no pod is named', () => {
    expect(failureText(js({ phase: 'JOB_SET_PHASE_FAILED', reason: 'DeadlineExceeded', message: 'ran 1h' }))).toBe(
      'jobset/train failed: DeadlineExceeded: ran 1h',
    );
  });
});
