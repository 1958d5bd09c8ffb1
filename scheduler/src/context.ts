/**
 * What the scheduler's components share: the store, the clock, the logger,
 * the outbound transport, and the in-process watch hub.
 */
import type { Clock } from '../../shared/src/clock.js';
import type { AdmissionFairSharing } from './admission-fair-sharing.js';
import type { Logger } from '../../shared/src/logger.js';
import type { JobSetEvent, NodeDesired, PodLogsChunk, PodLogsRequest } from '../../shared/src/proto/types.js';
import type { PodsReadySettings } from './core/pods-ready.js';
import type { FairSharingStrategy } from './core/types.js';
import type { SchedulerMetrics } from './metrics/scheduler-metrics.js';
import type { GroupResolver } from './service/queue-access.js';
import type { Store } from './store/store.js';
import type { ObjectStore } from './store/objects.js';
import type { WatchHub } from './watch-hub.js';

/** Outbound is how the scheduler tells the world (NATS in production, a recorder in tests). */
export interface Outbound {
  /** publishDesired pushes a node's whole desired document. */
  publishDesired(doc: NodeDesired): void;
  /** publishJobSetEvent announces a JobSet status change. */
  publishJobSetEvent(ev: JobSetEvent): void;
  /** requestPodLogs asks a node's agent for part of a pod's output; rejects with UNAVAILABLE when the agent does not answer. */
  requestPodLogs(node: string, req: PodLogsRequest): Promise<PodLogsChunk>;
}

/** SchedulerContext is passed to every component instead of globals. */
export interface SchedulerContext {
  store: Store;
  /** The queueing objects: flavors, queues, cohorts, priority classes. */
  objects: ObjectStore;
  /** Admission fair sharing's usage per (queue, user). */
  afs: AdmissionFairSharing;
  /** A user's groups as this host resolves them (who may submit to a queue). */
  groupsOf: GroupResolver;
  /** Prometheus counters and histograms (state gauges are read from the store at scrape time). */
  metrics: SchedulerMetrics;
  clock: Clock;
  log: Logger;
  out: Outbound;
  hub: WatchHub;
  /**
   * holdScheduling says why cycles must not run yet (undefined = go): after a
   * restart, nodes are NotReady until their first heartbeat, and judging the
   * queue against them would only produce wrong pending reasons.
   */
  holdScheduling(): string | undefined;
  /** requestCycle asks for a scheduling cycle soon (capacity or queue changed). */
  requestCycle(why: string): void;
  /** The last moment the scheduler's own NATS connection was seen down (liveness counts silence only after it). */
  transportLastDownMs: number;
  /** When each node was last told to register again (rate limit; includes unknown nodes). */
  reRegisterAsked: Map<string, number>;
  settings: {
    heartbeatIntervalMs: number;
    nodeGracePeriodMs: number;
    nodeLostTimeoutMs: number;
    portRange: { min: number; max: number };
    maxPodsPerNode: number;
    /** Largest desired document the transport carries (NATS max_payload, read at connect). */
    maxDesiredBytes: number;
    /** First back-off before a failed pod is retried (doubles per failure, capped); 0 = at once. */
    podRetryBackoffMs: number;
    /** waitForPodsReady; timeoutMs 0 = off. */
    podsReady: PodsReadySettings;
    /** Topology levels (node label keys), outermost first, that spec.placement may name besides hostname. */
    topologyLevels?: readonly string[];
    /** The queue of JobSets that name none ('' = none: they are not subject to quota). */
    defaultQueue?: string;
    /** Backfill reservations (running JobSets' time limits are put in the snapshot). */
    backfill?: boolean;
    /** What happens to pods bound to a GPU that turns unhealthy (default keep). */
    unhealthyGpuPods?: 'keep' | 'evict';
    /** Requeues after losing a node allowed to a JobSet without a failurePolicy; -1 or absent = no limit. */
    nodeLossRequeueLimit?: number;
    /** Fair sharing's preemption strategies; undefined = fair sharing off. */
    fairSharing?: readonly FairSharingStrategy[];
  };
}
