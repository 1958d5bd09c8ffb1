/**
 * The runtime driver interface: how the agent runs one pod on its host, and
 * the lifecycle types every driver speaks. Drivers: `process` (a process
 * group), `oci` (a container through the Docker Engine API) and `router`
 * (image pods to oci, the rest to process). `recover` finds again the pods a
 * previous agent process started (adoption across agent restarts).
 */
import type { PodPhase } from '../../../shared/src/proto/types.js';
import type { PodIdentity } from './identity.js';

/**
 * PodKey identifies one incarnation of a pod: its id, the JobSet incarnation it
 * belongs to (a JobSet cancelled and submitted again under the same name has a
 * new uid, and its pods are other pods) and its generation.
 */
export interface PodKey {
  podId: string;
  jobsetUid: string;
  generation: number;
}

/** podKeyString renders a PodKey as `podId@jobsetUid@generation` (map keys, NATS msg ids, logs). */
export function podKeyString(k: PodKey): string {
  return `${k.podId}@${k.jobsetUid}@${k.generation}`;
}

/** sameIncarnation says whether two keys name the same pod incarnation. */
export function sameIncarnation(a: PodKey, b: PodKey): boolean {
  return a.podId === b.podId && a.jobsetUid === b.jobsetUid && a.generation === b.generation;
}

/** keyFields are a key's fields for log records. */
export function keyFields(k: PodKey): { podId: string; jobsetUid: string; generation: number } {
  return { podId: k.podId, jobsetUid: k.jobsetUid, generation: k.generation };
}

/** PodSpec is everything a driver needs to start a pod; the agent has resolved env, paths and working directory. */
export interface PodSpec extends PodKey {
  /** Container image; empty for a plain process. */
  image: string;
  /** Executable and its leading arguments. */
  command: string[];
  /** Arguments appended to command. */
  args: string[];
  /** The complete environment of the pod (nothing is inherited). */
  env: Record<string, string>;
  /** Absolute working directory; must exist. */
  workingDir: string;
  /** Files the pod's stdout and stderr are appended to. */
  stdoutPath: string;
  stderrPath: string;
  /** The pod's own directory on the host (the agent's: logs, hostfile, exit status). */
  podDir: string;
  /** The pod's hostfile on the host (a container gets it mounted at CONTAINER_HOSTFILE). */
  hostfilePath?: string;
  /** Container pods: how to get the image (IfNotPresent, Always, Never; '' = IfNotPresent). */
  imagePullPolicy?: string;
  /** Container pods: host paths bound into the container (already checked against the agent's allowed prefixes). */
  mounts?: readonly { hostPath: string; containerPath: string; readOnly: boolean }[];
  /** Container pods: /dev/shm size in bytes (0 = the engine's default). */
  shmSizeBytes?: number;
  /** Container pods: memory limit in bytes (0 = none). */
  memoryBytes?: number;
  /** GPUs bound to the pod: their UUIDs (MIG device UUIDs for MIG pods), for container device requests. */
  gpuUuids?: readonly string[];
  /** The submitting user's name (for logs; `identity` is who the pod runs as). */
  user: string;
  /** The identity to switch to (identity.ts); undefined = the agent's own. */
  identity?: PodIdentity;
  /** The pod's exclusive CPUs from its binding (empty = unbound) and their NUMA node (-1 unknown). */
  cpus?: readonly number[];
  numaNode?: number;
}

/** CONTAINER_HOSTFILE is where a container pod finds its hostfile (MUSTER_HOSTFILE). */
export const CONTAINER_HOSTFILE = '/etc/muster/hostfile';

/** TerminalPhase is the phase of a pod that has finished. */
export type TerminalPhase = Extract<PodPhase, 'POD_PHASE_SUCCEEDED' | 'POD_PHASE_FAILED'>;

/**
 * PodExitReason is the machine-readable reason of a finished pod
 * (PodStatus.reason): Completed (exit 0), Error (non-zero exit), Signaled
 * (killed by a signal nobody in Muster sent), Stopped (the agent stopped it),
 * StartError (could not start), ImageNotSupported (the driver cannot run
 * images), UnknownUser / UserNotAllowed (identity.ts), OOMKilled (the
 * container hit its memory limit), ErrImagePull / ErrImageNeverPull (Kubernetes'
 * names: the image could not be pulled, or is absent under pull policy Never),
 * MountNotAllowed (a host path outside the agent's allowed prefixes),
 * ExitUnknown (it ended while the agent was down and left no exit status).
 */
export type PodExitReason =
  | 'Completed'
  | 'Error'
  | 'Signaled'
  | 'Stopped'
  | 'StartError'
  | 'ImageNotSupported'
  | 'UnknownUser'
  | 'UserNotAllowed'
  | 'OOMKilled'
  | 'ErrImagePull'
  | 'ErrImageNeverPull'
  | 'MountNotAllowed'
  | 'ExitUnknown';

/** START_FAILURE_REASONS are the reasons of pods that never ran their command. */
export const START_FAILURE_REASONS: ReadonlySet<PodExitReason> = new Set(['StartError', 'ImageNotSupported', 'UnknownUser', 'UserNotAllowed', 'ErrImagePull', 'ErrImageNeverPull', 'MountNotAllowed']);

/** PodExit is how a pod ended. */
export interface PodExit {
  phase: TerminalPhase;
  reason: PodExitReason;
  /** Exit code; 128 + signal number when killed by a signal; absent when it never ran. */
  exitCode?: number;
  /** Signal name (e.g. SIGKILL) when killed by a signal, else empty. */
  signal: string;
  /** For people. */
  message: string;
  finishedMs: number;
}

/** PodStart is the outcome of starting a pod: running (with a promise of its exit) or failed at once. */
export type PodStart =
  | { kind: 'running'; pid: number; startedMs: number; exited: Promise<PodExit> }
  | { kind: 'failed'; exit: PodExit };

/** RunningPod is one pod a driver currently runs. */
export interface RunningPod extends PodKey {
  pid: number;
  startedMs: number;
}

/**
 * RecoveredPod is a pod a previous agent process started, as the driver found
 * it again: still running (adopted: the driver watches and stops it as its
 * own) or ended while no agent watched (with its exit as recorded).
 */
export type RecoveredPod =
  | (PodKey & { state: 'running'; pid: number; startedMs: number; exited: Promise<PodExit> })
  | (PodKey & { state: 'ended'; exit: PodExit });

/** RecoverOptions tell a driver which recovered pods the agent still knows. */
export interface RecoverOptions {
  /** Whether the agent's persisted pod table has this pod (others are stopped and cleaned up, never adopted). */
  known: (key: PodKey) => boolean;
  /** Time between SIGTERM and SIGKILL for the pods stopped. */
  gracePeriodMs: number;
  /** A known pod's files on the host (a container's output goes on being copied there). */
  filesOf: (key: PodKey) => Pick<PodSpec, 'podDir' | 'stdoutPath' | 'stderrPath'> | undefined;
  signal?: AbortSignal;
}

/** RuntimeDriver runs pods on this host. */
export interface RuntimeDriver {
  /** name identifies the driver in logs (`process`, `oci`). */
  readonly name: string;
  /** start launches a pod; it never throws for a pod's own problems (they come back as `failed`). */
  start(spec: PodSpec): Promise<PodStart>;
  /**
   * stop asks a running pod to end (SIGTERM to its whole process group, SIGKILL
   * after gracePeriodMs) and resolves with its exit once it has exited — every
   * process of it, not only the first one; the exit reason is `Stopped`.
   * Resolves undefined when the driver does not run that pod.
   */
  stop(key: PodKey, gracePeriodMs: number, why: string): Promise<PodExit | undefined>;
  /** list returns the pods the driver runs now. */
  list(): RunningPod[];
  /**
   * containerized says whether this driver runs a pod with this image in a
   * container: then the pod's environment and working directory are the
   * image's, not the host's (the supervisor prepares the spec accordingly).
   */
  containerized(image: string): boolean;
  /**
   * recover finds the pods a previous agent process of this host (same state
   * dir) left: known ones still running are adopted, known ones that ended are
   * returned with their exit, unknown ones are stopped. Called once, before
   * the first start.
   */
  recover(opts: RecoverOptions): Promise<RecoveredPod[]>;
  /** close releases what the driver holds (connections); pods keep running. */
  close?(): void;
}
