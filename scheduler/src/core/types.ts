/**
 * The inputs and outputs of the pure scheduling core. A Snapshot is a
 * read-only copy of what the scheduler knows; a CycleDecision is plain data
 * the apply/ layer re-checks and commits.
 */
import type { Resources } from '../../../shared/src/resources.js';
import type { GangPod } from '../model/gang.js';

/** NodeSnapshot is one node as the core sees it. */
export interface NodeSnapshot {
  name: string;
  /** True when the node may take new pods (Ready, not draining). */
  schedulable: boolean;
  allocatable: Resources;
  /** Sum of requests of pods already placed here. */
  allocated: Resources;
  /** Healthy GPU indices of the node, ascending. */
  gpuIndices: number[];
  /** GPU indices already bound to placed pods. */
  usedGpuIndices: number[];
}

/** PendingJobSet is a JobSet waiting for admission, in queue order. */
export interface PendingJobSet {
  name: string;
  createdMs: number;
  pods: GangPod[];
}

/** Snapshot is everything one scheduling cycle needs. */
export interface Snapshot {
  nodes: NodeSnapshot[];
  pending: PendingJobSet[];
  /** Coordinator ports held by admitted, unfinished JobSets. */
  usedPorts: number[];
  portRange: { min: number; max: number };
}

/** PodPlacement binds one pod to a node (and GPU indices there). */
export interface PodPlacement {
  podId: string;
  node: string;
  gpuIndices: number[];
}

/** Admission admits a whole JobSet: every pod placed. */
export interface Admission {
  jobset: string;
  placements: PodPlacement[];
  coordinatorPort: number;
}

/** PendingReasonCode is the stable first word of why a JobSet waits. */
export type PendingReasonCode = 'NoFit' | 'NoReadyNodes' | 'NoCoordinatorPort';

/** StillPending says why a JobSet was not admitted in this cycle. */
export interface StillPending {
  jobset: string;
  reason: PendingReasonCode;
  message: string;
}

/** CycleDecision is the outcome of one cycle. */
export interface CycleDecision {
  admit: Admission[];
  pending: StillPending[];
}
