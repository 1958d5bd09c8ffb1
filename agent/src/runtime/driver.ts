/**
 * The runtime driver interface: how the agent runs one pod on its host, and
 * the lifecycle types every driver speaks. The `process` driver exists; the
 * `oci` driver (containers) comes with its issue, and `recover` (adopting pods
 * that outlived an agent restart), `inspect` and `logs` with theirs.
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
  /** The submitting user's name (for logs; `identity` is who the pod runs as). */
  user: string;
  /** The identity to switch to (identity.ts); undefined = the agent's own. */
  identity?: PodIdentity;
  /** The pod's exclusive CPUs from its binding (empty = unbound) and their NUMA node (-1 unknown). */
  cpus?: readonly number[];
  numaNode?: number;
}

/** TerminalPhase is the phase of a pod that has finished. */
export type TerminalPhase = Extract<PodPhase, 'POD_PHASE_SUCCEEDED' | 'POD_PHASE_FAILED'>;

/**
 * PodExitReason is the machine-readable reason of a finished pod
 * (PodStatus.reason): Completed (exit 0), Error (non-zero exit), Signaled
 * (killed by a signal nobody in Muster sent), Stopped (the agent stopped it),
 * StartError (could not start), ImageNotSupported (the driver cannot run images).
 */
export type PodExitReason = 'Completed' | 'Error' | 'Signaled' | 'Stopped' | 'StartError' | 'ImageNotSupported' | 'UnknownUser' | 'UserNotAllowed';

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
}
