/**
 * What a failure means, pure: the batch/v1 Job rules that turn failed pods
 * into a retry or a failed Job (podFailurePolicy, backoffLimit,
 * backoffLimitPerIndex, maxFailedIndexes), and the JobSet rules that turn a
 * failed Job into an action (failurePolicy.rules, first match wins; no match
 * restarts the JobSet; no failurePolicy fails it). Field meanings and defaults
 * follow batch/v1 and jobset.x-k8s.io/v1alpha2 (reference/kueue-jobset.md §1.4, §2).
 */
import type { FailurePolicyRule, JobSetSpec, JobStatus, JobTemplate, PodFailurePolicyRule, PodStatus } from '../../../shared/src/proto/types.js';

import { DEFAULT_BACKOFF_LIMIT } from '../../../shared/src/spec/validate.js';

/** DEFAULT_BACKOFF_LIMIT is batch/v1's default number of counted pod failures before a Job fails (defined with the spec defaults). */
export { DEFAULT_BACKOFF_LIMIT };

/** Unusable says why a failed pod cannot be replaced where it ran: its node was lost or drained, or a GPU of it turned unhealthy. */
export type Unusable = 'NodeLost' | 'NodeDrained' | 'GPUUnhealthy';

/** Pod reasons that mean the pod was disrupted (its node, not its program): podFailurePolicy's DisruptionTarget. */
export const DISRUPTION_REASONS: ReadonlySet<string> = new Set(['NodeLost', 'NodeRestarted', 'NodeDrained', 'GPUUnhealthy', 'Stopped']);

/** PodFailureAction is what a podFailurePolicy rule (or the default, Count) does with a failed pod. */
export type PodFailureAction = 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';

/** matchPodFailureRule returns the first rule of the template's podFailurePolicy matching the pod, with its index. */
export function matchPodFailureRule(tmpl: JobTemplate | null | undefined, pod: PodStatus): { rule: PodFailurePolicyRule; index: number } | undefined {
  const rules = tmpl?.podFailurePolicy?.rules ?? [];
  for (const [index, rule] of rules.entries()) if (podRuleMatches(rule, pod)) return { rule, index };
  return undefined;
}

function podRuleMatches(rule: PodFailurePolicyRule, pod: PodStatus): boolean {
  const ec = rule.onExitCodes;
  if (ec) {
    // A pod that never started has no exit code: no exit-code rule matches it.
    const code = exitCodeOf(pod);
    if (code === undefined) return false;
    const listed = ec.values.includes(code);
    return ec.operator === 'NotIn' ? !listed : listed;
  }
  if (rule.onPodConditions.length > 0)
    return rule.onPodConditions.some((c) => c.type === 'DisruptionTarget' && (c.status || 'True') === 'True' && DISRUPTION_REASONS.has(pod.reason));
  return false;
}

/** SIGNAL_NUMBERS are the Linux numbers of the signals that end processes. */
const SIGNAL_NUMBERS: Readonly<Record<string, number>> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9, SIGUSR1: 10,
  SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15, SIGXCPU: 24, SIGXFSZ: 25,
};

/**
 * exitCodeOf is the exit code rules match: the pod's, or for a pod killed by
 * a signal 128 + its number, as container runtimes report it (so the common
 * `onExitCodes: In [137]` catches a SIGKILL, e.g. the OOM killer).
 */
export function exitCodeOf(pod: PodStatus): number | undefined {
  if (pod.exitCode !== undefined && pod.exitCode !== null) return pod.exitCode;
  const n = SIGNAL_NUMBERS[pod.signal];
  return n === undefined ? undefined : 128 + n;
}

/** What one failed pod does to its Job. */
export type PodFailureOutcome =
  | { kind: 'retry'; counted: boolean; ignored: boolean }
  | { kind: 'failJob'; reason: string; message: string }
  | { kind: 'failIndex'; message: string }
  /** Not the pod's failure (its node was lost before it started, or an Ignore rule covers the loss): the gang is placed again, nothing counted. */
  /** counted: the default requeue of a running pod lost with its node (no failurePolicy), which nodeLossRequeueLimit bounds. */
  | { kind: 'requeue'; message: string; counted?: boolean };

/**
 * judgePodFailure applies podFailurePolicy then the backoff limits to one
 * failed pod of an Active Job, updating the Job's counters. Pure apart from
 * mutating `job`, which the caller owns. `requeueLost` (the JobSet has no
 * failurePolicy): a pod lost with its node (or evicted by a drain) that no
 * rule matched requeues the gang instead of failing its Job — unless
 * `requeuesExhausted` says why it may not be requeued again
 * (nodeLossRequeueLimit): then its Job fails, with that said.
 */
export function judgePodFailure(
  tmpl: JobTemplate | null | undefined,
  job: JobStatus,
  pod: PodStatus,
  podIndex: number,
  unusable?: Unusable,
  requeueLost = false,
  requeuesExhausted?: string,
): PodFailureOutcome {
  const what = describePodFailure(pod);
  // Lost, or taken away (a drain with evict, an unhealthy GPU under unhealthyGpuPods: evict): not the pod's failure.
  const lost = pod.reason === 'NodeLost' || pod.reason === 'NodeDrained' || pod.reason === 'GPUUnhealthy';
  // A pod placed on a node that was lost before it ever started did not fail: the gang needs another place.
  if (lost && pod.startedMs === 0) return { kind: 'requeue', message: `${what} before it started: the JobSet is placed again` };
  const matched = matchPodFailureRule(tmpl, pod);
  const action: PodFailureAction = (matched?.rule.action as PodFailureAction | undefined) || 'Count';
  const ruleName = matched ? `podFailurePolicy rule ${matched.index}` : '';
  if (lost) {
    // An Ignore rule (DisruptionTarget) says a lost node is not the pod's failure: place the gang again, uncounted.
    if (action === 'Ignore') {
      job.ignoredFailures++;
      return { kind: 'requeue', message: `${what}; ${ruleName} (Ignore): the JobSet is placed again` };
    }
    const gone = pod.reason === 'NodeDrained' ? 'its node was drained with evict' : pod.reason === 'GPUUnhealthy' ? 'a GPU it was bound to turned unhealthy' : 'its node was lost';
    // A JobSet without a failurePolicy would fail for its node's fault: like Slurm's requeue, the gang is placed again, uncounted.
    if (action === 'Count' && !matched && requeueLost && requeuesExhausted === undefined)
      return { kind: 'requeue', message: `${what}: ${gone}; the JobSet has no failurePolicy, so it is placed again`, counted: true };
    // Otherwise it cannot be replaced where it ran: its Job fails and the JobSet's policy decides.
    const exhausted = !matched && requeueLost && requeuesExhausted !== undefined ? `; ${requeuesExhausted}` : '';
    if (action === 'Count') return { kind: 'failJob', reason: pod.reason === 'GPUUnhealthy' ? 'GPUUnhealthy' : 'NodeLost', message: `${what}: ${gone}${exhausted}` };
  }
  if (action === 'Ignore') {
    job.ignoredFailures++;
    if (unusable) return { kind: 'failJob', reason: unusable, message: `${what}; it cannot run again where it was (${unusableText(unusable)})` };
    return { kind: 'retry', counted: false, ignored: true };
  }
  if (action === 'FailJob') return { kind: 'failJob', reason: 'PodFailurePolicy', message: `${what}, matching ${ruleName} (FailJob)` };
  const perIndex = tmpl?.backoffLimitPerIndex;
  if (action === 'FailIndex') return failIndex(tmpl, job, podIndex, `${what}, matching ${ruleName} (FailIndex)`);
  // Every counted failure counts against backoffLimit (unlimited by default when failures are also counted per index).
  job.failures++;
  if (perIndex !== undefined && perIndex !== null) {
    while (job.indexFailures.length <= podIndex) job.indexFailures.push(0);
    job.indexFailures[podIndex]!++;
    if (job.indexFailures[podIndex]! > perIndex) return failIndex(tmpl, job, podIndex, `${what}; index ${podIndex} failed ${job.indexFailures[podIndex]} time(s), over backoffLimitPerIndex ${perIndex}`);
  }
  const limit = tmpl?.backoffLimit ?? (perIndex !== undefined && perIndex !== null ? 2_147_483_647 : DEFAULT_BACKOFF_LIMIT);
  if (job.failures > limit)
    return { kind: 'failJob', reason: 'BackoffLimitExceeded', message: `${what}; the Job has failed ${job.failures} time(s), over backoffLimit ${limit}` };
  if (unusable) return { kind: 'failJob', reason: unusable, message: `${what}; it cannot be replaced where it ran (${unusableText(unusable)})` };
  return { kind: 'retry', counted: true, ignored: false };
}

function unusableText(u: Unusable): string {
  return u === 'NodeLost' ? 'its node was lost' : u === 'NodeDrained' ? 'its node is drained' : 'a GPU it was bound to is unhealthy';
}

function failIndex(tmpl: JobTemplate | null | undefined, job: JobStatus, podIndex: number, message: string): PodFailureOutcome {
  if (!job.failedIndexes.includes(podIndex)) job.failedIndexes.push(podIndex);
  job.failedIndexes.sort((a, b) => a - b);
  const max = tmpl?.maxFailedIndexes;
  if (max !== undefined && max !== null && job.failedIndexes.length > max)
    return { kind: 'failJob', reason: 'MaxFailedIndexesExceeded', message: `${message}; ${job.failedIndexes.length} failed index(es), over maxFailedIndexes ${max}` };
  return { kind: 'failIndex', message };
}

/** describePodFailure says how a pod failed, for messages. */
export function describePodFailure(p: PodStatus): string {
  const how = p.exitCode !== undefined && p.exitCode !== null ? `exit code ${p.exitCode}` : p.signal ? `signal ${p.signal}` : 'no exit code';
  const why = p.reason ? ` (${p.reason}${p.message ? ': ' + p.message : ''})` : '';
  return `pod ${p.podId} on ${p.node || '?'} failed with ${how}${why}`;
}

/** JobSetAction is what the JobSet does about its failed Jobs. */
export type JobSetAction = 'FailJobSet' | 'RestartJobSet' | 'RestartJobSetAndIgnoreMaxRestarts' | 'RestartJob' | 'RestartJobAndIgnoreMaxRestarts';

/** FailurePolicyChoice is the action chosen for the failed Jobs, the Job it is about, and the condition reason to record. */
export interface FailurePolicyChoice {
  action: JobSetAction;
  job: JobStatus;
  /** FailurePolicy_<ruleName>, DefaultFailurePolicy, or FailedJobs when there is no failurePolicy. */
  reason: string;
}

/** ruleName is a rule's name, or JobSet's default `failurePolicyRule<N>`. */
export function ruleName(rule: FailurePolicyRule, index: number): string {
  return rule.name || `failurePolicyRule${index}`;
}

/**
 * chooseFailureAction picks the action for the failed Jobs (earliest first):
 * no failurePolicy fails the JobSet; otherwise the first rule that matches any
 * failed Job (by reason, message pattern and replicatedJob) decides for the
 * earliest Job it matches; no matching rule restarts the JobSet.
 */
export function chooseFailureAction(spec: JobSetSpec, failed: readonly JobStatus[]): FailurePolicyChoice {
  const byTime = [...failed].sort((a, b) => a.finishedMs - b.finishedMs || a.replicatedJob.localeCompare(b.replicatedJob) || a.jobIndex - b.jobIndex);
  const first = byTime[0]!;
  const fp = spec.failurePolicy;
  if (!fp) return { action: 'FailJobSet', job: first, reason: 'FailedJobs' };
  for (const [i, rule] of fp.rules.entries()) {
    const job = byTime.find((j) => jobMatchesRule(rule, j));
    if (job) return { action: rule.action as JobSetAction, job, reason: `FailurePolicy_${ruleName(rule, i)}` };
  }
  return { action: 'RestartJobSet', job: first, reason: 'DefaultFailurePolicy' };
}

function jobMatchesRule(rule: FailurePolicyRule, job: JobStatus): boolean {
  if (rule.targetReplicatedJobs.length > 0 && !rule.targetReplicatedJobs.includes(job.replicatedJob)) return false;
  if (rule.onJobFailureReasons.length > 0 && !rule.onJobFailureReasons.includes(job.failureReason)) return false;
  if (rule.onJobFailureMessagePatterns.length > 0 && !rule.onJobFailureMessagePatterns.some((p) => safeRegExp(p)?.test(job.failureMessage))) return false;
  return true;
}

/** safeRegExp compiles a pattern (validated at submit; a bad one simply never matches). */
function safeRegExp(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern);
  } catch {
    return undefined;
  }
}
