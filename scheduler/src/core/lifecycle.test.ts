import { describe, expect, it } from 'vitest';
import { evaluateJobSet, newJobStatus, type LifecycleContext, type LifecycleDecision, type LifecycleEvent } from './lifecycle.js';
import type { FailurePolicyRule, JobSet, JobSetCondition, JobSetPhase, JobSetStatus, JobStatus, PodFailurePolicyRule, PodStatus } from '../../../shared/src/proto/types.js';
import { admittedJobSet, makeJobSet, type JobSetBuilder, type ReplicatedJobOptions } from '../../../test/helpers/builders.js';

// ---------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------

const NOW = 1_000_000;
const LATER = 2_000_000;

const LEADER = 'train/leader/0/0';
const W00 = 'train/workers/0/0';
const W01 = 'train/workers/0/1';
const W10 = 'train/workers/1/0';
const W11 = 'train/workers/1/1';
const ALL = [LEADER, W00, W01, W10, W11];
const WORKERS_1 = [W10, W11];

/** The highest pod generation of the fixture (W11 was retried before): a new incarnation gets 4. */
const MAX_GENERATION = 3;

interface Shape {
  leader?: ReplicatedJobOptions;
  workers?: ReplicatedJobOptions;
  configure?: (b: JobSetBuilder) => void;
}

/**
 * train is a RUNNING JobSet: leader (1 Job × 1 pod, on n1) and workers (2 Jobs
 * × 2 pods, on n2), every pod Running, backoffLimit 0 unless the shape says
 * otherwise, no failurePolicy unless configured. W11 is at generation 3 (it
 * was retried earlier), the others at 0. Conditions Admitted and Running are
 * True; every pod started (startedMs 40).
 */
function train(shape: Shape = {}): JobSet {
  const b = makeJobSet('train')
    .replicatedJob('leader', { cpu: 1, backoffLimit: 0, ...shape.leader })
    .replicatedJob('workers', { replicas: 2, parallelism: 2, cpu: 1, backoffLimit: 0, ...shape.workers });
  shape.configure?.(b);
  const js = admittedJobSet(b.build(), (p) => (p.replicatedJob === 'leader' ? 'n1' : 'n2'));
  const s = js.status!;
  s.phase = 'JOB_SET_PHASE_RUNNING';
  s.reason = 'AllPodsRunning';
  s.startedMs = 50;
  s.updatedMs = 50;
  s.conditions = [
    { type: 'Admitted', status: 'True', reason: 'Admitted', message: 'all 5 pods placed on 2 node(s)', lastTransitionMs: 1 },
    { type: 'Running', status: 'True', reason: 'AllPodsRunning', message: 'all 5 pods are running', lastTransitionMs: 50 },
  ];
  s.pods = s.pods.map((p) => ({ ...p, phase: 'POD_PHASE_RUNNING', startedMs: 40, seq: 2, pid: 100, generation: p.podId === W11 ? MAX_GENERATION : 0 }));
  return js;
}

/** withPods returns a copy of the JobSet with the given pods' fields replaced. */
function withPods(js: JobSet, pods: Record<string, Partial<PodStatus>>): JobSet {
  const out = structuredClone(js);
  out.status!.pods = out.status!.pods.map((p) => (pods[p.podId] ? { ...p, ...pods[p.podId] } : p));
  return out;
}

/** withStatus returns a copy of the JobSet with `edit` applied to its status. */
function withStatus(js: JobSet, edit: (s: JobSetStatus) => void): JobSet {
  const out = structuredClone(js);
  edit(out.status!);
  return out;
}

/** fail is a pod that exited with `exitCode` at `at`. */
function fail(exitCode: number, at = 500, over: Partial<PodStatus> = {}): Partial<PodStatus> {
  return { phase: 'POD_PHASE_FAILED', exitCode, finishedMs: at, ...over };
}

/** lostPod is a pod failed because its node was lost (no exit code); it had started (the fixture's startedMs) unless `over` says startedMs 0. */
function lostPod(at = 500, over: Partial<PodStatus> = {}): Partial<PodStatus> {
  return { phase: 'POD_PHASE_FAILED', reason: 'NodeLost', message: 'node n2 lost', finishedMs: at, ...over };
}

/** NEVER_STARTED: a pod whose node was lost before it started. */
const NEVER_STARTED: Partial<PodStatus> = { startedMs: 0, pid: 0 };

const SUCCEEDED: Partial<PodStatus> = { phase: 'POD_PHASE_SUCCEEDED', exitCode: 0, finishedMs: 400 };
const PENDING: Partial<PodStatus> = { phase: 'POD_PHASE_PENDING', startedMs: 0, pid: 0 };

/** rule is a JobSet failurePolicy rule. */
function rule(name: string, action: string, over: Partial<FailurePolicyRule> = {}): FailurePolicyRule {
  return { name, action, onJobFailureReasons: [], onJobFailureMessagePatterns: [], targetReplicatedJobs: [], ...over };
}

/** onExit is a podFailurePolicy rule on exit codes. */
function onExit(action: string, operator: 'In' | 'NotIn', ...values: number[]): PodFailurePolicyRule {
  return { action, onExitCodes: { operator, values }, onPodConditions: [] };
}

/** onDisruption is a podFailurePolicy rule on the DisruptionTarget pod condition (a lost node, among others). */
function onDisruption(action: string): PodFailurePolicyRule {
  return { action, onExitCodes: null, onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] };
}

/** jobStatus is a Job's status as kept from an earlier evaluation. */
function jobStatus(key: string, over: Partial<JobStatus> = {}): JobStatus {
  const [replicatedJob, idx] = key.split('/');
  return { ...newJobStatus(replicatedJob!, Number(idx)), ...over };
}

/** allJobs is the status.jobs of the fixture with `over` applied to some Jobs. */
function allJobs(over: Record<string, Partial<JobStatus>> = {}): JobStatus[] {
  return ['leader/0', 'workers/0', 'workers/1'].map((k) => jobStatus(k, over[k]));
}

/** policy sets a failurePolicy. */
function policy(strategy: string, maxRestarts: number, ...rules: FailurePolicyRule[]): Shape['configure'] {
  return (b) => b.failurePolicy(strategy, maxRestarts, rules);
}

/** cond finds a condition by type. */
function cond(s: JobSetStatus, type: string): JobSetCondition | undefined {
  return s.conditions.find((c) => c.type === type);
}

/** report returns a copy of the JobSet with pods reported at their current generation. */
function report(js: JobSet, pods: Record<string, Partial<PodStatus>>): JobSet {
  return withPods(js, pods);
}

/** next is the JobSet after a decision (the status written back). */
function next(js: JobSet, d: LifecycleDecision): JobSet {
  return { ...structuredClone(js), status: structuredClone(d.status) };
}

// ---------------------------------------------------------------------------
// evaluateJobSet: one evaluation
// ---------------------------------------------------------------------------

type ConditionWant = { status: string; reason: string } | null;

interface Case {
  name: string;
  jobset: JobSet;
  lostNodes?: string[];
  /** Pods that cannot run again where they are (ctx.unusable), by pod id. */
  unusable?: Record<string, 'NodeLost' | 'GPUUnhealthy'>;
  want: {
    phase: JobSetPhase;
    reason?: string;
    /** Defaults: unchanged from the input. */
    restarts?: number;
    restartsCountTowardsMax?: number;
    /** Pods given a new generation that run again where they are. */
    restartPods: string[];
    /** Default false. When true every pod gets a new generation and loses its node. */
    releasePlacement?: boolean;
    events: LifecycleEvent['type'][];
    /** By condition type; null = absent. */
    conditions?: Record<string, ConditionWant>;
    /** Default ''. */
    terminalState?: string;
    failedPod?: string;
    exitCode?: number;
    /** Parts of status.message. */
    message?: string[];
    /** Jobs by `<replicatedJob>/<jobIndex>`. */
    jobs?: Record<string, Partial<JobStatus>>;
  };
}

const cases: Case[] = [
  // --- pod retries ---------------------------------------------------------------
  {
    name: 'a pod failing within backoffLimit is retried alone on its node; the JobSet waits for it (ADMITTED, PodsRestarting)',
    jobset: withPods(train({ workers: { backoffLimit: 2 } }), { [W00]: fail(1) }),
    want: {
      phase: 'JOB_SET_PHASE_ADMITTED',
      reason: 'PodsRestarting',
      restartPods: [W00],
      events: ['PodRetried'],
      conditions: { RestartingJobSet: null, Failed: null },
      jobs: { 'workers/0': { failures: 1, state: 'Active' }, 'workers/1': { failures: 0 }, 'leader/0': { failures: 0 } },
    },
  },
  {
    name: 'a pod failing in an ADMITTED JobSet (some pods still starting) is retried, the JobSet stays ADMITTED',
    jobset: withStatus(withPods(train({ workers: { backoffLimit: 1 } }), { [W11]: fail(2), [W00]: PENDING }), (s) => {
      s.phase = 'JOB_SET_PHASE_ADMITTED';
      s.reason = 'Admitted';
    }),
    want: { phase: 'JOB_SET_PHASE_ADMITTED', restartPods: [W11], events: ['PodRetried'], jobs: { 'workers/1': { failures: 1 } } },
  },
  {
    name: 'two pods of one Job failing within the limit are both retried and both counted',
    jobset: withPods(train({ workers: { backoffLimit: 2 } }), { [W10]: fail(1, 500), [W11]: fail(1, 600) }),
    want: { phase: 'JOB_SET_PHASE_ADMITTED', reason: 'PodsRestarting', restartPods: [W10, W11], events: ['PodRetried', 'PodRetried'], jobs: { 'workers/1': { failures: 2 } } },
  },
  {
    name: 'a podFailurePolicy Ignore rule retries the pod without counting, even at backoffLimit 0',
    jobset: withPods(train({ workers: { podFailurePolicy: { rules: [onExit('Ignore', 'In', 137)] } } }), { [W01]: fail(137) }),
    want: { phase: 'JOB_SET_PHASE_ADMITTED', restartPods: [W01], events: ['PodFailureIgnored'], jobs: { 'workers/0': { failures: 0, ignoredFailures: 1 } } },
  },
  {
    name: 'a FailIndex rule fails the index for good: no retry, the Job stays Active while its other index runs',
    jobset: withPods(train({ workers: { backoffLimitPerIndex: 1, podFailurePolicy: { rules: [onExit('FailIndex', 'In', 42)] } } }), { [W01]: fail(42) }),
    want: { phase: 'JOB_SET_PHASE_RUNNING', restartPods: [], events: ['IndexFailed'], jobs: { 'workers/0': { failedIndexes: [1], state: 'Active' } } },
  },
  {
    name: 'backoffLimitPerIndex: every counted failure also counts against backoffLimit; over it the Job fails (BackoffLimitExceeded)',
    jobset: withPods(train({ workers: { backoffLimitPerIndex: 2, backoffLimit: 1 } }), { [W00]: fail(1, 500), [W01]: fail(1, 600) }),
    want: {
      phase: 'JOB_SET_PHASE_FAILED',
      reason: 'FailedJobs',
      restartPods: [],
      events: ['PodRetried', 'JobFailed', 'JobSetFailed'],
      terminalState: 'Failed',
      failedPod: W00,
      jobs: { 'workers/0': { state: 'Failed', failureReason: 'BackoffLimitExceeded', failures: 2, indexFailures: [1, 1], failedIndexes: [] } },
    },
  },
  {
    name: 'backoffLimitPerIndex without backoffLimit: backoffLimit is unlimited, the Job\'s failures grow and only the per-index limit applies',
    jobset: withStatus(withPods(train({ workers: { backoffLimitPerIndex: 1, backoffLimit: undefined } }), { [W00]: fail(1) }), (s) => {
      s.jobs = allJobs({ 'workers/0': { failures: 50, indexFailures: [0, 1] } });
    }),
    want: {
      phase: 'JOB_SET_PHASE_ADMITTED',
      reason: 'PodsRestarting',
      restartPods: [W00],
      events: ['PodRetried'],
      jobs: { 'workers/0': { state: 'Active', failures: 51, indexFailures: [1, 1], failedIndexes: [] } },
    },
  },
  {
    name: 'every index settled with one failed: the Job fails (FailedIndexes) and, without a failurePolicy, the JobSet',
    jobset: withPods(train({ workers: { backoffLimitPerIndex: 0 } }), { [W00]: SUCCEEDED, [W01]: fail(3) }),
    want: {
      phase: 'JOB_SET_PHASE_FAILED',
      reason: 'FailedJobs',
      restartPods: [],
      events: ['IndexFailed', 'JobFailed', 'JobSetFailed'],
      terminalState: 'Failed',
      conditions: { Failed: { status: 'True', reason: 'FailedJobs' } },
      failedPod: W01,
      exitCode: 3,
      jobs: { 'workers/0': { state: 'Failed', failureReason: 'FailedIndexes', failedIndexes: [1], finishedMs: NOW } },
    },
  },

  // --- no failurePolicy ----------------------------------------------------------
  {
    name: 'no failurePolicy: a Job over backoffLimit fails the JobSet (FailedJobs), naming the pod',
    jobset: withPods(train(), { [W10]: fail(3, 700) }),
    want: {
      phase: 'JOB_SET_PHASE_FAILED',
      reason: 'FailedJobs',
      restartPods: [],
      events: ['JobFailed', 'JobSetFailed'],
      terminalState: 'Failed',
      conditions: { Failed: { status: 'True', reason: 'FailedJobs' }, RestartingJobSet: null },
      failedPod: W10,
      exitCode: 3,
      message: [W10, 'exit code 3', 'BackoffLimitExceeded'],
      jobs: { 'workers/1': { state: 'Failed', failureReason: 'BackoffLimitExceeded', finishedMs: 700 } },
    },
  },
  {
    name: 'no failurePolicy: of two failed Jobs the earliest is the cause',
    jobset: withPods(train(), { [LEADER]: fail(2, 900), [W11]: fail(9, 300) }),
    want: {
      phase: 'JOB_SET_PHASE_FAILED',
      reason: 'FailedJobs',
      restartPods: [],
      events: ['JobFailed', 'JobFailed', 'JobSetFailed'],
      terminalState: 'Failed',
      failedPod: W11,
      exitCode: 9,
      jobs: { 'workers/1': { state: 'Failed', finishedMs: 300 }, 'leader/0': { state: 'Failed', finishedMs: 900 } },
    },
  },

  // --- RestartJobSet -----------------------------------------------------------
  {
    name: 'RestartJobSet InPlace (default rule): every pod gets a new generation on its node, the JobSet stays ADMITTED',
    jobset: withPods(train({ configure: policy('InPlace', 2) }), { [W10]: fail(1) }),
    want: {
      phase: 'JOB_SET_PHASE_ADMITTED',
      reason: 'Restarting',
      restarts: 1,
      restartsCountTowardsMax: 1,
      restartPods: ALL,
      events: ['JobFailed', 'JobSetRestarted'],
      // In place: still placed (Admitted stays True).
      conditions: { RestartingJobSet: { status: 'True', reason: 'DefaultFailurePolicy' }, Failed: null, Admitted: { status: 'True', reason: 'Admitted' } },
      failedPod: W10,
      exitCode: 1,
      message: ['in place', 'attempt 1'],
      jobs: { 'workers/1': { state: 'Active', failures: 0, failureReason: '', restarts: 0 }, 'leader/0': { state: 'Active' } },
    },
  },
  {
    name: 'RestartJobSet by a named rule: RestartingJobSet reason FailurePolicy_<name>',
    jobset: withPods(train({ configure: policy('InPlace', 2, rule('retryAll', 'RestartJobSet')) }), { [LEADER]: fail(1) }),
    want: {
      phase: 'JOB_SET_PHASE_ADMITTED',
      reason: 'Restarting',
      restarts: 1,
      restartsCountTowardsMax: 1,
      restartPods: ALL,
      events: ['JobFailed', 'JobSetRestarted'],
      conditions: { RestartingJobSet: { status: 'True', reason: 'FailurePolicy_retryAll' } },
      failedPod: LEADER,
    },
  },
  {
    name: 'RestartJobSet by an unnamed rule: the reason names it failurePolicyRule<N>',
    jobset: withPods(train({ configure: policy('InPlace', 2, rule('', 'FailJobSet', { targetReplicatedJobs: ['leader'] }), rule('', 'RestartJobSet')) }), { [W00]: fail(1) }),
    want: {
      phase: 'JOB_SET_PHASE_ADMITTED',
      restarts: 1,
      restartsCountTowardsMax: 1,
      restartPods: ALL,
      events: ['JobFailed', 'JobSetRestarted'],
      conditions: { RestartingJobSet: { status: 'True', reason: 'FailurePolicy_failurePolicyRule1' } },
    },
  },
  {
    name: 'RestartJobSet Recreate: the placement is released, the JobSet goes back to PENDING, pods lose their nodes',
    jobset: withPods(train({ configure: policy('Recreate', 2) }), { [W10]: fail(1) }),
    want: {
      phase: 'JOB_SET_PHASE_PENDING',
      reason: 'Restarting',
      restarts: 1,
      restartsCountTowardsMax: 1,
      restartPods: [],
      releasePlacement: true,
      events: ['JobFailed', 'JobSetRestarted'],
      // Back in the queue: no longer admitted nor running.
      conditions: { RestartingJobSet: { status: 'True', reason: 'DefaultFailurePolicy' }, Admitted: { status: 'False', reason: 'Restarting' }, Running: { status: 'False', reason: 'Restarting' } },
      failedPod: W10,
      message: ['Recreate'],
    },
  },
  {
    name: 'RestartJobSet BlockingRecreate: released like Recreate',
    jobset: withPods(train({ configure: policy('BlockingRecreate', 2) }), { [W10]: fail(1) }),
    want: {
      phase: 'JOB_SET_PHASE_PENDING',
      reason: 'Restarting',
      restarts: 1,
      restartsCountTowardsMax: 1,
      restartPods: [],
      releasePlacement: true,
      events: ['JobFailed', 'JobSetRestarted'],
      conditions: { RestartingJobSet: { status: 'True', reason: 'DefaultFailurePolicy' }, Admitted: { status: 'False', reason: 'Restarting' }, Running: { status: 'False', reason: 'Restarting' } },
      message: ['BlockingRecreate'],
    },
  },
  {
    name: 'RestartJobSet InPlace with a pod failed NodeLost: released through the queue instead',
    jobset: withPods(train({ configure: policy('InPlace', 2), workers: { backoffLimit: 5 } }), { [W10]: lostPod() }),
    want: {
      phase: 'JOB_SET_PHASE_PENDING',
      reason: 'Restarting',
      restarts: 1,
      restartsCountTowardsMax: 1,
      restartPods: [],
      releasePlacement: true,
      events: ['JobFailed', 'JobSetRestarted'],
      conditions: { RestartingJobSet: { status: 'True', reason: 'DefaultFailurePolicy' }, Admitted: { status: 'False', reason: 'Restarting' }, Running: { status: 'False', reason: 'Restarting' } },
      failedPod: W10,
      message: ['node was lost'],
    },
  },
  {
    name: 'RestartJobSet InPlace when another pod sits on a lost node: released through the queue',
    jobset: withPods(train({ configure: policy('InPlace', 2) }), { [W10]: fail(1) }),
    lostNodes: ['n1'],
    want: {
      phase: 'JOB_SET_PHASE_PENDING',
      restarts: 1,
      restartsCountTowardsMax: 1,
      restartPods: [],
      releasePlacement: true,
      events: ['JobFailed', 'JobSetRestarted'],
      conditions: { Admitted: { status: 'False', reason: 'Restarting' }, Running: { status: 'False', reason: 'Restarting' } },
    },
  },
  {
    name: 'RestartJobSet InPlace when a node the JobSet does not use is lost: stays in place',
    jobset: withPods(train({ configure: policy('InPlace', 2) }), { [W10]: fail(1) }),
    lostNodes: ['n9'],
    want: {
      phase: 'JOB_SET_PHASE_ADMITTED',
      reason: 'Restarting',
      restarts: 1,
      restartsCountTowardsMax: 1,
      restartPods: ALL,
      events: ['JobFailed', 'JobSetRestarted'],
    },
  },
  {
    name: 'RestartJobSet keeps what each Job used toward maxRestarts and its restarts',
    jobset: withStatus(withPods(train({ configure: policy('InPlace', 5) }), { [W00]: fail(1) }), (s) => {
      s.jobs = allJobs({ 'workers/1': { restarts: 2, restartsCountTowardsMax: 1 } });
    }),
    want: {
      phase: 'JOB_SET_PHASE_ADMITTED',
      restarts: 1,
      restartsCountTowardsMax: 1,
      restartPods: ALL,
      events: ['JobFailed', 'JobSetRestarted'],
      jobs: { 'workers/1': { restarts: 2, restartsCountTowardsMax: 1, state: 'Active' }, 'workers/0': { restarts: 0, restartsCountTowardsMax: 0, failures: 0, state: 'Active' } },
    },
  },
  {
    name: 'maxRestarts exhausted: RestartJobSet fails the JobSet (ReachedMaxRestarts), RestartingJobSet ends',
    jobset: withStatus(withPods(train({ configure: policy('InPlace', 1) }), { [W10]: fail(1) }), (s) => {
      s.restarts = 1;
      s.restartsCountTowardsMax = 1;
      s.conditions.push({ type: 'RestartingJobSet', status: 'True', reason: 'DefaultFailurePolicy', message: '', lastTransitionMs: 30 });
    }),
    want: {
      phase: 'JOB_SET_PHASE_FAILED',
      reason: 'ReachedMaxRestarts',
      restarts: 1,
      restartsCountTowardsMax: 1,
      restartPods: [],
      events: ['JobFailed', 'JobSetFailed'],
      terminalState: 'Failed',
      conditions: { Failed: { status: 'True', reason: 'ReachedMaxRestarts' }, RestartingJobSet: { status: 'False', reason: 'JobSetFailed' } },
      failedPod: W10,
      exitCode: 1,
      message: ['1 of 1 restart(s)'],
    },
  },
  {
    name: 'maxRestarts 0: the first RestartJobSet fails the JobSet',
    jobset: withPods(train({ configure: policy('Recreate', 0) }), { [LEADER]: fail(1) }),
    want: {
      phase: 'JOB_SET_PHASE_FAILED',
      reason: 'ReachedMaxRestarts',
      restartPods: [],
      events: ['JobFailed', 'JobSetFailed'],
      terminalState: 'Failed',
      conditions: { Failed: { status: 'True', reason: 'ReachedMaxRestarts' } },
      failedPod: LEADER,
    },
  },
  {
    name: 'restarts that did not count toward the max (status.restarts) do not exhaust it',
    jobset: withStatus(withPods(train({ configure: policy('InPlace', 1) }), { [W10]: fail(1) }), (s) => {
      s.restarts = 7;
      s.restartsCountTowardsMax = 0;
    }),
    want: { phase: 'JOB_SET_PHASE_ADMITTED', restarts: 8, restartsCountTowardsMax: 1, restartPods: ALL, events: ['JobFailed', 'JobSetRestarted'] },
  },
  {
    name: 'RestartJobSetAndIgnoreMaxRestarts beyond maxRestarts: restarts anyway, only restarts grows',
    jobset: withStatus(withPods(train({ configure: policy('InPlace', 1, rule('free', 'RestartJobSetAndIgnoreMaxRestarts')) }), { [W10]: fail(1) }), (s) => {
      s.restarts = 3;
      s.restartsCountTowardsMax = 1;
    }),
    want: {
      phase: 'JOB_SET_PHASE_ADMITTED',
      reason: 'Restarting',
      restarts: 4,
      restartsCountTowardsMax: 1,
      restartPods: ALL,
      events: ['JobFailed', 'JobSetRestarted'],
      conditions: { RestartingJobSet: { status: 'True', reason: 'FailurePolicy_free' }, Failed: null },
    },
  },
  {
    name: 'RestartJobSetAndIgnoreMaxRestarts with Recreate: released, restarts grows',
    jobset: withPods(train({ configure: policy('Recreate', 0, rule('free', 'RestartJobSetAndIgnoreMaxRestarts')) }), { [W10]: fail(1) }),
    want: {
      phase: 'JOB_SET_PHASE_PENDING',
      restarts: 1,
      restartsCountTowardsMax: 0,
      restartPods: [],
      releasePlacement: true,
      events: ['JobFailed', 'JobSetRestarted'],
      conditions: { RestartingJobSet: { status: 'True', reason: 'FailurePolicy_free' }, Admitted: { status: 'False', reason: 'Restarting' }, Running: { status: 'False', reason: 'Restarting' } },
    },
  },

  // --- RestartJob ----------------------------------------------------------------
  {
    name: "RestartJob: only the failed Job's pods get a new generation; the Job counts a restart toward the max",
    jobset: withPods(train({ configure: policy('Recreate', 2, rule('oneJob', 'RestartJob')) }), { [W10]: fail(1) }),
    want: {
      phase: 'JOB_SET_PHASE_ADMITTED',
      reason: 'PodsRestarting',
      restarts: 0,
      restartsCountTowardsMax: 0,
      restartPods: WORKERS_1,
      events: ['JobFailed', 'JobRestarted'],
      conditions: { RestartingJobSet: { status: 'True', reason: 'FailurePolicy_oneJob' }, Failed: null },
      jobs: {
        'workers/1': { state: 'Active', restarts: 1, restartsCountTowardsMax: 1, failures: 0, failureReason: '' },
        'workers/0': { restarts: 0, restartsCountTowardsMax: 0 },
        'leader/0': { restarts: 0 },
      },
    },
  },
  {
    name: 'RestartJob counts toward maxRestarts together with the JobSet restarts: exhausted → ReachedMaxRestarts',
    jobset: withStatus(withPods(train({ configure: policy('InPlace', 2, rule('oneJob', 'RestartJob')) }), { [W10]: fail(1) }), (s) => {
      s.restarts = 1;
      s.restartsCountTowardsMax = 1;
      s.jobs = allJobs({ 'workers/0': { restarts: 1, restartsCountTowardsMax: 1 } });
    }),
    want: {
      phase: 'JOB_SET_PHASE_FAILED',
      reason: 'ReachedMaxRestarts',
      restarts: 1,
      restartsCountTowardsMax: 1,
      restartPods: [],
      events: ['JobFailed', 'JobSetFailed'],
      terminalState: 'Failed',
      conditions: { Failed: { status: 'True', reason: 'ReachedMaxRestarts' } },
      message: ['2 of 2 restart(s)'],
    },
  },
  {
    name: 'RestartJob under the max counting JobSet and Job restarts: restarts the Job',
    jobset: withStatus(withPods(train({ configure: policy('InPlace', 3, rule('oneJob', 'RestartJob')) }), { [W10]: fail(1) }), (s) => {
      s.restartsCountTowardsMax = 1;
      s.jobs = allJobs({ 'workers/0': { restarts: 1, restartsCountTowardsMax: 1 }, 'workers/1': { restarts: 2, restartsCountTowardsMax: 0 } });
    }),
    want: {
      phase: 'JOB_SET_PHASE_ADMITTED',
      restartsCountTowardsMax: 1,
      restartPods: WORKERS_1,
      events: ['JobFailed', 'JobRestarted'],
      jobs: { 'workers/1': { restarts: 3, restartsCountTowardsMax: 1 }, 'workers/0': { restarts: 1, restartsCountTowardsMax: 1 } },
    },
  },
  {
    name: 'RestartJobAndIgnoreMaxRestarts at maxRestarts 0: the Job restarts, nothing counts toward the max',
    jobset: withPods(train({ configure: policy('InPlace', 0, rule('free', 'RestartJobAndIgnoreMaxRestarts')) }), { [W00]: fail(1) }),
    want: {
      phase: 'JOB_SET_PHASE_ADMITTED',
      reason: 'PodsRestarting',
      restartPods: [W00, W01],
      events: ['JobFailed', 'JobRestarted'],
      conditions: { RestartingJobSet: { status: 'True', reason: 'FailurePolicy_free' } },
      jobs: { 'workers/0': { restarts: 1, restartsCountTowardsMax: 0, state: 'Active' } },
    },
  },
  {
    name: 'RestartJob whose pod lost its node: the whole JobSet restarts through the queue, counted',
    jobset: withPods(train({ configure: policy('InPlace', 2, rule('oneJob', 'RestartJob')) }), { [W10]: lostPod() }),
    want: {
      phase: 'JOB_SET_PHASE_PENDING',
      reason: 'Restarting',
      restarts: 1,
      restartsCountTowardsMax: 1,
      restartPods: [],
      releasePlacement: true,
      events: ['JobFailed', 'JobSetRestarted'],
      conditions: { RestartingJobSet: { status: 'True', reason: 'FailurePolicy_oneJob' }, Admitted: { status: 'False', reason: 'Restarting' }, Running: { status: 'False', reason: 'Restarting' } },
    },
  },
  {
    name: "RestartJob with a retry due in another Job: that pod is retried too, and counted once",
    jobset: withPods(train({ leader: { backoffLimit: 3 }, configure: policy('InPlace', 2, rule('workersJob', 'RestartJob', { targetReplicatedJobs: ['workers'] })) }), {
      [LEADER]: fail(1, 400),
      [W10]: fail(1, 500),
    }),
    want: {
      phase: 'JOB_SET_PHASE_ADMITTED',
      restartPods: [LEADER, W10, W11],
      events: ['PodRetried', 'JobFailed', 'JobRestarted'],
      conditions: { RestartingJobSet: { status: 'True', reason: 'FailurePolicy_workersJob' } },
      jobs: { 'leader/0': { failures: 1, state: 'Active' }, 'workers/1': { restarts: 1, restartsCountTowardsMax: 1 } },
    },
  },

  // --- requeue: pods lost before they could fail ----------------------------------------
  {
    name: 'a pod whose node was lost before it started did not fail: the JobSet goes back to the queue (PENDING, Requeued), no restart and no failure counted',
    // backoffLimit 0 and no failurePolicy: a counted failure would have failed the JobSet.
    jobset: withStatus(withPods(train(), { [W10]: lostPod(500, NEVER_STARTED) }), (s) => {
      s.restarts = 2;
      s.restartsCountTowardsMax = 1;
      s.jobs = allJobs({ 'workers/1': { restarts: 1, restartsCountTowardsMax: 1, startedMs: 45 }, 'workers/0': { ignoredFailures: 3, startedMs: 45 } });
    }),
    want: {
      phase: 'JOB_SET_PHASE_PENDING',
      reason: 'Requeued',
      // restarts and restartsCountTowardsMax: unchanged (2 and 1).
      restartPods: [],
      releasePlacement: true,
      events: ['Requeued'],
      conditions: { Admitted: { status: 'False', reason: 'Requeued' }, Running: { status: 'False', reason: 'Requeued' }, RestartingJobSet: null, Failed: null },
      message: [W10, 'before it started'],
      jobs: {
        'workers/1': { state: 'Active', failures: 0, ignoredFailures: 0, failureReason: '', restarts: 1, restartsCountTowardsMax: 1, startedMs: 0 },
        'workers/0': { state: 'Active', failures: 0, ignoredFailures: 3, startedMs: 0 },
      },
    },
  },
  {
    name: 'pods lost before they started are requeued whatever the podFailurePolicy says (a FailJob rule on DisruptionTarget), and whatever the failurePolicy',
    jobset: withPods(train({ workers: { podFailurePolicy: { rules: [onDisruption('FailJob')] } }, configure: policy('InPlace', 3) }), {
      [W00]: lostPod(500, NEVER_STARTED),
      [W01]: lostPod(510, NEVER_STARTED),
    }),
    want: {
      phase: 'JOB_SET_PHASE_PENDING',
      reason: 'Requeued',
      restartPods: [],
      releasePlacement: true,
      events: ['Requeued'],
      conditions: { Admitted: { status: 'False', reason: 'Requeued' }, Running: { status: 'False', reason: 'Requeued' }, RestartingJobSet: null },
      message: [W00, W01],
      jobs: { 'workers/0': { state: 'Active', failures: 0, ignoredFailures: 0, failureReason: '' } },
    },
  },
  {
    name: 'an Ignore rule on DisruptionTarget: a running pod whose node was lost is requeued with the JobSet, counted as ignored only',
    jobset: withPods(train({ workers: { podFailurePolicy: { rules: [onDisruption('Ignore')] } } }), { [W10]: lostPod() }),
    want: {
      phase: 'JOB_SET_PHASE_PENDING',
      reason: 'Requeued',
      restartPods: [],
      releasePlacement: true,
      events: ['Requeued'],
      conditions: { Admitted: { status: 'False', reason: 'Requeued' }, Running: { status: 'False', reason: 'Requeued' }, RestartingJobSet: null, Failed: null },
      message: [W10, 'Ignore'],
      jobs: { 'workers/1': { state: 'Active', failures: 0, ignoredFailures: 1, restarts: 0 } },
    },
  },
  {
    name: 'a Job failed in the same evaluation wins over a requeue: the failurePolicy acts',
    jobset: withPods(train({ configure: policy('InPlace', 2) }), { [W10]: lostPod(500, NEVER_STARTED), [W00]: fail(1, 400) }),
    want: {
      phase: 'JOB_SET_PHASE_PENDING',
      reason: 'Restarting',
      restarts: 1,
      restartsCountTowardsMax: 1,
      restartPods: [],
      releasePlacement: true,
      events: ['JobFailed', 'JobSetRestarted'],
      conditions: { RestartingJobSet: { status: 'True', reason: 'DefaultFailurePolicy' } },
      failedPod: W00,
    },
  },

  // --- pods that cannot run again where they are (ctx.unusable) ----------------------------
  {
    name: 'a failed pod bound to a GPU now unhealthy is not retried in place: its Job fails (GPUUnhealthy); no failurePolicy → the JobSet fails',
    jobset: withPods(train({ workers: { backoffLimit: 5 } }), { [W10]: fail(1) }),
    unusable: { [W10]: 'GPUUnhealthy' },
    want: {
      phase: 'JOB_SET_PHASE_FAILED',
      reason: 'FailedJobs',
      restartPods: [],
      events: ['JobFailed', 'JobSetFailed'],
      terminalState: 'Failed',
      failedPod: W10,
      exitCode: 1,
      message: ['GPUUnhealthy', 'GPU'],
      jobs: { 'workers/1': { state: 'Failed', failureReason: 'GPUUnhealthy', failures: 1 } },
    },
  },
  {
    name: 'a failed pod on a node now Lost (it exited before) is not retried in place: its Job fails (NodeLost)',
    jobset: withPods(train({ workers: { backoffLimit: 5 } }), { [W10]: fail(1) }),
    unusable: { [W10]: 'NodeLost' },
    want: {
      phase: 'JOB_SET_PHASE_FAILED',
      reason: 'FailedJobs',
      restartPods: [],
      events: ['JobFailed', 'JobSetFailed'],
      terminalState: 'Failed',
      message: ['NodeLost'],
      jobs: { 'workers/1': { state: 'Failed', failureReason: 'NodeLost', failures: 1 } },
    },
  },
  {
    name: 'GPUUnhealthy with failurePolicy InPlace: the JobSet restarts through the queue, not in place',
    jobset: withPods(train({ workers: { backoffLimit: 5 }, configure: policy('InPlace', 2) }), { [W10]: fail(1) }),
    unusable: { [W10]: 'GPUUnhealthy' },
    want: {
      phase: 'JOB_SET_PHASE_PENDING',
      reason: 'Restarting',
      restarts: 1,
      restartsCountTowardsMax: 1,
      restartPods: [],
      releasePlacement: true,
      events: ['JobFailed', 'JobSetRestarted'],
      conditions: { RestartingJobSet: { status: 'True', reason: 'DefaultFailurePolicy' }, Admitted: { status: 'False', reason: 'Restarting' }, Running: { status: 'False', reason: 'Restarting' } },
      failedPod: W10,
      message: ['GPUUnhealthy', 'through the queue'],
    },
  },
  {
    name: 'an InPlace restart while another pod (still running) sits on an unhealthy GPU goes through the queue',
    jobset: withPods(train({ configure: policy('InPlace', 2) }), { [W00]: fail(1) }),
    unusable: { [W10]: 'GPUUnhealthy' },
    want: {
      phase: 'JOB_SET_PHASE_PENDING',
      reason: 'Restarting',
      restarts: 1,
      restartsCountTowardsMax: 1,
      restartPods: [],
      releasePlacement: true,
      events: ['JobFailed', 'JobSetRestarted'],
      conditions: { Admitted: { status: 'False', reason: 'Restarting' }, Running: { status: 'False', reason: 'Restarting' } },
      failedPod: W00,
      message: ['BackoffLimitExceeded', 'through the queue'],
    },
  },
  {
    name: 'RestartJob whose pod is bound to an unhealthy GPU: the whole JobSet restarts through the queue, counted',
    jobset: withPods(train({ workers: { backoffLimit: 5 }, configure: policy('InPlace', 2, rule('oneJob', 'RestartJob')) }), { [W10]: fail(1) }),
    unusable: { [W10]: 'GPUUnhealthy' },
    want: {
      phase: 'JOB_SET_PHASE_PENDING',
      reason: 'Restarting',
      restarts: 1,
      restartsCountTowardsMax: 1,
      restartPods: [],
      releasePlacement: true,
      events: ['JobFailed', 'JobSetRestarted'],
      conditions: { RestartingJobSet: { status: 'True', reason: 'FailurePolicy_oneJob' }, Admitted: { status: 'False', reason: 'Restarting' }, Running: { status: 'False', reason: 'Restarting' } },
      message: ['GPUUnhealthy'],
    },
  },
  {
    name: 'a pod retried within backoffLimit stays in place while another pod\'s GPU is unhealthy (only the failed pod must move)',
    jobset: withPods(train({ workers: { backoffLimit: 2 } }), { [W00]: fail(1) }),
    unusable: { [W10]: 'GPUUnhealthy' },
    want: { phase: 'JOB_SET_PHASE_ADMITTED', reason: 'PodsRestarting', restartPods: [W00], events: ['PodRetried'], jobs: { 'workers/0': { failures: 1, state: 'Active' } } },
  },

  // --- FailJobSet ------------------------------------------------------------------
  {
    name: 'a FailJobSet rule on the Job failure reason fails the JobSet (FailJobSetFailurePolicyAction) despite restarts left',
    jobset: withPods(
      train({
        workers: { backoffLimit: 5, podFailurePolicy: { rules: [onExit('FailJob', 'In', 42)] } },
        configure: policy('InPlace', 5, rule('fatal', 'FailJobSet', { onJobFailureReasons: ['PodFailurePolicy'] })),
      }),
      { [W01]: fail(42) },
    ),
    want: {
      phase: 'JOB_SET_PHASE_FAILED',
      reason: 'FailJobSetFailurePolicyAction',
      restartPods: [],
      events: ['JobFailed', 'JobSetFailed'],
      terminalState: 'Failed',
      conditions: { Failed: { status: 'True', reason: 'FailJobSetFailurePolicyAction' }, RestartingJobSet: null },
      failedPod: W01,
      exitCode: 42,
      jobs: { 'workers/0': { state: 'Failed', failureReason: 'PodFailurePolicy' } },
    },
  },
  {
    name: 'a FailJobSet rule whose reason does not match falls through to the default RestartJobSet',
    jobset: withPods(train({ configure: policy('InPlace', 5, rule('fatal', 'FailJobSet', { onJobFailureReasons: ['PodFailurePolicy'] })) }), { [W01]: fail(1) }),
    want: {
      phase: 'JOB_SET_PHASE_ADMITTED',
      restarts: 1,
      restartsCountTowardsMax: 1,
      restartPods: ALL,
      events: ['JobFailed', 'JobSetRestarted'],
      conditions: { RestartingJobSet: { status: 'True', reason: 'DefaultFailurePolicy' } },
    },
  },

  // --- success -----------------------------------------------------------------------
  {
    name: 'success policy Any on workers: one workers Job done while the rest still run → SUCCEEDED',
    jobset: withPods(train({ configure: (b) => b.successPolicy('Any', ['workers']) }), { [W10]: SUCCEEDED, [W11]: SUCCEEDED }),
    want: {
      phase: 'JOB_SET_PHASE_SUCCEEDED',
      reason: 'AllJobsCompleted',
      restartPods: [],
      events: ['JobSetCompleted'],
      terminalState: 'Completed',
      conditions: { Completed: { status: 'True', reason: 'AllJobsCompleted' }, Failed: null },
      message: ['Any', 'workers'],
      jobs: { 'workers/1': { state: 'Succeeded', finishedMs: NOW }, 'workers/0': { state: 'Active' } },
    },
  },
  {
    name: 'success policy Any on workers: the leader finishing does not complete the JobSet',
    jobset: withPods(train({ configure: (b) => b.successPolicy('Any', ['workers']) }), { [LEADER]: SUCCEEDED }),
    want: { phase: 'JOB_SET_PHASE_RUNNING', restartPods: [], events: [], jobs: { 'leader/0': { state: 'Succeeded' } } },
  },
  {
    name: 'success policy All: every pod succeeded → SUCCEEDED',
    jobset: withPods(train({ configure: (b) => b.successPolicy('All') }), Object.fromEntries(ALL.map((p) => [p, SUCCEEDED]))),
    want: {
      phase: 'JOB_SET_PHASE_SUCCEEDED',
      reason: 'AllJobsCompleted',
      restartPods: [],
      events: ['JobSetCompleted'],
      terminalState: 'Completed',
      conditions: { Completed: { status: 'True', reason: 'AllJobsCompleted' } },
      jobs: { 'leader/0': { state: 'Succeeded' }, 'workers/0': { state: 'Succeeded' }, 'workers/1': { state: 'Succeeded' } },
    },
  },
  {
    name: 'success policy All: one pod still running → still RUNNING',
    jobset: withPods(train(), { [LEADER]: SUCCEEDED, [W00]: SUCCEEDED, [W01]: SUCCEEDED, [W10]: SUCCEEDED }),
    want: { phase: 'JOB_SET_PHASE_RUNNING', restartPods: [], events: [], jobs: { 'workers/1': { state: 'Active' } } },
  },
  {
    name: 'success met while a retry is due elsewhere: completes, nothing restarts',
    jobset: withPods(train({ workers: { backoffLimit: 3 }, configure: (b) => b.successPolicy('Any', ['workers']) }), { [W00]: fail(1), [W10]: SUCCEEDED, [W11]: SUCCEEDED }),
    want: { phase: 'JOB_SET_PHASE_SUCCEEDED', restartPods: [], events: ['PodRetried', 'JobSetCompleted'], terminalState: 'Completed' },
  },
  {
    name: 'a failure wins over success in the same evaluation',
    jobset: withPods(train(), { [LEADER]: fail(1, 10), [W00]: SUCCEEDED, [W01]: SUCCEEDED, [W10]: SUCCEEDED, [W11]: SUCCEEDED }),
    want: {
      phase: 'JOB_SET_PHASE_FAILED',
      reason: 'FailedJobs',
      restartPods: [],
      events: ['JobFailed', 'JobSetFailed'],
      terminalState: 'Failed',
      conditions: { Failed: { status: 'True', reason: 'FailedJobs' }, Completed: null },
      failedPod: LEADER,
      exitCode: 1,
    },
  },
  {
    name: 'a failure wins over success policy Any met in the same evaluation',
    jobset: withPods(train({ configure: (b) => b.successPolicy('Any', ['workers']) }), { [W00]: fail(1, 10), [W10]: SUCCEEDED, [W11]: SUCCEEDED }),
    want: { phase: 'JOB_SET_PHASE_FAILED', reason: 'FailedJobs', restartPods: [], events: ['JobFailed', 'JobSetFailed'], terminalState: 'Failed' },
  },

  // --- progress ------------------------------------------------------------------------
  {
    name: 'ADMITTED becomes RUNNING when every pod started',
    jobset: withStatus(train(), (s) => {
      s.phase = 'JOB_SET_PHASE_ADMITTED';
      s.reason = 'Admitted';
      s.startedMs = 0;
      s.conditions = [];
    }),
    want: { phase: 'JOB_SET_PHASE_RUNNING', reason: 'AllPodsRunning', restartPods: [], events: ['AllPodsRunning'], conditions: { Running: { status: 'True', reason: 'AllPodsRunning' } } },
  },
];

/** ctxOf is the lifecycle context of a case at `now`. */
function ctxOf(c: Case, now: number): LifecycleContext {
  return { now, lostNodes: new Set(c.lostNodes ?? []), unusable: (p) => c.unusable?.[p.podId] };
}

describe('evaluateJobSet', () => {
  for (const c of cases) {
    it(c.name, () => {
      const before = structuredClone(c.jobset);
      const input = before.status!;
      const d = evaluateJobSet(c.jobset, ctxOf(c, NOW));
      const s = d.status;
      const w = c.want;

      expect(c.jobset, 'the input JobSet is not modified').toEqual(before);
      expect(s.phase).toBe(w.phase);
      if (w.reason !== undefined) expect(s.reason).toBe(w.reason);
      for (const part of w.message ?? []) expect(s.message).toContain(part);
      expect(s.restarts, 'restarts').toBe(w.restarts ?? input.restarts);
      expect(s.restartsCountTowardsMax, 'restartsCountTowardsMax').toBe(w.restartsCountTowardsMax ?? input.restartsCountTowardsMax);
      expect([...d.restartPods].sort(), 'restartPods').toEqual([...w.restartPods].sort());
      expect(d.releasePlacement, 'releasePlacement').toBe(w.releasePlacement ?? false);
      expect(d.events.map((e) => e.type), 'events').toEqual(w.events);
      expect(d.startPods, 'startPods (no start order)').toEqual([]);
      // The events are appended to the JobSet's history, at now.
      expect(s.history.map((h) => h.type), 'history').toEqual([...input.history.map((h) => h.type), ...w.events]);
      expect(s.history.slice(input.history.length).every((h) => h.timeMs === NOW)).toBe(true);
      expect(s.terminalState, 'terminalState').toBe(w.terminalState ?? '');
      if (w.failedPod !== undefined) expect(s.failedPod, 'failedPod').toBe(w.failedPod);
      if (w.exitCode !== undefined) expect(s.exitCode, 'exitCode').toBe(w.exitCode);

      // New incarnations: a generation above every earlier one, nothing run yet, same node unless released.
      const renewed = w.releasePlacement ? ALL : w.restartPods;
      expect(s.pods.map((p) => p.podId)).toEqual(input.pods.map((p) => p.podId));
      for (const old of input.pods) {
        const now = s.pods.find((p) => p.podId === old.podId)!;
        if (renewed.includes(old.podId)) {
          expect(now, old.podId).toMatchObject({
            generation: MAX_GENERATION + 1,
            phase: 'POD_PHASE_PENDING',
            node: w.releasePlacement ? '' : old.node,
            binding: w.releasePlacement ? null : old.binding,
            startedMs: 0,
            finishedMs: 0,
            seq: 0,
            pid: 0,
            reason: '',
            signal: '',
          });
          expect(now.exitCode, `${old.podId} exitCode`).toBeUndefined();
          expect(now.jobsetUid).toBe(old.jobsetUid);
          expect(now.requests).toEqual(old.requests);
        } else expect(now, `${old.podId} is untouched`).toEqual(old);
      }

      for (const [type, want] of Object.entries(w.conditions ?? {})) {
        const got = cond(s, type);
        if (want === null) expect(got, `condition ${type}`).toBeUndefined();
        else expect(got, `condition ${type}`).toMatchObject(want);
      }
      for (const [key, want] of Object.entries(w.jobs ?? {})) {
        const got = s.jobs.find((j) => `${j.replicatedJob}/${j.jobIndex}` === key);
        expect(got, `job ${key}`).toMatchObject(want);
      }
      expect(s.jobs.map((j) => `${j.replicatedJob}/${j.jobIndex}`), 'one Job status per Job').toEqual(['leader/0', 'workers/0', 'workers/1']);

      const terminal = w.phase === 'JOB_SET_PHASE_SUCCEEDED' || w.phase === 'JOB_SET_PHASE_FAILED';
      expect(s.finishedMs, 'finishedMs').toBe(terminal ? NOW : 0);
      if (w.releasePlacement) expect(s.coordinatorPort).toBe(0);
      if (w.restartPods.length > 0 || w.releasePlacement || terminal) expect(s.updatedMs, 'updatedMs').toBe(NOW);
    });

    it(`${c.name} — evaluating the result again changes nothing`, () => {
      const first = evaluateJobSet(c.jobset, ctxOf(c, NOW));
      const js = next(c.jobset, first);
      const snapshot = structuredClone(js.status);
      const again = evaluateJobSet(js, ctxOf(c, LATER));
      expect(again.status).toEqual(snapshot);
      expect(again.restartPods).toEqual([]);
      expect(again.releasePlacement).toBe(false);
      expect(again.startPods).toEqual([]);
      expect(again.events).toEqual([]);
    });
  }

  const untouched: { name: string; phase: JobSetPhase }[] = [
    { name: 'a PENDING JobSet (back in the queue)', phase: 'JOB_SET_PHASE_PENDING' },
    { name: 'a SUCCEEDED JobSet', phase: 'JOB_SET_PHASE_SUCCEEDED' },
    { name: 'a FAILED JobSet', phase: 'JOB_SET_PHASE_FAILED' },
  ];
  for (const c of untouched)
    it(`${c.name} comes back unchanged (the same status object), even with a failed pod`, () => {
      const js = withStatus(withPods(train({ configure: policy('InPlace', 3) }), { [W00]: fail(1), [W10]: SUCCEEDED }), (s) => {
        s.phase = c.phase;
      });
      const before = structuredClone(js);
      const d = evaluateJobSet(js, { now: NOW, lostNodes: new Set(['n1', 'n2']) });
      expect(d.status).toBe(js.status);
      expect(d).toEqual({ status: js.status, restartPods: [], releasePlacement: false, startPods: [], events: [] });
      expect(js).toEqual(before);
    });
});

// ---------------------------------------------------------------------------
// evaluateJobSet: over several evaluations
// ---------------------------------------------------------------------------

describe('evaluateJobSet over time', () => {
  it('after an InPlace restart, RestartingJobSet turns False (JobsReady) and the JobSet RUNNING once every pod runs the new generation', () => {
    let js = withPods(train({ configure: policy('InPlace', 2) }), { [W10]: fail(1) });
    const restart = evaluateJobSet(js, { now: 100 });
    expect(restart.status.phase).toBe('JOB_SET_PHASE_ADMITTED');
    js = next(js, restart);
    const gen = MAX_GENERATION + 1;
    expect(js.status!.pods.every((p) => p.generation === gen)).toBe(true);

    // Some pods run again: still restarting.
    js = report(js, { [LEADER]: { phase: 'POD_PHASE_RUNNING', seq: 1, startedMs: 150 }, [W00]: { phase: 'POD_PHASE_RUNNING', seq: 1, startedMs: 150 } });
    let d = evaluateJobSet(js, { now: 200 });
    expect(d.status.phase).toBe('JOB_SET_PHASE_ADMITTED');
    expect(cond(d.status, 'RestartingJobSet')).toMatchObject({ status: 'True', reason: 'DefaultFailurePolicy', lastTransitionMs: 100 });
    expect(d.restartPods).toEqual([]);
    js = next(js, d);

    // All of them: the restart is over.
    js = report(js, Object.fromEntries(ALL.map((p) => [p, { phase: 'POD_PHASE_RUNNING' as const, seq: 1, startedMs: 250 }])));
    d = evaluateJobSet(js, { now: 300 });
    expect(d.status.phase).toBe('JOB_SET_PHASE_RUNNING');
    expect(d.status.reason).toBe('AllPodsRunning');
    expect(cond(d.status, 'RestartingJobSet')).toMatchObject({ status: 'False', reason: 'JobsReady', lastTransitionMs: 300 });
    expect(cond(d.status, 'Running')).toMatchObject({ status: 'True' });
    expect(d.status.restarts).toBe(1);
    expect(d.status.restartsCountTowardsMax).toBe(1);
    expect(d.events.map((e) => e.type)).toEqual(['AllPodsRunning']);
    expect(d.events[0]!.message).toContain('attempt 1');
    expect(d.restartPods).toEqual([]);
    expect(d.status.pods.every((p) => p.generation === gen)).toBe(true);
  });

  it('after a RestartJob, RestartingJobSet turns False (JobsReady) once the restarted Job runs again', () => {
    let js = withPods(train({ configure: policy('InPlace', 2, rule('oneJob', 'RestartJob')) }), { [W00]: fail(1) });
    const d1 = evaluateJobSet(js, { now: 100 });
    expect(d1.status.phase).toBe('JOB_SET_PHASE_ADMITTED');
    js = next(js, d1);
    js = report(js, { [W00]: { phase: 'POD_PHASE_RUNNING', seq: 1 }, [W01]: { phase: 'POD_PHASE_RUNNING', seq: 1 } });
    const d2 = evaluateJobSet(js, { now: 200 });
    expect(d2.status.phase).toBe('JOB_SET_PHASE_RUNNING');
    expect(cond(d2.status, 'RestartingJobSet')).toMatchObject({ status: 'False', reason: 'JobsReady' });
    expect(d2.status.jobs.find((j) => j.replicatedJob === 'workers' && j.jobIndex === 0)).toMatchObject({ restarts: 1, restartsCountTowardsMax: 1, state: 'Active' });
  });

  it('a pod failing again after a retry adds to the same Job count across evaluations, up to backoffLimit', () => {
    let js = withPods(train({ workers: { backoffLimit: 1 } }), { [W01]: fail(1, 100) });
    const d1 = evaluateJobSet(js, { now: 110 });
    expect(d1.restartPods).toEqual([W01]);
    expect(d1.status.jobs.find((j) => j.replicatedJob === 'workers' && j.jobIndex === 0)?.failures).toBe(1);
    js = next(js, d1);
    const gen1 = js.status!.pods.find((p) => p.podId === W01)!.generation;
    expect(gen1).toBe(MAX_GENERATION + 1);

    // It runs again, and the JobSet with it.
    js = report(js, { [W01]: { phase: 'POD_PHASE_RUNNING', seq: 1, startedMs: 120 } });
    const d2 = evaluateJobSet(js, { now: 130 });
    expect(d2.status.phase).toBe('JOB_SET_PHASE_RUNNING');
    expect(d2.status.jobs.find((j) => j.replicatedJob === 'workers' && j.jobIndex === 0)?.failures).toBe(1);
    js = next(js, d2);

    // It fails again: 2 > backoffLimit 1, the Job and (no failurePolicy) the JobSet fail.
    js = report(js, { [W01]: fail(1, 140, { seq: 2 }) });
    const d3 = evaluateJobSet(js, { now: 150 });
    expect(d3.status.phase).toBe('JOB_SET_PHASE_FAILED');
    expect(d3.status.reason).toBe('FailedJobs');
    expect(d3.status.jobs.find((j) => j.replicatedJob === 'workers' && j.jobIndex === 0)).toMatchObject({ failures: 2, state: 'Failed', failureReason: 'BackoffLimitExceeded' });
  });

  it('a retried pod failing again within the limit gets the next generation again', () => {
    let js = withPods(train({ workers: { backoffLimit: 3 } }), { [W01]: fail(1, 100) });
    js = next(js, evaluateJobSet(js, { now: 110 }));
    js = report(js, { [W01]: fail(1, 140, { seq: 3 }) });
    const d = evaluateJobSet(js, { now: 150 });
    expect(d.restartPods).toEqual([W01]);
    expect(d.status.pods.find((p) => p.podId === W01)).toMatchObject({ generation: MAX_GENERATION + 2, phase: 'POD_PHASE_PENDING', node: 'n2' });
    expect(d.status.jobs.find((j) => j.replicatedJob === 'workers' && j.jobIndex === 0)?.failures).toBe(2);
  });

  it('RestartJob restarts count toward maxRestarts across Jobs until the JobSet fails', () => {
    let js = withPods(train({ configure: policy('InPlace', 2, rule('oneJob', 'RestartJob')) }), { [W10]: fail(1, 100) });
    const d1 = evaluateJobSet(js, { now: 110 });
    expect(d1.restartPods.sort()).toEqual(WORKERS_1);
    js = next(js, d1);
    js = report(js, { [W10]: { phase: 'POD_PHASE_RUNNING', seq: 1 }, [W11]: { phase: 'POD_PHASE_RUNNING', seq: 1 } });
    js = next(js, evaluateJobSet(js, { now: 120 }));

    js = report(js, { [W00]: fail(1, 130) });
    const d2 = evaluateJobSet(js, { now: 140 });
    expect(d2.restartPods.sort()).toEqual([W00, W01]);
    expect(d2.status.jobs.map((j) => j.restartsCountTowardsMax)).toEqual([0, 1, 1]);
    js = next(js, d2);
    js = report(js, { [W00]: { phase: 'POD_PHASE_RUNNING', seq: 1 }, [W01]: { phase: 'POD_PHASE_RUNNING', seq: 1 } });
    js = next(js, evaluateJobSet(js, { now: 150 }));

    js = report(js, { [LEADER]: fail(1, 160) });
    const d3 = evaluateJobSet(js, { now: 170 });
    expect(d3.status.phase).toBe('JOB_SET_PHASE_FAILED');
    expect(d3.status.reason).toBe('ReachedMaxRestarts');
    expect(d3.status.failedPod).toBe(LEADER);
  });

  it('a Recreate restart leaves the JobSet PENDING; evaluating it again does nothing', () => {
    const js = withPods(train({ configure: policy('Recreate', 2) }), { [W10]: fail(1) });
    const d1 = evaluateJobSet(js, { now: 100 });
    expect(d1.releasePlacement).toBe(true);
    const again = next(js, d1);
    const d2 = evaluateJobSet(again, { now: 200 });
    expect(d2.status).toBe(again.status);
    expect(d2.releasePlacement).toBe(false);
  });
});

describe('evaluateJobSet: nodeLossRequeueLimit (lostRequeueLimit)', () => {
  const lostRunning = (lostRequeues: number): JobSet => withStatus(withPods(train(), { [W10]: lostPod() }), (s) => (s.lostRequeues = lostRequeues));
  const ctx = (limit?: number): LifecycleContext => ({ now: NOW, ...(limit !== undefined ? { lostRequeueLimit: limit } : {}) });

  it('under the limit, a running pod lost with its node requeues a JobSet without failurePolicy and counts it', () => {
    const d = evaluateJobSet(lostRunning(2), ctx(3));
    expect(d.status.phase).toBe('JOB_SET_PHASE_PENDING');
    expect(d.status.reason).toBe('Requeued');
    expect(d.status.lostRequeues).toBe(3);
    expect(d.status.message).toContain('after a node loss: 3 of at most 3');
    expect(d.releasePlacement).toBe(true);
  });

  it('at the limit, the next loss fails the Job (NodeLost) and, without failurePolicy, the JobSet, saying why', () => {
    const d = evaluateJobSet(lostRunning(3), ctx(3));
    expect(d.status.phase).toBe('JOB_SET_PHASE_FAILED');
    expect(d.status.lostRequeues).toBe(3);
    expect(d.events.map((e) => e.type)).toEqual(['JobFailed', 'JobSetFailed']);
    const job = d.status.jobs.find((j) => j.replicatedJob === 'workers' && j.jobIndex === 1)!;
    expect(job.failureReason).toBe('NodeLost');
    expect(job.failureMessage).toContain('nodeLossRequeueLimit (3)');
    expect(job.failureMessage).toContain(W10);
  });

  it('a limit of 0 fails at the first loss; -1 or none never does', () => {
    expect(evaluateJobSet(lostRunning(0), ctx(0)).status.phase).toBe('JOB_SET_PHASE_FAILED');
    for (const c of [ctx(-1), ctx()]) {
      const d = evaluateJobSet(lostRunning(1_000), c);
      expect(d.status.phase).toBe('JOB_SET_PHASE_PENDING');
      expect(d.status.lostRequeues).toBe(1_001);
      expect(d.status.message).not.toContain('at most');
    }
  });

  it('pods lost before they started, and losses an Ignore rule covers, are requeued without counting, even past the limit', () => {
    const neverStarted = withStatus(withPods(train(), { [W10]: lostPod(500, NEVER_STARTED) }), (s) => (s.lostRequeues = 5));
    const ignored = withStatus(withPods(train({ workers: { podFailurePolicy: { rules: [onDisruption('Ignore')] } } }), { [W10]: lostPod() }), (s) => (s.lostRequeues = 5));
    for (const js of [neverStarted, ignored]) {
      const d = evaluateJobSet(js, ctx(1));
      expect(d.status.phase).toBe('JOB_SET_PHASE_PENDING');
      expect(d.status.lostRequeues).toBe(5);
    }
  });

  it('with a failurePolicy the limit plays no part: the policy decides as before', () => {
    const js = withStatus(withPods(train({ configure: policy('InPlace', 2) }), { [W10]: lostPod() }), (s) => (s.lostRequeues = 9));
    const d = evaluateJobSet(js, ctx(1));
    expect(d.status.reason).not.toBe('Requeued');
    expect(d.status.lostRequeues).toBe(9);
    expect(d.status.jobs.find((j) => j.replicatedJob === 'workers' && j.jobIndex === 1)!.failureMessage).not.toContain('nodeLossRequeueLimit');
  });
});
