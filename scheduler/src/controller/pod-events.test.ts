import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PodAssignment, PodEvent } from '../../../shared/src/proto/types.js';
import {
  assignmentsOf,
  jobsetOf,
  persistedJobSet,
  podEventOf,
  podReport,
  registerTestNode,
  startTestScheduler,
  submitTestJobSet,
  type TestScheduler,
} from '../../../test/helpers/scheduler-context.js';
import { PodEventBatcher } from './pod-events.js';

let s: TestScheduler;
afterEach(() => {
  vi.restoreAllMocks();
  s?.close();
});

/** `train` has three 1-GPU pods admitted on n1 (4 GPUs). */
function admittedTrain(): PodAssignment[] {
  s = startTestScheduler();
  registerTestNode(s, 'n1', { cpu: 16, gpus: 4 });
  submitTestJobSet(s, 'train', { workers: { replicas: 3, gpus: 1 } });
  s.runCycle();
  return assignmentsOf(s, 'train');
}

/** Settled records each settle call with how many commits had happened when it was made. */
interface Settled {
  ok: boolean;
  commitsSoFar: number;
}

/** batchOf queues `events` on a fresh batcher; returns it and what each event's settle reported (in order). */
function batchOf(events: PodEvent[], commits: { calls: unknown[] }): { batcher: PodEventBatcher; settled: Settled[] } {
  const batcher = new PodEventBatcher(s.ctx);
  const settled: Settled[] = [];
  for (const ev of events) batcher.add(ev, (ok) => settled.push({ ok, commitsSoFar: commits.calls.length }));
  return { batcher, settled };
}

describe('PodEventBatcher applies a burst of pod events in one transaction, acknowledging after the commit', () => {
  it('events added before the flush are applied in one commit, and each is settled(true) after it', () => {
    const a = admittedTrain();
    const commit = vi.spyOn(s.store, 'commit');
    const writes = s.writes();
    const { batcher, settled } = batchOf(
      a.map((p) => podEventOf(s, 'n1', podReport(p, 'POD_PHASE_RUNNING'))),
      commit.mock,
    );
    expect(commit).not.toHaveBeenCalled();

    batcher.flush();

    expect(commit).toHaveBeenCalledTimes(1);
    expect(s.writes() - writes).toBe(1); // one row: the JobSet's status
    expect(settled).toEqual([
      { ok: true, commitsSoFar: 1 },
      { ok: true, commitsSoFar: 1 },
      { ok: true, commitsSoFar: 1 },
    ]);
    expect(jobsetOf(s, 'train').status!.phase).toBe('JOB_SET_PHASE_RUNNING');
    expect(persistedJobSet(s.db, 'train')!.phase).toBe('JOB_SET_PHASE_RUNNING');
  });

  it('flushes on its own on the next turn of the event loop, once for the whole burst', async () => {
    const a = admittedTrain();
    const commit = vi.spyOn(s.store, 'commit');
    const { settled } = batchOf(
      a.map((p) => podEventOf(s, 'n1', podReport(p, 'POD_PHASE_RUNNING'))),
      commit.mock,
    );
    expect(settled).toEqual([]);

    await new Promise<void>((resolve) => setImmediate(resolve));

    expect(commit).toHaveBeenCalledTimes(1);
    expect(settled.map((x) => x.ok)).toEqual([true, true, true]);
    expect(jobsetOf(s, 'train').status!.phase).toBe('JOB_SET_PHASE_RUNNING');
  });

  it('several events of one pod in one burst are applied in seq order (Running then Failed)', () => {
    const [p0] = admittedTrain() as [PodAssignment];
    const commit = vi.spyOn(s.store, 'commit');
    const { batcher, settled } = batchOf(
      [
        podEventOf(s, 'n1', podReport(p0, 'POD_PHASE_PENDING')),
        podEventOf(s, 'n1', podReport(p0, 'POD_PHASE_RUNNING')),
        podEventOf(s, 'n1', podReport(p0, 'POD_PHASE_FAILED', { exitCode: 2 })),
        podEventOf(s, 'n1', podReport(p0, 'POD_PHASE_RUNNING')), // redelivered, stale
      ],
      commit.mock,
    );

    batcher.flush();

    expect(commit).toHaveBeenCalledTimes(1);
    expect(settled.every((x) => x.ok)).toBe(true);
    expect(jobsetOf(s, 'train').status).toMatchObject({ phase: 'JOB_SET_PHASE_FAILED', failedPod: p0.podId, exitCode: 2 });
  });

  it.each<{ name: string; event: (p: PodAssignment) => PodEvent }>([
    { name: 'an event of an old epoch', event: (p) => podEventOf(s, 'n1', podReport(p, 'POD_PHASE_FAILED', { exitCode: 1 }), { epoch: 0 }) },
    { name: 'an event of a newer epoch than the scheduler knows', event: (p) => podEventOf(s, 'n1', podReport(p, 'POD_PHASE_FAILED', { exitCode: 1 }), { epoch: 9 }) },
    { name: 'an event from an unknown node', event: (p) => podEventOf(s, 'ghost', podReport(p, 'POD_PHASE_FAILED', { exitCode: 1 }), { epoch: 1 }) },
    { name: 'an event without a pod', event: (p) => podEventOf(s, 'n1', podReport(p, 'POD_PHASE_FAILED'), { pod: null }) },
  ])('$name is dropped but still settled(true), and the rest of its batch is applied', ({ event }) => {
    const [p0, p1] = admittedTrain() as [PodAssignment, PodAssignment];
    const commit = vi.spyOn(s.store, 'commit');
    const { batcher, settled } = batchOf([event(p0), podEventOf(s, 'n1', podReport(p1, 'POD_PHASE_RUNNING'))], commit.mock);

    batcher.flush();

    expect(settled.map((x) => x.ok)).toEqual([true, true]);
    const pods = jobsetOf(s, 'train').status!.pods;
    expect(pods.find((p) => p.podId === p0.podId)!.phase).toBe('POD_PHASE_PENDING');
    expect(pods.find((p) => p.podId === p1.podId)!.phase).toBe('POD_PHASE_RUNNING');
    expect(jobsetOf(s, 'train').status!.phase).toBe('JOB_SET_PHASE_ADMITTED');
  });

  it('a batch of only dropped events is settled(true) without touching SQLite', () => {
    const [p0] = admittedTrain() as [PodAssignment];
    const commit = vi.spyOn(s.store, 'commit');
    const writes = s.writes();
    const { batcher, settled } = batchOf([podEventOf(s, 'n1', podReport(p0, 'POD_PHASE_RUNNING'), { epoch: 0 })], commit.mock);

    batcher.flush();

    expect(settled).toEqual([{ ok: true, commitsSoFar: 0 }]);
    expect(commit).not.toHaveBeenCalled();
    expect(s.writes()).toBe(writes);
  });

  it('when applying fails every event of the batch is settled(false), nothing changes, and redelivery applies them', () => {
    const a = admittedTrain();
    const commit = vi.spyOn(s.store, 'commit').mockImplementationOnce(() => {
      throw new Error('SQLITE_IOERR: disk I/O error');
    });
    const events = a.map((p) => podEventOf(s, 'n1', podReport(p, 'POD_PHASE_RUNNING')));
    const before = structuredClone(jobsetOf(s, 'train'));
    s.out.clear();
    const first = batchOf(events, commit.mock);

    first.batcher.flush();

    expect(first.settled.map((x) => x.ok)).toEqual([false, false, false]);
    expect(jobsetOf(s, 'train')).toEqual(before);
    expect(persistedJobSet(s.db, 'train')!.phase).toBe('JOB_SET_PHASE_ADMITTED');
    expect(s.out.events).toEqual([]);

    // JetStream redelivers them (nak): this time they are applied.
    const again = batchOf(events, commit.mock);
    again.batcher.flush();

    expect(again.settled.map((x) => x.ok)).toEqual([true, true, true]);
    expect(jobsetOf(s, 'train').status!.phase).toBe('JOB_SET_PHASE_RUNNING');
    expect(persistedJobSet(s.db, 'train')!.phase).toBe('JOB_SET_PHASE_RUNNING');
  });

  it('a flush with nothing queued does nothing', () => {
    admittedTrain();
    const commit = vi.spyOn(s.store, 'commit');
    new PodEventBatcher(s.ctx).flush();
    expect(commit).not.toHaveBeenCalled();
  });
});
