import { describe, expect, it } from 'vitest';
import type { JobSet, JobSetPhase } from '../../../shared/src/proto/types.js';
import { makeJobSet } from '../../../test/helpers/builders.js';
import { expiredJobSets } from './ttl.js';

function finished(name: string, phase: JobSetPhase, finishedMs: number, ttlSeconds?: number): JobSet {
  const js = makeJobSet(name).replicatedJob('w', { cpu: 1 }).build();
  js.status!.phase = phase;
  js.status!.finishedMs = finishedMs;
  if (ttlSeconds !== undefined) js.spec!.ttlSecondsAfterFinished = ttlSeconds;
  return js;
}

describe('expiredJobSets', () => {
  const HOUR = 3_600_000;
  const cases: { name: string; jobsets: JobSet[]; now: number; want: string[] }[] = [
    { name: 'a JobSet with ttlSecondsAfterFinished 0 goes as soon as it finished', jobsets: [finished('a', 'JOB_SET_PHASE_SUCCEEDED', 1000, 0)], now: 1000, want: ['a'] },
    { name: 'its own TTL counts from finishedMs', jobsets: [finished('a', 'JOB_SET_PHASE_FAILED', 1000, 60)], now: 60_999, want: [] },
    { name: 'its own TTL reached', jobsets: [finished('a', 'JOB_SET_PHASE_FAILED', 1000, 60)], now: 61_000, want: ['a'] },
    { name: 'without a TTL the cluster retention applies', jobsets: [finished('a', 'JOB_SET_PHASE_SUCCEEDED', 0 + 1, undefined)], now: 24 * HOUR, want: [] },
    { name: 'cluster retention reached', jobsets: [finished('a', 'JOB_SET_PHASE_SUCCEEDED', 1, undefined)], now: 24 * HOUR + 1, want: ['a'] },
    { name: 'running and pending JobSets never expire', jobsets: [finished('r', 'JOB_SET_PHASE_RUNNING', 1, 0), finished('p', 'JOB_SET_PHASE_PENDING', 1, 0)], now: 100 * HOUR, want: [] },
    { name: 'a terminal JobSet without finishedMs is kept', jobsets: [finished('x', 'JOB_SET_PHASE_FAILED', 0, 0)], now: 100 * HOUR, want: [] },
  ];
  for (const c of cases) it(c.name, () => expect(expiredJobSets(c.jobsets, c.now, 24 * HOUR)).toEqual(c.want));
});
