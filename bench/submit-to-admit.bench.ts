/**
 * End-to-end benchmark on a real local cluster: a private nats-server, the
 * scheduler and A agents (recorded DGX H100 inventory, 8 GPUs each) as real
 * processes from dist/, talked to over real gRPC on loopback.
 *
 *  (a) baseline: sequential GetJobSet round-trips on an existing JobSet;
 *  (b) N sequential submits of a 2-pod × 1-GPU gang running `true`, each
 *      followed through WatchJobSet until Succeeded before the next one;
 *  (c) a burst of N concurrent submits, timed until all are Admitted and
 *      all Succeeded (JobSets beyond the cluster's GPUs wait for earlier ones
 *      to finish and release theirs).
 *
 *   npm run build && node dist/bench/submit-to-admit.bench.js [--jobsets 200] [--agents 4] [--rtts 1000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { SchedulerApi } from '../cli/src/client.js';
import { startLocalCluster, type LocalCluster } from '../cli/src/local/cluster.js';
import { findRepoRoot } from '../cli/src/local/repo.js';
import type { JobSet } from '../shared/src/proto/types.js';
import { parseJobSetObject, toSubmitRequest } from '../shared/src/spec/document.js';
import { isMain, runMain } from './args.js';
import { fmtBytes, fmtMs, fmtRate, fmtRatio, processRss, summarize, summaryRow, SUMMARY_HEADERS, table, type Summary } from './stats.js';

/** SubmitToAdmitOptions size the benchmark. */
export interface SubmitToAdmitOptions {
  /** JobSets per phase: N sequential, then a burst of N. */
  jobsets: number;
  /** Agents (nodes), each with the recorded 8-GPU DGX H100 inventory. */
  agents: number;
  /** GetJobSet round-trips of the baseline. */
  rtts: number;
}

/** DEFAULT_SUBMIT_TO_ADMIT_OPTIONS are the defaults of the command line. */
export const DEFAULT_SUBMIT_TO_ADMIT_OPTIONS: SubmitToAdmitOptions = { jobsets: 200, agents: 4, rtts: 1000 };

/** GPUS_PER_AGENT is what deploy/hardware/h100-sxm-8gpu.json reports. */
const GPUS_PER_AGENT = 8;
/** PODS and GPUS_PER_POD shape the benchmark's gang. */
const PODS = 2;
const GPUS_PER_POD = 1;
/** WAIT_MS bounds the wait for one JobSet to succeed. */
const WAIT_MS = 60_000;

/** RssReadings are resident set sizes in bytes (undefined: unreadable). */
export interface RssReadings {
  scheduler: number | undefined;
  nats: number | undefined;
  /** Sum over the agents. */
  agents: number | undefined;
}

/** SubmitToAdmitFigures are the measured results (times in milliseconds). */
export interface SubmitToAdmitFigures {
  options: SubmitToAdmitOptions;
  /** How many of the gangs fit on the cluster at once. */
  fitAtOnce: number;
  /** (a) GetJobSet round-trip. */
  rtt: Summary;
  /** (b) SubmitJobSet call alone (request → response). */
  submitCall: Summary;
  /** (b) submit → first WatchJobSet message in a phase past Pending, as the client sees it. */
  admitted: Summary;
  /** (b) submit → WatchJobSet message with phase Succeeded. */
  succeeded: Summary;
  /** (b) server-recorded status.admittedMs − metadata.createdMs (whole milliseconds). */
  serverAdmitted: Summary;
  /** (b) server-recorded status.finishedMs − metadata.createdMs (whole milliseconds). */
  serverSucceeded: Summary;
  /** (b) how many watches saw Pending first (the admission arrived as a change on an open stream). */
  sawPending: number;
  /** (c) the burst: per-JobSet times from the burst's start, and the totals. */
  burst: {
    admitted: Summary;
    succeeded: Summary;
    allAdmittedMs: number;
    allSucceededMs: number;
    admittedPerSecond: number;
    succeededPerSecond: number;
  };
  /** admitted p50 / rtt p50 and succeeded p50 / rtt p50 of (b). */
  ratios: { admittedToRtt: number; succeededToRtt: number };
  rss: { start: RssReadings; afterSequential: RssReadings; afterBurst: RssReadings };
}

/** Followed is what following one JobSet saw, in performance.now() milliseconds. */
interface Followed {
  admittedAt: number;
  succeededAt: number;
  sawPending: boolean;
  last: JobSet;
}

/** follow reads WatchJobSet until the JobSet is Succeeded; rejects when it fails, the stream breaks, or WAIT_MS passes. */
function follow(api: SchedulerApi, name: string): Promise<Followed> {
  return new Promise((resolve, reject) => {
    const stream = api.watchJobSet(name);
    let admittedAt: number | undefined;
    let sawPending = false;
    let done = false;
    const end = (err: Error | undefined, value?: Followed): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      stream.cancel();
      if (err) reject(err);
      else resolve(value!);
    };
    const timer = setTimeout(() => end(new Error(`${name}: not Succeeded after ${WAIT_MS} ms`)), WAIT_MS);
    stream.on('data', (js: JobSet) => {
      const now = performance.now();
      const s = js.status!;
      if (s.phase === 'JOB_SET_PHASE_PENDING' || s.phase === 'JOB_SET_PHASE_UNSPECIFIED') {
        sawPending = true;
        return;
      }
      admittedAt ??= now;
      if (s.phase === 'JOB_SET_PHASE_FAILED') end(new Error(`${name} failed: ${s.reason}: ${s.message}`));
      else if (s.phase === 'JOB_SET_PHASE_SUCCEEDED') end(undefined, { admittedAt, succeededAt: now, sawPending, last: js });
    });
    stream.on('error', (err: Error) => end(new Error(`${name}: watch failed: ${err.message}`)));
    stream.on('end', () => end(new Error(`${name}: watch ended before Succeeded`)));
  });
}

function gangRequest(name: string, submitDir: string): ReturnType<typeof toSubmitRequest> {
  const doc = parseJobSetObject({
    apiVersion: 'muster.dev/v1',
    kind: 'JobSet',
    metadata: { name, labels: { bench: 'submit-to-admit' } },
    spec: {
      replicatedJobs: [{ name: 'workers', template: { parallelism: PODS, template: { command: ['true'], resources: { cpu: '100m', memory: '32Mi', gpus: GPUS_PER_POD } } } }],
    },
  });
  return toSubmitRequest(doc, { user: os.userInfo().username, submitDir });
}

function rssOf(cluster: LocalCluster): RssReadings {
  const agents = cluster.agents.map((a) => processRss(a.process.pid));
  return {
    scheduler: processRss(cluster.scheduler.process.pid),
    nats: processRss(cluster.nats.process.pid),
    agents: agents.every((x) => x !== undefined) ? agents.reduce((s, x) => s + x!, 0) : undefined,
  };
}

/**
 * run starts the cluster, measures (a), (b) and (c), prints the figures and
 * returns them. The cluster is stopped and its directory removed on return,
 * on error and on SIGINT/SIGTERM (which then exit the process with 130/143).
 */
export async function run(partial: Partial<SubmitToAdmitOptions> = {}, print: (line: string) => void = console.log): Promise<SubmitToAdmitFigures> {
  const options = { ...DEFAULT_SUBMIT_TO_ADMIT_OPTIONS, ...partial };
  const n = options.jobsets;
  const root = findRepoRoot();
  const hardware = path.join(root, 'deploy', 'hardware', 'h100-sxm-8gpu.json');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'muster-bench-'));
  const ac = new AbortController();
  let cluster: LocalCluster | undefined;
  let api: SchedulerApi | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      api?.close();
      await cluster?.stop(5_000).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    })());
  const onSignal = (sig: NodeJS.Signals): void => {
    print(`${sig}: stopping the cluster`);
    ac.abort(new Error(`interrupted by ${sig}`));
    void stop().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    print(`submit-to-admit: starting nats-server, the scheduler and ${options.agents} agent(s) (${path.relative(root, hardware)}) in ${dir}`);
    const t0 = performance.now();
    cluster = await startLocalCluster({
      dir,
      agents: options.agents,
      hardware: [hardware],
      agentArgs: ['--stop-grace-period', '2s'],
      readyTimeoutMs: 45_000,
      signal: ac.signal,
      runtime: 'process',
    });
    api = new SchedulerApi(cluster.schedulerAddress, { timeoutMs: 10_000 });
    const fitAtOnce = Math.floor((options.agents * GPUS_PER_AGENT) / (PODS * GPUS_PER_POD));
    print(`cluster ready in ${fmtMs(performance.now() - t0)}: scheduler ${cluster.schedulerAddress}, ${options.agents * GPUS_PER_AGENT} GPUs, ${fitAtOnce} gangs of ${PODS}×${GPUS_PER_POD} GPU fit at once`);
    const rssStart = rssOf(cluster);
    const a = api;

    // (a) Baseline: GetJobSet round-trips on an existing (finished) JobSet.
    await a.submitJobSet(gangRequest('bench-probe', dir));
    await follow(a, 'bench-probe');
    for (let i = 0; i < 20; i++) await a.getJobSet('bench-probe');
    const rttMs: number[] = [];
    for (let i = 0; i < options.rtts; i++) {
      ac.signal.throwIfAborted();
      const s = performance.now();
      await a.getJobSet('bench-probe');
      rttMs.push(performance.now() - s);
    }

    // (b) Sequential: submit, follow to Succeeded, next (so GPUs are free again).
    const submitMs: number[] = [];
    const admittedMs: number[] = [];
    const succeededMs: number[] = [];
    const serverAdmittedMs: number[] = [];
    const serverSucceededMs: number[] = [];
    let sawPending = 0;
    for (let i = 0; i < n; i++) {
      ac.signal.throwIfAborted();
      const name = `seq-${String(i + 1).padStart(4, '0')}`;
      const req = gangRequest(name, dir);
      const s = performance.now();
      await a.submitJobSet(req);
      submitMs.push(performance.now() - s);
      const f = await follow(a, name);
      admittedMs.push(f.admittedAt - s);
      succeededMs.push(f.succeededAt - s);
      if (f.sawPending) sawPending++;
      const st = f.last.status!;
      const created = f.last.metadata!.createdMs;
      serverAdmittedMs.push(st.admittedMs - created);
      serverSucceededMs.push(st.finishedMs - created);
    }
    const rssSeq = rssOf(cluster);

    // (c) Burst: N concurrent submits, each followed from the moment its submit returns.
    ac.signal.throwIfAborted();
    const b0 = performance.now();
    const burst = await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const name = `burst-${String(i + 1).padStart(4, '0')}`;
        await a.submitJobSet(gangRequest(name, dir));
        return follow(a, name);
      }),
    );
    const burstAdmitted = burst.map((f) => f.admittedAt - b0);
    const burstSucceeded = burst.map((f) => f.succeededAt - b0);
    const allAdmittedMs = Math.max(...burstAdmitted);
    const allSucceededMs = Math.max(...burstSucceeded);
    const rssBurst = rssOf(cluster);

    const rtt = summarize(rttMs);
    const admitted = summarize(admittedMs);
    const succeeded = summarize(succeededMs);
    const figures: SubmitToAdmitFigures = {
      options,
      fitAtOnce,
      rtt,
      submitCall: summarize(submitMs),
      admitted,
      succeeded,
      serverAdmitted: summarize(serverAdmittedMs),
      serverSucceeded: summarize(serverSucceededMs),
      sawPending,
      burst: {
        admitted: summarize(burstAdmitted),
        succeeded: summarize(burstSucceeded),
        allAdmittedMs,
        allSucceededMs,
        admittedPerSecond: n / (allAdmittedMs / 1000),
        succeededPerSecond: n / (allSucceededMs / 1000),
      },
      ratios: { admittedToRtt: admitted.p50 / rtt.p50, succeededToRtt: succeeded.p50 / rtt.p50 },
      rss: { start: rssStart, afterSequential: rssSeq, afterBurst: rssBurst },
    };
    printFigures(figures, print);
    return figures;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stop();
  }
}

function rssCell(r: RssReadings, k: keyof RssReadings): string {
  const v = r[k];
  return v === undefined ? '–' : fmtBytes(v);
}

/** printFigures writes the figures as tables. */
export function printFigures(f: SubmitToAdmitFigures, print: (line: string) => void): void {
  const o = f.options;
  const n = o.jobsets;
  print('');
  print(`gang: ${PODS} pods × ${GPUS_PER_POD} GPU, command \`true\`; ${n} sequential + a burst of ${n}; ${o.agents} agent(s); completion observed with WatchJobSet`);
  print('');
  print(
    table(SUMMARY_HEADERS, [
      summaryRow('(a) baseline: GetJobSet RTT', f.rtt),
      summaryRow('(b) SubmitJobSet call', f.submitCall),
      summaryRow('(b) submit → Admitted (watch)', f.admitted),
      summaryRow('(b) submit → Succeeded (watch)', f.succeeded),
      summaryRow('(b) server: created → admittedMs', f.serverAdmitted),
      summaryRow('(b) server: created → finishedMs', f.serverSucceeded),
      summaryRow('(c) burst start → each Admitted', f.burst.admitted),
      summaryRow('(c) burst start → each Succeeded', f.burst.succeeded),
    ]),
  );
  print('');
  print(
    table(
      ['figure', 'value'],
      [
        ['(b) watches that saw Pending first', `${f.sawPending} of ${n}`],
        ['(b) ratio Admitted/RTT (p50)', fmtRatio(f.ratios.admittedToRtt)],
        ['(b) ratio Succeeded/RTT (p50)', fmtRatio(f.ratios.succeededToRtt)],
        [`(c) all ${n} Admitted after`, `${fmtMs(f.burst.allAdmittedMs)} (${fmtRate(f.burst.admittedPerSecond, 'JobSets')})`],
        [`(c) all ${n} Succeeded after`, `${fmtMs(f.burst.allSucceededMs)} (${fmtRate(f.burst.succeededPerSecond, 'JobSets')})`],
        ['(c) gangs that fit at once', String(f.fitAtOnce)],
      ],
    ),
  );
  print('');
  const r = f.rss;
  print(
    table(
      ['RSS', 'start', 'after (b)', 'after (c)'],
      (['scheduler', 'nats', 'agents'] as const).map((k) => [k === 'agents' ? `agents (sum of ${o.agents})` : k, rssCell(r.start, k), rssCell(r.afterSequential, k), rssCell(r.afterBurst, k)]),
    ),
  );
}

if (isMain(import.meta.url)) {
  runMain(
    { ...DEFAULT_SUBMIT_TO_ADMIT_OPTIONS },
    'node dist/bench/submit-to-admit.bench.js [--jobsets 200] [--agents 4] [--rtts 1000]',
    (opts) => run(opts),
  );
}
