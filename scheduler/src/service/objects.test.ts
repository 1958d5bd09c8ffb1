/**
 * Applying and listing queueing objects through the scheduler's service: the
 * example file applies whole, applying it again changes nothing, an update is
 * an update, a bad object rejects the whole request and stores nothing, the
 * objects survive a restart, and each queue counts its JobSets.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../shared/src/errors.js';
import { applyRequest, parseObjectsText, type QueueingObject } from '../../../shared/src/queues/document.js';
import { registerTestNode, startTestScheduler, submitTestJobSet, type TestScheduler } from '../../../test/helpers/scheduler-context.js';
import { applyObjects, listQueueing } from './objects.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const EXAMPLE = parseObjectsText(readFileSync(path.join(repo, 'deploy/examples/queues.yaml'), 'utf8'));

let s: TestScheduler;
afterEach(() => s?.close());

const apply = (objects: readonly QueueingObject[]) => applyObjects(s.ctx, { ...applyRequest(objects) } as Parameters<typeof applyObjects>[1]);

describe('applyObjects', () => {
  it('creates every object of the example, then finds nothing to change, then updates what changed', () => {
    s = startTestScheduler();
    const first = apply(EXAMPLE);
    expect(first.applied.every((a) => a.action === 'created')).toBe(true);
    expect(first.applied.map((a) => `${a.kind}/${a.name}`).sort()).toEqual(EXAMPLE.map((o) => `${o.kind}/${o.object.metadata!.name}`).sort());
    expect(apply(EXAMPLE).applied.every((a) => a.action === 'unchanged')).toBe(true);

    const nlp = structuredClone(EXAMPLE.find((o) => o.kind === 'Queue' && o.object.metadata!.name === 'nlp')!);
    if (nlp.kind !== 'Queue') throw new Error('unreachable');
    nlp.object.spec!.queueingStrategy = 'StrictFIFO';
    expect(apply([nlp]).applied).toEqual([{ kind: 'Queue', name: 'nlp', action: 'updated' }]);
    expect(listQueueing(s.ctx).queues.find((q) => q.metadata!.name === 'nlp')!.spec!.queueingStrategy).toBe('StrictFIFO');
    expect(s.cycleRequests).toContain('queueing objects changed');
  });

  it('rejects the whole request when one object is invalid, naming its field, and stores nothing', () => {
    s = startTestScheduler();
    const bad = parseObjectsText(`apiVersion: muster.dev/v1
kind: Queue
metadata: {name: orphan}
spec:
  resourceGroups:
    - coveredResources: [gpus]
      flavors: [{name: nowhere, resources: [{name: gpus, nominalQuota: 8}]}]
`);
    let err: unknown;
    try {
      apply([...EXAMPLE, ...bad]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).issues.some((i) => i.path.includes('flavors[0].name'))).toBe(true);
    expect(listQueueing(s.ctx)).toMatchObject({ flavors: [], queues: [], cohorts: [], priorityClasses: [] });
  });

  it('keeps the objects across a scheduler restart', () => {
    s = startTestScheduler({ db: 'file' });
    apply(EXAMPLE);
    s = s.restart();
    const listed = listQueueing(s.ctx);
    expect(listed.queues.map((q) => q.metadata!.name)).toEqual(['nlp', 'vision']);
    expect(listed.flavors.map((f) => f.metadata!.name)).toEqual(['a100', 'h100']);
    expect(listed.queues[0]!.metadata!.createdMs).toBeGreaterThan(0);
  });
});

describe('listQueueing', () => {
  it("counts each queue's pending and admitted JobSets", () => {
    // The example's queues admit named users and groups: the test's submitter (alice) is in both.
    s = startTestScheduler({ groupsOf: (u) => (u === 'alice' ? ['nlp', 'vision'] : undefined) });
    apply(EXAMPLE);
    registerTestNode(s, 'n1', { cpu: 8, memory: '32Gi', labels: { gpu: 'h100' } }); // a node of the queues' flavor
    submitTestJobSet(s, 'a', { w: { cpu: 1 } }, { queue: 'nlp' });
    submitTestJobSet(s, 'b', { w: { cpu: 1 } }, { queue: 'nlp' });
    s.runCycle();
    submitTestJobSet(s, 'c', { w: { cpu: 1 } }, { queue: 'nlp' });
    submitTestJobSet(s, 'd', { w: { cpu: 1 } }, { queue: 'vision' });
    const counts = listQueueing(s.ctx).counts;
    expect(counts.map(({ queue, pending, admitted }) => ({ queue, pending, admitted }))).toEqual([
      { queue: 'nlp', pending: 1, admitted: 2 },
      { queue: 'vision', pending: 1, admitted: 0 },
    ]);
    // The two admitted JobSets hold 2 CPUs and 2 GiB of nlp's first flavor.
    expect(counts[0]!.usage).toEqual(expect.arrayContaining([{ flavor: 'h100', resource: 'cpu', used: 2000 }, { flavor: 'h100', resource: 'memory', used: 2 * 2 ** 30 }]));
  });
});

describe('listQueueing: fair share', () => {
  // Two queues of 8 H100 GPUs each in one cohort: the cohort can lend 16.
  const COHORT = (weight: number) =>
    parseObjectsText(`
apiVersion: muster.dev/v1
kind: ResourceFlavor
metadata: {name: h100}
spec: {nodeLabels: {gpu: h100}}
---
apiVersion: muster.dev/v1
kind: Cohort
metadata: {name: lab}
---
${['big', 'small']
  .map(
    (name) => `apiVersion: muster.dev/v1
kind: Queue
metadata: {name: ${name}}
spec:
  cohort: lab
  fairSharingWeight: ${name === 'big' ? weight : 1}
  resourceGroups:
    - coveredResources: [cpu, memory, gpus]
      flavors:
        - name: h100
          resources: [{name: cpu, nominalQuota: 64}, {name: memory, nominalQuota: 1Ti}, {name: gpus, nominalQuota: 8}]
`,
  )
  .join('---\n')}`);

  /** big runs a 12-GPU JobSet (8 of its own, 4 borrowed from small); small runs nothing. */
  function borrowing(weight: number): ReturnType<typeof listQueueing>['counts'] {
    s = startTestScheduler();
    apply(COHORT(weight));
    registerTestNode(s, 'g1', { cpu: 64, memory: '512Gi', gpus: 16, labels: { gpu: 'h100' } });
    submitTestJobSet(s, 'wide', { w: { gpus: 12 } }, { queue: 'big' });
    s.runCycle();
    expect(s.store.getJobSet('wide')!.jobset.status!.admission).toMatchObject({ queue: 'big' });
    return listQueueing(s.ctx).counts;
  }

  it('is 4·1000/16 = 250 for a queue borrowing 4 of the 16 GPUs its cohort can lend, 0 for one within its quota', () => {
    const [big, small] = borrowing(1);
    expect(big).toMatchObject({ queue: 'big', admitted: 1, weightedShare: 250, shareExplanation: 'share 250: borrows 4 of 16 gpus the cohort can lend (weight 1)' });
    expect(big!.usage).toContainEqual({ flavor: 'h100', resource: 'gpus', used: 12 });
    expect(small).toMatchObject({ queue: 'small', admitted: 0, weightedShare: 0, shareExplanation: 'share 0: within its nominal quota (weight 1)' });
  });

  it('is divided by the weight, and infinite for a queue borrowing with weight 0', () => {
    expect(borrowing(2)[0]).toMatchObject({ weightedShare: 125, shareExplanation: expect.stringContaining('(weight 2)') });
    s.close();
    expect(borrowing(0)[0]).toMatchObject({ weightedShare: Number.POSITIVE_INFINITY, shareExplanation: expect.stringMatching(/^share ∞: borrows 4 of 16 gpus/) });
  });
});

describe('a JobSet naming a priority class', () => {
  it('is refused at submit, naming spec.priorityClass, when no such class exists; accepted when it does', () => {
    s = startTestScheduler();
    apply(EXAMPLE);
    let err: unknown;
    try {
      submitTestJobSet(s, 'typo', { w: { cpu: 1 } }, { priorityClass: 'hihg' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).issues).toEqual([expect.objectContaining({ path: 'spec.priorityClass', message: expect.stringContaining('no PriorityClass named "hihg"') })]);
    expect(submitTestJobSet(s, 'ok', { w: { cpu: 1 } }, { priorityClass: 'high' }).spec!.priorityClass).toBe('high');
  });
});
