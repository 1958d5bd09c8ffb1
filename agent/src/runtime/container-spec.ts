/**
 * What the OCI driver asks the container engine for: the Docker Engine API
 * `POST /containers/create` body of a pod (pure; oci-driver.ts sends it), the
 * labels that find a pod's container again, and the checks of host mounts.
 *
 * A pod's container:
 * - host network (HPC traffic, RDMA) and the pod's hostfile at
 *   CONTAINER_HOSTFILE, read-only;
 * - Kubernetes' command/args rule: `command` replaces the image's entrypoint,
 *   `args` its cmd; neither keeps the image's;
 * - the submitter's uid:gid and supplementary groups (`User`, `GroupAdd`),
 *   else the agent's own uid:gid — never the image's user; no new privileges
 *   (a setuid binary in the image gains nothing) and, unless it runs as root
 *   (an admin allowed that), no capabilities at all: a container pod can do
 *   on the host exactly what its user can;
 * - its binding's CPUs and NUMA node (`CpusetCpus`, `CpusetMems`), memory
 *   limit = its request, /dev/shm size;
 * - its GPUs as CDI devices `nvidia.com/gpu=<uuid>` in a device request of
 *   driver `cdi` (the Engine API's form: Docker 25+, Podman 5.4+; Podman's
 *   `Devices` list cannot carry CDI names through its Docker-compatible API)
 *   with NVIDIA_VISIBLE_DEVICES=void so a legacy NVIDIA hook adds nothing, or
 *   (gpuDevices: env, for older engines with the NVIDIA runtime) as
 *   NVIDIA_VISIBLE_DEVICES for the NVIDIA container runtime. Either way
 *   CUDA_VISIBLE_DEVICES names the GPUs by UUID: inside the container they are
 *   renumbered from 0, so host indices would be wrong.
 */
import path from 'node:path';
import type { ContainerCreateOptions } from 'dockerode';
import { formatCpuList } from '../../../shared/src/cpulist.js';
import { CONTAINER_HOSTFILE, type PodKey, type PodSpec } from './driver.js';

/** GPU_DEVICE_MODES are the ways a container can be given its GPUs. */
export const GPU_DEVICE_MODES = ['cdi', 'env'] as const;

/** GpuDeviceMode is one of GPU_DEVICE_MODES. */
export type GpuDeviceMode = (typeof GPU_DEVICE_MODES)[number];

/** LABELS are the labels every pod container carries. */
export const LABELS = {
  /** The agent instance (node name + state dir hash) that owns it: agents sharing one engine never touch each other's containers. */
  scope: 'io.muster.scope',
  podId: 'io.muster.pod-id',
  jobsetUid: 'io.muster.jobset-uid',
  generation: 'io.muster.generation',
  node: 'io.muster.node',
} as const;

/** ContainerSpecOptions are the agent-wide settings that shape every container. */
export interface ContainerSpecOptions {
  scope: string;
  node: string;
  gpuDevices: GpuDeviceMode;
  /** Who a pod without an identity (runPodsAs: agent) runs as: the agent's own ids. */
  agentUser: { uid: number; gid: number };
}

/** containerName is a pod incarnation's container name: `muster-<scope>-<pod id>-<uid8>-g<generation>`, in the engine's alphabet. */
export function containerName(key: PodKey, scope: string): string {
  const safe = (s: string): string => s.replace(/[^A-Za-z0-9_.-]/g, '_');
  return `muster-${safe(scope)}-${safe(key.podId)}-${safe(key.jobsetUid.slice(0, 8))}-g${key.generation}`;
}

/** labelsOf are the labels of a pod incarnation's container. */
export function labelsOf(key: PodKey, opts: Pick<ContainerSpecOptions, 'scope' | 'node'>): Record<string, string> {
  return {
    [LABELS.scope]: opts.scope,
    [LABELS.node]: opts.node,
    [LABELS.podId]: key.podId,
    [LABELS.jobsetUid]: key.jobsetUid,
    [LABELS.generation]: String(key.generation),
  };
}

/** keyOfLabels reads a pod key back from a container's labels; undefined when they are not a pod's. */
export function keyOfLabels(labels: Record<string, string> | undefined): PodKey | undefined {
  if (!labels) return undefined;
  const podId = labels[LABELS.podId];
  const jobsetUid = labels[LABELS.jobsetUid];
  const gen = labels[LABELS.generation];
  if (!podId || !jobsetUid || gen === undefined || !/^\d{1,15}$/.test(gen)) return undefined;
  return { podId, jobsetUid, generation: Number(gen) };
}

/**
 * mountProblem says why a host path may not be mounted, or undefined: it must
 * be absolute, without "..", and lie under one of the allowed prefixes (given
 * and compared after symbolic links are resolved, by the caller).
 */
export function mountProblem(hostPath: string, allowed: readonly string[]): string | undefined {
  if (!path.isAbsolute(hostPath) || hostPath.split('/').includes('..')) return `host path "${hostPath}" must be absolute, without ".."`;
  if (allowed.length === 0) return `host path "${hostPath}" may not be mounted: this agent allows no host paths (allowedHostPaths)`;
  const norm = path.resolve(hostPath);
  const ok = allowed.some((a) => {
    const p = path.resolve(a);
    return norm === p || norm.startsWith(p.endsWith('/') ? p : p + '/');
  });
  return ok ? undefined : `host path "${hostPath}" is not under a path this agent allows (${allowed.join(', ')})`;
}

/** gpuEnv is a container's GPU variables (see the file comment). */
function gpuEnv(gpus: readonly string[], mode: GpuDeviceMode): Record<string, string> {
  return {
    CUDA_VISIBLE_DEVICES: gpus.join(','),
    NVIDIA_VISIBLE_DEVICES: mode === 'cdi' || gpus.length === 0 ? 'void' : gpus.join(','),
  };
}

/** cdiName is the CDI device name of one GPU (a UUID or an index). */
export function cdiName(gpu: string): string {
  return `nvidia.com/gpu=${gpu}`;
}

/** createOptions builds the create body of a pod's container (mounts already checked). */
export function createOptions(spec: PodSpec, opts: ContainerSpecOptions): ContainerCreateOptions {
  const gpus = spec.gpuUuids ?? [];
  const env = { ...spec.env, ...gpuEnv(gpus, opts.gpuDevices) };
  delete env.CUDA_DEVICE_ORDER; // names by UUID: the order variable means nothing
  const binds = [
    ...(spec.hostfilePath ? [`${spec.hostfilePath}:${CONTAINER_HOSTFILE}:ro`] : []),
    ...(spec.mounts ?? []).map((m) => `${m.hostPath}:${m.containerPath}:${m.readOnly ? 'ro' : 'rw'}`),
  ];
  const uid = spec.identity?.uid ?? opts.agentUser.uid;
  const gid = spec.identity?.gid ?? opts.agentUser.gid;
  const hostConfig: NonNullable<ContainerCreateOptions['HostConfig']> = { NetworkMode: 'host', Binds: binds, SecurityOpt: ['no-new-privileges'] };
  if (uid !== 0) hostConfig.CapDrop = ['ALL'];
  if (spec.shmSizeBytes && spec.shmSizeBytes > 0) hostConfig.ShmSize = spec.shmSizeBytes;
  if (spec.memoryBytes && spec.memoryBytes > 0) hostConfig.Memory = spec.memoryBytes;
  if (spec.cpus && spec.cpus.length > 0) {
    hostConfig.CpusetCpus = formatCpuList(spec.cpus);
    if (spec.numaNode !== undefined && spec.numaNode >= 0) hostConfig.CpusetMems = String(spec.numaNode);
  }
  if (spec.identity && spec.identity.groups.length > 0) hostConfig.GroupAdd = spec.identity.groups.map(String);
  if (gpus.length > 0 && opts.gpuDevices === 'cdi') hostConfig.DeviceRequests = [{ Driver: 'cdi', DeviceIDs: gpus.map(cdiName), Count: 0, Capabilities: [], Options: {} }];
  const body: ContainerCreateOptions = {
    name: containerName(spec, opts.scope),
    Image: spec.image,
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    Labels: labelsOf(spec, opts),
    Tty: false,
    OpenStdin: false,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    HostConfig: hostConfig,
  };
  // Kubernetes: command replaces the entrypoint (and drops the image's cmd), args replace the cmd.
  if (spec.command.length > 0) {
    body.Entrypoint = spec.command;
    body.Cmd = spec.args;
  } else if (spec.args.length > 0) body.Cmd = spec.args;
  if (spec.workingDir) body.WorkingDir = spec.workingDir;
  body.User = `${uid}:${gid}`;
  return body;
}
