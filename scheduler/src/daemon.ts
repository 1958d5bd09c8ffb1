/**
 * A running scheduler: store, NATS transport, gRPC server, scheduling loop
 * and liveness timer, wired together. main.ts only parses configuration and
 * calls startScheduler; tests can call it in-process too.
 */
import { writeFileSync, renameSync } from 'node:fs';
import { systemClock, type Clock } from '../../shared/src/clock.js';
import { UnavailableError } from '../../shared/src/errors.js';
import { errorFields, type Logger } from '../../shared/src/logger.js';
import type { SchedulerConfig } from './config.js';
import type { SchedulerContext } from './context.js';
import { checkLiveness } from './controller/liveness.js';
import { handleHeartbeat } from './controller/heartbeats.js';
import { removeExpired } from './controller/ttl.js';
import { startMetricsServer, type MetricsServer } from './metrics/http.js';
import { systemGroups } from './service/queue-access.js';
import { AdmissionFairSharing } from './admission-fair-sharing.js';
import { createSchedulerMetrics, registerStateGauges } from './metrics/scheduler-metrics.js';
import { evictUnready } from './controller/pods-ready.js';
import { drainStoppedQueues } from './controller/queue-stop.js';
import { evaluateDeadlines, pushDueRetries } from './controller/pod-status.js';
import { desiredFor } from './controller/notify.js';
import { PodEventBatcher } from './controller/pod-events.js';
import { startGrpcServer, type GrpcServerHandle } from './grpc/server.js';
import { NatsTransport } from './nats/transport.js';
import { SchedulingLoop } from './scheduling-loop.js';
import { openDatabase } from './store/db.js';
import { Store } from './store/store.js';
import { ObjectStore } from './store/objects.js';
import { WatchHub } from './watch-hub.js';

/** RunningScheduler is a started scheduler. */
export interface RunningScheduler {
  address: string;
  ctx: SchedulerContext;
  /** stop shuts everything down gracefully. */
  stop(): Promise<void>;
}

/** startScheduler opens the store, connects NATS, serves gRPC and starts the loops. */
export async function startScheduler(cfg: SchedulerConfig, log: Logger, clock: Clock = systemClock): Promise<RunningScheduler> {
  const db = openDatabase(cfg.dbPath, log.child({ component: 'store' }));
  const store = new Store(db, log.child({ component: 'store' }));
  const loaded = store.load(clock.now());
  const objects = new ObjectStore(db);
  const queueingObjects = objects.load();
  // After a restart, give every known node one grace period to heartbeat before scheduling against it.
  const warmUpUntil = loaded.nodes > 0 ? clock.now() + cfg.nodeGracePeriodMs : 0;
  let transport: NatsTransport | undefined;
  let grpcServer: GrpcServerHandle | undefined;
  let metricsServer: MetricsServer | undefined;
  const loop = new SchedulingLoop(() => ctx);
  const afs = new AdmissionFairSharing(db, { halfLifeMs: cfg.afsHalfLifeMs, samplingMs: cfg.afsSamplingIntervalMs, weights: cfg.afsResourceWeights });
  afs.load();
  const metrics = createSchedulerMetrics();
  registerStateGauges(metrics, () => ctx);
  const ctx: SchedulerContext = {
    store,
    objects,
    metrics,
    afs,
    groupsOf: systemGroups(),
    clock,
    log,
    hub: new WatchHub(),
    reRegisterAsked: new Map(),
    transportLastDownMs: 0,
    out: {
      publishDesired: (doc) => transport?.publishDesired(doc),
      publishJobSetEvent: (ev) => transport?.publishJobSetEvent(ev),
      requestPodLogs: (node, req) => (transport ? transport.requestPodLogs(node, req) : Promise.reject(new UnavailableError('the scheduler is not connected to NATS yet'))),
    },
    requestCycle: (why) => loop.request(why),
    holdScheduling: () => {
      if (clock.now() >= warmUpUntil) return undefined;
      const waiting = store.allNodes().filter((n) => n.node.state !== 'NODE_STATE_READY').length;
      return waiting > 0 ? `waiting up to ${cfg.nodeGracePeriodMs}ms for ${waiting} node(s) to heartbeat after start` : undefined;
    },
    settings: {
      heartbeatIntervalMs: cfg.heartbeatIntervalMs,
      nodeGracePeriodMs: cfg.nodeGracePeriodMs,
      nodeLostTimeoutMs: cfg.nodeLostTimeoutMs,
      portRange: { min: cfg.coordinatorPortMin, max: cfg.coordinatorPortMax },
      maxPodsPerNode: cfg.maxPodsPerNode,
      maxDesiredBytes: 1024 * 1024,
      podRetryBackoffMs: cfg.podRetryBackoffMs,
      ...(cfg.fairSharing ? { fairSharing: cfg.fairSharingStrategies } : {}),
      backfill: cfg.backfill,
      unhealthyGpuPods: cfg.unhealthyGpuPods,
      nodeLossRequeueLimit: cfg.nodeLossRequeueLimit,
      defaultQueue: cfg.defaultQueue,
      topologyLevels: cfg.topologyLevels,
      podsReady: { timeoutMs: cfg.podsReadyTimeoutMs, backoffBaseMs: cfg.podsReadyBackoffBaseMs, backoffMaxMs: cfg.podsReadyBackoffMaxMs, requeueLimit: cfg.podsReadyRequeueLimit },
    },
  };
  let liveness: NodeJS.Timeout | undefined;
  try {
    transport = await NatsTransport.connect(cfg.natsUrl, log.child({ component: 'nats' }), cfg.eventsMaxAgeMs);
    ctx.settings.maxDesiredBytes = transport.maxPayload();
    const events = new PodEventBatcher(ctx);
    await transport.start({
      heartbeat: (hb) => handleHeartbeat(ctx, hb),
      podEvent: (ev, settle) => events.add(ev, settle),
      desired: (req) => desiredFor(ctx, req.node),
    });
    grpcServer = await startGrpcServer(ctx, cfg.listen);
    if (cfg.metricsListen) metricsServer = await startMetricsServer(cfg.metricsListen, () => metrics.registry.render(), log.child({ component: 'metrics' }));
  } catch (err) {
    await grpcServer?.shutdown(0);
    await transport?.close();
    store.close();
    throw err;
  }
  const t = transport;
  liveness = setInterval(() => checkLiveness(ctx, t.isConnected()), Math.max(100, Math.min(500, cfg.nodeGracePeriodMs / 3)));
  loop.start(cfg.scheduleIntervalMs);
  // Once a second: finished JobSets past their TTL go, Jobs past activeDeadlineSeconds fail.
  const ttl = setInterval(() => {
    removeExpired(ctx, cfg.finishedRetentionMs);
    evaluateDeadlines(ctx);
    evictUnready(ctx);
    drainStoppedQueues(ctx);
    try {
      if (afs.due(clock.now())) afs.sample(store.allJobSets(), objects.list('Queue'), clock.now());
    } catch (err) {
      log.error('admission fair sharing: sampling usage failed', errorFields(err));
    }
  }, 1000);
  ttl.unref();
  // Retried pods whose back-off ended are pushed to their nodes within a quarter second.
  const retries = setInterval(() => pushDueRetries(ctx), 250);
  retries.unref();
  loop.request('startup');
  if (cfg.addressFile) {
    writeFileSync(cfg.addressFile + '.tmp', grpcServer.address + '\n');
    renameSync(cfg.addressFile + '.tmp', cfg.addressFile);
  }
  if (cfg.metricsAddressFile && metricsServer) {
    writeFileSync(cfg.metricsAddressFile + '.tmp', metricsServer.address + '\n');
    renameSync(cfg.metricsAddressFile + '.tmp', cfg.metricsAddressFile);
  }
  log.info('scheduler serving', { address: grpcServer.address, db: cfg.dbPath, ...loaded, queueingObjects });
  const g = grpcServer;
  return {
    address: g.address,
    ctx,
    stop: async () => {
      loop.stop();
      if (liveness) clearInterval(liveness);
      clearInterval(ttl);
      clearInterval(retries);
      liveness = undefined;
      await g.shutdown(2000);
      await metricsServer?.close();
      await t.close();
      store.close();
      log.info('scheduler stopped');
    },
  };
}
