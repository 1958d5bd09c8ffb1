/**
 * muster-agent configuration: schema, defaults, and loading from
 * defaults → file (--config, else /etc/muster/agent.yaml) → MUSTER_* env → flags.
 */
import os from 'node:os';
import { z } from 'zod';
import { boolValue, bytesValue, durationMs, intValue, hostPort, labelMap, logFormat, logLevel } from '../../shared/src/config/values.js';
import { loadConfig, type ConfigSources } from '../../shared/src/config/load.js';
import { NODE_NAME_PATTERN } from '../../shared/src/ids.js';
import { CPU_AFFINITY_MODES } from './runtime/cpu-affinity.js';
import { RUN_PODS_AS } from './runtime/identity.js';
import { GPU_DEVICE_MODES } from './runtime/container-spec.js';

/** pathList is a list of absolute paths, also from `a,b`; "/" is refused (it would allow every path). */
const pathList = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(',').map((x) => x.trim()).filter((x) => x !== '') : v),
  z.array(z.string().refine((p) => p.startsWith('/') && p !== '/' && !p.split('/').includes('..'), 'each must be an absolute path other than "/", without ".."')),
);

/** DEFAULT_AGENT_CONFIG_FILE is read when present and no --config is given. */
export const DEFAULT_AGENT_CONFIG_FILE = '/etc/muster/agent.yaml';

/** agentConfigSchema validates and normalises the agent's settings. */
export const agentConfigSchema = z.strictObject({
  /** This node's name (default: the short host name). */
  nodeName: z.string().regex(NODE_NAME_PATTERN, 'must be letters, digits, "_" or "-" (at most 63), no dots'),
  /** Address other hosts reach this node's pods at (default: the host name). */
  address: z.string().min(1),
  /** The scheduler's gRPC address. */
  scheduler: hostPort,
  /** NATS server URL(s), comma-separated. */
  natsUrl: z.string().min(1),
  /** Where pods' logs, hostfiles and the agent's state live. */
  stateDir: z.string().min(1),
  /** A recorded inventory (JSON, as `muster-agent discover --json` prints) used instead of discovery. */
  hardwareFile: z.string(),
  /** The nvidia-smi binary discovery runs (a name on PATH, or a path). */
  nvidiaSmi: z.string().min(1),
  /** The directory holding sys/ (and proc/) that discovery reads ("/" on a live host; a recorded machine otherwise). */
  sysfsRoot: z.string().min(1),
  /** Node labels (rack, block, pool…). */
  labels: labelMap,
  /** Heartbeat interval until the scheduler says otherwise on Register. */
  heartbeatIntervalMs: durationMs.refine((v) => v >= 100, 'must be at least 100ms'),
  /** Time between SIGTERM and SIGKILL when stopping a pod. */
  stopGracePeriodMs: durationMs,
  /** Time between re-discoveries of the hardware (re-registers when it changed); 0 disables. Not used with hardwareFile. */
  rediscoverIntervalMs: durationMs.refine((v) => v === 0 || v >= 1000, 'must be 0 (disabled) or at least 1s'),
  /** A pod naming an image: reject it (ImageNotSupported) or run its command on the host, image ignored. */
  imagePolicy: z.enum(['reject', 'host']),
  /** A running pod's stdout.log or stderr.log past this size is copied to <file>.1 and truncated (0 = no cap). */
  maxLogBytes: bytesValue,
  /** Who pods run as: submitter (the JobSet's submitting user, resolved on this host) or agent (the agent's own user). */
  runPodsAs: z.enum(RUN_PODS_AS),
  /** Whether a pod may run as root (a root submitter, or runPodsAs: agent with a root agent). */
  allowRootPods: boolValue,
  /** The lowest uid a submitter's pod may run as, besides root (system accounts below it are refused). */
  minPodUid: intValue.refine((v) => v >= 1, 'must be at least 1'),
  /** How pods are bound to their cpuset: auto (cgroup, else taskset, else numactl, else not), one of those (startup fails when it cannot work here), or off. */
  cpuAffinity: z.enum(CPU_AFFINITY_MODES),
  /** Time between GPU health probes (one nvidia-smi call; heartbeats carry the result); 0 disables. Not used with hardwareFile. */
  gpuHealthIntervalMs: durationMs.refine((v) => v === 0 || v >= 100, 'must be 0 (disabled) or at least 100ms'),
  /** The Docker Engine API socket of Docker or Podman (e.g. /run/podman/podman.sock); '' = no OCI driver (image pods follow imagePolicy). */
  containerSocket: z.string().refine((v) => v === '' || v.startsWith('/'), 'must be an absolute path (or empty: no container runtime)'),
  /** How a container gets its GPUs: cdi (devices nvidia.com/gpu=<uuid>) or env (NVIDIA_VISIBLE_DEVICES for the NVIDIA container runtime hook). */
  gpuDevices: z.enum(GPU_DEVICE_MODES),
  /** Host path prefixes a pod template's mounts may use (comma-separated or a list); none by default. */
  allowedHostPaths: pathList,
  /** What the agent does with its pods when it exits: keep them running (the next agent process adopts them) or stop them. */
  podsOnExit: z.enum(['keep', 'stop']),
  /**
   * Self-fencing (Nomad's stop_on_client_after): when the scheduler has not
   * acknowledged a heartbeat for this long, the agent stops its pods itself —
   * a node cut off by a partition then never runs a pod that is also running
   * elsewhere once the scheduler has moved it. The pods are gone at most this
   * + 1 s + stopGracePeriod after the last acknowledged heartbeat was sent:
   * keep that below the scheduler's nodeLostTimeout. The price: an outage of
   * NATS or the scheduler longer than this stops every pod of the cluster.
   * 0 (default) = never.
   */
  fencePodsAfterMs: durationMs.refine((v) => v === 0 || v >= 1000, 'must be 0 (never) or at least 1s'),
  logLevel,
  logFormat,
});

/** AgentConfig is the validated configuration. */
export type AgentConfig = z.output<typeof agentConfigSchema>;

/** defaultNodeName is the short host name, made safe for NATS subjects. */
export function defaultNodeName(): string {
  return os.hostname().split('.')[0]!.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 63) || 'node';
}

/** agentDefaults are the built-in settings. */
export function agentDefaults(): z.input<typeof agentConfigSchema> {
  return {
    nodeName: defaultNodeName(),
    address: os.hostname(),
    scheduler: '127.0.0.1:7070',
    natsUrl: 'nats://127.0.0.1:4222',
    stateDir: '/var/lib/muster/agent',
    hardwareFile: '',
    nvidiaSmi: 'nvidia-smi',
    sysfsRoot: '/',
    labels: {},
    heartbeatIntervalMs: 1000,
    stopGracePeriodMs: 10_000,
    rediscoverIntervalMs: 60_000,
    gpuHealthIntervalMs: 10_000,
    imagePolicy: 'reject',
    cpuAffinity: 'auto',
    runPodsAs: 'submitter',
    allowRootPods: false,
    minPodUid: 1000,
    maxLogBytes: 64 * 1024 * 1024,
    containerSocket: '',
    gpuDevices: 'cdi',
    allowedHostPaths: [],
    podsOnExit: 'keep',
    fencePodsAfterMs: 0,
    logLevel: 'info',
    logFormat: 'json',
  };
}

/** loadAgentConfig loads and validates; throws ConfigError listing every problem. */
export function loadAgentConfig(sources: ConfigSources): AgentConfig {
  return loadConfig(agentConfigSchema, agentDefaults(), { defaultConfigFile: DEFAULT_AGENT_CONFIG_FILE, ...sources });
}
