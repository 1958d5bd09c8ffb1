import { describe, expect, it } from 'vitest';
import type { JobSet } from '../../../shared/src/proto/types.js';
import { pendingRow, pendingTable } from './pending.js';

const NOW = 1_800_000_000_000;

function js(name: string, queue: string, agoMin: number, reason: string): JobSet {
  return {
    metadata: { name, createdMs: NOW - agoMin * 60_000 },
    spec: { queue },
    status: { phase: 'JOB_SET_PHASE_PENDING', reason },
  } as unknown as JobSet;
}

describe('muster ls --pending', () => {
  it('a row: NAME QUEUE POSITION PRIORITY AGE REASON; no position and no queue read as -', () => {
    expect(pendingRow(js('train', 'nlp', 3, 'WaitingForQuota'), { jobset: 'train', position: 2, priority: 1000 }, NOW)).toEqual(['train', 'nlp', 2, 1000, '3m', 'WaitingForQuota']);
    expect(pendingRow(js('free', '', 1, 'NoFit'), { jobset: 'free', position: 0, priority: 0 }, NOW)).toEqual(['free', '-', '-', 0, '1m', 'NoFit']);
    expect(pendingRow(js('old', 'nlp', 1, 'Queued'), undefined, NOW)).toEqual(['old', 'nlp', '-', 0, '1m', 'Queued']);
  });

  it('lists queue by queue, each next first, unpositioned JobSets after their queue and JobSets naming no queue last', () => {
    // As the scheduler sends them: newest first.
    const jobsets = [
      js('free', '', 1, 'NoFit'),
      js('held', 'vision', 2, 'Suspended'),
      js('urgent', 'nlp', 3, 'WaitingForQuota'),
      js('detect', 'vision', 4, 'WaitingForQuota'),
      js('sweep', 'nlp', 5, 'WaitingForQuota'),
      js('pretrain', 'nlp', 6, 'WaitingForPreemption'),
    ];
    const positions = [
      { jobset: 'free', position: 0, priority: 0 },
      { jobset: 'held', position: 0, priority: 0 },
      { jobset: 'urgent', position: 1, priority: 1000 },
      { jobset: 'detect', position: 1, priority: 100 },
      { jobset: 'sweep', position: 3, priority: 100 },
      { jobset: 'pretrain', position: 2, priority: 100 },
    ];
    expect(pendingTable(jobsets, positions, NOW).split('\n')).toEqual([
      'NAME      QUEUE   POSITION  PRIORITY  AGE  REASON',
      'urgent    nlp     1         1000      3m   WaitingForQuota',
      'pretrain  nlp     2         100       6m   WaitingForPreemption',
      'sweep     nlp     3         100       5m   WaitingForQuota',
      'detect    vision  1         100       4m   WaitingForQuota',
      'held      vision  -         0         2m   Suspended',
      'free      -       -         0         1m   NoFit',
    ]);
  });
});
