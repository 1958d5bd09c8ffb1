/**
 * The pods of a JobSet in global-rank order: replicatedJobs in spec order,
 * then job index, then pod index (DESIGN §7). Pure.
 */
import { podId } from '../../../shared/src/ids.js';
import { toResources, type Resources } from '../../../shared/src/resources.js';
import type { JobSetSpec } from '../../../shared/src/proto/types.js';

/** GangPod is one pod of a JobSet with its rank and request. */
export interface GangPod {
  podId: string;
  replicatedJob: string;
  jobIndex: number;
  podIndex: number;
  /** Global rank: position in the gang, 0-based. */
  rank: number;
  /** What the pod takes from its node (a MIG pod's devices are in `mig`, not in gpus). */
  request: Resources;
  /** MIG devices of one profile instead of whole GPUs (template migProfile; quota counts each as a GPU). */
  mig?: { profile: string; count: number };
}

/** coordinatorPodId is the pod spec.coordinator names (default: the first pod of the gang); '' for an empty gang. */
export function coordinatorPodId(spec: JobSetSpec, gang: GangPod[]): string {
  const c = spec.coordinator;
  const pod = c ? gang.find((p) => p.replicatedJob === c.replicatedJob && p.jobIndex === c.jobIndex && p.podIndex === c.podIndex) : undefined;
  return (pod ?? gang[0])?.podId ?? '';
}

/** expandGang lists every pod of a defaulted spec in rank order. */
export function expandGang(jobset: string, spec: JobSetSpec): GangPod[] {
  const pods: GangPod[] = [];
  for (const rj of spec.replicatedJobs) {
    const replicas = rj.replicas ?? 1;
    const par = rj.template?.parallelism ?? 1;
    const asked = toResources(rj.template?.template?.resources);
    const profile = rj.template?.template?.migProfile ?? '';
    const mig = profile !== '' && asked.gpus > 0 ? { profile, count: asked.gpus } : undefined;
    const request = mig ? { ...asked, gpus: 0 } : asked;
    for (let j = 0; j < replicas; j++)
      for (let p = 0; p < par; p++)
        pods.push({ podId: podId({ jobset, replicatedJob: rj.name, jobIndex: j, podIndex: p }), replicatedJob: rj.name, jobIndex: j, podIndex: p, rank: pods.length, request, ...(mig ? { mig } : {}) });
  }
  return pods;
}
