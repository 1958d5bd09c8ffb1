/**
 * Scheduler start-up with a full store: how long from starting the process
 * (after a SIGKILL) until it answers the API, with N JobSets in its SQLite
 * database, against the same with an empty database (the baseline, measured
 * in the same run). The JobSets are submitted through the API first (no
 * agents: they stay Pending, so every one is loaded and queued again).
 *
 *   npm run build && node dist/bench/scheduler-startup.bench.js [--jobsets 10000] [--runs 5]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { SchedulerApi } from '../cli/src/client.js';
import { startScheduler, type SchedulerHandle } from '../cli/src/local/daemons.js';
import { startNatsServer, type NatsServerHandle } from '../cli/src/local/nats-server.js';
import { waitFor } from '../cli/src/util/poll.js';
import { parseJobSetObject, toSubmitRequest } from '../shared/src/spec/document.js';
import { isMain, runMain } from './args.js';
import { fmtMs, fmtRatio, processRss, summarize, summaryRow, SUMMARY_HEADERS, table, type Summary } from './stats.js';

/** SchedulerStartupOptions size the benchmark. */
export interface SchedulerStartupOptions {
  jobsets: number;
  runs: number;
}

/** DEFAULT_SCHEDULER_STARTUP_OPTIONS are the defaults of the command line. */
export const DEFAULT_SCHEDULER_STARTUP_OPTIONS: SchedulerStartupOptions = { jobsets: 10_000, runs: 5 };

/** SchedulerStartupFigures are the results: start → serving, full and empty store (ms), and the full scheduler's RSS once serving. */
export interface SchedulerStartupFigures {
  options: SchedulerStartupOptions;
  fullMs: Summary;
  emptyMs: Summary;
  rssBytes: number;
}

const CONCURRENCY = 32;

/** restartTimed SIGKILLs the scheduler and starts it again on the same database; resolves with it and the time until its API answered. */
async function restartTimed(dir: string, nats: NatsServerHandle, old: SchedulerHandle, expectJobSets: number): Promise<{ scheduler: SchedulerHandle; ms: number }> {
  old.process.kill('SIGKILL');
  await old.process.exited;
  const t0 = performance.now();
  const scheduler = await startScheduler({ dir, natsUrl: nats.url, timeoutMs: 60_000 });
  const api = new SchedulerApi(scheduler.address, { timeoutMs: 10_000 });
  try {
    await waitFor(
      async () => {
        try {
          await api.listJobSets('', 1);
          return true;
        } catch {
          return undefined;
        }
      },
      { timeoutMs: 60_000, intervalMs: 5, what: 'the restarted scheduler answering' },
    );
    const ms = performance.now() - t0;
    const n = (await api.listJobSets('', 0)).jobsets.length;
    if (n !== expectJobSets) throw new Error(`the restarted scheduler has ${n} JobSets, expected ${expectJobSets}`);
    return { scheduler, ms };
  } finally {
    api.close();
  }
}

/** run fills a store, measures restarts with it and with an empty one, prints and returns the figures. */
export async function run(partial: Partial<SchedulerStartupOptions> = {}, print: (line: string) => void = console.log): Promise<SchedulerStartupFigures> {
  const options = { ...DEFAULT_SCHEDULER_STARTUP_OPTIONS, ...partial };
  const root = mkdtempSync(path.join(os.tmpdir(), 'muster-bench-startup-'));
  const fullDir = path.join(root, 'full');
  const emptyDir = path.join(root, 'empty');
  let nats: NatsServerHandle | undefined;
  const schedulers: SchedulerHandle[] = [];
  try {
    nats = await startNatsServer({ dir: root });
    let full = await startScheduler({ dir: fullDir, natsUrl: nats.url });
    schedulers.push(full);
    const api = new SchedulerApi(full.address, { timeoutMs: 30_000 });
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < options.jobsets; i = next++) {
          const doc = parseJobSetObject({ apiVersion: 'muster.dev/v1', kind: 'JobSet', metadata: { name: `js-${i}` }, spec: { replicatedJobs: [{ name: 'w', replicas: 2, template: { template: { command: ['true'], resources: { cpu: '1', gpus: 1 } } } }] } });
          await api.submitJobSet(toSubmitRequest(doc, { user: 'bench', submitDir: root }));
        }
      }),
    );
    api.close();
    print(`scheduler-startup: ${options.jobsets} JobSets submitted in ${fmtMs(performance.now() - t0)}; ${options.runs} restarts each with the full and an empty store`);

    let empty = await startScheduler({ dir: emptyDir, natsUrl: nats.url });
    schedulers.push(empty);
    const fullMs: number[] = [];
    const emptyMs: number[] = [];
    for (let r = 0; r < options.runs; r++) {
      const f = await restartTimed(fullDir, nats, full, options.jobsets);
      full = f.scheduler;
      schedulers.push(full);
      fullMs.push(f.ms);
      const e = await restartTimed(emptyDir, nats, empty, 0);
      empty = e.scheduler;
      schedulers.push(empty);
      emptyMs.push(e.ms);
    }
    const rssBytes = processRss(full.process.pid) ?? NaN;
    const figures: SchedulerStartupFigures = { options, fullMs: summarize(fullMs), emptyMs: summarize(emptyMs), rssBytes };
    print('');
    print(table([...SUMMARY_HEADERS].map((h, i) => (i === 0 ? 'start → serving' : h)), [summaryRow(`${options.jobsets} JobSets`, figures.fullMs), summaryRow('empty store', figures.emptyMs)]));
    print('');
    print(`ratio full / empty, p50: ${fmtRatio(figures.fullMs.p50 / figures.emptyMs.p50)}; RSS of the full scheduler once serving: ${(rssBytes / 2 ** 20).toFixed(1)} MiB`);
    return figures;
  } finally {
    for (const s of schedulers) await s.stop(2000).catch(() => undefined);
    await nats?.stop(2000).catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url))
  runMain({ ...DEFAULT_SCHEDULER_STARTUP_OPTIONS }, 'node dist/bench/scheduler-startup.bench.js [--jobsets 10000] [--runs 5]', (o) => run(o));
