import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF_LIMIT, chooseFailureAction, judgePodFailure, matchPodFailureRule, ruleName, type JobSetAction, type PodFailureOutcome } from './failure-policy.js';
import type { FailurePolicyRule, JobSetSpec, JobStatus, JobTemplate, PodFailurePolicyRule, PodStatus } from '../../../shared/src/proto/types.js';
import { newJobStatus } from './lifecycle.js';
import { makeJobSet, podStatus, type ReplicatedJobOptions } from '../../../test/helpers/builders.js';

// ---------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------

/** template is the Job template of a replicatedJob written with `o`, not defaulted (backoffLimit stays unset unless given). */
function template(o: ReplicatedJobOptions = {}): JobTemplate {
  return makeJobSet('train').replicatedJob('workers', { parallelism: 4, ...o }).rawSpec().replicatedJobs[0]!.template!;
}

/** onExit is a podFailurePolicy rule on exit codes. */
function onExit(action: string, operator: 'In' | 'NotIn', ...values: number[]): PodFailurePolicyRule {
  return { action, onExitCodes: { operator, values }, onPodConditions: [] };
}

/** onDisruption is a podFailurePolicy rule on the DisruptionTarget pod condition. */
function onDisruption(action: string, status = 'True'): PodFailurePolicyRule {
  return { action, onExitCodes: null, onPodConditions: [{ type: 'DisruptionTarget', status }] };
}

/** policy is the podFailurePolicy option of a replicatedJob. */
function policy(...rules: PodFailurePolicyRule[]): Pick<ReplicatedJobOptions, 'podFailurePolicy'> {
  return { podFailurePolicy: { rules } };
}

/** job is the JobStatus of workers/0 at the start of an attempt, with `over` applied. */
function job(over: Partial<JobStatus> = {}): JobStatus {
  return { ...newJobStatus('workers', 0), ...over };
}

/** failedPod is pod `podIndex` of workers/0 failed on n1, exiting with `exitCode` (undefined: killed, no exit code). */
function failedPod(exitCode: number | undefined, over: Partial<PodStatus> = {}, podIndex = 0): PodStatus {
  // A pod that ran (started at 5) and failed at 10; a test of a pod that never started says startedMs: 0.
  const p = podStatus(`train/workers/0/${podIndex}`, { node: 'n1', phase: 'POD_PHASE_FAILED', startedMs: 5, finishedMs: 10, ...over });
  if (exitCode !== undefined) p.exitCode = exitCode;
  return p;
}

const KILLED: Partial<PodStatus> = { signal: 'SIGKILL' };

// ---------------------------------------------------------------------------
// matchPodFailureRule
// ---------------------------------------------------------------------------

describe('matchPodFailureRule', () => {
  const cases: { name: string; tmpl: JobTemplate | null | undefined; pod: PodStatus; want: number | undefined }[] = [
    { name: 'no template: nothing matches', tmpl: undefined, pod: failedPod(1), want: undefined },
    { name: 'null template: nothing matches', tmpl: null, pod: failedPod(1), want: undefined },
    { name: 'no podFailurePolicy: nothing matches', tmpl: template(), pod: failedPod(1), want: undefined },
    { name: 'In: a listed exit code matches', tmpl: template(policy(onExit('FailJob', 'In', 3, 42))), pod: failedPod(42), want: 0 },
    { name: 'In: an unlisted exit code does not match', tmpl: template(policy(onExit('FailJob', 'In', 3, 42))), pod: failedPod(1), want: undefined },
    { name: 'NotIn: an unlisted exit code matches', tmpl: template(policy(onExit('FailJob', 'NotIn', 0, 1))), pod: failedPod(2), want: 0 },
    { name: 'NotIn: a listed exit code does not match', tmpl: template(policy(onExit('FailJob', 'NotIn', 0, 1))), pod: failedPod(1), want: undefined },
    { name: 'In 137: a pod killed by SIGKILL matches as exit code 128+9, as container runtimes report it', tmpl: template(policy(onExit('FailJob', 'In', 137))), pod: failedPod(undefined, KILLED), want: 0 },
    { name: 'NotIn 0: a pod killed by a signal matches (its code is 128+N)', tmpl: template(policy(onExit('FailJob', 'NotIn', 0))), pod: failedPod(undefined, KILLED), want: 0 },
    { name: 'In 143: a SIGKILL (137) does not match SIGTERM\'s code', tmpl: template(policy(onExit('FailJob', 'In', 143))), pod: failedPod(undefined, KILLED), want: undefined },
    { name: 'a pod with neither exit code nor signal (never started) matches no exit-code rule', tmpl: template(policy(onExit('FailJob', 'NotIn', 0))), pod: failedPod(undefined, { reason: 'StartError' }), want: undefined },
    {
      name: 'first matching rule wins (index of the first)',
      tmpl: template(policy(onExit('Ignore', 'In', 7), onExit('Count', 'In', 1, 2), onExit('FailJob', 'NotIn', 0))),
      pod: failedPod(2),
      want: 1,
    },
    {
      name: 'a later rule matches when the earlier ones do not',
      tmpl: template(policy(onExit('Ignore', 'In', 7), onExit('Count', 'In', 1, 2), onExit('FailJob', 'NotIn', 0))),
      pod: failedPod(9),
      want: 2,
    },
    { name: 'DisruptionTarget matches NodeLost', tmpl: template(policy(onDisruption('Ignore'))), pod: failedPod(undefined, { reason: 'NodeLost' }), want: 0 },
    { name: 'DisruptionTarget matches NodeRestarted', tmpl: template(policy(onDisruption('Ignore'))), pod: failedPod(undefined, { reason: 'NodeRestarted' }), want: 0 },
    { name: 'DisruptionTarget matches Stopped', tmpl: template(policy(onDisruption('Ignore'))), pod: failedPod(143, { reason: 'Stopped' }), want: 0 },
    { name: 'DisruptionTarget does not match a plain exit', tmpl: template(policy(onDisruption('Ignore'))), pod: failedPod(1), want: undefined },
    { name: 'DisruptionTarget does not match another reason', tmpl: template(policy(onDisruption('Ignore'))), pod: failedPod(137, { reason: 'OOMKilled' }), want: undefined },
    { name: 'DisruptionTarget with status False does not match a disrupted pod', tmpl: template(policy(onDisruption('Ignore', 'False'))), pod: failedPod(undefined, { reason: 'NodeLost' }), want: undefined },
    { name: 'DisruptionTarget with an empty status means True', tmpl: template(policy(onDisruption('Ignore', ''))), pod: failedPod(undefined, { reason: 'NodeRestarted' }), want: 0 },
    {
      name: 'a rule with neither exit codes nor conditions never matches',
      tmpl: template(policy({ action: 'FailJob', onExitCodes: null, onPodConditions: [] })),
      pod: failedPod(1),
      want: undefined,
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const got = matchPodFailureRule(c.tmpl, c.pod);
      expect(got?.index).toBe(c.want);
      if (c.want !== undefined) expect(got?.rule).toBe(c.tmpl!.podFailurePolicy!.rules[c.want]);
    });
});

// ---------------------------------------------------------------------------
// judgePodFailure
// ---------------------------------------------------------------------------

describe('judgePodFailure', () => {
  const cases: {
    name: string;
    tmpl: JobTemplate | null | undefined;
    job?: Partial<JobStatus>;
    pod: PodStatus;
    podIndex?: number;
    want: Partial<PodFailureOutcome>;
    /** Parts the outcome's message must contain. */
    message?: string[];
    /** The Job's counters after judging (the rest of the Job must be unchanged). */
    wantJob?: Partial<JobStatus>;
    /** Why the pod could not run again where it was. */
    unusable?: 'NodeLost' | 'GPUUnhealthy';
    /** The JobSet has no failurePolicy (lost pods requeue the gang). */
    requeueLost?: boolean;
  }[] = [
    // --- backoffLimit ---------------------------------------------------------
    {
      name: 'no policy, first failure under backoffLimit: counted and retried',
      tmpl: template({ backoffLimit: 2 }),
      pod: failedPod(1),
      want: { kind: 'retry', counted: true, ignored: false },
      wantJob: { failures: 1 },
    },
    {
      name: 'backoffLimit boundary: failures == backoffLimit still retries',
      tmpl: template({ backoffLimit: 2 }),
      job: { failures: 1 },
      pod: failedPod(1),
      want: { kind: 'retry', counted: true, ignored: false },
      wantJob: { failures: 2 },
    },
    {
      name: 'backoffLimit boundary: failures == backoffLimit + 1 fails the Job (BackoffLimitExceeded)',
      tmpl: template({ backoffLimit: 2 }),
      job: { failures: 2 },
      pod: failedPod(1),
      want: { kind: 'failJob', reason: 'BackoffLimitExceeded' },
      message: ['train/workers/0/0', 'exit code 1', 'backoffLimit 2'],
      wantJob: { failures: 3 },
    },
    {
      name: 'backoffLimit 0: the first failure fails the Job',
      tmpl: template({ backoffLimit: 0 }),
      pod: failedPod(1),
      want: { kind: 'failJob', reason: 'BackoffLimitExceeded' },
      wantJob: { failures: 1 },
    },
    {
      name: `backoffLimit unset defaults to ${DEFAULT_BACKOFF_LIMIT}: the 6th failure retries`,
      tmpl: template(),
      job: { failures: 5 },
      pod: failedPod(1),
      want: { kind: 'retry', counted: true },
      wantJob: { failures: 6 },
    },
    {
      name: `backoffLimit unset defaults to ${DEFAULT_BACKOFF_LIMIT}: the 7th failure fails the Job`,
      tmpl: template(),
      job: { failures: 6 },
      pod: failedPod(1),
      want: { kind: 'failJob', reason: 'BackoffLimitExceeded' },
      message: ['backoffLimit 6'],
      wantJob: { failures: 7 },
    },
    {
      name: 'no template at all: the default backoffLimit applies',
      tmpl: undefined,
      job: { failures: 6 },
      pod: failedPod(1),
      want: { kind: 'failJob', reason: 'BackoffLimitExceeded' },
      wantJob: { failures: 7 },
    },
    {
      name: 'a pod killed by a signal is counted like any failure',
      tmpl: template({ backoffLimit: 1 }),
      pod: failedPod(undefined, KILLED),
      want: { kind: 'retry', counted: true },
      wantJob: { failures: 1 },
    },

    // --- FailJob --------------------------------------------------------------
    {
      name: 'FailJob In: a listed exit code fails the Job (PodFailurePolicy) without counting',
      tmpl: template({ backoffLimit: 5, ...policy(onExit('FailJob', 'In', 42)) }),
      pod: failedPod(42),
      want: { kind: 'failJob', reason: 'PodFailurePolicy' },
      message: ['exit code 42', 'podFailurePolicy rule 0', 'FailJob'],
      wantJob: { failures: 0 },
    },
    {
      name: 'FailJob In: an unlisted exit code is counted',
      tmpl: template({ backoffLimit: 5, ...policy(onExit('FailJob', 'In', 42)) }),
      pod: failedPod(1),
      want: { kind: 'retry', counted: true },
      wantJob: { failures: 1 },
    },
    {
      name: 'FailJob NotIn: an unlisted exit code fails the Job',
      tmpl: template({ backoffLimit: 5, ...policy(onExit('FailJob', 'NotIn', 0, 1)) }),
      pod: failedPod(3),
      want: { kind: 'failJob', reason: 'PodFailurePolicy' },
      wantJob: { failures: 0 },
    },
    {
      name: 'FailJob NotIn: a listed exit code is counted',
      tmpl: template({ backoffLimit: 5, ...policy(onExit('FailJob', 'NotIn', 0, 1)) }),
      pod: failedPod(1),
      want: { kind: 'retry', counted: true },
      wantJob: { failures: 1 },
    },
    {
      name: 'FailJob In 137: a pod killed by SIGKILL (the OOM killer) fails the Job by the rule',
      tmpl: template({ backoffLimit: 5, ...policy(onExit('FailJob', 'In', 137)) }),
      pod: failedPod(undefined, KILLED),
      want: { kind: 'failJob', reason: 'PodFailurePolicy' },
      wantJob: { failures: 0 },
    },
    {
      name: 'FailJob NotIn 0: a pod that never started (no exit code, no signal) does not match, it is counted',
      tmpl: template({ backoffLimit: 5, ...policy(onExit('FailJob', 'NotIn', 0)) }),
      pod: failedPod(undefined, { reason: 'StartError' }),
      want: { kind: 'retry', counted: true },
      wantJob: { failures: 1 },
    },
    {
      name: 'FailJob on DisruptionTarget: a lost node fails the Job by the rule (PodFailurePolicy, not NodeLost)',
      tmpl: template({ backoffLimit: 5, ...policy(onDisruption('FailJob')) }),
      pod: failedPod(undefined, { reason: 'NodeLost' }),
      want: { kind: 'failJob', reason: 'PodFailurePolicy' },
      wantJob: { failures: 0 },
    },

    // --- lost or evicted pods of a JobSet without failurePolicy ---------------------
    {
      name: 'no failurePolicy: a pod lost with its node requeues the gang, nothing counted (like Slurm)',
      tmpl: template({ backoffLimit: 5 }),
      pod: failedPod(undefined, { reason: 'NodeLost' }),
      requeueLost: true,
      want: { kind: 'requeue' },
      message: ['its node was lost', 'no failurePolicy'],
      wantJob: { failures: 0 },
    },
    {
      name: 'no failurePolicy: a pod evicted by a drain requeues the gang too',
      tmpl: template({ backoffLimit: 5 }),
      pod: failedPod(undefined, { reason: 'NodeDrained' }),
      requeueLost: true,
      want: { kind: 'requeue' },
      message: ['drained with evict'],
    },
    {
      name: 'with a failurePolicy: a lost pod fails its Job (NodeLost) and the policy decides',
      tmpl: template({ backoffLimit: 5 }),
      pod: failedPod(undefined, { reason: 'NodeDrained' }),
      requeueLost: false,
      want: { kind: 'failJob', reason: 'NodeLost' },
      message: ['drained with evict'],
    },
    {
      name: 'no failurePolicy but a podFailurePolicy Count rule on DisruptionTarget: the rule wins (the Job fails)',
      tmpl: template({ backoffLimit: 5, ...policy(onDisruption('Count')) }),
      pod: failedPod(undefined, { reason: 'NodeLost' }),
      requeueLost: true,
      want: { kind: 'failJob', reason: 'NodeLost' },
    },

    // --- FailIndex ------------------------------------------------------------
    {
      name: 'FailIndex In: a listed exit code fails the pod index without counting',
      tmpl: template({ backoffLimitPerIndex: 3, ...policy(onExit('FailIndex', 'In', 42)) }),
      pod: failedPod(42, {}, 2),
      podIndex: 2,
      want: { kind: 'failIndex' },
      message: ['podFailurePolicy rule 0', 'FailIndex'],
      wantJob: { failedIndexes: [2], indexFailures: [], failures: 0 },
    },
    {
      name: 'FailIndex In: an unlisted exit code is counted for its index',
      tmpl: template({ backoffLimitPerIndex: 3, ...policy(onExit('FailIndex', 'In', 42)) }),
      pod: failedPod(1, {}, 2),
      podIndex: 2,
      want: { kind: 'retry', counted: true },
      wantJob: { failures: 1,  indexFailures: [0, 0, 1], failedIndexes: [] },
    },
    {
      name: 'FailIndex NotIn: an unlisted exit code fails the index',
      tmpl: template({ backoffLimitPerIndex: 3, ...policy(onExit('FailIndex', 'NotIn', 42)) }),
      pod: failedPod(3, {}, 1),
      podIndex: 1,
      want: { kind: 'failIndex' },
      wantJob: { failedIndexes: [1] },
    },
    {
      name: 'FailIndex NotIn: a listed exit code is counted for its index',
      tmpl: template({ backoffLimitPerIndex: 3, ...policy(onExit('FailIndex', 'NotIn', 42)) }),
      pod: failedPod(42, {}, 1),
      podIndex: 1,
      want: { kind: 'retry', counted: true },
      wantJob: { failures: 1,  indexFailures: [0, 1], failedIndexes: [] },
    },
    {
      name: 'FailIndex keeps failedIndexes sorted',
      tmpl: template({ backoffLimitPerIndex: 3, ...policy(onExit('FailIndex', 'In', 42)) }),
      job: { failedIndexes: [3] },
      pod: failedPod(42, {}, 1),
      podIndex: 1,
      want: { kind: 'failIndex' },
      wantJob: { failedIndexes: [1, 3] },
    },
    {
      name: 'FailIndex over maxFailedIndexes fails the Job (MaxFailedIndexesExceeded)',
      tmpl: template({ backoffLimitPerIndex: 3, maxFailedIndexes: 1, ...policy(onExit('FailIndex', 'In', 42)) }),
      job: { failedIndexes: [0] },
      pod: failedPod(42, {}, 1),
      podIndex: 1,
      want: { kind: 'failJob', reason: 'MaxFailedIndexesExceeded' },
      message: ['maxFailedIndexes 1'],
      wantJob: { failedIndexes: [0, 1] },
    },
    {
      name: 'FailIndex on DisruptionTarget: a lost node fails the index (the rule wins over NodeLost)',
      tmpl: template({ backoffLimitPerIndex: 3, ...policy(onDisruption('FailIndex')) }),
      pod: failedPod(undefined, { reason: 'NodeLost' }, 3),
      podIndex: 3,
      want: { kind: 'failIndex' },
      wantJob: { failedIndexes: [3] },
    },

    // --- Ignore ---------------------------------------------------------------
    {
      name: 'Ignore In: a listed exit code is retried without counting, even with backoffLimit 0',
      tmpl: template({ backoffLimit: 0, ...policy(onExit('Ignore', 'In', 137)) }),
      pod: failedPod(137),
      want: { kind: 'retry', counted: false, ignored: true },
      wantJob: { failures: 0, ignoredFailures: 1 },
    },
    {
      name: 'Ignore In: an unlisted exit code is counted',
      tmpl: template({ backoffLimit: 0, ...policy(onExit('Ignore', 'In', 137)) }),
      pod: failedPod(1),
      want: { kind: 'failJob', reason: 'BackoffLimitExceeded' },
      wantJob: { failures: 1, ignoredFailures: 0 },
    },
    {
      name: 'Ignore NotIn: an unlisted exit code is ignored',
      tmpl: template({ backoffLimit: 0, ...policy(onExit('Ignore', 'NotIn', 1)) }),
      job: { ignoredFailures: 4 },
      pod: failedPod(2),
      want: { kind: 'retry', counted: false, ignored: true },
      wantJob: { failures: 0, ignoredFailures: 5 },
    },
    {
      name: 'Ignore NotIn: a listed exit code is counted',
      tmpl: template({ backoffLimit: 0, ...policy(onExit('Ignore', 'NotIn', 1)) }),
      pod: failedPod(1),
      want: { kind: 'failJob', reason: 'BackoffLimitExceeded' },
      wantJob: { failures: 1, ignoredFailures: 0 },
    },
    {
      name: 'Ignore with backoffLimitPerIndex: nothing is counted for the index',
      tmpl: template({ backoffLimitPerIndex: 0, ...policy(onExit('Ignore', 'In', 137)) }),
      pod: failedPod(137, {}, 1),
      podIndex: 1,
      want: { kind: 'retry', counted: false, ignored: true },
      wantJob: { indexFailures: [], failedIndexes: [], ignoredFailures: 1 },
    },
    {
      name: 'Ignore on DisruptionTarget: a node restart is ignored',
      tmpl: template({ backoffLimit: 0, ...policy(onDisruption('Ignore')) }),
      pod: failedPod(undefined, { reason: 'NodeRestarted' }),
      want: { kind: 'retry', counted: false, ignored: true },
      wantJob: { ignoredFailures: 1 },
    },
    {
      name: 'Ignore on DisruptionTarget: a pod stopped by the system is ignored',
      tmpl: template({ backoffLimit: 0, ...policy(onDisruption('Ignore')) }),
      pod: failedPod(143, { reason: 'Stopped', signal: 'SIGTERM' }),
      want: { kind: 'retry', counted: false, ignored: true },
      wantJob: { ignoredFailures: 1 },
    },
    {
      name: 'Ignore on DisruptionTarget: a plain exit is not a disruption, it is counted',
      tmpl: template({ backoffLimit: 0, ...policy(onDisruption('Ignore')) }),
      pod: failedPod(1),
      want: { kind: 'failJob', reason: 'BackoffLimitExceeded' },
      wantJob: { failures: 1, ignoredFailures: 0 },
    },
    {
      name: 'Ignore on DisruptionTarget: a lost node is not the pod\'s failure: the gang is placed again, uncounted',
      tmpl: template({ backoffLimit: 5, ...policy(onDisruption('Ignore')) }),
      pod: failedPod(undefined, { reason: 'NodeLost' }),
      want: { kind: 'requeue' },
      message: ['Ignore', 'placed again'],
      wantJob: { failures: 0, ignoredFailures: 1 },
    },
    {
      name: 'a pod whose node was lost before it started did not fail: requeue, nothing counted (whatever the rules)',
      tmpl: template({ backoffLimit: 0, ...policy(onDisruption('FailJob')) }),
      pod: failedPod(undefined, { reason: 'NodeLost', startedMs: 0 }),
      want: { kind: 'requeue' },
      message: ['before it started'],
      wantJob: { failures: 0, ignoredFailures: 0 },
    },
    {
      name: 'a retry where a GPU of the pod turned unhealthy fails the Job (GPUUnhealthy) instead of retrying in place',
      tmpl: template({ backoffLimit: 5 }),
      pod: failedPod(1),
      unusable: 'GPUUnhealthy',
      want: { kind: 'failJob', reason: 'GPUUnhealthy' },
      message: ['GPU'],
      wantJob: { failures: 1 },
    },

    // --- Count ----------------------------------------------------------------
    {
      name: 'Count In: a listed exit code is counted (retry under the limit)',
      tmpl: template({ backoffLimit: 1, ...policy(onExit('Count', 'In', 3)) }),
      pod: failedPod(3),
      want: { kind: 'retry', counted: true, ignored: false },
      wantJob: { failures: 1 },
    },
    {
      name: 'Count In: a listed exit code over the limit fails the Job',
      tmpl: template({ backoffLimit: 1, ...policy(onExit('Count', 'In', 3)) }),
      job: { failures: 1 },
      pod: failedPod(3),
      want: { kind: 'failJob', reason: 'BackoffLimitExceeded' },
      wantJob: { failures: 2 },
    },
    {
      name: 'Count NotIn: an unlisted exit code is counted',
      tmpl: template({ backoffLimit: 1, ...policy(onExit('Count', 'NotIn', 3)) }),
      pod: failedPod(4),
      want: { kind: 'retry', counted: true },
      wantJob: { failures: 1 },
    },
    {
      name: 'Count NotIn: a listed exit code (no rule matches) is counted all the same',
      tmpl: template({ backoffLimit: 1, ...policy(onExit('Count', 'NotIn', 3)) }),
      pod: failedPod(3),
      want: { kind: 'retry', counted: true },
      wantJob: { failures: 1 },
    },

    // --- rule order -----------------------------------------------------------
    {
      name: 'rule order: Ignore before FailJob on the same code ignores',
      tmpl: template({ backoffLimit: 0, ...policy(onExit('Ignore', 'In', 1), onExit('FailJob', 'In', 1)) }),
      pod: failedPod(1),
      want: { kind: 'retry', ignored: true },
      wantJob: { ignoredFailures: 1 },
    },
    {
      name: 'rule order: FailJob before Ignore on the same code fails the Job',
      tmpl: template({ backoffLimit: 5, ...policy(onExit('FailJob', 'In', 1), onExit('Ignore', 'In', 1)) }),
      pod: failedPod(1),
      want: { kind: 'failJob', reason: 'PodFailurePolicy' },
      message: ['podFailurePolicy rule 0'],
      wantJob: { ignoredFailures: 0, failures: 0 },
    },
    {
      name: 'rule order: a later rule applies when the first does not match, and is named by its index',
      tmpl: template({ backoffLimit: 5, ...policy(onExit('Ignore', 'In', 2), onExit('FailJob', 'In', 1)) }),
      pod: failedPod(1),
      want: { kind: 'failJob', reason: 'PodFailurePolicy' },
      message: ['podFailurePolicy rule 1'],
    },

    // --- backoffLimitPerIndex / maxFailedIndexes --------------------------------
    {
      name: 'backoffLimitPerIndex: the first failure of an index is counted for that index (and in the Job\'s total, against backoffLimit)',
      tmpl: template({ backoffLimitPerIndex: 1 }),
      pod: failedPod(1, {}, 2),
      podIndex: 2,
      want: { kind: 'retry', counted: true },
      wantJob: { indexFailures: [0, 0, 1], failures: 1, failedIndexes: [] },
    },
    {
      name: 'backoffLimitPerIndex: failures of other indexes do not count against this one',
      tmpl: template({ backoffLimitPerIndex: 1 }),
      job: { indexFailures: [5, 0, 0] },
      pod: failedPod(1, {}, 1),
      podIndex: 1,
      want: { kind: 'retry', counted: true },
      wantJob: { failures: 1,  indexFailures: [5, 1, 0], failedIndexes: [] },
    },
    {
      name: 'backoffLimitPerIndex boundary: index failures == limit still retries',
      tmpl: template({ backoffLimitPerIndex: 2 }),
      job: { indexFailures: [1] },
      pod: failedPod(1),
      want: { kind: 'retry', counted: true },
      wantJob: { failures: 1,  indexFailures: [2], failedIndexes: [] },
    },
    {
      name: 'backoffLimitPerIndex boundary: limit + 1 fails the index (not the Job)',
      tmpl: template({ backoffLimitPerIndex: 2 }),
      job: { indexFailures: [2] },
      pod: failedPod(1),
      want: { kind: 'failIndex' },
      message: ['index 0', 'backoffLimitPerIndex 2'],
      wantJob: { failures: 1,  indexFailures: [3], failedIndexes: [0] },
    },
    {
      name: 'backoffLimitPerIndex 0: the first failure fails the index',
      tmpl: template({ backoffLimitPerIndex: 0 }),
      pod: failedPod(1, {}, 3),
      podIndex: 3,
      want: { kind: 'failIndex' },
      wantJob: { failures: 1,  indexFailures: [0, 0, 0, 1], failedIndexes: [3] },
    },
    {
      name: 'maxFailedIndexes: failed indexes up to the max leave the Job running',
      tmpl: template({ backoffLimitPerIndex: 0, maxFailedIndexes: 2 }),
      job: { failedIndexes: [0] },
      pod: failedPod(1, {}, 2),
      podIndex: 2,
      want: { kind: 'failIndex' },
      wantJob: { failures: 1,  indexFailures: [0, 0, 1], failedIndexes: [0, 2] },
    },
    {
      name: 'maxFailedIndexes: one failed index over the max fails the Job (MaxFailedIndexesExceeded)',
      tmpl: template({ backoffLimitPerIndex: 0, maxFailedIndexes: 2 }),
      job: { failedIndexes: [0, 2] },
      pod: failedPod(1, {}, 3),
      podIndex: 3,
      want: { kind: 'failJob', reason: 'MaxFailedIndexesExceeded' },
      message: ['3 failed index(es)', 'maxFailedIndexes 2'],
      wantJob: { failures: 1,  indexFailures: [0, 0, 0, 1], failedIndexes: [0, 2, 3] },
    },
    {
      name: 'maxFailedIndexes 0: the first failed index fails the Job',
      tmpl: template({ backoffLimitPerIndex: 0, maxFailedIndexes: 0 }),
      pod: failedPod(1),
      want: { kind: 'failJob', reason: 'MaxFailedIndexesExceeded' },
      wantJob: { failures: 1,  indexFailures: [1], failedIndexes: [0] },
    },

    // --- NodeLost ---------------------------------------------------------------
    {
      name: 'NodeLost without a policy fails the Job with reason NodeLost, not counted',
      tmpl: template({ backoffLimit: 5 }),
      pod: failedPod(undefined, { reason: 'NodeLost' }),
      want: { kind: 'failJob', reason: 'NodeLost' },
      message: ['train/workers/0/0', 'NodeLost'],
      wantJob: { failures: 0 },
    },
    {
      name: 'NodeLost with backoffLimitPerIndex fails the Job too (not just the index)',
      tmpl: template({ backoffLimitPerIndex: 5 }),
      pod: failedPod(undefined, { reason: 'NodeLost' }, 1),
      podIndex: 1,
      want: { kind: 'failJob', reason: 'NodeLost' },
      wantJob: { indexFailures: [], failedIndexes: [] },
    },
    {
      name: 'NodeLost with an exit code and a matching Count rule still fails the Job with NodeLost',
      tmpl: template({ backoffLimit: 5, ...policy(onExit('Count', 'In', 137)) }),
      pod: failedPod(137, { reason: 'NodeLost' }),
      want: { kind: 'failJob', reason: 'NodeLost' },
      wantJob: { failures: 0 },
    },
    {
      name: 'NodeLost with a matching FailJob exit-code rule fails by the rule',
      tmpl: template({ backoffLimit: 5, ...policy(onExit('FailJob', 'In', 137)) }),
      pod: failedPod(137, { reason: 'NodeLost' }),
      want: { kind: 'failJob', reason: 'PodFailurePolicy' },
    },
  ];

  for (const c of cases)
    it(c.name, () => {
      const j = job(c.job);
      const before = structuredClone(j);
      const pod = structuredClone(c.pod);
      const got = judgePodFailure(c.tmpl, j, pod, c.podIndex ?? 0, c.unusable, c.requeueLost ?? false);
      expect(got).toMatchObject(c.want);
      for (const part of c.message ?? []) expect('message' in got ? got.message : '').toContain(part);
      expect(j, 'the Job counters').toEqual({ ...before, ...c.wantJob });
      expect(pod, 'the pod is not modified').toEqual(c.pod);
    });

  it('counts persist on the Job: repeated failures of the same Job add up to the limit', () => {
    const tmpl = template({ backoffLimit: 2 });
    const j = job();
    const kinds = [1, 2, 3].map((t) => judgePodFailure(tmpl, j, failedPod(1, { finishedMs: t }), 0).kind);
    expect(kinds).toEqual(['retry', 'retry', 'failJob']);
    expect(j.failures).toBe(3);
  });
});

// ---------------------------------------------------------------------------
// chooseFailureAction, ruleName
// ---------------------------------------------------------------------------

/** rule is a JobSet failurePolicy rule; filters default to empty (any). */
function rule(name: string, action: JobSetAction, over: Partial<FailurePolicyRule> = {}): FailurePolicyRule {
  return { name, action, onJobFailureReasons: [], onJobFailureMessagePatterns: [], targetReplicatedJobs: [], ...over };
}

/** spec is a JobSet spec (leader ×1, workers ×3), with a failurePolicy when rules are given (null: none). */
function spec(rules: FailurePolicyRule[] | null): JobSetSpec {
  const b = makeJobSet('train').replicatedJob('leader').replicatedJob('workers', { replicas: 3 });
  if (rules) b.failurePolicy('Recreate', 3, rules);
  // rawSpec: rule names stay as written (withDefaults would name them).
  return b.rawSpec();
}

/** failed is a failed Job. */
function failed(key: string, finishedMs: number, failureReason = 'BackoffLimitExceeded', failureMessage = `pod train/${key}/0 on n1 failed with exit code 1`): JobStatus {
  const [rj, idx] = key.split('/');
  return job({ replicatedJob: rj!, jobIndex: Number(idx), state: 'Failed', failureReason, failureMessage, finishedMs });
}

describe('chooseFailureAction', () => {
  const LEADER = failed('leader/0', 100, 'BackoffLimitExceeded', 'pod train/leader/0/0 on n1 failed with exit code 1; over backoffLimit 0');
  const W0 = failed('workers/0', 200, 'PodFailurePolicy', 'pod train/workers/0/0 on n2 failed with exit code 42, matching podFailurePolicy rule 0 (FailJob)');
  const W1 = failed('workers/1', 300, 'NodeLost', 'pod train/workers/1/0 on n3 failed with no exit code (NodeLost): its node was lost');
  const W2 = failed('workers/2', 50, 'BackoffLimitExceeded', 'pod train/workers/2/1 on n4 failed with exit code 137');

  const cases: {
    name: string;
    spec: JobSetSpec;
    failed: JobStatus[];
    want: { action: JobSetAction; job: string; reason: string };
  }[] = [
    {
      name: 'no failurePolicy: the JobSet fails (FailedJobs), about the earliest failed Job',
      spec: spec(null),
      failed: [W0, LEADER, W1],
      want: { action: 'FailJobSet', job: 'leader/0', reason: 'FailedJobs' },
    },
    {
      name: 'a failurePolicy without rules restarts the JobSet (DefaultFailurePolicy)',
      spec: spec([]),
      failed: [W1, W0],
      want: { action: 'RestartJobSet', job: 'workers/0', reason: 'DefaultFailurePolicy' },
    },
    { name: 'action FailJobSet', spec: spec([rule('fatal', 'FailJobSet')]), failed: [W0], want: { action: 'FailJobSet', job: 'workers/0', reason: 'FailurePolicy_fatal' } },
    { name: 'action RestartJobSet', spec: spec([rule('again', 'RestartJobSet')]), failed: [W0], want: { action: 'RestartJobSet', job: 'workers/0', reason: 'FailurePolicy_again' } },
    {
      name: 'action RestartJobSetAndIgnoreMaxRestarts',
      spec: spec([rule('free', 'RestartJobSetAndIgnoreMaxRestarts')]),
      failed: [W0],
      want: { action: 'RestartJobSetAndIgnoreMaxRestarts', job: 'workers/0', reason: 'FailurePolicy_free' },
    },
    { name: 'action RestartJob', spec: spec([rule('one', 'RestartJob')]), failed: [W0], want: { action: 'RestartJob', job: 'workers/0', reason: 'FailurePolicy_one' } },
    {
      name: 'action RestartJobAndIgnoreMaxRestarts',
      spec: spec([rule('oneFree', 'RestartJobAndIgnoreMaxRestarts')]),
      failed: [W0],
      want: { action: 'RestartJobAndIgnoreMaxRestarts', job: 'workers/0', reason: 'FailurePolicy_oneFree' },
    },
    {
      name: 'onJobFailureReasons: the rule acts on the Job failed for a listed reason, not the earliest',
      spec: spec([rule('pfp', 'FailJobSet', { onJobFailureReasons: ['PodFailurePolicy'] })]),
      failed: [LEADER, W0, W1],
      want: { action: 'FailJobSet', job: 'workers/0', reason: 'FailurePolicy_pfp' },
    },
    {
      name: 'onJobFailureReasons: any of several listed reasons matches',
      spec: spec([rule('lost', 'RestartJobSetAndIgnoreMaxRestarts', { onJobFailureReasons: ['NodeLost', 'MaxFailedIndexesExceeded'] })]),
      failed: [LEADER, W1],
      want: { action: 'RestartJobSetAndIgnoreMaxRestarts', job: 'workers/1', reason: 'FailurePolicy_lost' },
    },
    {
      name: 'onJobFailureReasons: no failed Job has the reason → default',
      spec: spec([rule('deadline', 'FailJobSet', { onJobFailureReasons: ['DeadlineExceeded'] })]),
      failed: [W0, LEADER],
      want: { action: 'RestartJobSet', job: 'leader/0', reason: 'DefaultFailurePolicy' },
    },
    {
      name: 'onJobFailureMessagePatterns: a plain substring matches anywhere in the message',
      spec: spec([rule('oom', 'FailJobSet', { onJobFailureMessagePatterns: ['exit code 137'] })]),
      failed: [LEADER, W0, W2],
      want: { action: 'FailJobSet', job: 'workers/2', reason: 'FailurePolicy_oom' },
    },
    {
      name: 'onJobFailureMessagePatterns: a regex matches',
      spec: spec([rule('rx', 'RestartJob', { onJobFailureMessagePatterns: ['^pod train/workers/\\d+/\\d+ on n[0-9]+ failed with exit code 4[0-9]\\b'] })]),
      failed: [LEADER, W2, W0],
      want: { action: 'RestartJob', job: 'workers/0', reason: 'FailurePolicy_rx' },
    },
    {
      name: 'onJobFailureMessagePatterns: any of several patterns matches',
      spec: spec([rule('any', 'FailJobSet', { onJobFailureMessagePatterns: ['nothing like this', 'node was lost$'] })]),
      failed: [LEADER, W1],
      want: { action: 'FailJobSet', job: 'workers/1', reason: 'FailurePolicy_any' },
    },
    {
      name: 'onJobFailureMessagePatterns: an anchored regex that does not match → default',
      spec: spec([rule('anchored', 'FailJobSet', { onJobFailureMessagePatterns: ['^exit code'] })]),
      failed: [W0],
      want: { action: 'RestartJobSet', job: 'workers/0', reason: 'DefaultFailurePolicy' },
    },
    {
      name: 'onJobFailureMessagePatterns: an invalid regex never matches (no throw)',
      spec: spec([rule('broken', 'FailJobSet', { onJobFailureMessagePatterns: ['exit code (('] })]),
      failed: [W0],
      want: { action: 'RestartJobSet', job: 'workers/0', reason: 'DefaultFailurePolicy' },
    },
    {
      name: 'targetReplicatedJobs: the rule acts on the earliest failed Job of a target, not an earlier one elsewhere',
      spec: spec([rule('workersOnly', 'RestartJob', { targetReplicatedJobs: ['workers'] })]),
      failed: [LEADER, W1, W0],
      want: { action: 'RestartJob', job: 'workers/0', reason: 'FailurePolicy_workersOnly' },
    },
    {
      name: 'targetReplicatedJobs: no failed Job in the targets → default',
      spec: spec([rule('leaderOnly', 'FailJobSet', { targetReplicatedJobs: ['leader'] })]),
      failed: [W0, W1],
      want: { action: 'RestartJobSet', job: 'workers/0', reason: 'DefaultFailurePolicy' },
    },
    {
      name: 'all filters of a rule must match the same Job',
      spec: spec([rule('and', 'FailJobSet', { targetReplicatedJobs: ['workers'], onJobFailureReasons: ['BackoffLimitExceeded'], onJobFailureMessagePatterns: ['n4'] })]),
      failed: [LEADER, W0, W1, W2],
      want: { action: 'FailJobSet', job: 'workers/2', reason: 'FailurePolicy_and' },
    },
    {
      name: 'all filters must match: a Job matching only some of them is not chosen',
      spec: spec([rule('and', 'FailJobSet', { targetReplicatedJobs: ['leader'], onJobFailureReasons: ['PodFailurePolicy'] })]),
      failed: [LEADER, W0],
      want: { action: 'RestartJobSet', job: 'leader/0', reason: 'DefaultFailurePolicy' },
    },
    {
      name: 'the first matching rule wins even when a later rule matches an earlier Job',
      spec: spec([rule('workersRestart', 'RestartJob', { targetReplicatedJobs: ['workers'] }), rule('anythingFails', 'FailJobSet')]),
      failed: [LEADER, W1],
      want: { action: 'RestartJob', job: 'workers/1', reason: 'FailurePolicy_workersRestart' },
    },
    {
      name: 'a rule that matches nothing is skipped for the next',
      spec: spec([rule('never', 'FailJobSet', { onJobFailureReasons: ['DeadlineExceeded'] }), rule('then', 'RestartJobSetAndIgnoreMaxRestarts')]),
      failed: [W0],
      want: { action: 'RestartJobSetAndIgnoreMaxRestarts', job: 'workers/0', reason: 'FailurePolicy_then' },
    },
    {
      name: 'the earliest matching Job (by finishedMs) is chosen whatever the input order',
      spec: spec([rule('r', 'RestartJob', { targetReplicatedJobs: ['workers'] })]),
      failed: [W1, W0, W2],
      want: { action: 'RestartJob', job: 'workers/2', reason: 'FailurePolicy_r' },
    },
    {
      name: 'Jobs failed at the same time: replicatedJob name then Job index decide',
      spec: spec([rule('r', 'RestartJob')]),
      failed: [failed('workers/2', 10), failed('workers/1', 10), failed('leader/0', 10)],
      want: { action: 'RestartJob', job: 'leader/0', reason: 'FailurePolicy_r' },
    },
    {
      name: 'Jobs of one replicatedJob failed at the same time: the lowest Job index',
      spec: spec([rule('r', 'RestartJob', { targetReplicatedJobs: ['workers'] })]),
      failed: [failed('workers/2', 10), failed('leader/0', 5), failed('workers/1', 10)],
      want: { action: 'RestartJob', job: 'workers/1', reason: 'FailurePolicy_r' },
    },
    {
      name: 'an unnamed rule is named failurePolicyRule<N> by its index in the reason',
      spec: spec([rule('', 'FailJobSet', { onJobFailureReasons: ['DeadlineExceeded'] }), rule('', 'RestartJob')]),
      failed: [W0],
      want: { action: 'RestartJob', job: 'workers/0', reason: 'FailurePolicy_failurePolicyRule1' },
    },
    {
      name: 'a single failed Job with no failurePolicy',
      spec: spec(null),
      failed: [W1],
      want: { action: 'FailJobSet', job: 'workers/1', reason: 'FailedJobs' },
    },
  ];

  for (const c of cases)
    it(c.name, () => {
      const input = structuredClone(c.failed);
      const got = chooseFailureAction(c.spec, input);
      expect({ action: got.action, job: `${got.job.replicatedJob}/${got.job.jobIndex}`, reason: got.reason }).toEqual(c.want);
      // The chosen Job is one of those given (the caller owns and updates it), and the input order is kept.
      expect(input).toContain(got.job);
      expect(input).toEqual(c.failed);
    });
});

describe('ruleName', () => {
  const cases: { rule: FailurePolicyRule; index: number; want: string }[] = [
    { rule: rule('restartOnOOM', 'RestartJob'), index: 3, want: 'restartOnOOM' },
    { rule: rule('', 'RestartJob'), index: 0, want: 'failurePolicyRule0' },
    { rule: rule('', 'FailJobSet'), index: 7, want: 'failurePolicyRule7' },
  ];
  for (const c of cases) it(`${JSON.stringify(c.rule.name)} at ${c.index} → ${c.want}`, () => expect(ruleName(c.rule, c.index)).toBe(c.want));
});
