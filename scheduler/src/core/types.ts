/**
 * The inputs and outputs of the pure scheduling core. A Snapshot is a
 * read-only copy of what the scheduler knows; a CycleDecision is plain data
 * the apply/ layer re-checks and commits.
 */
import type { Resources } from '../../../shared/src/resources.js';
import type { GangPod } from '../model/gang.js';
import type { QuotaTree, Usage } from './quota.js';

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
  /** Most pods the node may hold (the node's desired document must stay small); undefined = no limit. */
  maxPods?: number;
  /** Pods placed (or still stopping) there now. */
  podCount?: number;
  /** Node labels (flavors select nodes by them). */
  labels?: Readonly<Record<string, string>>;
}

/** PendingJobSet is a JobSet waiting for admission, in queue order. */
export interface PendingJobSet {
  name: string;
  createdMs: number;
  pods: GangPod[];
  /** The pod whose node hosts MASTER_PORT (spec.coordinator, default the first pod). */
  coordinatorPodId: string;
  /** spec.queue; empty = not managed by a queue (no quota). */
  queue?: string;
  /** From its priority class (the default class when it names none); higher goes first. */
  priority?: number;
}

/** QuotaSnapshot is the queueing state a cycle admits against (absent when no queue is defined). */
export interface QuotaSnapshot {
  tree: QuotaTree;
  /** What admitted JobSets hold. */
  usage: Usage;
  /** Flavor → the node labels that select its nodes. */
  flavorLabels: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Queue → queueingStrategy. */
  strategies: Readonly<Record<string, string>>;
}

/** PortInUse is a coordinator port held on a node by an admitted, unfinished JobSet. */
export interface PortInUse {
  node: string;
  port: number;
}

/** Snapshot is everything one scheduling cycle needs. */
export interface Snapshot {
  nodes: NodeSnapshot[];
  pending: PendingJobSet[];
  /** Coordinator ports held by admitted, unfinished JobSets, per node (ports need only be unique on a host). */
  usedPorts: PortInUse[];
  portRange: { min: number; max: number };
  quota?: QuotaSnapshot;
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
  /** The node the coordinator pod runs on (the port is free there). */
  coordinatorNode: string;
  /** The quota it is admitted with, when it names a queue. */
  quota?: { queue: string; flavors: Record<string, string> };
}

/** PendingReasonCode is the stable first word of why a JobSet waits. */
export type PendingReasonCode =
  | 'NoFit'
  | 'NoReadyNodes'
  | 'NoCoordinatorPort'
  | 'TooLargeForTransport'
  | 'WaitingForQuota'
  | 'NoMatchingFlavor'
  | 'QueueInactive'
  | 'WaitingBehindHead';

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
