/**
 * `muster logs`: a pod's output, read from its node. The scheduler knows
 * where each pod runs and which incarnation (JobSet uid, generation) is
 * current; it asks that node's agent over NATS for a chunk of the pod's
 * stdout or stderr and adds whether the pod has ended, so a follower knows
 * when to stop. Finished pods' output stays readable until the JobSet is
 * deleted (the agent keeps the files).
 */
import { InvalidArgumentError, MusterError, NotFoundError, type FieldIssue } from '../../../shared/src/errors.js';
import { parsePodId, podId } from '../../../shared/src/ids.js';
import { isTerminalPod } from '../../../shared/src/phases.js';
import type { GetPodLogsRequest, PodLogsChunk } from '../../../shared/src/proto/types.js';
import type { SchedulerContext } from '../context.js';

/** MAX_LOGS_REQUEST_BYTES bounds one chunk (the agent caps it lower: NATS message size). */
export const MAX_LOGS_REQUEST_BYTES = 1 << 20;

/** getPodLogs reads a chunk of one pod's output through its node's agent. */
export async function getPodLogs(ctx: SchedulerContext, req: GetPodLogsRequest): Promise<PodLogsChunk> {
  const issues: FieldIssue[] = [];
  if (!req.jobset) issues.push({ path: 'jobset', message: 'is required' });
  const stream = req.stream || 'stdout';
  if (stream !== 'stdout' && stream !== 'stderr') issues.push({ path: 'stream', message: 'must be stdout or stderr' });
  if (req.jobIndex < 0) issues.push({ path: 'jobIndex', message: 'must be ≥ 0' });
  if (req.podIndex < 0) issues.push({ path: 'podIndex', message: 'must be ≥ 0' });
  if (req.maxBytes < 0) issues.push({ path: 'maxBytes', message: 'must be ≥ 0' });
  if (!req.replicatedJob && (req.jobIndex !== 0 || req.podIndex !== 0)) issues.push({ path: 'replicatedJob', message: 'is required with jobIndex or podIndex' });
  if (issues.length > 0) throw new InvalidArgumentError(issues, 'invalid logs request');
  const rec = ctx.store.getJobSet(req.jobset);
  if (!rec) throw new NotFoundError('jobset', req.jobset);
  const pods = rec.jobset.status!.pods;
  const id = req.replicatedJob ? podId({ jobset: req.jobset, replicatedJob: req.replicatedJob, jobIndex: req.jobIndex, podIndex: req.podIndex }) : rec.gang[0]?.podId;
  if (!rec.gang.some((g) => g.podId === id)) {
    const names = rec.jobset.spec!.replicatedJobs.map((r) => `${r.name} (${r.replicas ?? 1} job(s) × ${r.template?.parallelism ?? 1} pod(s))`).join(', ');
    throw new MusterError('NOT_FOUND', `pod ${id ?? `of ${req.jobset}`} not found; the JobSet's replicatedJobs: ${names}`);
  }
  const pod = pods.find((p) => p.podId === id);
  if (!pod?.node) throw new MusterError('FAILED_PRECONDITION', `pod ${id} has not been placed on a node yet (the JobSet is ${rec.jobset.status!.phase.replace('JOB_SET_PHASE_', '').toLowerCase()}: ${rec.jobset.status!.reason})`);
  const { replicatedJob, jobIndex, podIndex } = parsePodId(pod.podId)!; // a stored pod id is well formed
  // An earlier generation is read from the pod's current node (where an in-place restart left its files).
  const generation = req.generation !== undefined && req.generation !== null && Number(req.generation) <= Number(pod.generation) ? Number(req.generation) : Number(pod.generation);
  const current = generation === Number(pod.generation);
  const chunk = await ctx.out.requestPodLogs(pod.node, {
    jobset: req.jobset, jobsetUid: pod.jobsetUid, replicatedJob, jobIndex, podIndex, generation,
    stream, offset: req.offset, maxBytes: Math.min(req.maxBytes || MAX_LOGS_REQUEST_BYTES, MAX_LOGS_REQUEST_BYTES), previous: req.previous,
  });
  if (chunk.error) throw new MusterError('FAILED_PRECONDITION', `node ${pod.node} could not read the logs of ${pod.podId}: ${chunk.error}`);
  // An earlier generation has ended: nothing more will be written to it.
  return { ...chunk, node: pod.node, podId: pod.podId, generation, finished: !current || isTerminalPod(pod.phase) };
}
