import { afterEach, describe, expect, it } from 'vitest';
import type { JobSet, PodAssignment } from '../../../shared/src/proto/types.js';
import {
  allocatedOf,
  assignmentsOf,
  heartbeatOf,
  jobsetOf,
  lingeringOf,
  persistedJobSet,
  podReport,
  registerTestNode,
  startTestScheduler,
  submitTestJobSet,
  type JobSetOptions,
  type TestScheduler,
} from '../../../test/helpers/scheduler-context.js';
import { handleHeartbeat } from './heartbeats.js';
import { removeExpired } from './ttl.js';

let s: TestScheduler;
afterEach(() => s?.close());

const RETENTION_MS = 7 * 24 * 3_600_000;

/** finished submits `name` (one pod on n1), runs it and ends it with `exitCode`; returns when it finished. */
function finished(name: string, exitCode: number, o: JobSetOptions = {}): number {
  submitTestJobSet(s, name, { main: { cpu: 1 } }, o);
  s.runCycle();
  const [a] = assignmentsOf(s, name) as [PodAssignment];
  handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(a, 'POD_PHASE_RUNNING')]));
  handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(a, exitCode === 0 ? 'POD_PHASE_SUCCEEDED' : 'POD_PHASE_FAILED', { exitCode })]));
  const st = jobsetOf(s, name).status!;
  expect(st.phase).toBe(exitCode === 0 ? 'JOB_SET_PHASE_SUCCEEDED' : 'JOB_SET_PHASE_FAILED');
  return st.finishedMs;
}

function cluster(): void {
  s = startTestScheduler();
  registerTestNode(s, 'n1', { cpu: 64 });
}

describe('finished JobSets are removed when their time is up', () => {
  it.each([
    { name: 'ttlSecondsAfterFinished: 60 on a Succeeded JobSet', exitCode: 0, ttl: 60, keptForMs: 60_000 },
    { name: 'ttlSecondsAfterFinished: 60 on a Failed JobSet', exitCode: 1, ttl: 60, keptForMs: 60_000 },
    { name: 'ttlSecondsAfterFinished: 0 (at once)', exitCode: 0, ttl: 0, keptForMs: 0 },
    { name: 'no ttlSecondsAfterFinished: the scheduler’s retention', exitCode: 0, ttl: undefined, keptForMs: RETENTION_MS },
  ])('$name', ({ exitCode, ttl, keptForMs }) => {
    cluster();
    const finishedMs = finished('job', exitCode, ttl === undefined ? {} : { ttlSecondsAfterFinished: ttl });
    const watched: (JobSet | undefined | 'deleted')[] = [];
    s.ctx.hub.subscribe('job', (js) => watched.push(js ?? 'deleted'));

    if (keptForMs > 0) {
      s.clock.set(finishedMs + keptForMs - 1);
      removeExpired(s.ctx, RETENTION_MS);
      expect(s.store.getJobSet('job')).toBeDefined();
      expect(watched).toEqual([]);
    }

    s.clock.set(finishedMs + keptForMs);
    removeExpired(s.ctx, RETENTION_MS);

    expect(s.store.getJobSet('job')).toBeUndefined();
    expect(persistedJobSet(s.db, 'job')).toBeUndefined();
    expect(watched).toEqual(['deleted']);
  });

  it('leaves JobSets that have not finished, and removes only the expired ones', () => {
    cluster();
    const doneMs = finished('done', 0, { ttlSecondsAfterFinished: 10 });
    finished('kept', 0, { ttlSecondsAfterFinished: 3600 });
    submitTestJobSet(s, 'running', { main: { cpu: 1 } });
    s.runCycle();
    submitTestJobSet(s, 'pending', { main: { cpu: 1000 } }, { ttlSecondsAfterFinished: 0 });
    s.runCycle();
    s.out.clear();

    s.clock.set(doneMs + 3_000_000);
    removeExpired(s.ctx, RETENTION_MS);

    expect(s.store.allJobSets().map((r) => r.jobset.metadata!.name).sort()).toEqual(['kept', 'pending', 'running']);
    expect(jobsetOf(s, 'running').status!.phase).toBe('JOB_SET_PHASE_ADMITTED');
    // A finished JobSet's pods left the desired documents long ago: removing it tells no node anything.
    expect(s.out.desired).toEqual([]);
  });

  it('removing a finished JobSet does not release capacity its stopping pods still hold', () => {
    s = startTestScheduler();
    registerTestNode(s, 'n1', { cpu: 16, gpus: 8 });
    submitTestJobSet(s, 'job', { big: { gpus: 8 }, side: { cpu: 1 } }, { ttlSecondsAfterFinished: 0 });
    s.runCycle();
    const [big, side] = assignmentsOf(s, 'job') as [PodAssignment, PodAssignment];
    handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(big, 'POD_PHASE_RUNNING'), podReport(side, 'POD_PHASE_FAILED', { exitCode: 1 })]));
    expect(jobsetOf(s, 'job').status!.phase).toBe('JOB_SET_PHASE_FAILED');

    removeExpired(s.ctx, RETENTION_MS);

    expect(s.store.getJobSet('job')).toBeUndefined();
    expect(lingeringOf(s, 'n1').gpus).toBe(8);
    handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', []));
    expect(allocatedOf(s, 'n1').gpus).toBe(0);
  });

  it('a name freed by the TTL can be submitted again, as another JobSet', () => {
    cluster();
    const finishedMs = finished('job', 0, { ttlSecondsAfterFinished: 1 });
    const oldUid = jobsetOf(s, 'job').metadata!.uid;
    s.clock.set(finishedMs + 1000);
    removeExpired(s.ctx, RETENTION_MS);

    const again = submitTestJobSet(s, 'job', { main: { cpu: 1 } });

    expect(again.metadata!.uid).not.toBe(oldUid);
    expect(again.status!.phase).toBe('JOB_SET_PHASE_PENDING');
  });
});
