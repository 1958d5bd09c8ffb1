/**
 * muster-scheduler: composition only. Parses flags, loads and validates the
 * configuration (every problem reported at once), then starts the daemon and
 * stops it gracefully on SIGTERM/SIGINT.
 */
import { Command } from 'commander';
import { ConfigError } from '../../shared/src/config/issues.js';
import { MusterError } from '../../shared/src/errors.js';
import { armFailpoints, FAILPOINTS_ENV, parseFailpoints } from '../../shared/src/failpoint.js';
import { createLogger, errorFields } from '../../shared/src/logger.js';
import { VERSION } from '../../shared/src/version.js';
import { loadSchedulerConfig, type SchedulerConfig } from './config.js';
import { startScheduler } from './daemon.js';

const program = new Command('muster-scheduler')
  .description('Muster central scheduler: gRPC API, SQLite store, gang admission, NATS transport')
  .version(VERSION)
  .option('--config <file>', 'YAML configuration file (default /etc/muster/scheduler.yaml when present)')
  .option('--listen <host:port>', 'gRPC listen address (port 0 = any free port)')
  .option('--address-file <file>', 'write the bound gRPC address here once serving')
  .option('--nats-url <urls>', 'NATS server URL(s), comma-separated')
  .option('--db <file>', 'SQLite database file')
  .option('--metrics-listen <host:port>', 'HTTP address of /metrics and /healthz; port 0 picks one; "" turns it off (default 0.0.0.0:7080)')
  .option('--metrics-address-file <file>', 'write the bound metrics address here once serving')
  .option('--heartbeat-interval <duration>', 'agent heartbeat interval, e.g. 1s')
  .option('--node-grace-period <duration>', 'NotReady after this long without heartbeats')
  .option('--node-lost-timeout <duration>', 'Lost after this long without heartbeats')
  .option('--schedule-interval <duration>', 'run a scheduling cycle at least this often')
  .option('--max-pods-per-node <n>', 'most pods one node may hold')
  .option('--finished-retention <duration>', 'keep finished JobSets this long unless their ttlSecondsAfterFinished says otherwise')
  .option('--pod-retry-backoff <duration>', 'back-off before a failed pod is retried, doubled per failure, at most 6m; 0 retries at once (default 10s)')
  .option('--pods-ready-timeout <duration>', 'evict and requeue a queued JobSet whose pods are not all running this long after admission; 0 = off (default 30m)')
  .option('--pods-ready-backoff-base <duration>', 'first requeue back-off after a PodsReadyTimeout eviction, doubled per eviction (default 60s)')
  .option('--pods-ready-requeue-limit <n>', 'evictions before such a JobSet is suspended instead; -1 = never (default)')
  .option('--topology-levels <keys>', 'node label keys, outermost first, that spec.placement may name besides hostname (default block,rack)')
  .option('--default-queue <name>', 'queue of JobSets submitted without spec.queue (default: none, not subject to quota)')
  .option('--backfill <bool>', 'hold capacity for blocked JobSets, letting only JobSets that end in time use it (default true)')
  .option('--unhealthy-gpu-pods <policy>', 'pods bound to a GPU that turns unhealthy: keep (default) or evict (they fail with GPUUnhealthy; requeued without a failurePolicy)')
  .option('--node-loss-requeue-limit <n>', 'times a JobSet without a failurePolicy is placed again after losing running pods with a node; the next loss fails it; -1 = no limit (default 5)')
  .option('--fair-sharing <bool>', 'order borrowing admissions and preempt within cohorts by weighted dominant resource share (default false)')
  .option('--log-level <level>', 'debug | info | warn | error')
  .option('--log-format <format>', 'json | pretty')
  .action(async (opts: Record<string, string | undefined>) => {
    let cfg: SchedulerConfig;
    try {
      cfg = loadSchedulerConfig({
        configFile: opts.config,
        env: process.env,
        flags: {
          listen: opts.listen, addressFile: opts.addressFile, metricsListen: opts.metricsListen, metricsAddressFile: opts.metricsAddressFile, natsUrl: opts.natsUrl, dbPath: opts.db,
          heartbeatIntervalMs: opts.heartbeatInterval, nodeGracePeriodMs: opts.nodeGracePeriod, nodeLostTimeoutMs: opts.nodeLostTimeout,
          scheduleIntervalMs: opts.scheduleInterval, maxPodsPerNode: opts.maxPodsPerNode, finishedRetentionMs: opts.finishedRetention, podRetryBackoffMs: opts.podRetryBackoff, podsReadyTimeoutMs: opts.podsReadyTimeout, podsReadyBackoffBaseMs: opts.podsReadyBackoffBase, podsReadyRequeueLimit: opts.podsReadyRequeueLimit, fairSharing: opts.fairSharing, backfill: opts.backfill, unhealthyGpuPods: opts.unhealthyGpuPods, nodeLossRequeueLimit: opts.nodeLossRequeueLimit, defaultQueue: opts.defaultQueue, topologyLevels: opts.topologyLevels, logLevel: opts.logLevel, logFormat: opts.logFormat,
        },
      });
      // Crash tests only: lets a test kill the scheduler at an exact moment (see shared/src/failpoint.ts).
      armFailpoints(parseFailpoints(process.env[FAILPOINTS_ENV]));
    } catch (err) {
      process.stderr.write((err instanceof ConfigError || err instanceof MusterError ? err.message : String(err)) + '\n');
      process.exit(2);
    }
    const log = createLogger({ level: cfg.logLevel, format: cfg.logFormat, bindings: { component: 'scheduler' } });
    let running: Awaited<ReturnType<typeof startScheduler>>;
    try {
      running = await startScheduler(cfg, log);
    } catch (err) {
      log.error('scheduler failed to start', errorFields(err));
      process.exit(1);
    }
    // A daemon logs what escaped a handler instead of dying on it.
    process.on('unhandledRejection', (err) => log.error('unhandled rejection', errorFields(err)));
    process.on('uncaughtException', (err) => {
      // State is in SQLite and every decision is persisted before it is told: exit and let systemd restart us.
      log.error('uncaught exception: exiting', errorFields(err));
      process.exit(1);
    });
    let stopping = false;
    const shutdown = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log.info('shutting down', { signal });
      running.stop().then(
        () => process.exit(0),
        (err: unknown) => {
          log.error('shutdown failed', errorFields(err));
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`muster-scheduler: ${String(err)}\n`);
  process.exit(1);
});
