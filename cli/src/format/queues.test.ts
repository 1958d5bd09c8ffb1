import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { applyRequest, parseObjectsText } from '../../../shared/src/queues/document.js';
import { withQueueDefaults } from '../../../shared/src/queues/validate.js';
import { borrowedSummary, cohortsTable, describeQueue, flavorsTable, priorityClassesTable, quantityText, queuesTable, shareText } from './queues.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const req = applyRequest(parseObjectsText(readFileSync(path.join(repo, 'deploy/examples/queues.yaml'), 'utf8')));
const queues = req.queues.map((q) => withQueueDefaults(q as Parameters<typeof withQueueDefaults>[0]));
const NOW = 1_700_000_000_000;

describe('queueing tables', () => {
  it('quantities read as people write them: cpu cores, memory units, counts', () => {
    expect([quantityText('cpu', 256_000), quantityText('memory', 2 * 2 ** 40), quantityText('gpus', 16), quantityText('gpus', undefined)]).toEqual(['256', '2Ti', '16', '-']);
  });

  it('muster queues: one row per queue with cohort, strategy, counts, quota per flavor, what it borrows and its share', () => {
    const out = queuesTable(queues, [
      { queue: 'nlp', pending: 3, admitted: 1, usage: [{ flavor: 'h100', resource: 'gpus', used: 20 }, { flavor: 'h100', resource: 'cpu', used: 8000 }], weightedShare: 333.4, shareExplanation: '' },
      { queue: 'vision', pending: 0, admitted: 0, usage: [], weightedShare: 0, shareExplanation: '' },
    ]);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^NAME\s+COHORT\s+STRATEGY\s+PENDING\s+ADMITTED\s+QUOTA\s+BORROWED\s+SHARE$/);
    const nlp = lines.find((l) => l.startsWith('nlp'))!;
    // 20 GPUs used of a nominal 16 (cpu within quota); the share shown rounded up, as Kueue's status has it.
    expect(nlp).toMatch(/^nlp\s+research\s+BestEffortFIFO\s+3\s+1\s+h100: cpu=256 memory=2Ti gpus=16; a100: cpu=128 memory=1Ti gpus=8\s+h100: gpus=4\s+334$/);
    expect(lines.find((l) => l.startsWith('vision'))).toMatch(/^vision\s+research\s+StrictFIFO\s+0\s+0\s+a100:.*\s+-\s+0$/);
  });

  it('a share is an integer rounded up, ∞ when borrowing with weight 0, 0 when the scheduler sent none', () => {
    expect([shareText(250), shareText(0.2), shareText(Number.POSITIVE_INFINITY), shareText(undefined)]).toEqual(['250', '1', '∞', '0']);
    expect(queuesTable(queues.slice(0, 1), [{ queue: 'nlp', pending: 0, admitted: 0, usage: [], weightedShare: Number.POSITIVE_INFINITY, shareExplanation: '' }])).toMatch(/-\s+∞$/);
  });

  it('what a queue borrows: per flavor, only what is above its nominal quota, in the resource\'s units', () => {
    const groups = queues[0]!.spec!.resourceGroups;
    expect(borrowedSummary(groups, [])).toBe('-');
    expect(borrowedSummary(groups, [{ flavor: 'h100', resource: 'gpus', used: 16 }])).toBe('-'); // exactly nominal
    expect(
      borrowedSummary(groups, [
        { flavor: 'h100', resource: 'cpu', used: 260_000 },
        { flavor: 'h100', resource: 'gpus', used: 18 },
        { flavor: 'a100', resource: 'memory', used: 2 ** 40 + 2 ** 30 },
      ]),
    ).toBe('h100: cpu=4 gpus=2; a100: memory=1Gi');
  });

  it('muster queue NAME: settings, the fair share explained, and the quota table with limits', () => {
    const out = describeQueue(
      queues[0]!,
      { queue: 'nlp', pending: 0, admitted: 2, usage: [{ flavor: 'h100', resource: 'gpus', used: 20 }], weightedShare: 250, shareExplanation: 'share 250: borrows 4 of 16 gpus the cohort can lend (weight 1)' },
      NOW,
    );
    expect(out).toMatch(/Preemption:\s+within queue LowerPriority, reclaim within cohort LowerPriority, borrow within cohort LowerPriority/);
    expect(out).toMatch(/Submitters:\s+alice, bob, group:nlp/);
    expect(out).toMatch(/\nFair-sharing weight:\s+1\nFair share:\s+share 250: borrows 4 of 16 gpus the cohort can lend \(weight 1\)\n/);
    expect(out).toMatch(/Pending:\s+0\nAdmitted:\s+2\n/);
    // 20 used of a nominal 16: 4 borrowed from the cohort.
    expect(out).toMatch(/h100\s+gpus\s+20\s+16\s+4\s+8\s+8/);
    expect(out).toMatch(/a100\s+gpus\s+0\s+8\s+-\s+0\s+-/);
  });

  it('muster queue NAME: the share alone when the scheduler sent no explanation', () => {
    const out = describeQueue(queues[0]!, { queue: 'nlp', pending: 0, admitted: 0, usage: [], weightedShare: 0, shareExplanation: '' }, NOW);
    expect(out).toMatch(/\nFair share:\s+0\n/);
  });

  it('flavors, cohorts and priority classes', () => {
    expect(flavorsTable(req.flavors as never)).toMatch(/h100\s+gpu=h100/);
    expect(cohortsTable(req.cohorts as never, queues)).toMatch(/research\s+-\s+nlp,vision/);
    const pcs = priorityClassesTable(req.priorityClasses as never).split('\n');
    expect(pcs[1]).toMatch(/^high\s+1000/); // highest first, after the header
    expect(pcs.find((l) => l.startsWith('normal'))).toMatch(/normal\s+100\s+yes/);
  });
});
