/** Pod fixtures shared by the agent's tests: an assignment as the scheduler sends it, and a status as the agent reports it. */
import type { PodAssignment, PodStatus } from '../../../shared/src/proto/types.js';

/** TEST_JOBSET_UID is the JobSet uid of the fixtures. */
export const TEST_JOBSET_UID = '0f3c9a7e-5b21-4c8e-9d4f-2a6b8c1e7f90';

/** testAssignment is pod train/workers/<jobIndex>/0, generation 1, running `true`, holding GPU <jobIndex>; `over` replaces fields. */
export function testAssignment(jobIndex: number, over: Partial<PodAssignment> = {}): PodAssignment {
  return {
    podId: `train/workers/${jobIndex}/0`,
    jobset: 'train',
    jobsetUid: TEST_JOBSET_UID,
    replicatedJob: 'workers',
    jobIndex,
    podIndex: 0,
    generation: 1,
    template: { image: '', command: ['sh', '-c', 'true'], args: [], env: [], workingDir: '', resources: null, user: '', migProfile: '', imagePullPolicy: '', mounts: [], shmSizeBytes: 0 },
    env: { RANK: String(jobIndex) },
    binding: { gpuIndices: [jobIndex], gpuUuids: [`GPU-${jobIndex}`], cpuset: '0-3', numaNode: 0, nics: [] },
    submitDir: '/home/u/job',
    user: 'u',
    requests: { cpuMillis: 4000, memoryBytes: 1 << 30, gpus: 1, rdma: 0 },
    ...over,
  };
}

/** runningStatusOf is a's status as its agent reports it Running on n1 (seq 2, pid 4242); `over` replaces fields. */
export function runningStatusOf(a: PodAssignment, over: Partial<PodStatus> = {}): PodStatus {
  return {
    podId: a.podId,
    generation: a.generation,
    jobsetUid: a.jobsetUid,
    node: 'n1',
    phase: 'POD_PHASE_RUNNING',
    notBeforeMs: 0,
    signal: '',
    reason: '',
    message: '',
    startedMs: 1000,
    finishedMs: 0,
    seq: 2,
    pid: 4242,
    binding: a.binding,
    requests: a.requests,
    ...over,
  };
}
