/**
 * Semantic validation and defaulting of a JobSet, shared by the CLI (early
 * feedback) and the scheduler (the authority). Each problem names its field
 * path, as JobSet's webhook does. Pure.
 */
import type { FieldIssue } from '../errors.js';
import { nameProblem } from '../ids.js';
import type { JobSetSpec } from '../proto/types.js';

/** MAX_PODS_PER_JOBSET bounds the size of one gang. */
export const MAX_PODS_PER_JOBSET = 10_000;
/** MAX_REPLICAS is JobSet's bound on replicas of one replicatedJob. */
export const MAX_REPLICAS = 1024;
/** MAX_POD_TEMPLATE_BYTES bounds command + args + env + workingDir of one pod template (every pod carries it to its node). */
export const MAX_POD_TEMPLATE_BYTES = 64 * 1024;
/** MAX_LABELS bounds the labels of one JobSet. */
export const MAX_LABELS = 64;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESTART_STRATEGIES = ['Recreate', 'BlockingRecreate', 'InPlace'];

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
    const bytes = [...pod.command, ...pod.args, pod.workingDir, pod.image, pod.user, ...pod.env.flatMap((e) => [e.name, e.value])].reduce((n, x) => n + Buffer.byteLength(x, 'utf8'), 0);
    if (bytes > MAX_POD_TEMPLATE_BYTES) issues.push({ path: pp, message: `command, args, env, workingDir, image and user take ${bytes} bytes; at most ${MAX_POD_TEMPLATE_BYTES} (put large inputs in a file)` });
    const r = pod.resources;
    if (r) {
      if (r.cpuMillis < 0) issues.push({ path: `${pp}.resources.cpu`, message: 'must be ≥ 0' });
      if (r.memoryBytes < 0) issues.push({ path: `${pp}.resources.memory`, message: 'must be ≥ 0' });
      if (r.gpus < 0) issues.push({ path: `${pp}.resources.gpus`, message: 'must be ≥ 0' });
      if (r.rdma < 0) issues.push({ path: `${pp}.resources.rdma`, message: 'must be ≥ 0' });
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
      issues.push({ path: 'spec.failurePolicy.restartStrategy', message: `must be one of ${RESTART_STRATEGIES.join(', ')}` });
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
    }
  }
  s.successPolicy ??= { operator: 'All', targetReplicatedJobs: [] };
  if (s.successPolicy.operator === '') s.successPolicy.operator = 'All';
  s.failurePolicy ??= { maxRestarts: 0, restartStrategy: 'Recreate' };
  if (s.failurePolicy.restartStrategy === '') s.failurePolicy.restartStrategy = 'Recreate';
  const first = s.replicatedJobs[0];
  if (!s.coordinator && first) s.coordinator = { replicatedJob: first.name, jobIndex: 0, podIndex: 0 };
  return s;
}
