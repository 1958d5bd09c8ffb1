/**
 * What each pod of an admitted JobSet is told (DESIGN §7): its identity, its
 * rank in the gang, the coordinator's address and the hostfile. The scheduler
 * knows every pod's host before any pod starts, so no pod waits for DNS. Pure.
 */
import type { JobSet, NodeInventory, PodAssignment } from '../../../shared/src/proto/types.js';
import { bindingFor } from './binding.js';
import { coordinatorPodId, type GangPod } from '../model/gang.js';
import type { PodPlacement } from './types.js';

/** AssignmentInput is what buildAssignments needs about one admitted JobSet. */
export interface AssignmentInput {
  jobset: JobSet;
  gang: GangPod[];
  placements: PodPlacement[];
  /** Node name → address pods there are reachable at. */
  addresses: ReadonlyMap<string, string>;
  /** Node name → its discovered inventory (GPU UUIDs, NUMA, closest NICs for the binding); absent = unknown. */
  inventories?: ReadonlyMap<string, NodeInventory | null | undefined>;
  coordinatorPort: number;
}

/** AdmittedPods is what every pod of an admitted JobSet is told, plus the JobSet's hostfile. */
export interface AdmittedPods {
  assignments: PodAssignment[];
  /** One host per rank, MPI style (sent once per JobSet and node, not per pod). */
  hosts: string[];
}

/** buildAssignments returns one PodAssignment per pod, in rank order, and the hostfile. */
export function buildAssignments(input: AssignmentInput): AdmittedPods {
  const { jobset, gang, placements, addresses, coordinatorPort } = input;
  const spec = jobset.spec!;
  const name = jobset.metadata!.name;
  const restartAttempt = jobset.status?.restarts ?? 0;
  // Each pod carries its own generation (a retried pod's is higher than its Job-mates'); a new JobSet's pods start at 0.
  const generationOf = new Map((jobset.status?.pods ?? []).map((p) => [p.podId, p.generation]));
  const nodeOf = new Map(placements.map((p) => [p.podId, p]));
  const hostOf = (podId: string): string => {
    const node = nodeOf.get(podId)?.node ?? '';
    return addresses.get(node) ?? node;
  };
  const hosts = gang.map((p) => hostOf(p.podId));
  const masterAddr = hostOf(coordinatorPodId(spec, gang));

  // NODE_RANK: order of a node's first appearance in rank order; LOCAL_RANK: index among this JobSet's pods on the node.
  const nodeRank = new Map<string, number>();
  const localCount = new Map<string, number>();
  const templates = new Map(spec.replicatedJobs.map((rj) => [rj.name, rj.template?.template ?? null]));

  const uid = jobset.metadata!.uid;
  const assignments = gang.map((pod): PodAssignment => {
    const pl = nodeOf.get(pod.podId)!;
    if (!nodeRank.has(pl.node)) nodeRank.set(pl.node, nodeRank.size);
    const local = localCount.get(pl.node) ?? 0;
    localCount.set(pl.node, local + 1);
    const env: Record<string, string> = {
      MUSTER_JOBSET: name,
      MUSTER_REPLICATED_JOB: pod.replicatedJob,
      MUSTER_JOB_INDEX: String(pod.jobIndex),
      MUSTER_POD_INDEX: String(pod.podIndex),
      JOB_COMPLETION_INDEX: String(pod.podIndex),
      MUSTER_GLOBAL_RANK: String(pod.rank),
      MUSTER_WORLD_SIZE: String(gang.length),
      MUSTER_RESTART_ATTEMPT: String(restartAttempt),
      MUSTER_COORDINATOR: `${masterAddr}:${coordinatorPort}`,
      MASTER_ADDR: masterAddr,
      MASTER_PORT: String(coordinatorPort),
      WORLD_SIZE: String(gang.length),
      RANK: String(pod.rank),
      LOCAL_RANK: String(local),
      NODE_RANK: String(nodeRank.get(pl.node)),
    };
    // A pod without GPUs must not see the node's GPUs (unset would mean "all of them"); a MIG pod sees its MIG devices by UUID.
    const mig = pl.migUuids ?? [];
    env.CUDA_VISIBLE_DEVICES = mig.length > 0 ? mig.join(',') : pl.gpuIndices.join(',');
    env.NVIDIA_VISIBLE_DEVICES = mig.length > 0 ? mig.join(',') : pl.gpuIndices.length > 0 ? pl.gpuIndices.join(',') : 'void';
    if (pl.gpuIndices.length > 0) env.CUDA_DEVICE_ORDER = 'PCI_BUS_ID';
    const bound = bindingFor(pl.gpuIndices, input.inventories?.get(pl.node), pl.cpus, mig);
    Object.assign(env, bound.env);
    return {
      podId: pod.podId,
      jobset: name,
      replicatedJob: pod.replicatedJob,
      jobIndex: pod.jobIndex,
      podIndex: pod.podIndex,
      generation: generationOf.get(pod.podId) ?? 0,
      template: templates.get(pod.replicatedJob) ?? null,
      env,
      binding: bound.binding,
      submitDir: jobset.metadata!.submitDir,
      user: jobset.metadata!.user,
      jobsetUid: uid,
      requests: { ...pod.request },
    };
  });
  return { assignments, hosts };
}
