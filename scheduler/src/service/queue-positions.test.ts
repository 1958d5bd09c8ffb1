/**
 * Queue positions (computed on demand): table-driven over the pure function —
 * priority first, then creation, then name, per queue; JobSets naming no queue,
 * suspended or no longer pending get none — then ListJobSets(pending_only)
 * through a test scheduler: only Pending JobSets, each with its position among
 * all pending ones and its effective priority.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { flavorYaml, priorityClassYaml, queueYaml, queueingObjects } from '../../../test/helpers/queues.js';
import { InvalidArgumentError } from '../../../shared/src/errors.js';
import type { JobSet, PriorityClass } from '../../../shared/src/proto/types.js';
import { registerTestNode, startTestScheduler, submitTestJobSet, type TestScheduler } from '../../../test/helpers/scheduler-context.js';
import { priorityOfClass } from '../core/queue-order.js';
import { listPendingJobSets, queuePositions } from './queue-positions.js';

interface Js {
  name: string;
  queue?: string;
  pc?: string;
  created: number;
  phase?: 'JOB_SET_PHASE_PENDING' | 'JOB_SET_PHASE_RUNNING' | 'JOB_SET_PHASE_ADMITTED' | 'JOB_SET_PHASE_SUCCEEDED';
  suspend?: boolean;
}

function jobset(j: Js): JobSet {
  return {
    metadata: { name: j.name, createdMs: j.created },
    spec: { queue: j.queue ?? '', priorityClass: j.pc ?? '', suspend: j.suspend ?? false },
    status: { phase: j.phase ?? 'JOB_SET_PHASE_PENDING' },
  } as unknown as JobSet;
}

const pc = (name: string, value: number, globalDefault = false): PriorityClass => ({ metadata: { name }, spec: { value, globalDefault, description: '' } }) as unknown as PriorityClass;
const CLASSES = [pc('high', 1000), pc('normal', 100, true), pc('low', 10)];

describe('priorityOfClass', () => {
  it('reads a class by name, falls back to the default class for none or an unknown name, and to 0 without a default', () => {
    const of = priorityOfClass(CLASSES);
    expect([of('high'), of('low'), of(''), of('gone')]).toEqual([1000, 10, 100, 100]);
    const noDefault = priorityOfClass([pc('high', 1000)]);
    expect([noDefault('high'), noDefault(''), noDefault('gone')]).toEqual([1000, 0, 0]);
  });
});

describe('queuePositions', () => {
  const cases: { name: string; jobsets: Js[]; want: Record<string, number> }[] = [
    {
      name: 'one queue: FIFO by creation when priorities are equal',
      jobsets: [
        { name: 'c', queue: 'q', created: 3 },
        { name: 'a', queue: 'q', created: 1 },
        { name: 'b', queue: 'q', created: 2 },
      ],
      want: { a: 1, b: 2, c: 3 },
    },
    {
      name: 'higher priority first, whatever its age',
      jobsets: [
        { name: 'old-low', queue: 'q', pc: 'low', created: 1 },
        { name: 'default', queue: 'q', created: 2 },
        { name: 'new-high', queue: 'q', pc: 'high', created: 9 },
      ],
      want: { 'new-high': 1, default: 2, 'old-low': 3 },
    },
    {
      name: 'ties on priority and creation go by name',
      jobsets: [
        { name: 'zeta', queue: 'q', created: 5 },
        { name: 'alpha', queue: 'q', created: 5 },
        { name: 'mid', queue: 'q', pc: 'normal', created: 5 }, // the default class named explicitly: the same priority
      ],
      want: { alpha: 1, mid: 2, zeta: 3 },
    },
    {
      name: 'several queues: each counts from 1',
      jobsets: [
        { name: 'n1', queue: 'nlp', created: 1 },
        { name: 'v1', queue: 'vision', created: 2 },
        { name: 'n2', queue: 'nlp', created: 3 },
        { name: 'v0', queue: 'vision', pc: 'high', created: 4 },
      ],
      want: { n1: 1, n2: 2, v0: 1, v1: 2 },
    },
    {
      name: 'no queue, suspended and not pending JobSets get no position and take none',
      jobsets: [
        { name: 'free', created: 0 },
        { name: 'held', queue: 'q', pc: 'high', created: 1, suspend: true },
        { name: 'running', queue: 'q', pc: 'high', created: 1, phase: 'JOB_SET_PHASE_RUNNING' },
        { name: 'admitted', queue: 'q', pc: 'high', created: 1, phase: 'JOB_SET_PHASE_ADMITTED' },
        { name: 'done', queue: 'q', created: 1, phase: 'JOB_SET_PHASE_SUCCEEDED' },
        { name: 'waiting', queue: 'q', created: 2 },
        { name: 'later', queue: 'q', created: 3 },
      ],
      want: { waiting: 1, later: 2 },
    },
    {
      name: 'an unknown class counts as the default class',
      jobsets: [
        { name: 'low', queue: 'q', pc: 'low', created: 1 },
        { name: 'gone', queue: 'q', pc: 'deleted-class', created: 2 },
      ],
      want: { gone: 1, low: 2 },
    },
    { name: 'nothing pending', jobsets: [], want: {} },
  ];
  for (const c of cases)
    it(c.name, () => {
      expect(Object.fromEntries(queuePositions(c.jobsets.map(jobset), priorityOfClass(CLASSES)))).toEqual(c.want);
    });
});

describe('listPendingJobSets (ListJobSets with pending_only)', () => {
  let s: TestScheduler;
  afterEach(() => s?.close());

  const OBJECTS = queueingObjects(flavorYaml('h100', { gpu: 'h100' }), priorityClassYaml('high', 1000), queueYaml('team', { gpus: 8 }));

  it('lists only Pending JobSets, each with its position and priority; a limit pages the list, not the positions', () => {
    s = startTestScheduler();
    s.ctx.objects.apply(OBJECTS, s.clock.now());
    registerTestNode(s, 'gpu1', { cpu: 64, memory: '512Gi', gpus: 8, labels: { gpu: 'h100' } });
    submitTestJobSet(s, 'running', { w: { gpus: 8 } }, { queue: 'team' });
    s.runCycle();
    s.clock.advance(1000);
    submitTestJobSet(s, 'first', { w: { gpus: 4 } }, { queue: 'team' });
    s.clock.advance(1000);
    submitTestJobSet(s, 'urgent', { w: { gpus: 4 } }, { queue: 'team', priorityClass: 'high' });
    s.clock.advance(1000);
    submitTestJobSet(s, 'anywhere', { w: { cpu: 1 } });
    s.clock.advance(1000);
    submitTestJobSet(s, 'second', { w: { gpus: 4 } }, { queue: 'team' });

    const res = listPendingJobSets(s.ctx, '', 0);
    // Newest first, as ListJobSets lists; the admitted one is not there.
    expect(res.jobsets.map((j) => j.metadata!.name)).toEqual(['second', 'anywhere', 'urgent', 'first']);
    expect(res.positions).toEqual([
      { jobset: 'second', position: 3, priority: 0 },
      { jobset: 'anywhere', position: 0, priority: 0 },
      { jobset: 'urgent', position: 1, priority: 1000 },
      { jobset: 'first', position: 2, priority: 0 },
    ]);
    // The newest two only, with their positions among every pending JobSet.
    expect(listPendingJobSets(s.ctx, 'pending', 2).positions.map((p) => [p.jobset, p.position])).toEqual([['second', 3], ['anywhere', 0]]);
    expect(() => listPendingJobSets(s.ctx, 'Running', 0)).toThrow(InvalidArgumentError);
  });
});
