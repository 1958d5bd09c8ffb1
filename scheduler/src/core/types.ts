/**
 * The inputs and outputs of the pure scheduling core. A Snapshot is a
 * read-only copy of what the scheduler knows; a CycleDecision is plain data
 * the apply/ layer re-checks and commits.
 */
import type { Resources } from '../../../shared/src/resources.js';
import type { GangPod } from '../model/gang.js';
import type { PlacementPolicy } from './domains.js';
import type { PlacementGroup } from './placement-groups.js';
import type { CpuTopology } from './cpu-choice.js';
import type { GpuTopology } from './gpu-choice.js';
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
  /** How the node's GPUs are linked (NVLink, PCIe) and their NUMA nodes, from discovery; absent = unknown. */
  gpuTopology?: GpuTopology;
  /** Placeable CPUs by NUMA node, from discovery; absent = no CPU sets (only cpu millis are counted). */
  cpuTopology?: CpuTopology;
  /** CPUs bound to placed pods (including stopping ones). */
  usedCpus?: readonly number[];
  /** CPUs (among usedCpus) held by stopping pods. */
  stoppingCpus?: readonly number[];
  /** Placeable MIG devices (healthy GPUs in MIG mode, profile and UUID known), by GPU then device index. */
  migDevices?: readonly { uuid: string; profile: string }[];
  /** MIG device UUIDs bound to placed (or stopping) pods. */
  usedMig?: readonly string[];
  /** The part of `allocated` held by pods already told to stop (free once they exit). */
  stopping?: Resources;
  /** GPU indices (among usedGpuIndices) held by stopping pods. */
  stoppingGpuIndices?: number[];
  /** Pods (among podCount) that are stopping. */
  stoppingPods?: number;
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
  /** How long it can run at most once admitted (from its Jobs' activeDeadlineSeconds); undefined = unbounded. */
  timeLimitMs?: number;
  /** The submitting user (admission fair sharing orders a queue by its users' usage). */
  user?: string;
  /** spec.placement: keep the gang in one topology domain (core/domains.ts). */
  placement?: PlacementPolicy;
  /** Its replicatedJobs' placements: per replicatedJob, per slice, exclusive per Job (core/placement-groups.ts). */
  groups?: PlacementGroup[] | undefined;
}

/** PlacedPod is a running pod as backfill and preemption see it: what stopping it frees. */
export interface PlacedPod {
  node: string;
  request: Resources;
  gpuIndices: readonly number[];
  /** Its exclusive CPUs (absent = none bound). */
  cpus?: readonly number[];
}

/** RunningJobSet is an admitted, unfinished JobSet as backfill sees it: when it ends at the latest, and what it frees then. */
export interface RunningJobSet {
  name: string;
  /** Latest end (admission + its time limit); undefined = unbounded. */
  endsByMs?: number;
  pods: readonly PlacedPod[];
}

/** AdmittedJobSet is a running JobSet admitted through a queue: what preempting it would give back. */
export interface AdmittedJobSet {
  name: string;
  queue: string;
  /** Resource → flavor its quota is charged to (status.admission). */
  flavors: Readonly<Record<string, string>>;
  /** The whole gang's quota request (gangRequest). */
  request: Readonly<Record<string, number>>;
  priority: number;
  createdMs: number;
  admittedMs: number;
  /** Its pods' nodes, requests and GPUs (what stopping them frees). */
  pods: readonly PlacedPod[];
}

/** PreemptionPolicy is a queue's spec.preemption with defaults applied (Kueue §3.2, §3.3). */
export interface PreemptionPolicy {
  withinQueue: 'Never' | 'LowerPriority' | 'LowerOrNewerEqualPriority';
  reclaimWithinCohort: 'Never' | 'LowerPriority' | 'Any';
  borrowWithinCohort: { policy: 'Never' | 'LowerPriority'; maxPriorityThreshold?: number };
  /** A JobSet admitted through this queue is not preempted before running this long. */
  minRuntimeMs: number;
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
  /** Queues whose stopPolicy is Hold or HoldAndDrain: they admit nothing. */
  stopped?: Readonly<Record<string, 'Hold' | 'HoldAndDrain'>>;
  /** Queue → its preemption policy; a queue absent here never preempts and is protected by no minimum runtime. */
  preemption?: Readonly<Record<string, PreemptionPolicy>>;
  /** Running JobSets admitted through queues (preemption candidates); only needed when some queue may preempt. */
  admitted?: readonly AdmittedJobSet[];
  /** Admission fair sharing (§3.11): the queues using it and each (queue, user)'s weighted usage. */
  afs?: AfsSnapshot;
  /** Fair sharing (§3.10) when enabled: borrowing admissions go to the lowest share first, preemption in a cohort follows these strategies. */
  fairSharing?: { strategies: readonly FairSharingStrategy[] };
}

/** AfsSnapshot is what admission fair sharing orders by. */
export interface AfsSnapshot {
  /** Queues whose admissionMode is UsageBasedAdmissionFairSharing. */
  queues: readonly string[];
  /** afsKey(queue, user) → weighted usage (decayed consumption plus entry penalties); absent = 0. */
  usage: Readonly<Record<string, number>>;
  /** Weights per resource (AFS units: gpus, cpu cores, memory GiB). */
  weights: Readonly<Record<string, number>>;
  /** alpha(samplingInterval): the entry penalty of an admission is its request times this. */
  penaltyFactor: number;
}

/** FairSharingStrategy is one of Kueue's fair-sharing preemption strategies (§3.10). */
export type FairSharingStrategy = 'LessThanOrEqualToFinalShare' | 'LessThanInitialShare';

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
  /** The cycle's clock (minimum runtimes before preemption, backfill); 0 when not needed. */
  nowMs?: number;
  /** Running JobSets with their latest ends, when backfill is on (absent = off). */
  running?: readonly RunningJobSet[];
  /** Topology levels (node label keys), outermost first, that placement.preferred widens through. */
  topologyLevels?: readonly string[];
  /** Domains held by running JobSets placed with `exclusive` (no other JobSet's pods go there). */
  exclusiveHeld?: readonly { level: string; key: string }[];
}

/** PodPlacement binds one pod to a node (and GPU indices there). */
export interface PodPlacement {
  podId: string;
  node: string;
  gpuIndices: number[];
  /** The pod's exclusive CPUs, ascending (absent: the node has no CPU sets or the pod asks for no CPU). */
  cpus?: number[];
  /** The MIG devices of a pod asking for them (its gpuIndices are then empty). */
  migUuids?: string[];
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
  /** Backfilled: it runs on capacity held for a blocked JobSet, ending (by its time limit) before that one can start. */
  backfill?: { before: string; startMs: number };
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
  | 'WaitingBehindHead'
  | 'WaitingForPreemption'
  | 'QueueStopped';

/** StillPending says why a JobSet was not admitted in this cycle. */
export interface StillPending {
  jobset: string;
  reason: PendingReasonCode;
  message: string;
}

/** PreemptionReason is why a victim is preempted (Kueue's Preempted condition reasons, §3.3). */
export type PreemptionReason = 'InQueue' | 'InCohortReclamation' | 'InCohortReclaimWhileBorrowing' | 'InCohortFairSharing';

/** Preemption evicts one running JobSet so a pending one can be admitted; the victim goes back to its queue. */
export interface Preemption {
  jobset: string;
  /** The pending JobSet it makes room for. */
  by: string;
  reason: PreemptionReason;
  message: string;
}

/** CycleDecision is the outcome of one cycle. */
export interface CycleDecision {
  admit: Admission[];
  pending: StillPending[];
  /** Running JobSets to evict (absent = none). */
  preempt?: Preemption[];
}
