/**
 * Semantic validation and defaulting of a JobSet, shared by the CLI (early
 * feedback) and the scheduler (the authority). Each problem names its field
 * path, as JobSet's webhook does. Pure.
 */
import type { FieldIssue } from '../errors.js';
import { nameProblem } from '../ids.js';
import type { JobSetSpec, JobTemplate, Mount } from '../proto/types.js';

/** MAX_PODS_PER_JOBSET bounds the size of one gang. */
export const MAX_PODS_PER_JOBSET = 10_000;
/** MAX_REPLICAS is JobSet's bound on replicas of one replicatedJob. */
export const MAX_REPLICAS = 1024;
/** MAX_POD_TEMPLATE_BYTES bounds command + args + env + workingDir + image + user + mount paths of one pod template (every pod carries it to its node). */
export const MAX_POD_TEMPLATE_BYTES = 64 * 1024;
/** MAX_LABELS bounds the labels of one JobSet. */
export const MAX_LABELS = 64;
/** MAX_MOUNTS bounds the host directories mounted into one pod. */
export const MAX_MOUNTS = 32;
/** IMAGE_PULL_POLICIES are the values of a pod template's imagePullPolicy ('' means IfNotPresent). */
export const IMAGE_PULL_POLICIES: readonly string[] = ['IfNotPresent', 'Always', 'Never'];
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** MIG_PROFILE matches nvidia-smi's MIG profile names: 1g.10gb, 3g.40gb, 1g.10gb+me, 1c.3g.40gb. */
const MIG_PROFILE = /^(?:\d+c\.)?\d+g\.\d+gb(?:\+[a-z]+)?$/;
const RESTART_STRATEGIES = ['Recreate', 'BlockingRecreate', 'InPlace', 'InPlaceRestart'];
const JOBSET_ACTIONS = ['FailJobSet', 'RestartJobSet', 'RestartJobSetAndIgnoreMaxRestarts', 'RestartJob', 'RestartJobAndIgnoreMaxRestarts'];
const POD_ACTIONS = ['FailJob', 'FailIndex', 'Ignore', 'Count'];
/** JOB_FAILURE_REASONS are the reasons a Job fails with (what failurePolicy rules match). */
export const JOB_FAILURE_REASONS = ['BackoffLimitExceeded', 'DeadlineExceeded', 'PodFailurePolicy', 'MaxFailedIndexesExceeded', 'FailedIndexes', 'NodeLost', 'GPUUnhealthy'];
const RULE_NAME = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;
/** MAX_POD_FAILURE_RULES is batch/v1's bound on podFailurePolicy rules. */
export const MAX_POD_FAILURE_RULES = 20;

/** validateJobSet returns every problem of a JobSet's name and (already defaulted or raw) spec. */
export function validateJobSet(name: string, spec: JobSetSpec | null | undefined): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const np = nameProblem(name);
  if (np) issues.push({ path: 'metadata.name', message: np });
  if (!spec) {
    issues.push({ path: 'spec', message: 'is required' });
    return issues;
  }
  const rjs = spec.replicatedJobs;
  if (rjs.length === 0) issues.push({ path: 'spec.replicatedJobs', message: 'must have at least one replicatedJob' });
  const names = new Set<string>();
  let totalPods = 0;
  rjs.forEach((rj, i) => {
    const p = `spec.replicatedJobs[${i}]`;
    const rn = nameProblem(rj.name);
    if (rn) issues.push({ path: `${p}.name`, message: rn });
    else if (names.has(rj.name)) issues.push({ path: `${p}.name`, message: `duplicate replicatedJob name "${rj.name}"` });
    if (name.length + rj.name.length + 1 > 63) issues.push({ path: `${p}.name`, message: 'JobSet name + replicatedJob name must be at most 62 characters' });
    const replicas = rj.replicas ?? 1;
    if (replicas < 0 || replicas > MAX_REPLICAS) issues.push({ path: `${p}.replicas`, message: `must be between 0 and ${MAX_REPLICAS}` });
    rj.dependsOn.forEach((d, j) => {
      if (!names.has(d.name)) issues.push({ path: `${p}.dependsOn[${j}].name`, message: `must name an earlier replicatedJob` });
      if (!['Ready', 'Complete'].includes(d.status)) issues.push({ path: `${p}.dependsOn[${j}].status`, message: 'must be Ready or Complete' });
    });
    names.add(rj.name);
    const jt = rj.template;
    if (!jt) {
      issues.push({ path: `${p}.template`, message: 'is required' });
      return;
    }
    const tp = `${p}.template`;
    const par = jt.parallelism ?? jt.completions ?? 1;
    const comp = jt.completions ?? par;
    if (par < 1) issues.push({ path: `${tp}.parallelism`, message: 'must be at least 1' });
    if (comp < 1) issues.push({ path: `${tp}.completions`, message: 'must be at least 1' });
    if (par >= 1 && comp >= 1 && comp !== par)
      issues.push({ path: `${tp}.completions`, message: 'must equal parallelism (every pod of a gang runs at once; waves come later)' });
    if (!['', 'Indexed', 'NonIndexed'].includes(jt.completionMode)) issues.push({ path: `${tp}.completionMode`, message: 'must be Indexed or NonIndexed' });
    if (jt.backoffLimit !== undefined && jt.backoffLimit < 0) issues.push({ path: `${tp}.backoffLimit`, message: 'must be at least 0' });
    issues.push(...validateRetries(jt, tp, par));
    if (jt.activeDeadlineSeconds !== undefined && jt.activeDeadlineSeconds <= 0) issues.push({ path: `${tp}.activeDeadlineSeconds`, message: 'must be positive' });
    totalPods += Math.max(0, replicas) * Math.max(0, par);
    const pod = jt.template;
    if (!pod) {
      issues.push({ path: `${tp}.template`, message: 'is required (the pod template)' });
      return;
    }
    const pp = `${tp}.template`;
    if (!pod.image && pod.command.length === 0) issues.push({ path: `${pp}.command`, message: 'is required when no image is given' });
    pod.command.forEach((c, j) => {
      if (j === 0 && c.trim() === '') issues.push({ path: `${pp}.command[0]`, message: 'must not be empty' });
    });
    const envNames = new Set<string>();
    pod.env.forEach((e, j) => {
      if (!ENV_NAME.test(e.name)) issues.push({ path: `${pp}.env[${j}].name`, message: 'must be a valid environment variable name' });
      else if (envNames.has(e.name)) issues.push({ path: `${pp}.env[${j}].name`, message: `duplicate variable "${e.name}"` });
      envNames.add(e.name);
    });
    const mounts = pod.mounts ?? [];
    // A mount's containerPath counts as withDefaults fills it (hostPath when empty), so a raw and a defaulted spec measure the same.
    const mountBytes = mounts.flatMap((m) => [m.hostPath, m.containerPath || m.hostPath]);
    const bytes = [...pod.command, ...pod.args, pod.workingDir, pod.image, pod.user, ...pod.env.flatMap((e) => [e.name, e.value]), ...mountBytes].reduce((n, x) => n + Buffer.byteLength(x, 'utf8'), 0);
    if (bytes > MAX_POD_TEMPLATE_BYTES)
      issues.push({ path: pp, message: `command, args, env, workingDir, image, user and mount paths take ${bytes} bytes; at most ${MAX_POD_TEMPLATE_BYTES} (put large inputs in a file)` });
    const pull = pod.imagePullPolicy ?? '';
    if (pull !== '' && !IMAGE_PULL_POLICIES.includes(pull)) issues.push({ path: `${pp}.imagePullPolicy`, message: `must be one of ${IMAGE_PULL_POLICIES.join(', ')}` });
    issues.push(...validateMounts(pod.image, mounts, pp));
    const shm = Number(pod.shmSizeBytes ?? 0);
    if (shm < 0) issues.push({ path: `${pp}.shmSize`, message: 'must be ≥ 0' });
    else if (shm > 0 && !pod.image) issues.push({ path: `${pp}.shmSize`, message: 'needs an image (a pod without an image runs on the host, with the host’s /dev/shm)' });
    const r = pod.resources;
    if (r) {
      if (r.cpuMillis < 0) issues.push({ path: `${pp}.resources.cpu`, message: 'must be ≥ 0' });
      if (r.memoryBytes < 0) issues.push({ path: `${pp}.resources.memory`, message: 'must be ≥ 0' });
      if (r.gpus < 0) issues.push({ path: `${pp}.resources.gpus`, message: 'must be ≥ 0' });
      if (r.rdma < 0) issues.push({ path: `${pp}.resources.rdma`, message: 'must be ≥ 0' });
    }
    const mig = pod.migProfile ?? '';
    if (mig !== '') {
      if (!MIG_PROFILE.test(mig)) issues.push({ path: `${pp}.migProfile`, message: 'must be a MIG profile such as 1g.10gb, 3g.40gb or 1g.10gb+me' });
      if (!r || r.gpus < 1) issues.push({ path: `${pp}.resources.gpus`, message: 'must be ≥ 1 with migProfile (how many MIG devices of that profile)' });
    }
  });
  if (totalPods > MAX_PODS_PER_JOBSET) issues.push({ path: 'spec.replicatedJobs', message: `a JobSet may have at most ${MAX_PODS_PER_JOBSET} pods (has ${totalPods})` });
  if (rjs.length > 0 && totalPods === 0) issues.push({ path: 'spec.replicatedJobs', message: 'the JobSet has no pods' });

  const sp = spec.successPolicy;
  if (sp) {
    if (!['', 'All', 'Any'].includes(sp.operator)) issues.push({ path: 'spec.successPolicy.operator', message: 'must be All or Any' });
    sp.targetReplicatedJobs.forEach((t, j) => {
      if (!names.has(t)) issues.push({ path: `spec.successPolicy.targetReplicatedJobs[${j}]`, message: `no replicatedJob named "${t}"` });
    });
    const targets = sp.targetReplicatedJobs.length > 0 ? rjs.filter((r) => sp.targetReplicatedJobs.includes(r.name)) : rjs;
    if (targets.length > 0 && targets.every((r) => (r.replicas ?? 1) === 0))
      issues.push({ path: 'spec.successPolicy.targetReplicatedJobs', message: 'every targeted replicatedJob has 0 replicas: the JobSet could never succeed' });
  }
  const fp = spec.failurePolicy;
  if (fp) {
    if (fp.maxRestarts < 0) issues.push({ path: 'spec.failurePolicy.maxRestarts', message: 'must be ≥ 0' });
    if (fp.restartStrategy !== '' && !RESTART_STRATEGIES.includes(fp.restartStrategy))
      issues.push({ path: 'spec.failurePolicy.restartStrategy', message: `must be one of Recreate, BlockingRecreate, InPlace` });
    const ruleNames = new Set<string>();
    fp.rules.forEach((r, i) => {
      const rp = `spec.failurePolicy.rules[${i}]`;
      if (r.name !== '') {
        if (!RULE_NAME.test(r.name) || r.name.length > 128) issues.push({ path: `${rp}.name`, message: 'must start with a letter and hold letters, digits, "_", "," or ":" (at most 128)' });
        else if (ruleNames.has(r.name)) issues.push({ path: `${rp}.name`, message: `duplicate rule name "${r.name}"` });
        ruleNames.add(r.name);
      }
      if (!JOBSET_ACTIONS.includes(r.action)) issues.push({ path: `${rp}.action`, message: `must be one of ${JOBSET_ACTIONS.join(', ')}` });
      r.onJobFailureReasons.forEach((reason, j) => {
        if (!JOB_FAILURE_REASONS.includes(reason)) issues.push({ path: `${rp}.onJobFailureReasons[${j}]`, message: `must be one of ${JOB_FAILURE_REASONS.join(', ')}` });
      });
      r.onJobFailureMessagePatterns.forEach((pattern, j) => {
        try {
          new RegExp(pattern);
        } catch (e) {
          issues.push({ path: `${rp}.onJobFailureMessagePatterns[${j}]`, message: `is not a valid regular expression: ${(e as Error).message}` });
        }
      });
      r.targetReplicatedJobs.forEach((t, j) => {
        if (!names.has(t)) issues.push({ path: `${rp}.targetReplicatedJobs[${j}]`, message: `no replicatedJob named "${t}"` });
      });
    });
  }
  const sup = spec.startupPolicy;
  if (sup) {
    if (!['', 'AnyOrder', 'InOrder'].includes(sup.startupPolicyOrder)) issues.push({ path: 'spec.startupPolicy.startupPolicyOrder', message: 'must be AnyOrder or InOrder' });
    if (sup.startupPolicyOrder === 'InOrder' && rjs.some((r) => r.dependsOn.length > 0))
      issues.push({ path: 'spec.startupPolicy.startupPolicyOrder', message: 'InOrder cannot be combined with dependsOn (use one or the other)' });
  }
  const c = spec.coordinator;
  if (c) {
    const rj = rjs.find((x) => x.name === c.replicatedJob);
    if (!rj) issues.push({ path: 'spec.coordinator.replicatedJob', message: `no replicatedJob named "${c.replicatedJob}"` });
    else {
      if (c.jobIndex < 0 || c.jobIndex >= (rj.replicas ?? 1)) issues.push({ path: 'spec.coordinator.jobIndex', message: 'must be a job index of that replicatedJob' });
      const par = rj.template?.parallelism ?? rj.template?.completions ?? 1;
      if (c.podIndex < 0 || c.podIndex >= par) issues.push({ path: 'spec.coordinator.podIndex', message: 'must be a pod index of that job' });
    }
  }
  if (spec.ttlSecondsAfterFinished !== undefined && spec.ttlSecondsAfterFinished < 0)
    issues.push({ path: 'spec.ttlSecondsAfterFinished', message: 'must be ≥ 0' });
  return issues;
}

/** pathProblem says what is wrong with a mount path (absolute, no ".." component, no NUL); undefined when nothing is. */
function pathProblem(path: string): string | undefined {
  if (path.includes('\0')) return 'must not contain a NUL character';
  if (!path.startsWith('/')) return 'must be an absolute path';
  if (path.split('/').includes('..')) return 'must not contain a ".." component';
  return undefined;
}

/** mountPoint is a container path in one spelling, for comparing mount points: `/data/`, `//data` and `/./data` are all `/data`. */
function mountPoint(path: string): string {
  return '/' + path.split('/').filter((s) => s !== '' && s !== '.').join('/');
}

/** validateMounts checks the host directories of the pod template at pp (`image` says whether the pod runs in a container). */
function validateMounts(image: string, mounts: readonly Mount[], pp: string): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (mounts.length === 0) return issues;
  if (!image) issues.push({ path: `${pp}.mounts`, message: 'need an image (a pod without an image runs on the host, where mounts mean nothing)' });
  if (mounts.length > MAX_MOUNTS) issues.push({ path: `${pp}.mounts`, message: `at most ${MAX_MOUNTS} mounts (has ${mounts.length})` });
  const seen = new Map<string, number>();
  mounts.forEach((m, j) => {
    const mp = `${pp}.mounts[${j}]`;
    if (m.hostPath === '') issues.push({ path: `${mp}.hostPath`, message: 'is required (an absolute path on the node)' });
    else {
      const hp = pathProblem(m.hostPath);
      if (hp) issues.push({ path: `${mp}.hostPath`, message: hp });
    }
    // containerPath defaults to hostPath (withDefaults): a problem of the effective path is reported where it was written.
    const cpPath = m.containerPath === '' ? `${mp}.hostPath` : `${mp}.containerPath`;
    const target = m.containerPath || m.hostPath;
    if (m.containerPath !== '') {
      const cp = pathProblem(m.containerPath);
      if (cp) issues.push({ path: cpPath, message: cp });
    }
    if (target === '') return;
    const point = mountPoint(target);
    const first = seen.get(point);
    if (first !== undefined) issues.push({ path: cpPath, message: `mounts ${point} again (mounts[${first}] mounts it already)` });
    else seen.set(point, j);
  });
  return issues;
}

/** validateRetries checks backoffLimitPerIndex, maxFailedIndexes and podFailurePolicy of one Job template. */
function validateRetries(jt: JobTemplate, tp: string, completions: number): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const perIndex = jt.backoffLimitPerIndex;
  if (perIndex !== undefined && perIndex !== null) {
    if (perIndex < 0) issues.push({ path: `${tp}.backoffLimitPerIndex`, message: 'must be at least 0' });
    if (jt.completionMode === 'NonIndexed') issues.push({ path: `${tp}.backoffLimitPerIndex`, message: 'needs completionMode Indexed' });
  }
  const maxFailed = jt.maxFailedIndexes;
  if (maxFailed !== undefined && maxFailed !== null) {
    if (perIndex === undefined || perIndex === null) issues.push({ path: `${tp}.maxFailedIndexes`, message: 'needs backoffLimitPerIndex' });
    if (maxFailed < 0 || maxFailed > completions) issues.push({ path: `${tp}.maxFailedIndexes`, message: `must be between 0 and completions (${completions})` });
  }
  const rules = jt.podFailurePolicy?.rules ?? [];
  if (rules.length > MAX_POD_FAILURE_RULES) issues.push({ path: `${tp}.podFailurePolicy.rules`, message: `at most ${MAX_POD_FAILURE_RULES} rules` });
  rules.forEach((r, i) => {
    const rp = `${tp}.podFailurePolicy.rules[${i}]`;
    if (!POD_ACTIONS.includes(r.action)) issues.push({ path: `${rp}.action`, message: `must be one of ${POD_ACTIONS.join(', ')}` });
    if (r.action === 'FailIndex' && (perIndex === undefined || perIndex === null)) issues.push({ path: `${rp}.action`, message: 'FailIndex needs backoffLimitPerIndex' });
    const ec = r.onExitCodes;
    if (ec && r.onPodConditions.length > 0) issues.push({ path: rp, message: 'set onExitCodes or onPodConditions, not both' });
    if (!ec && r.onPodConditions.length === 0) issues.push({ path: rp, message: 'needs onExitCodes or onPodConditions' });
    if (ec) {
      if (!['In', 'NotIn'].includes(ec.operator)) issues.push({ path: `${rp}.onExitCodes.operator`, message: 'must be In or NotIn' });
      if (ec.values.length === 0 || ec.values.length > 255) issues.push({ path: `${rp}.onExitCodes.values`, message: 'must list 1 to 255 exit codes' });
      if (ec.operator === 'In' && ec.values.includes(0)) issues.push({ path: `${rp}.onExitCodes.values`, message: '0 cannot be listed with In (a pod that exits 0 succeeded)' });
      if (new Set(ec.values).size !== ec.values.length) issues.push({ path: `${rp}.onExitCodes.values`, message: 'must not repeat a value' });
    }
    r.onPodConditions.forEach((c, j) => {
      if (c.type !== 'DisruptionTarget') issues.push({ path: `${rp}.onPodConditions[${j}].type`, message: 'only DisruptionTarget is known off Kubernetes (a pod whose node was lost or whose agent restarted)' });
      if (!['', 'True', 'False', 'Unknown'].includes(c.status)) issues.push({ path: `${rp}.onPodConditions[${j}].status`, message: 'must be True, False or Unknown' });
    });
  });
  return issues;
}

/** DEFAULT_BACKOFF_LIMIT is batch/v1's default backoffLimit. */
export const DEFAULT_BACKOFF_LIMIT = 6;

/** withDefaults returns a copy of a valid spec with JobSet's defaults filled in. */
export function withDefaults(spec: JobSetSpec): JobSetSpec {
  const s = structuredClone(spec);
  for (const rj of s.replicatedJobs) {
    rj.replicas ??= 1;
    if (rj.template) {
      const par = rj.template.parallelism ?? rj.template.completions ?? 1;
      rj.template.parallelism = par;
      rj.template.completions ??= par;
      if (rj.template.completionMode === '') rj.template.completionMode = 'Indexed';
      // A mount without a containerPath mounts the host directory at the same path in the container.
      for (const m of rj.template.template?.mounts ?? []) if (m.containerPath === '') m.containerPath = m.hostPath;
      // batch/v1: 6, or "unlimited" when failures are counted per index.
      const perIndex = rj.template.backoffLimitPerIndex;
      rj.template.backoffLimit ??= perIndex !== undefined && perIndex !== null ? 2_147_483_647 : DEFAULT_BACKOFF_LIMIT;
    }
  }
  s.successPolicy ??= { operator: 'All', targetReplicatedJobs: [] };
  if (s.successPolicy.operator === '') s.successPolicy.operator = 'All';
  // No failurePolicy means "any failed Job fails the JobSet" (JobSet's semantics), so none is invented here.
  if (s.failurePolicy) {
    if (s.failurePolicy.restartStrategy === '') s.failurePolicy.restartStrategy = 'Recreate';
    if (s.failurePolicy.restartStrategy === 'InPlaceRestart') s.failurePolicy.restartStrategy = 'InPlace';
    s.failurePolicy.rules.forEach((r, i) => {
      if (r.name === '') r.name = `failurePolicyRule${i}`;
    });
  }
  s.startupPolicy ??= { startupPolicyOrder: 'AnyOrder' };
  if (s.startupPolicy.startupPolicyOrder === '') s.startupPolicy.startupPolicyOrder = 'AnyOrder';
  const first = s.replicatedJobs[0];
  if (!s.coordinator && first) s.coordinator = { replicatedJob: first.name, jobIndex: 0, podIndex: 0 };
  return s;
}
