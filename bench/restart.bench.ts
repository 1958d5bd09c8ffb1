/**
 * Group restart latency on a real local cluster: 2 agents playing 8-GPU H100
 * hosts, one JobSet of 8 pods × 2 GPUs (the gang fills both hosts). In every
 * attempt but the last, rank 7 exits 1 shortly after starting; the failure
 * policy restarts the JobSet. Measured from the scheduler's own event history:
 * restart latency = "JobSetRestarted" (the failure was decided) → the next
 * "AllPodsRunning" (every pod of the new attempt runs), for
 *
 *   InPlace  — same nodes and GPUs, no new admission: each agent stops the old
 *              pod and starts the new one in its place;
 *   Recreate — the placement is released and the gang admitted again through
 *              the queue once the old pods are gone (the baseline: JobSet's default).
 *
 * Two scenarios: an idle cluster (restarts back to back), and a busy one: a
 * backlog of 1-GPU JobSets (2 s each) waits behind the gang when its one
 * restart happens. Under Recreate the released GPUs go to the backlog first
 * (a gang that does not fit does not block smaller work behind it), so the
 * gang waits for them; InPlace keeps its GPUs.
 *
 *   npm run build && node dist/bench/restart.bench.js [--restarts 8]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { SchedulerApi } from '../cli/src/client.js';
import { startLocalCluster, type LocalCluster } from '../cli/src/local/cluster.js';
import { findRepoRoot } from '../cli/src/local/repo.js';
import { waitFor } from '../cli/src/util/poll.js';
import type { JobSet } from '../shared/src/proto/types.js';
import { parseJobSetObject, toSubmitRequest } from '../shared/src/spec/document.js';
import { isMain, runMain } from './args.js';
import { fmtMs, fmtRatio, summarize, summaryRow, SUMMARY_HEADERS, table, type Summary } from './stats.js';

/** RestartBenchOptions size the benchmark. */
export interface RestartBenchOptions {
  /** Restarts measured per strategy (the JobSet runs restarts + 1 attempts). */
  restarts: number;
}

/** DEFAULT_RESTART_OPTIONS are the defaults of the command line. */
export const DEFAULT_RESTART_OPTIONS: RestartBenchOptions = { restarts: 8 };

/** The measured strategies, baseline last. */
export const STRATEGIES = ['InPlace', 'Recreate'] as const;

/** RestartFigures are the per-strategy restart latencies in milliseconds. */
export interface RestartFigures {
  options: RestartBenchOptions;
  latencyMs: Record<(typeof STRATEGIES)[number], Summary>;
  /** Recreate p50 / InPlace p50 (idle cluster). */
  speedup: number;
  /** The one restart with a backlog of 1-GPU JobSets waiting. */
  busyMs: Record<(typeof STRATEGIES)[number], number>;
}

/** BACKLOG is how many 1-GPU, 2-second JobSets wait behind the gang in the busy scenario. */
const BACKLOG = 16;

/**
 * jobsetFile is the benchmark's JobSet: 2 Jobs × 4 pods × 2 GPUs. In every
 * attempt but the last, rank 7 waits until all 8 pods of the attempt have
 * started (marker files in the submit directory), then fails `failAfter`
 * seconds later — so each attempt is seen all running before it fails.
 */
function jobsetFile(name: string, strategy: string, restarts: number, failAfter = 0.3): Record<string, unknown> {
  const up = `up.${name}.$MUSTER_RESTART_ATTEMPT`;
  const script =
    `[ "$MUSTER_RESTART_ATTEMPT" -ge ${restarts} ] && { sleep 0.5; exit 0; }; touch ${up}.$MUSTER_GLOBAL_RANK; ` +
    `[ "$MUSTER_GLOBAL_RANK" = 7 ] && { while [ "$(ls ${up}.* | wc -l)" -lt 8 ]; do sleep 0.02; done; sleep ${failAfter}; exit 1; }; exec sleep 300`;
  return {
    apiVersion: 'muster.dev/v1',
    kind: 'JobSet',
    metadata: { name },
    spec: {
      failurePolicy: { maxRestarts: restarts, restartStrategy: strategy },
      replicatedJobs: [{ name: 'w', replicas: 2, template: { parallelism: 4, backoffLimit: 0, template: { command: ['sh', '-c', script], resources: { cpu: '100m', memory: '64Mi', gpus: 2 } } } }],
    },
  };
}

/** latencies pairs each JobSetRestarted event with the next AllPodsRunning event of the history. */
export function latencies(js: JobSet): number[] {
  const out: number[] = [];
  let restartedAt: number | undefined;
  for (const e of js.status?.history ?? []) {
    if (e.type === 'JobSetRestarted') restartedAt = e.timeMs;
    else if (e.type === 'AllPodsRunning' && restartedAt !== undefined) {
      out.push(e.timeMs - restartedAt);
      restartedAt = undefined;
    }
  }
  return out;
}

/** run starts the cluster, runs one JobSet per strategy, prints and returns the figures; the cluster is always stopped. */
export async function run(partial: Partial<RestartBenchOptions> = {}, print: (line: string) => void = console.log): Promise<RestartFigures> {
  const options = { ...DEFAULT_RESTART_OPTIONS, ...partial };
  const root = findRepoRoot();
  const hardware = path.join(root, 'deploy', 'hardware', 'h100-sxm-8gpu.json');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'muster-bench-restart-'));
  let cluster: LocalCluster | undefined;
  let api: SchedulerApi | undefined;
  try {
    const t0 = performance.now();
    cluster = await startLocalCluster({ dir, agents: 2, hardware: [hardware], agentArgs: ['--stop-grace-period', '2s'], readyTimeoutMs: 45_000, runtime: 'process' });
    api = new SchedulerApi(cluster.schedulerAddress, { timeoutMs: 10_000 });
    print(`restart: cluster of 2 × 8-GPU agents ready in ${fmtMs(performance.now() - t0)}; JobSet of 8 pods × 2 GPUs, ${options.restarts} restarts per strategy`);
    const a = api;
    const submit = (file: Record<string, unknown>) => a.submitJobSet(toSubmitRequest(parseJobSetObject(file), { user: os.userInfo().username, submitDir: dir }));
    const finishedJobSet = (name: string, timeoutMs: number) =>
      waitFor(
        async () => {
          const js = await a.getJobSet(name);
          const p = js.status!.phase;
          return p === 'JOB_SET_PHASE_SUCCEEDED' || p === 'JOB_SET_PHASE_FAILED' ? js : undefined;
        },
        { timeoutMs, intervalMs: 100, what: `${name} finished` },
      );
    const measured = (js: JobSet, restarts: number): number[] => {
      if (js.status!.phase !== 'JOB_SET_PHASE_SUCCEEDED' || js.status!.restarts !== restarts)
        throw new Error(`${js.metadata!.name} ended ${js.status!.phase} after ${js.status!.restarts} restarts: ${js.status!.message}`);
      const samples = latencies(js);
      if (samples.length !== restarts) throw new Error(`${js.metadata!.name}: ${samples.length} restart latencies in the history, expected ${restarts}`);
      return samples;
    };

    // Idle cluster: restarts back to back.
    const latencyMs = {} as Record<(typeof STRATEGIES)[number], Summary>;
    for (const strategy of STRATEGIES) {
      const name = `restart-${strategy.toLowerCase()}`;
      await submit(jobsetFile(name, strategy, options.restarts));
      latencyMs[strategy] = summarize(measured(await finishedJobSet(name, 60_000 + options.restarts * 20_000), options.restarts));
    }

    // Busy cluster: one restart while a backlog of 1-GPU JobSets waits behind the gang.
    const busyMs = {} as Record<(typeof STRATEGIES)[number], number>;
    for (const strategy of STRATEGIES) {
      const name = `busy-${strategy.toLowerCase()}`;
      await submit(jobsetFile(name, strategy, 1, 1.5));
      await waitFor(async () => ((await a.getJobSet(name)).status!.phase === 'JOB_SET_PHASE_RUNNING' ? true : undefined), { timeoutMs: 60_000, intervalMs: 50, what: `${name} running` });
      const backlog = Array.from({ length: BACKLOG }, (_, i) => `${name}-small-${i}`);
      for (const b of backlog)
        await submit({ apiVersion: 'muster.dev/v1', kind: 'JobSet', metadata: { name: b }, spec: { replicatedJobs: [{ name: 'w', template: { template: { command: ['sleep', '2'], resources: { cpu: '100m', memory: '64Mi', gpus: 1 } } } }] } });
      busyMs[strategy] = measured(await finishedJobSet(name, 120_000), 1)[0]!;
      for (const b of backlog) await finishedJobSet(b, 120_000);
    }

    const speedup = latencyMs.Recreate.p50 / latencyMs.InPlace.p50;
    print('');
    print(table([...SUMMARY_HEADERS].map((h, i) => (i === 0 ? 'restart latency, idle' : h)), STRATEGIES.map((s) => summaryRow(s, latencyMs[s]))));
    print('');
    print(`ratio Recreate/InPlace (p50, idle)            ${fmtRatio(speedup)}`);
    print(`restart with ${BACKLOG} 1-GPU JobSets waiting:  InPlace ${fmtMs(busyMs.InPlace)}, Recreate ${fmtMs(busyMs.Recreate)} (${fmtRatio(busyMs.Recreate / busyMs.InPlace)})`);
    return { options, latencyMs, speedup, busyMs };
  } finally {
    api?.close();
    await cluster?.stop(5_000).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) runMain({ ...DEFAULT_RESTART_OPTIONS }, 'node dist/bench/restart.bench.js [--restarts 8]', (opts) => run(opts));
