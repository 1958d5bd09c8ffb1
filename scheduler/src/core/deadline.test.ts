import { afterEach, describe, expect, it } from 'vitest';
import type { FailurePolicyRule, JobSet, JobSetStatus, JobStatus, PodAssignment, PodStatus } from '../../../shared/src/proto/types.js';
import { parseJobSetObject } from '../../../shared/src/spec/document.js';
import { handleHeartbeat } from '../controller/heartbeats.js';
import { evaluateDeadlines } from '../controller/pod-status.js';
import { submitJobSet } from '../service/jobsets.js';
import { admittedJobSet, makeJobSet, type JobSetBuilder } from '../../../test/helpers/builders.js';
import {
  assignmentsOf,
  heartbeatOf,
  jobsetOf,
  lingeringOf,
  persistedJobSet,
  podReport,
  registerTestNode,
  startTestScheduler,
  T0,
  type TestScheduler,
} from '../../../test/helpers/scheduler-context.js';
import { deadlineDue, evaluateJobSet, MAX_HISTORY, newJobStatus, requeuedStatus, withHistory, type LifecycleDecision, type LifecycleEvent } from './lifecycle.js';

// ---------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------

const LEADER = 'train/leader/0/0';
const W00 = 'train/workers/0/0';
const W01 = 'train/workers/0/1';
const W10 = 'train/workers/1/0';
const W11 = 'train/workers/1/1';

/** DEADLINE is the workers' activeDeadlineSeconds in the fixture. */
const DEADLINE = 60;
/**
 * STARTS are the startedMs the pods report, read off their agents' clocks:
 * workers/0's pods at 1000 and 1200, workers/1's at 5000 and 5500, the
 * leader's at 900. The lifecycle does not time deadlines from them (agents'
 * clocks may be skewed): a Job starts when the scheduler first sees one of its
 * pods started, on its own clock.
 */
const STARTS: Record<string, number> = { [LEADER]: 900, [W00]: 1200, [W01]: 1000, [W10]: 5500, [W11]: 5000 };
/** SEEN_W0 is when the scheduler first saw the leader's and workers/0's pods started (its clock): workers/0 started then. */
const SEEN_W0 = 2000;
/** SEEN_W1 is when it first saw workers/1's pods started. */
const SEEN_W1 = 6000;
/** W0_END is when workers/0 runs out of time. */
const W0_END = SEEN_W0 + DEADLINE * 1000;
/** W1_END is when workers/1 runs out of time. */
const W1_END = SEEN_W1 + DEADLINE * 1000;

/**
 * train is a RUNNING JobSet: leader (1 × 1, no deadline) and workers (2 Jobs ×
 * 2 pods, activeDeadlineSeconds 60), backoffLimit 0, every pod Running since
 * STARTS, no failurePolicy unless configured. Its Job statuses are not yet
 * known (as before the first evaluation).
 */
function train(configure?: (b: JobSetBuilder) => void): JobSet {
  const b = makeJobSet('train').replicatedJob('leader', { cpu: 1, backoffLimit: 0 }).replicatedJob('workers', { replicas: 2, parallelism: 2, cpu: 1, backoffLimit: 0 });
  configure?.(b);
  const js = admittedJobSet(b.build(), (p) => (p.replicatedJob === 'leader' ? 'n1' : 'n2'));
  js.spec!.replicatedJobs[1]!.template!.activeDeadlineSeconds = DEADLINE;
  const s = js.status!;
  s.phase = 'JOB_SET_PHASE_RUNNING';
  s.reason = 'AllPodsRunning';
  s.startedMs = 900;
  s.updatedMs = 5500;
  s.pods = s.pods.map((p) => ({ ...p, phase: 'POD_PHASE_RUNNING', startedMs: STARTS[p.podId]!, seq: 2, pid: 100 }));
  return js;
}

/** withPods returns a copy with the given pods' fields replaced. */
function withPods(js: JobSet, pods: Record<string, Partial<PodStatus>>): JobSet {
  const out = structuredClone(js);
  out.status!.pods = out.status!.pods.map((p) => (pods[p.podId] ? { ...p, ...pods[p.podId] } : p));
  return out;
}

/** withStatus returns a copy with `edit` applied to its status. */
function withStatus(js: JobSet, edit: (s: JobSetStatus) => void): JobSet {
  const out = structuredClone(js);
  edit(out.status!);
  return out;
}

/** next is the JobSet after a decision (the status written back). */
function next(js: JobSet, d: LifecycleDecision): JobSet {
  return { ...structuredClone(js), status: structuredClone(d.status) };
}

/** job finds a Job status by `rj/index`. */
function job(s: JobSetStatus, key: string): JobStatus {
  const j = s.jobs.find((x) => `${x.replicatedJob}/${x.jobIndex}` === key);
  if (!j) throw new Error(`no Job ${key}`);
  return j;
}

/** evaluated is the fixture after one evaluation at `now` (Job start times recorded). */
function evaluated(js: JobSet, now: number): JobSet {
  return next(js, evaluateJobSet(js, { now }));
}

/**
 * seen is train() as the scheduler saw it start: admitted (condition Admitted
 * True), it evaluates at SEEN_W0 the reports of the leader's and workers/0's
 * pods running (workers/1's not started yet), and at SEEN_W1 those of
 * workers/1's pods too (the JobSet is RUNNING). The Jobs' start times are
 * SEEN_W0, SEEN_W0 and SEEN_W1, whatever the pods' startedMs say.
 */
function seen(configure?: (b: JobSetBuilder) => void): JobSet {
  const all = train(configure);
  const notYet: Partial<PodStatus> = { phase: 'POD_PHASE_PENDING', startedMs: 0, seq: 0, pid: 0 };
  let js = withStatus(withPods(all, { [W10]: notYet, [W11]: notYet }), (s) => {
    s.phase = 'JOB_SET_PHASE_ADMITTED';
    s.reason = 'Admitted';
    s.startedMs = 0;
    s.updatedMs = 1;
    s.conditions = [{ type: 'Admitted', status: 'True', reason: 'Admitted', message: 'all 5 pods placed on 2 node(s)', lastTransitionMs: 1 }];
  });
  js = evaluated(js, SEEN_W0);
  const w1 = Object.fromEntries(all.status!.pods.filter((p) => p.podId === W10 || p.podId === W11).map((p) => [p.podId, p]));
  return evaluated(withPods(js, w1), SEEN_W1);
}

const SUCCEEDED = (at: number): Partial<PodStatus> => ({ phase: 'POD_PHASE_SUCCEEDED', exitCode: 0, finishedMs: at, seq: 3 });

function rule(name: string, action: string, over: Partial<FailurePolicyRule> = {}): FailurePolicyRule {
  return { name, action, onJobFailureReasons: [], onJobFailureMessagePatterns: [], targetReplicatedJobs: [], ...over };
}

/** startsAt returns a copy whose pods all report startedMs `at` (an agent clock). */
function startsAt(js: JobSet, at: number): JobSet {
  return withStatus(js, (s) => {
    s.pods = s.pods.map((p) => ({ ...p, startedMs: at }));
  });
}

/** FIRST_SEEN is when, in the skew cases, the scheduler first evaluates the JobSet (its clock). */
const FIRST_SEEN = 10_000_000;

/** Agents' clocks far off the scheduler's: what a pod says about its start does not move its Job's deadline. */
const SKEWS: { name: string; startedMs: number }[] = [
  { name: 'far behind (a start hours before the scheduler saw it)', startedMs: 1000 },
  { name: 'far ahead (a start a day after the scheduler saw it)', startedMs: FIRST_SEEN + 86_400_000 },
];

// ---------------------------------------------------------------------------
// Step 1b: when each Job started
// ---------------------------------------------------------------------------

describe('Job start times', () => {
  it('a Job started when an evaluation first saw one of its pods started: the scheduler\'s now, not the pods\' startedMs', () => {
    const d = evaluateJobSet(train(), { now: 6000 });
    expect(d.status.jobs.map((j) => [`${j.replicatedJob}/${j.jobIndex}`, j.startedMs])).toEqual([
      ['leader/0', 6000],
      ['workers/0', 6000],
      ['workers/1', 6000],
    ]);
    expect(d.events).toEqual([]);

    // Seen one Job at a time, each starts at the evaluation that saw it.
    expect(seen().status!.jobs.map((j) => [`${j.replicatedJob}/${j.jobIndex}`, j.startedMs])).toEqual([
      ['leader/0', SEEN_W0],
      ['workers/0', SEEN_W0],
      ['workers/1', SEEN_W1],
    ]);
  });

  it('a Job none of whose pods started has not started (startedMs 0), one with a single started pod has', () => {
    const js = withPods(train(), { [W10]: { phase: 'POD_PHASE_PENDING', startedMs: 0 }, [W11]: { phase: 'POD_PHASE_PENDING', startedMs: 0 }, [W01]: { phase: 'POD_PHASE_PENDING', startedMs: 0 } });
    const s = evaluateJobSet(js, { now: 6000 }).status;
    expect(job(s, 'workers/0').startedMs).toBe(6000);
    expect(job(s, 'workers/1').startedMs).toBe(0);
  });

  it('once recorded, a Job\'s start time stays (a retried pod starting later does not move it)', () => {
    const js = withPods(evaluated(train(), 6000), { [W00]: { startedMs: 30_000, generation: 1 }, [W01]: { startedMs: 31_000, generation: 1 } });
    expect(job(evaluateJobSet(js, { now: 40_000 }).status, 'workers/0').startedMs).toBe(6000);
  });

  it.each(SKEWS)('an agent clock $name does not move the Job\'s start', ({ startedMs }) => {
    const s = evaluateJobSet(startsAt(train(), startedMs), { now: FIRST_SEEN }).status;
    expect(s.jobs.map((j) => j.startedMs)).toEqual([FIRST_SEEN, FIRST_SEEN, FIRST_SEEN]);
  });
});

// ---------------------------------------------------------------------------
// Step 2b: activeDeadlineSeconds
// ---------------------------------------------------------------------------

describe('activeDeadlineSeconds', () => {
  it('before the deadline nothing happens', () => {
    const js = seen();
    const d = evaluateJobSet(js, { now: W0_END - 1 });
    expect(d.events).toEqual([]);
    expect(d.status.phase).toBe('JOB_SET_PHASE_RUNNING');
    expect(d.status.jobs.map((j) => j.state)).toEqual(['Active', 'Active', 'Active']);
  });

  it('at the deadline the Job fails (DeadlineExceeded) as of startedMs + deadline; with no failurePolicy the JobSet fails (FailedJobs)', () => {
    const js = seen();
    const now = W0_END + 2500; // evaluated a little late: the Job still ended at its deadline
    const d = evaluateJobSet(js, { now });
    const s = d.status;

    expect(job(s, 'workers/0')).toMatchObject({ state: 'Failed', failureReason: 'DeadlineExceeded', startedMs: SEEN_W0, finishedMs: W0_END });
    expect(job(s, 'workers/0').failureMessage).toContain('activeDeadlineSeconds (60)');
    expect(job(s, 'workers/0').failureMessage).toContain('workers/0');
    // workers/1 started later: its time has not run out; the leader has no deadline.
    expect(now).toBeLessThan(W1_END);
    expect(job(s, 'workers/1').state).toBe('Active');
    expect(job(s, 'leader/0').state).toBe('Active');

    expect(s.phase).toBe('JOB_SET_PHASE_FAILED');
    expect(s.reason).toBe('FailedJobs');
    expect(s.message).toContain('DeadlineExceeded');
    expect(s.message).toContain('activeDeadlineSeconds');
    expect(s.terminalState).toBe('Failed');
    expect(s.finishedMs).toBe(now);
    expect(s.conditions.find((c) => c.type === 'Failed')).toMatchObject({ status: 'True', reason: 'FailedJobs' });
    expect(d.events.map((e) => e.type)).toEqual(['JobFailed', 'JobSetFailed']);
    expect(d.restartPods).toEqual([]);
    expect(d.releasePlacement).toBe(false);
    expect(s.history.map((h) => h.type)).toEqual([...js.status!.history.map((h) => h.type), 'JobFailed', 'JobSetFailed']);
  });

  it('the first evaluation starts the clock: pods the agents say started long ago do not fail the Job at once', () => {
    // The pods report starts at 900..5500, more than DEADLINE before now: the Job starts now all the same.
    const first = evaluateJobSet(train(), { now: W1_END });
    expect(first.events).toEqual([]);
    expect(job(first.status, 'workers/0')).toMatchObject({ state: 'Active', startedMs: W1_END });
    const js = next(train(), first);

    expect(evaluateJobSet(js, { now: W1_END + DEADLINE * 1000 - 1 }).events).toEqual([]);
    const d = evaluateJobSet(js, { now: W1_END + DEADLINE * 1000 });
    expect(job(d.status, 'workers/0')).toMatchObject({ state: 'Failed', failureReason: 'DeadlineExceeded', finishedMs: W1_END + DEADLINE * 1000 });
    expect(d.status.phase).toBe('JOB_SET_PHASE_FAILED');
  });

  it.each(SKEWS)('an agent clock $name does not move the deadline: DEADLINE after the scheduler first saw the pods', ({ startedMs }) => {
    const js = evaluated(startsAt(train(), startedMs), FIRST_SEEN);
    const end = FIRST_SEEN + DEADLINE * 1000;

    expect(job(js.status!, 'workers/0')).toMatchObject({ state: 'Active', startedMs: FIRST_SEEN });
    expect(deadlineDue(js, end - 1)).toBe(false);
    expect(evaluateJobSet(js, { now: end - 1 }).events).toEqual([]);

    expect(deadlineDue(js, end)).toBe(true);
    const d = evaluateJobSet(js, { now: end });
    expect(d.status.jobs.map((j) => [j.state, j.failureReason, j.finishedMs])).toEqual([
      ['Active', '', 0],
      ['Failed', 'DeadlineExceeded', end],
      ['Failed', 'DeadlineExceeded', end],
    ]);
    expect(d.status.phase).toBe('JOB_SET_PHASE_FAILED');
  });

  it('a failurePolicy rule can match reason DeadlineExceeded', () => {
    const js = seen((b) => b.failurePolicy('Recreate', 3, [rule('too-slow', 'FailJobSet', { onJobFailureReasons: ['DeadlineExceeded'] })]));
    const d = evaluateJobSet(js, { now: W0_END });
    expect(d.status.phase).toBe('JOB_SET_PHASE_FAILED');
    expect(d.status.reason).toBe('FailJobSetFailurePolicyAction');
    expect(d.status.restarts).toBe(0);
  });

  it('with failurePolicy RestartJobSet (Recreate) the JobSet restarts through the queue; the new attempt\'s Jobs have not started', () => {
    const js = seen((b) => b.failurePolicy('Recreate', 1));
    expect(js.status!.conditions.filter((c) => c.status === 'True').map((c) => c.type)).toEqual(['Admitted', 'Running']);
    const d = evaluateJobSet(js, { now: W0_END });
    expect(d.status.phase).toBe('JOB_SET_PHASE_PENDING');
    expect(d.status.restarts).toBe(1);
    expect(d.status.restartsCountTowardsMax).toBe(1);
    expect(d.releasePlacement).toBe(true);
    expect(d.events.map((e) => e.type)).toEqual(['JobFailed', 'JobSetRestarted']);
    expect(d.status.jobs.map((j) => [j.state, j.startedMs, j.failureReason])).toEqual([
      ['Active', 0, ''],
      ['Active', 0, ''],
      ['Active', 0, ''],
    ]);
    // Back in the queue: neither admitted nor running any more.
    for (const type of ['Admitted', 'Running'])
      expect(d.status.conditions.find((c) => c.type === type), type).toMatchObject({ status: 'False', reason: 'Restarting', lastTransitionMs: W0_END });
    expect(deadlineDue(next(js, d), W0_END + 1_000_000)).toBe(false);
  });

  it('after an InPlace restart the deadline counts from when the scheduler saw the new attempt start', () => {
    let js = seen((b) => b.failurePolicy('InPlace', 2));
    const restart = evaluateJobSet(js, { now: W0_END });
    expect(restart.status.phase).toBe('JOB_SET_PHASE_ADMITTED');
    expect(restart.status.restarts).toBe(1);
    expect(restart.status.jobs.every((j) => j.startedMs === 0 && j.state === 'Active')).toBe(true);
    js = next(js, restart);

    // The new incarnations start 10s after the restart (their agents say); the scheduler sees it 1s later.
    const again = W0_END + 10_000;
    const seenAgain = again + 1000;
    js = withPods(
      js,
      Object.fromEntries(js.status!.pods.map((p) => [p.podId, { phase: 'POD_PHASE_RUNNING' as const, startedMs: again, seq: 2 }])),
    );
    js = next(js, evaluateJobSet(js, { now: seenAgain }));
    expect(js.status!.phase).toBe('JOB_SET_PHASE_RUNNING');
    expect(job(js.status!, 'workers/0').startedMs).toBe(seenAgain);

    // The old deadline (from the first attempt) means nothing now.
    const d = evaluateJobSet(js, { now: seenAgain + DEADLINE * 1000 - 1 });
    expect(d.events).toEqual([]);
    expect(deadlineDue(js, seenAgain + DEADLINE * 1000 - 1)).toBe(false);
    expect(deadlineDue(js, seenAgain + DEADLINE * 1000)).toBe(true);
  });

  it('a Succeeded Job is never failed by its deadline', () => {
    let js = withPods(seen(), { [W00]: SUCCEEDED(20_000), [W01]: SUCCEEDED(21_000) });
    js = evaluated(js, 30_000);
    expect(job(js.status!, 'workers/0').state).toBe('Succeeded');

    const now = W0_END + 3000; // past workers/0's deadline; workers/1 not yet out of time
    expect(now).toBeLessThan(W1_END);
    const d = evaluateJobSet(js, { now });
    expect(job(d.status, 'workers/0').state).toBe('Succeeded');
    expect(d.events).toEqual([]);
    expect(d.status.phase).toBe('JOB_SET_PHASE_RUNNING');
    expect(deadlineDue(js, now)).toBe(false);
  });

  // The news that every pod of workers/0 succeeded is evaluated at 64_000, past its deadline (62_000); workers/1 has until 66_000.
  it.each([
    { name: 'before its deadline', finishedMs: 50_000 },
    { name: 'after its deadline by their agent\'s clock (skewed)', finishedMs: 90_000 },
    { name: 'before the scheduler saw them start, by their agent\'s clock (skewed)', finishedMs: 1500 },
  ])('a Job whose pods all succeeded succeeds even when the news arrives after the deadline: pods finished $name', ({ finishedMs }) => {
    const now = W0_END + 2000;
    expect(now).toBeLessThan(W1_END);
    const js = withPods(seen(), { [W00]: SUCCEEDED(finishedMs), [W01]: SUCCEEDED(finishedMs) });
    const d = evaluateJobSet(js, { now });
    expect(job(d.status, 'workers/0')).toMatchObject({ state: 'Succeeded', failureReason: '', finishedMs: now });
    expect(d.events).toEqual([]);
    expect(d.status.phase).toBe('JOB_SET_PHASE_RUNNING');
  });

  it('a Job whose pods have not started has no running clock (e.g. a replicatedJob waiting for its dependency)', () => {
    const js = withPods(train(), { [W10]: { phase: 'POD_PHASE_PENDING', startedMs: 0 }, [W11]: { phase: 'POD_PHASE_PENDING', startedMs: 0 } });
    const d = evaluateJobSet(js, { now: 10_000_000 });
    expect(job(d.status, 'workers/1')).toMatchObject({ state: 'Active', startedMs: 0 });
  });
});

describe('deadlineDue', () => {
  const base = seen();
  const cases: { name: string; jobset: JobSet; now: number; want: boolean }[] = [
    { name: 'before the first Job\'s deadline', jobset: base, now: W0_END - 1, want: false },
    { name: 'at the deadline', jobset: base, now: W0_END, want: true },
    { name: 'past the deadline', jobset: base, now: W0_END + 10_000, want: true },
    // The pods' startedMs say workers/0 ran out long ago (or has a day left): only the Jobs' start times count.
    { name: 'pods reporting starts far in the past, before the deadline', jobset: startsAt(base, 1), now: W0_END - 1, want: false },
    { name: 'pods reporting starts far in the future, at the deadline', jobset: startsAt(base, W0_END + 86_400_000), now: W0_END, want: true },
    {
      name: 'no replicatedJob has a deadline',
      jobset: (() => {
        const js = structuredClone(base);
        delete js.spec!.replicatedJobs[1]!.template!.activeDeadlineSeconds;
        return js;
      })(),
      now: W0_END + 10_000_000,
      want: false,
    },
    { name: 'Job statuses not yet recorded (never evaluated)', jobset: train(), now: W0_END + 10_000, want: false },
    {
      name: 'the Jobs past their deadline have finished (Succeeded or Failed)',
      jobset: withStatus(base, (s) => {
        s.jobs = s.jobs.map((j) => (j.replicatedJob === 'workers' ? { ...j, state: j.jobIndex === 0 ? 'Succeeded' : 'Failed' } : j));
      }),
      now: W0_END + 10_000_000,
      want: false,
    },
    {
      name: 'only a Job without a deadline is old (the leader)',
      jobset: withStatus(base, (s) => {
        s.jobs = s.jobs.map((j) => (j.replicatedJob === 'workers' ? { ...j, startedMs: 0 } : j));
      }),
      now: W0_END + 10_000_000,
      want: false,
    },
  ];
  it.each(cases)('$name → $want', ({ jobset, now, want }) => {
    expect(deadlineDue(jobset, now)).toBe(want);
  });

  it('agrees with evaluateJobSet: due exactly when an evaluation would fail a Job for its deadline, whatever the pods\' clocks', () => {
    for (const js of [base, startsAt(base, 1), startsAt(base, W0_END + 86_400_000)])
      for (const now of [W0_END - 1, W0_END, W1_END - 1, W1_END]) {
        const d = evaluateJobSet(js, { now });
        expect(d.status.jobs.some((j) => j.failureReason === 'DeadlineExceeded'), `at ${now}`).toBe(deadlineDue(js, now));
      }
  });
});

// ---------------------------------------------------------------------------
// Step 6: replicatedJobs that may start now
// ---------------------------------------------------------------------------

const SETUP = 'pipe/setup/0/0';
const P_W00 = 'pipe/workers/0/0';
const P_W01 = 'pipe/workers/0/1';
const P_W10 = 'pipe/workers/1/0';
const P_W11 = 'pipe/workers/1/1';

/** pipe is an ADMITTED JobSet: setup (1 × 1), then workers (2 × 2) after setup is `status`; only setup started. */
function pipe(status: 'Ready' | 'Complete'): JobSet {
  const js = admittedJobSet(
    makeJobSet('pipe')
      .replicatedJob('setup', { cpu: 1, backoffLimit: 0 })
      .replicatedJob('workers', { replicas: 2, parallelism: 2, cpu: 1, backoffLimit: 0, dependsOn: [{ name: 'setup', status }] })
      .build(),
  );
  js.status!.startedReplicatedJobs = ['setup'];
  js.status!.history = [{ timeMs: 1, type: 'Admitted', message: 'all 5 pods placed on 1 node(s)' }];
  return js;
}

const running = (at: number): Partial<PodStatus> => ({ phase: 'POD_PHASE_RUNNING', startedMs: at, seq: 2 });

describe('replicatedJobs that may start (evaluateJobSet step 6)', () => {
  it('dependsOn Ready: once setup runs, the workers\' pods are to start and the JobSet records it', () => {
    const js = withPods(pipe('Ready'), { [SETUP]: running(100) });
    const d = evaluateJobSet(js, { now: 200 });

    expect(d.startPods).toEqual([P_W00, P_W01, P_W10, P_W11]);
    expect(d.status.startedReplicatedJobs).toEqual(['setup', 'workers']);
    expect(d.events).toEqual<LifecycleEvent[]>([{ type: 'ReplicatedJobStarted', message: 'replicatedJob workers may start: setup is Ready' }]);
    expect(d.status.history).toEqual([
      { timeMs: 1, type: 'Admitted', message: 'all 5 pods placed on 1 node(s)' },
      { timeMs: 200, type: 'ReplicatedJobStarted', message: 'replicatedJob workers may start: setup is Ready' },
    ]);
    // The workers' pods have not started yet: still ADMITTED.
    expect(d.status.phase).toBe('JOB_SET_PHASE_ADMITTED');
    expect(d.restartPods).toEqual([]);
    expect(js.status!.startedReplicatedJobs, 'the input is not modified').toEqual(['setup']);

    // Evaluating the result again: nothing more starts.
    const again = evaluateJobSet(next(js, d), { now: 300 });
    expect(again.startPods).toEqual([]);
    expect(again.events).toEqual([]);
    expect(again.status.startedReplicatedJobs).toEqual(['setup', 'workers']);
  });

  it('dependsOn Complete: a running setup is not enough; its pod succeeding completes the Job and opens workers in the same evaluation', () => {
    const run = evaluateJobSet(withPods(pipe('Complete'), { [SETUP]: running(100) }), { now: 200 });
    expect(run.startPods).toEqual([]);
    expect(run.events).toEqual([]);
    expect(run.status.startedReplicatedJobs).toEqual(['setup']);

    const done = evaluateJobSet(withPods(pipe('Complete'), { [SETUP]: SUCCEEDED(250) }), { now: 300 });
    expect(job(done.status, 'setup/0').state).toBe('Succeeded');
    expect(done.startPods).toEqual([P_W00, P_W01, P_W10, P_W11]);
    expect(done.status.startedReplicatedJobs).toEqual(['setup', 'workers']);
    expect(done.events.map((e) => e.message)).toEqual(['replicatedJob workers may start: setup is Complete']);
  });

  it('InOrder: each replicatedJob starts when the one before is Ready, one link per report', () => {
    let js = admittedJobSet(makeJobSet('c').replicatedJob('a', { cpu: 1 }).replicatedJob('b', { cpu: 1 }).replicatedJob('z', { cpu: 1 }).build());
    js.spec!.startupPolicy = { startupPolicyOrder: 'InOrder' };
    js.status!.startedReplicatedJobs = ['a'];

    js = withPods(js, { 'c/a/0/0': running(10) });
    let d = evaluateJobSet(js, { now: 20 });
    expect(d.startPods).toEqual(['c/b/0/0']);
    expect(d.events.map((e) => e.message)).toEqual(['replicatedJob b may start: a is Ready']);
    js = withPods(next(js, d), { 'c/b/0/0': running(30) });
    d = evaluateJobSet(js, { now: 40 });
    expect(d.startPods).toEqual(['c/z/0/0']);
    expect(d.status.startedReplicatedJobs).toEqual(['a', 'b', 'z']);
  });

  it('a started replicatedJob stays started when its dependency\'s pod is retried (Pending again)', () => {
    const b = makeJobSet('pipe')
      .replicatedJob('setup', { cpu: 1, backoffLimit: 3 })
      .replicatedJob('workers', { replicas: 2, parallelism: 2, cpu: 1, dependsOn: [{ name: 'setup', status: 'Ready' }] });
    const js = admittedJobSet(b.build());
    js.status!.startedReplicatedJobs = ['setup', 'workers'];
    js.status!.pods = js.status!.pods.map((p) => ({ ...p, ...running(10) }));
    const d = evaluateJobSet(withPods(js, { [SETUP]: { phase: 'POD_PHASE_FAILED', exitCode: 1, finishedMs: 50, seq: 3 } }), { now: 60 });
    expect(d.restartPods).toEqual([SETUP]);
    expect(d.status.pods.find((p) => p.podId === SETUP)!.phase).toBe('POD_PHASE_PENDING');
    expect(d.status.startedReplicatedJobs).toEqual(['setup', 'workers']);
    expect(d.startPods).toEqual([]);
  });

  it('a JobSet without a start order never lists pods to start', () => {
    const d = evaluateJobSet(train(), { now: 6000 });
    expect(d.startPods).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// History
// ---------------------------------------------------------------------------

describe('withHistory', () => {
  const status = (n: number): JobSetStatus => {
    const s = train().status!;
    s.history = Array.from({ length: n }, (_, i) => ({ timeMs: i, type: 'PodRetried', message: `old ${i}` }));
    return s;
  };

  it('appends the events at now, after what was there', () => {
    const s = withHistory(status(2), [{ type: 'JobFailed', message: 'a' }, { type: 'JobSetFailed', message: 'b' }], 99);
    expect(s.history).toEqual([
      { timeMs: 0, type: 'PodRetried', message: 'old 0' },
      { timeMs: 1, type: 'PodRetried', message: 'old 1' },
      { timeMs: 99, type: 'JobFailed', message: 'a' },
      { timeMs: 99, type: 'JobSetFailed', message: 'b' },
    ]);
  });

  it(`keeps the latest ${MAX_HISTORY}: the oldest are dropped`, () => {
    const before = status(MAX_HISTORY - 1);
    const s = withHistory(before, [{ type: 'JobFailed', message: 'a' }, { type: 'JobSetRestarted', message: 'b' }, { type: 'Admitted', message: 'c' }], 500);
    expect(s.history).toHaveLength(MAX_HISTORY);
    expect(s.history[0]).toEqual({ timeMs: 2, type: 'PodRetried', message: 'old 2' });
    expect(s.history.slice(-3).map((h) => h.message)).toEqual(['a', 'b', 'c']);
    expect(before.history, 'the input is not modified').toHaveLength(MAX_HISTORY - 1);
  });

  it('no events: the same status', () => {
    const s = status(3);
    expect(withHistory(s, [], 5)).toBe(s);
  });

  it('evaluateJobSet caps the history too', () => {
    const js = withStatus(seen(), (s) => {
      s.history = Array.from({ length: MAX_HISTORY }, (_, i) => ({ timeMs: i, type: 'PodRetried', message: `old ${i}` }));
    });
    const d = evaluateJobSet(js, { now: W0_END });
    expect(d.status.history).toHaveLength(MAX_HISTORY);
    expect(d.status.history[0]!.message).toBe('old 2');
    expect(d.status.history.slice(-2).map((h) => h.type)).toEqual(['JobFailed', 'JobSetFailed']);
  });
});

// ---------------------------------------------------------------------------
// requeuedStatus (suspend)
// ---------------------------------------------------------------------------

describe('requeuedStatus', () => {
  it('sends the pods back to the queue with a new generation, restarts the Job timers and the start order, keeps the counters', () => {
    const js = withStatus(evaluated(withPods(pipe('Ready'), { [SETUP]: { ...running(100), generation: 3 }, [P_W00]: { ...running(150), exitCode: 0 } }), 200), (s) => {
      s.phase = 'JOB_SET_PHASE_RUNNING';
      s.coordinatorPort = 29500;
      s.restarts = 2;
      s.restartsCountTowardsMax = 1;
      s.jobs[0]!.failures = 2;
      s.jobs[0]!.restarts = 1;
    });
    const before = structuredClone(js.status!);
    expect(before.startedReplicatedJobs).toEqual(['setup', 'workers']);
    // Started when the evaluation at 200 saw its pod running (the scheduler's clock).
    expect(job(before, 'setup/0').startedMs).toBe(200);

    const s = requeuedStatus(js.status!);

    expect(s.phase).toBe('JOB_SET_PHASE_PENDING');
    expect(s.startedReplicatedJobs).toEqual([]);
    expect(s.coordinatorPort).toBe(0);
    expect(s.restarts).toBe(2);
    expect(s.restartsCountTowardsMax).toBe(1);
    expect(s.history).toEqual(before.history);
    expect(s.pods.map((p) => p.podId)).toEqual(before.pods.map((p) => p.podId));
    for (const p of s.pods) {
      expect(p, p.podId).toMatchObject({ generation: 4, node: '', binding: null, phase: 'POD_PHASE_PENDING', startedMs: 0, finishedMs: 0, seq: 0, pid: 0 });
      expect(p.exitCode).toBeUndefined();
      expect(p.jobsetUid).toBe('uid-pipe');
    }
    expect(s.jobs.map((j) => j.startedMs)).toEqual([0, 0, 0]);
    expect(job(s, 'setup/0')).toMatchObject({ failures: 2, restarts: 1 });
    expect(js.status, 'the input is not modified').toEqual(before);
  });

  it('every Job is Active again, not started, nothing failed for good; its failure counters and restarts are kept', () => {
    const js = withStatus(evaluated(withPods(pipe('Ready'), { [SETUP]: running(100) }), 200), (s) => {
      s.jobs = s.jobs.map((j) =>
        j.replicatedJob === 'workers' && j.jobIndex === 1
          ? {
              ...j,
              state: 'Failed',
              failureReason: 'FailedIndexes',
              failureMessage: 'index(es) 1 failed',
              finishedMs: 190,
              startedMs: 150,
              failures: 3,
              ignoredFailures: 2,
              indexFailures: [1, 2],
              failedIndexes: [1],
              restarts: 4,
              restartsCountTowardsMax: 1,
            }
          : j,
      );
    });

    const s = requeuedStatus(js.status!);

    expect(job(s, 'workers/1')).toEqual({
      replicatedJob: 'workers',
      jobIndex: 1,
      state: 'Active',
      failureReason: '',
      failureMessage: '',
      finishedMs: 0,
      startedMs: 0,
      failedIndexes: [],
      // Kept: what was counted (as batch/v1 keeps a suspended Job's) and what was restarted.
      failures: 3,
      ignoredFailures: 2,
      indexFailures: [1, 2],
      restarts: 4,
      restartsCountTowardsMax: 1,
    });
    expect(s.jobs.map((j) => j.state)).toEqual(['Active', 'Active', 'Active']);
  });

  it('a Job that had Succeeded is Active again: its pods run again after the next admission, so what depends on it waits again', () => {
    const js = evaluated(withPods(pipe('Complete'), { [SETUP]: SUCCEEDED(250) }), 300);
    expect(job(js.status!, 'setup/0').state).toBe('Succeeded');
    expect(js.status!.startedReplicatedJobs).toEqual(['setup', 'workers']);

    const s = requeuedStatus(js.status!);

    expect(job(s, 'setup/0')).toMatchObject({ state: 'Active', finishedMs: 0, startedMs: 0 });
    expect(s.pods.find((p) => p.podId === SETUP)!.phase).toBe('POD_PHASE_PENDING');
  });

  it('a JobSet whose pods all have generation 0 gets generation 1', () => {
    expect(requeuedStatus(train().status!).pods.map((p) => p.generation)).toEqual([1, 1, 1, 1, 1]);
  });
});

// ---------------------------------------------------------------------------
// Through a real scheduler: evaluateDeadlines
// ---------------------------------------------------------------------------

describe('deadlines through the scheduler (evaluateDeadlines)', () => {
  let s: TestScheduler;
  afterEach(() => s?.close());

  /** Submits `name` from a native file whose replicatedJobs are given as written. */
  function submitFile(name: string, replicatedJobs: unknown[]): void {
    const doc = parseJobSetObject({ apiVersion: 'muster.dev/v1', kind: 'JobSet', metadata: { name }, spec: { replicatedJobs } });
    submitJobSet(s.ctx, { metadata: { name, labels: {}, uid: '', createdMs: 0, user: 'alice', userVerified: false, submitDir: '/home/alice' }, spec: doc.spec });
  }

  const podTemplate = (gpus: number) => ({ command: ['train'], resources: { cpu: 1, memory: '1Gi', gpus } });

  it('a Job past its activeDeadlineSeconds fails with no pod report; its pods leave the desired documents but hold capacity until gone', () => {
    s = startTestScheduler();
    registerTestNode(s, 'n1', { cpu: 16, gpus: 4 });
    submitFile('train', [{ name: 'workers', template: { backoffLimit: 0, activeDeadlineSeconds: 60, template: podTemplate(4) } }]);
    s.runCycle();
    const [a] = assignmentsOf(s, 'train') as [PodAssignment];
    // The agent's clock is an hour behind: the Job started when the scheduler got the report (T0), not an hour ago.
    handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(a, 'POD_PHASE_RUNNING', { startedMs: T0 - 3_600_000 })]));
    expect(jobsetOf(s, 'train').status!.phase).toBe('JOB_SET_PHASE_RUNNING');
    expect(jobsetOf(s, 'train').status!.jobs[0]!.startedMs).toBe(T0);

    s.clock.set(T0 + 59_999);
    expect(evaluateDeadlines(s.ctx)).toEqual([]);
    expect(jobsetOf(s, 'train').status!.phase).toBe('JOB_SET_PHASE_RUNNING');

    const revision = s.store.getNode('n1')!.revision;
    s.out.clear();
    s.cycleRequests.length = 0;
    s.clock.set(T0 + 61_000);
    expect(evaluateDeadlines(s.ctx)).toEqual(['train']);

    const st = jobsetOf(s, 'train').status!;
    expect(st.phase).toBe('JOB_SET_PHASE_FAILED');
    expect(st.reason).toBe('FailedJobs');
    expect(st.message).toContain('activeDeadlineSeconds');
    expect(st.jobs[0]).toMatchObject({ state: 'Failed', failureReason: 'DeadlineExceeded', finishedMs: T0 + 60_000 });
    expect(st.history.slice(-2).map((h) => h.type)).toEqual(['JobFailed', 'JobSetFailed']);
    expect(persistedJobSet(s.db, 'train')!.phase).toBe('JOB_SET_PHASE_FAILED');
    const doc = s.out.lastDesired('n1')!;
    expect(doc.revision).toBe(revision + 1);
    expect(doc.pods).toEqual([]);
    expect(s.out.eventsOf('train').at(-1)).toMatchObject({ phase: 'JOB_SET_PHASE_FAILED', reason: 'FailedJobs' });
    expect(s.cycleRequests).toContain('capacity freed');
    // The pod is being stopped: it holds its GPUs until the agent reports it gone.
    expect(lingeringOf(s, 'n1').gpus).toBe(4);
    handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', []));
    expect(lingeringOf(s, 'n1').gpus).toBe(0);

    // Nothing more is due.
    s.clock.advance(60_000);
    expect(evaluateDeadlines(s.ctx)).toEqual([]);
  });

  it('the deadline of a replicatedJob waiting for its dependency counts from when its pods start', () => {
    s = startTestScheduler();
    registerTestNode(s, 'n1', { cpu: 16, gpus: 4 });
    submitFile('pipe', [
      { name: 'setup', template: { backoffLimit: 0, template: podTemplate(0) } },
      { name: 'workers', dependsOn: [{ name: 'setup', status: 'Complete' }], template: { backoffLimit: 0, activeDeadlineSeconds: 60, template: podTemplate(4) } },
    ]);
    s.runCycle();
    const all = assignmentsOf(s, 'pipe');
    const setup = all.find((a) => a.replicatedJob === 'setup')!;
    const worker = all.find((a) => a.replicatedJob === 'workers')!;

    // setup runs for two minutes: the workers' deadline is not running.
    handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(setup, 'POD_PHASE_RUNNING', { startedMs: T0 })]));
    s.clock.set(T0 + 120_000);
    expect(evaluateDeadlines(s.ctx)).toEqual([]);
    handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(setup, 'POD_PHASE_SUCCEEDED', { startedMs: T0, finishedMs: T0 + 120_000 })]));
    expect(s.out.lastDesired('n1')!.pods.map((p) => p.podId)).toContain(worker.podId);

    const started = T0 + 121_000;
    s.clock.set(started);
    // This agent's clock is a day ahead: the deadline still counts from when the scheduler saw the pod start.
    handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(worker, 'POD_PHASE_RUNNING', { startedMs: started + 86_400_000 })]));
    expect(jobsetOf(s, 'pipe').status!.jobs.find((j) => j.replicatedJob === 'workers')!.startedMs).toBe(started);

    s.clock.set(started + 59_000);
    expect(evaluateDeadlines(s.ctx)).toEqual([]);
    s.clock.set(started + 60_000);
    expect(evaluateDeadlines(s.ctx)).toEqual(['pipe']);
    const st = jobsetOf(s, 'pipe').status!;
    expect(st.phase).toBe('JOB_SET_PHASE_FAILED');
    expect(st.jobs.find((j) => j.replicatedJob === 'workers')).toMatchObject({ failureReason: 'DeadlineExceeded', finishedMs: started + 60_000 });
    expect(s.out.lastDesired('n1')!.pods).toEqual([]);
  });
});

// newJobStatus is part of the deadline's contract: a Job at the start of an attempt has not started.
describe('newJobStatus', () => {
  it('starts Active, not started, nothing failed', () => {
    expect(newJobStatus('workers', 1)).toMatchObject({ replicatedJob: 'workers', jobIndex: 1, state: 'Active', startedMs: 0, finishedMs: 0, failures: 0, restarts: 0 });
  });
});
