/**
 * muster-scheduler configuration: schema, defaults, and loading from
 * defaults → file (--config, else /etc/muster/scheduler.yaml) → MUSTER_* env → flags.
 */
import { z } from 'zod';
import { boolValue, durationMs, hostPort, intValue, logFormat, logLevel } from '../../shared/src/config/values.js';
import { loadConfig, type ConfigSources } from '../../shared/src/config/load.js';

/** DEFAULT_SCHEDULER_CONFIG_FILE is read when present and no --config is given. */
export const DEFAULT_SCHEDULER_CONFIG_FILE = '/etc/muster/scheduler.yaml';

/** schedulerConfigSchema validates and normalises the scheduler's settings. */
export const schedulerConfigSchema = z.strictObject({
  /** gRPC listen address; port 0 picks a free port (see addressFile). */
  listen: hostPort,
  /** When set, the bound gRPC address is written here once serving. */
  addressFile: z.string(),
  /** HTTP address of GET /metrics (Prometheus) and /healthz; port 0 picks a free port; empty turns it off. */
  metricsListen: z.union([z.literal(''), hostPort]),
  /** When set, the bound metrics address is written here once serving. */
  metricsAddressFile: z.string(),
  /** NATS server URL(s), comma-separated. */
  natsUrl: z.string().min(1),
  /** SQLite database file. */
  dbPath: z.string().min(1),
  /** How often agents send heartbeats (told to them on Register). */
  heartbeatIntervalMs: durationMs.refine((v) => v >= 100, 'must be at least 100ms'),
  /** A node without heartbeats this long becomes NotReady. */
  nodeGracePeriodMs: durationMs,
  /** A node without heartbeats this long becomes Lost. */
  nodeLostTimeoutMs: durationMs,
  /** Scheduling cycles also run this often without any trigger. */
  scheduleIntervalMs: durationMs.refine((v) => v >= 10, 'must be at least 10ms'),
  /** First port of the range MASTER_PORT is allocated from. */
  coordinatorPortMin: intValue.pipe(z.number().min(1024).max(65535)),
  /** Last port of that range. */
  coordinatorPortMax: intValue.pipe(z.number().min(1024).max(65535)),
  /**
   * Most pods one node may hold. Every pod is an entry of its node's desired
   * document, which must fit one NATS message (max_payload, 1 MiB by default).
   */
  maxPodsPerNode: intValue.pipe(z.number().min(1).max(100_000)),
  /** How long finished JobSets are kept when their spec sets no ttlSecondsAfterFinished. */
  finishedRetentionMs: durationMs,
  /** Back-off before a failed pod is retried: this, doubled per failure of its Job, at most 6 minutes (batch/v1); 0 retries at once. */
  podRetryBackoffMs: durationMs,
  /**
   * waitForPodsReady (Kueue §3.9): a JobSet admitted through a queue whose pods
   * are not all running this long after admission is evicted (PodsReadyTimeout)
   * and requeued after a back-off; 0 turns it off.
   */
  podsReadyTimeoutMs: durationMs,
  /** First requeue back-off after a PodsReadyTimeout eviction, doubled per eviction. */
  podsReadyBackoffBaseMs: durationMs,
  /** Longest requeue back-off. */
  podsReadyBackoffMaxMs: durationMs,
  /** Evictions after which the JobSet is suspended (RequeuingLimitExceeded) instead of requeued; -1 = never. */
  podsReadyRequeueLimit: intValue.pipe(z.number().min(-1)),
  /**
   * Fair sharing (Kueue §3.10): borrowing admissions in a cohort go to the
   * queue with the lowest weighted dominant resource share, and preemption
   * between queues of a cohort follows fairSharingStrategies.
   */
  fairSharing: boolValue,
  /** Fair-sharing preemption strategies, in order: one of the three lists Kueue accepts. */
  fairSharingStrategies: z.preprocess(
    (v) => (typeof v === 'string' ? v.split(',').map((x) => x.trim()).filter(Boolean) : v),
    z
      .array(z.enum(['LessThanOrEqualToFinalShare', 'LessThanInitialShare']))
      .refine((l) => ['LessThanOrEqualToFinalShare', 'LessThanInitialShare', 'LessThanOrEqualToFinalShare,LessThanInitialShare'].includes(l.join(',')), {
        message: 'must be [LessThanOrEqualToFinalShare], [LessThanInitialShare] or [LessThanOrEqualToFinalShare, LessThanInitialShare]',
      }),
  ),
  /** Admission fair sharing: half-life of a user's usage in a queue (0 = only what they hold now counts). */
  afsHalfLifeMs: durationMs,
  /** Admission fair sharing: how often usage is sampled (the entry penalty of an admission is request × alpha(this)). */
  afsSamplingIntervalMs: durationMs.refine((v) => v >= 1000, 'must be at least 1s'),
  /** Admission fair sharing: weight of each resource (gpus, cpu in cores, memory in GiB, rdma), e.g. `gpus=1,cpu=0.01`. */
  afsResourceWeights: z.preprocess(
    (v) => (typeof v === 'string' ? Object.fromEntries(v.split(',').filter((x) => x.trim() !== '').map((kv) => { const [k = '', n = ''] = kv.split('='); return [k.trim(), Number(n)]; })) : v),
    z.partialRecord(z.enum(['gpus', 'cpu', 'memory', 'rdma']), z.number().min(0)),
  ),
  /** Topology levels: node label keys, outermost first (e.g. block,rack), that a JobSet's spec.placement may name besides hostname. */
  topologyLevels: z.preprocess((v) => (typeof v === 'string' ? v.split(',').map((x) => x.trim()).filter(Boolean) : v), z.array(z.string().regex(/^[A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?$/, 'label keys are letters, digits, ".", "_", "/", "-"'))),
  /** The queue of JobSets submitted without spec.queue; empty = such JobSets are not subject to quota. */
  defaultQueue: z.string(),
  /**
   * Backfill (Slurm's): a JobSet that cannot start gets an expected start time
   * from running JobSets' time limits (activeDeadlineSeconds) and the capacity
   * it will need is held; lower-priority JobSets may use it only if they end first.
   */
  backfill: boolValue,
  /**
   * Pods bound to a GPU that turns unhealthy: keep them running (their own
   * failure, if any, is handled as usual), or evict them (they fail with
   * GPUUnhealthy, a disruption: requeued without a failurePolicy, else the
   * policy decides — it can match onJobFailureReasons GPUUnhealthy).
   */
  unhealthyGpuPods: z.enum(['keep', 'evict']),
  /**
   * How many times a JobSet without a failurePolicy is placed again after
   * losing running pods with a node (NodeLost, a drain with evict, an evicting
   * unhealthy GPU); the next such loss fails it. A job that brings down every
   * node it lands on stops there. -1 = no limit.
   */
  nodeLossRequeueLimit: intValue.pipe(z.number().min(-1)),
  /** Seconds JetStream keeps pod events. */
  eventsMaxAgeMs: durationMs,
  logLevel,
  logFormat,
});

/** SchedulerConfig is the validated configuration. */
export type SchedulerConfig = z.output<typeof schedulerConfigSchema>;

/** schedulerDefaults are the built-in settings. */
export const schedulerDefaults: z.input<typeof schedulerConfigSchema> = {
  listen: '0.0.0.0:7070',
  addressFile: '',
  metricsListen: '0.0.0.0:7080',
  metricsAddressFile: '',
  natsUrl: 'nats://127.0.0.1:4222',
  dbPath: '/var/lib/muster/scheduler.db',
  heartbeatIntervalMs: 1000,
  nodeGracePeriodMs: 3000,
  nodeLostTimeoutMs: 30000,
  scheduleIntervalMs: 1000,
  coordinatorPortMin: 29500,
  coordinatorPortMax: 29999,
  maxPodsPerNode: 256,
  finishedRetentionMs: 7 * 24 * 3_600_000,
  podRetryBackoffMs: 10_000,
  podsReadyTimeoutMs: 30 * 60_000,
  podsReadyBackoffBaseMs: 60_000,
  podsReadyBackoffMaxMs: 3_600_000,
  podsReadyRequeueLimit: -1,
  fairSharing: false,
  backfill: true,
  unhealthyGpuPods: 'keep',
  nodeLossRequeueLimit: 5,
  defaultQueue: '',
  topologyLevels: ['block', 'rack'],
  afsHalfLifeMs: 168 * 3_600_000,
  afsSamplingIntervalMs: 5 * 60_000,
  afsResourceWeights: { gpus: 1 },
  fairSharingStrategies: ['LessThanOrEqualToFinalShare', 'LessThanInitialShare'],
  eventsMaxAgeMs: 24 * 3_600_000,
  logLevel: 'info',
  logFormat: 'json',
};

/** crossCheckScheduler checks settings that constrain each other. */
function crossCheckScheduler(c: Partial<SchedulerConfig>): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  if (c.coordinatorPortMin !== undefined && c.coordinatorPortMax !== undefined && c.coordinatorPortMax < c.coordinatorPortMin)
    out.push({ path: 'coordinatorPortMax', message: 'must be ≥ coordinatorPortMin' });
  if (c.nodeGracePeriodMs !== undefined && c.nodeLostTimeoutMs !== undefined && c.nodeLostTimeoutMs < c.nodeGracePeriodMs)
    out.push({ path: 'nodeLostTimeoutMs', message: 'must be ≥ nodeGracePeriodMs' });
  if (c.finishedRetentionMs !== undefined && c.finishedRetentionMs < 60_000)
    out.push({ path: 'finishedRetentionMs', message: 'must be at least 1m (people need time to read how their JobSets ended)' });
  if (c.heartbeatIntervalMs !== undefined && c.nodeGracePeriodMs !== undefined && c.nodeGracePeriodMs < 2 * c.heartbeatIntervalMs)
    out.push({ path: 'nodeGracePeriodMs', message: 'must be at least twice heartbeatIntervalMs, or nodes flap NotReady between heartbeats' });
  if (c.podsReadyBackoffBaseMs !== undefined && c.podsReadyBackoffMaxMs !== undefined && c.podsReadyBackoffMaxMs < c.podsReadyBackoffBaseMs)
    out.push({ path: 'podsReadyBackoffMaxMs', message: 'must be ≥ podsReadyBackoffBaseMs' });
  return out;
}

/** loadSchedulerConfig loads and validates; throws ConfigError listing every problem. */
export function loadSchedulerConfig(sources: ConfigSources): SchedulerConfig {
  return loadConfig(schedulerConfigSchema, schedulerDefaults, { defaultConfigFile: DEFAULT_SCHEDULER_CONFIG_FILE, ...sources }, crossCheckScheduler);
}
