/**
 * Fluent fixture builders for tests of the pure core (Kueue `Make*` style):
 *
 *   makeNode('n1').cpu(8).memory('32Gi').gpus(4).notReady().build()        → NodeSnapshot
 *   makeJobSet('train').replicatedJob('workers', {replicas: 2, parallelism: 2, gpus: 1}).createdAt(5).build()
 *                                                                          → JobSet (spec defaulted, status Pending)
 *   pendingOf(jobset)                                                      → PendingJobSet (for decideCycle)
 *   admittedJobSet(jobset, nodeOf)                                         → JobSet in phase Admitted with its pods
 *   podStatus('train/w/0/0', {...})                                        → PodStatus of JobSet train's incarnation
 *
 * A built JobSet named N has the deterministic uid `uid-N` (jobSetUid(N)); pod
 * statuses built for its pods carry that uid unless a test overrides it.
 *
 * Builders only assemble data; they never decide anything the code under test
 * decides (expandGang is the one piece of production code used, because a
 * PendingJobSet is by definition its output).
 */
import type { EnvVar, FailurePolicyRule, JobSet, JobSetSpec, PodFailurePolicyRule, PodStatus, ReplicatedJob } from '../../shared/src/proto/types.js';
import { parseCpu, parseMemory, type Resources } from '../../shared/src/resources.js';
import { withDefaults } from '../../shared/src/spec/validate.js';
import { placementPolicyOf } from '../../scheduler/src/core/domains.js';
import { placementGroupsOf } from '../../scheduler/src/core/placement-groups.js';
import { expandGang, type GangPod } from '../../scheduler/src/model/gang.js';
import type { NodeSnapshot, PendingJobSet } from '../../scheduler/src/core/types.js';

/** Quantity is a Kubernetes quantity as a person writes it (`500m`, `4`, `16Gi`) or a plain number. */
export type Quantity = string | number;

/** cpuMillis converts a CPU quantity to millicores, throwing on a typo in a fixture. */
export function cpuMillis(q: Quantity): number {
  const v = parseCpu(q);
  if (v === undefined) throw new Error(`builders: bad CPU quantity ${String(q)}`);
  return v;
}

/** memoryBytes converts a memory quantity to bytes, throwing on a typo in a fixture. */
export function memoryBytes(q: Quantity): number {
  const v = parseMemory(q);
  if (v === undefined) throw new Error(`builders: bad memory quantity ${String(q)}`);
  return v;
}

/** ResourceAmounts is a resource amount written with quantities; missing = 0. */
export interface ResourceAmounts {
  cpu?: Quantity;
  memory?: Quantity;
  gpus?: number;
  rdma?: number;
}

/** resources turns ResourceAmounts into canonical Resources. */
export function resources(r: ResourceAmounts = {}): Resources {
  return {
    cpuMillis: r.cpu === undefined ? 0 : cpuMillis(r.cpu),
    memoryBytes: r.memory === undefined ? 0 : memoryBytes(r.memory),
    gpus: r.gpus ?? 0,
    rdma: r.rdma ?? 0,
  };
}

/**
 * NodeBuilder builds a NodeSnapshot. A new node is schedulable with nothing
 * allocatable; `gpus(n)` gives it healthy GPUs 0..n-1.
 */
export class NodeBuilder {
  private node: NodeSnapshot;

  constructor(name: string) {
    this.node = {
      name,
      schedulable: true,
      allocatable: { cpuMillis: 0, memoryBytes: 0, gpus: 0, rdma: 0 },
      allocated: { cpuMillis: 0, memoryBytes: 0, gpus: 0, rdma: 0 },
      gpuIndices: [],
      usedGpuIndices: [],
    };
  }

  /** cpu sets allocatable CPU (`8`, `500m`). */
  cpu(q: Quantity): this {
    this.node.allocatable.cpuMillis = cpuMillis(q);
    return this;
  }

  /** memory sets allocatable memory (`32Gi`). */
  memory(q: Quantity): this {
    this.node.allocatable.memoryBytes = memoryBytes(q);
    return this;
  }

  /** gpus sets the GPU count and makes GPUs 0..n-1 healthy. */
  gpus(n: number): this {
    this.node.allocatable.gpus = n;
    this.node.gpuIndices = Array.from({ length: n }, (_, i) => i);
    return this;
  }

  /** rdma sets allocatable RDMA NICs. */
  rdma(n: number): this {
    this.node.allocatable.rdma = n;
    return this;
  }

  /** unhealthyGpus removes GPU indices from the healthy list (they still count in allocatable). */
  unhealthyGpus(...indices: number[]): this {
    this.node.gpuIndices = this.node.gpuIndices.filter((i) => !indices.includes(i));
    return this;
  }

  /** usedGpus marks GPU indices as bound to already placed pods, and counts them as allocated. */
  usedGpus(...indices: number[]): this {
    this.node.usedGpuIndices = [...this.node.usedGpuIndices, ...indices];
    this.node.allocated.gpus += indices.length;
    return this;
  }

  /** allocated adds requests of pods already placed on the node (GPU indices: use usedGpus). */
  allocated(r: ResourceAmounts): this {
    const add = resources(r);
    const a = this.node.allocated;
    this.node.allocated = { cpuMillis: a.cpuMillis + add.cpuMillis, memoryBytes: a.memoryBytes + add.memoryBytes, gpus: a.gpus + add.gpus, rdma: a.rdma + add.rdma };
    return this;
  }

  /** notReady makes the node unschedulable (NotReady, Lost, Draining…). */
  notReady(): this {
    this.node.schedulable = false;
    return this;
  }

  /** labels sets the node's labels (flavors select nodes by them). */
  labels(l: Record<string, string>): this {
    this.node.labels = { ...l };
    return this;
  }

  /** build returns an independent copy of the node. */
  build(): NodeSnapshot {
    return structuredClone(this.node);
  }
}

/** makeNode starts a NodeBuilder for a node named `name`. */
export function makeNode(name: string): NodeBuilder {
  return new NodeBuilder(name);
}

/** ReplicatedJobOptions describe one replicatedJob of a JobSetBuilder; resources are per pod. */
export interface ReplicatedJobOptions extends ResourceAmounts {
  /** Number of Jobs (omitted: left to defaulting, 1). */
  replicas?: number;
  /** Pods per Job (default 1). */
  parallelism?: number;
  /** Completions (omitted: left to defaulting, = parallelism). */
  completions?: number;
  completionMode?: string;
  image?: string;
  /** Default ['true'] so that the spec is valid without an image. */
  command?: string[];
  env?: Record<string, string> | EnvVar[];
  dependsOn?: { name: string; status: string }[];
  backoffLimit?: number;
  backoffLimitPerIndex?: number;
  maxFailedIndexes?: number;
  podFailurePolicy?: { rules: PodFailurePolicyRule[] };
  /** The Jobs' activeDeadlineSeconds (omitted: none). */
  activeDeadlineSeconds?: number;
  /** The replicatedJob's placement (omitted: none). */
  placement?: PlacementOptions;
  /** Its `gpus` are MIG devices of this profile (omitted: whole GPUs). */
  migProfile?: string;
}

/** PlacementOptions are a spec.placement's fields (unset = ''). */
export interface PlacementOptions {
  required?: string;
  preferred?: string;
  exclusive?: string;
  sliceRequired?: string;
  sliceSize?: number;
}

/** placementOf fills a Placement message. */
function placementOf(p: PlacementOptions): NonNullable<ReplicatedJob['placement']> {
  return { required: p.required ?? '', preferred: p.preferred ?? '', exclusive: p.exclusive ?? '', sliceRequired: p.sliceRequired ?? '', sliceSize: p.sliceSize ?? 0 };
}

/**
 * JobSetBuilder builds a JobSet as the scheduler stores it after Submit:
 * metadata, a defaulted spec (withDefaults) and a Pending status.
 */
export class JobSetBuilder {
  private readonly rjs: ReplicatedJob[] = [];
  private created = 0;
  private restartCount = 0;
  private labelMap: Record<string, string> = {};
  private spec: Omit<JobSetSpec, 'replicatedJobs'> = {
    successPolicy: null,
    failurePolicy: null,
    coordinator: null,
    queue: '',
    priorityClass: '',
    suspend: false,
    startupPolicy: null,
    placement: null,
  };

  constructor(private readonly name: string) {}

  /** replicatedJob appends a replicatedJob (spec order = rank order). */
  replicatedJob(name: string, o: ReplicatedJobOptions = {}): this {
    const env: EnvVar[] = Array.isArray(o.env) ? o.env : Object.entries(o.env ?? {}).map(([n, value]) => ({ name: n, value }));
    const r = resources(o);
    const rj: ReplicatedJob = {
      name,
      dependsOn: o.dependsOn ?? [],
      template: {
        parallelism: o.parallelism ?? 1,
        completionMode: o.completionMode ?? '',
        podFailurePolicy: o.podFailurePolicy ?? null,
        template: {
          image: o.image ?? '',
          command: o.command ?? (o.image ? [] : ['true']),
          args: [],
          env,
          workingDir: '',
          resources: { cpuMillis: r.cpuMillis, memoryBytes: r.memoryBytes, gpus: r.gpus, rdma: r.rdma },
          user: '',
          migProfile: o.migProfile ?? '',
          imagePullPolicy: '',
          mounts: [],
          shmSizeBytes: 0,
        },
      },
      placement: o.placement ? placementOf(o.placement) : null,
    };
    if (o.replicas !== undefined) rj.replicas = o.replicas;
    if (o.completions !== undefined) rj.template!.completions = o.completions;
    if (o.backoffLimit !== undefined) rj.template!.backoffLimit = o.backoffLimit;
    if (o.backoffLimitPerIndex !== undefined) rj.template!.backoffLimitPerIndex = o.backoffLimitPerIndex;
    if (o.maxFailedIndexes !== undefined) rj.template!.maxFailedIndexes = o.maxFailedIndexes;
    if (o.activeDeadlineSeconds !== undefined) rj.template!.activeDeadlineSeconds = o.activeDeadlineSeconds;
    this.rjs.push(rj);
    return this;
  }

  /** createdAt sets metadata.createdMs (queue order). */
  createdAt(ms: number): this {
    this.created = ms;
    return this;
  }

  /** successPolicy sets spec.successPolicy. */
  successPolicy(operator: string, targetReplicatedJobs: string[] = []): this {
    this.spec.successPolicy = { operator, targetReplicatedJobs };
    return this;
  }

  /** placement sets spec.placement (topology levels: required, preferred, exclusive). */
  placement(p: PlacementOptions): this {
    this.spec.placement = placementOf(p);
    return this;
  }

  /** failurePolicy sets spec.failurePolicy. */
  failurePolicy(restartStrategy: string, maxRestarts = 0, rules: FailurePolicyRule[] = []): this {
    this.spec.failurePolicy = { maxRestarts, restartStrategy, rules };
    return this;
  }

  /** coordinator sets spec.coordinator explicitly. */
  coordinator(replicatedJob: string, jobIndex = 0, podIndex = 0): this {
    this.spec.coordinator = { replicatedJob, jobIndex, podIndex };
    return this;
  }

  /** labels sets metadata.labels. */
  labels(l: Record<string, string>): this {
    this.labelMap = { ...l };
    return this;
  }

  /** restarts sets status.restarts (the generation). */
  restarts(n: number): this {
    this.restartCount = n;
    return this;
  }

  /** rawSpec returns the spec as written, before defaulting (what validateJobSet sees from a client). */
  rawSpec(): JobSetSpec {
    return structuredClone({ ...this.spec, replicatedJobs: this.rjs });
  }

  /** build returns the JobSet with a defaulted spec and a Pending status without pods. */
  build(): JobSet {
    const spec = withDefaults(this.rawSpec());
    return {
      metadata: { name: this.name, labels: { ...this.labelMap }, uid: jobSetUid(this.name), createdMs: this.created, user: 'tester', userVerified: false, submitDir: '/home/tester' },
      spec,
      status: {
        phase: 'JOB_SET_PHASE_PENDING',
        reason: 'Queued',
        message: '',
        restarts: this.restartCount,
        admittedMs: 0,
        startedMs: 0,
        finishedMs: 0,
        replicatedJobs: [],
        pods: [],
        conditions: [],
        failedPod: '',
        coordinatorPort: 0,
        updatedMs: this.created,
        restartsCountTowardsMax: 0,
        terminalState: '',
        jobs: [],
        startedReplicatedJobs: [],
        history: [],
        admission: null,
        requeueState: null,
        lostRequeues: 0,
      },
    };
  }
}

/** jobSetUid is the uid a built JobSet named `name` gets (deterministic, so tests can write it out). */
export function jobSetUid(name: string): string {
  return `uid-${name}`;
}

/** makeJobSet starts a JobSetBuilder for a JobSet named `name`. */
export function makeJobSet(name: string): JobSetBuilder {
  return new JobSetBuilder(name);
}

/** gangOf lists a built JobSet's pods in rank order (expandGang over its spec). */
export function gangOf(js: JobSet): GangPod[] {
  return expandGang(js.metadata!.name, js.spec!);
}

/**
 * coordinatorOf names the pod spec.coordinator points at, or the first pod of
 * the gang when there is none or it names no pod (DESIGN §7; written out here,
 * not taken from the scheduler, so tests of the scheduler's choice can compare).
 */
export function coordinatorOf(js: JobSet, gang: GangPod[] = gangOf(js)): string {
  const c = js.spec!.coordinator;
  const named = c ? gang.find((p) => p.replicatedJob === c.replicatedJob && p.jobIndex === c.jobIndex && p.podIndex === c.podIndex) : undefined;
  return (named ?? gang[0])?.podId ?? '';
}

/** pendingOf turns a built JobSet into the PendingJobSet a Snapshot carries. */
export function pendingOf(js: JobSet): PendingJobSet {
  const pods = gangOf(js);
  const placement = placementPolicyOf(js.spec!);
  const groups = placementGroupsOf(js.spec!, pods);
  return { name: js.metadata!.name, createdMs: js.metadata!.createdMs, pods, coordinatorPodId: coordinatorOf(js, pods), ...(placement ? { placement } : {}), ...(groups ? { groups } : {}) };
}

/**
 * podStatus is a PodStatus with every field present; `over` overrides. Its
 * jobsetUid is that of the built JobSet the pod id names (jobSetUid), so a
 * report built for a pod of `train` belongs to makeJobSet('train').build().
 */
export function podStatus(podId: string, over: Partial<PodStatus> = {}): PodStatus {
  const jobset = podId.split('/')[0] ?? '';
  return {
    podId,
    jobsetUid: jobSetUid(jobset),
    requests: null,
    notBeforeMs: 0,
    generation: 0,
    node: '',
    phase: 'POD_PHASE_PENDING',
    signal: '',
    reason: '',
    message: '',
    startedMs: 0,
    finishedMs: 0,
    seq: 0,
    pid: 0,
    binding: null,
    ...over,
  };
}

/**
 * admittedJobSet returns a copy of a built JobSet in phase Admitted, with one
 * Pending pod per gang pod (generation = status.restarts, jobsetUid = the
 * JobSet's uid, requests = the pod's request) on the node `nodeOf` chooses
 * (default: all on `n1`).
 */
export function admittedJobSet(js: JobSet, nodeOf: (pod: GangPod) => string = () => 'n1'): JobSet {
  const out = structuredClone(js);
  const s = out.status!;
  s.phase = 'JOB_SET_PHASE_ADMITTED';
  s.reason = 'Admitted';
  s.admittedMs = 1;
  s.pods = gangOf(out).map((g) =>
    podStatus(g.podId, {
      generation: s.restarts,
      node: nodeOf(g),
      jobsetUid: out.metadata!.uid,
      requests: { ...g.request },
      binding: { gpuIndices: [], gpuUuids: [], cpuset: '', numaNode: 0, nics: [] },
    }),
  );
  return out;
}
