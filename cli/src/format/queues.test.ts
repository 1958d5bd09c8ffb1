import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { applyRequest, parseObjectsText } from '../../../shared/src/queues/document.js';
import { withQueueDefaults } from '../../../shared/src/queues/validate.js';
import { cohortsTable, describeQueue, flavorsTable, priorityClassesTable, quantityText, queuesTable } from './queues.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const req = applyRequest(parseObjectsText(readFileSync(path.join(repo, 'deploy/examples/queues.yaml'), 'utf8')));
const queues = req.queues.map((q) => withQueueDefaults(q as Parameters<typeof withQueueDefaults>[0]));
const NOW = 1_700_000_000_000;

describe('queueing tables', () => {
  it('quantities read as people write them: cpu cores, memory units, counts', () => {
    expect([quantityText('cpu', 256_000), quantityText('memory', 2 * 2 ** 40), quantityText('gpus', 16), quantityText('gpus', undefined)]).toEqual(['256', '2Ti', '16', '-']);
  });

  it('muster queues: one row per queue with cohort, strategy, counts and quota per flavor', () => {
    const out = queuesTable(queues, [{ queue: 'nlp', pending: 3, admitted: 1, usage: [] }]);
    const nlp = out.split('\n').find((l) => l.startsWith('nlp'))!;
    expect(nlp).toMatch(/^nlp\s+research\s+BestEffortFIFO\s+3\s+1\s+h100: cpu=256 memory=2Ti gpus=16; a100: cpu=128 memory=1Ti gpus=8$/);
    expect(out.split('\n').find((l) => l.startsWith('vision'))).toMatch(/^vision\s+research\s+StrictFIFO\s+0\s+0\s+a100:/);
  });

  it('muster queue NAME: settings and the quota table with limits', () => {
    const out = describeQueue(queues[0]!, { queue: 'nlp', pending: 0, admitted: 2, usage: [{ flavor: 'h100', resource: 'gpus', used: 20 }] }, NOW);
    expect(out).toMatch(/Preemption:\s+within queue LowerPriority, reclaim within cohort LowerPriority, borrow within cohort LowerPriority/);
    expect(out).toMatch(/Submitters:\s+alice, bob, group:nlp/);
    // 20 used of a nominal 16: 4 borrowed from the cohort.
    expect(out).toMatch(/h100\s+gpus\s+20\s+16\s+4\s+8\s+8/);
    expect(out).toMatch(/a100\s+gpus\s+0\s+8\s+-\s+0\s+-/);
  });

  it('flavors, cohorts and priority classes', () => {
    expect(flavorsTable(req.flavors as never)).toMatch(/h100\s+gpu=h100/);
    expect(cohortsTable(req.cohorts as never, queues)).toMatch(/research\s+-\s+nlp,vision/);
    const pcs = priorityClassesTable(req.priorityClasses as never).split('\n');
    expect(pcs[1]).toMatch(/^high\s+1000/); // highest first, after the header
    expect(pcs.find((l) => l.startsWith('normal'))).toMatch(/normal\s+100\s+yes/);
  });
});
