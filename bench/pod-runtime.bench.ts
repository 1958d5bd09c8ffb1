/**
 * What a pod costs to start, and what an agent restart costs, per runtime
 * driver, measured on this host with the real drivers (no scheduler):
 *
 *   start → exit  a pod running `true`, one after another: the process driver
 *                 (the baseline) vs the OCI driver on a podman API service
 *                 started for the run, with a busybox image built locally;
 *   adoption      K long-running pods started by one driver instance, then a
 *                 new instance (a restarted agent) recovers them: the time
 *                 until every pod is adopted, vs what an agent without
 *                 adoption pays — stopping the K pods and starting them again
 *                 (the baseline: the pods' work is lost as well);
 *   memory        RSS of the exit-status shim per process pod, and of conmon
 *                 per container.
 *
 *   npm run build && node dist/bench/pod-runtime.bench.js [--pods 30] [--adopt 20]
 *
 * Without podman the container rows say so and the process rows still run.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { nullLogger } from '../shared/src/logger.js';
import { ensureBusyboxImage } from '../cli/src/local/busybox-image.js';
import { findPodman, startPodmanService, type ContainerEngineHandle } from '../cli/src/local/container-engine.js';
import type { PodKey, PodSpec, RuntimeDriver } from '../agent/src/runtime/driver.js';
import { OciDriver } from '../agent/src/runtime/oci-driver.js';
import { ProcessDriver } from '../agent/src/runtime/process-driver.js';
import { killGroup } from '../agent/src/runtime/proc.js';
import { isMain, runMain } from './args.js';
import { fmtBytes, fmtMs, fmtRatio, processRss, summarize, summaryRow, SUMMARY_HEADERS, table, type Summary } from './stats.js';

/** PodRuntimeBenchOptions size the benchmark. */
export interface PodRuntimeBenchOptions {
  /** Pods started one after another per driver. */
  pods: number;
  /** Running pods recovered by a new driver instance. */
  adopt: number;
}

/** DEFAULT_POD_RUNTIME_OPTIONS are the defaults of the command line. */
export const DEFAULT_POD_RUNTIME_OPTIONS: PodRuntimeBenchOptions = { pods: 30, adopt: 20 };

/** DriverFigures are one driver's measurements. */
export interface DriverFigures {
  startToExitMs: Summary;
  /** Time for a new driver instance to recover `adopt` running pods. */
  adoptMs: number;
  /** Time to stop `adopt` running pods and start them again (no adoption). */
  restartMs: number;
  /** Mean RSS of the per-pod helper process (shim or conmon), bytes; NaN when unknown. */
  helperRss: number;
}

/** PodRuntimeFigures are the benchmark's results. */
export interface PodRuntimeFigures {
  options: PodRuntimeBenchOptions;
  process: DriverFigures;
  /** Undefined when podman is not installed. */
  container?: DriverFigures;
}

const UID = 'bench000-0000-4000-8000-000000000000';

function spec(dir: string, gen: number, command: string[], image = ''): PodSpec {
  const podDir = path.join(dir, 'pods', `g${gen}`);
  mkdirSync(podDir, { recursive: true });
  return {
    podId: `bench/w/0/${gen}`,
    jobsetUid: UID,
    generation: gen,
    image,
    command,
    args: [],
    env: image ? { PATH: '/bin' } : { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    workingDir: image ? '' : dir,
    stdoutPath: path.join(podDir, 'stdout.log'),
    stderrPath: path.join(podDir, 'stderr.log'),
    podDir,
    user: '',
  };
}

async function startAndWait(driver: RuntimeDriver, s: PodSpec): Promise<number> {
  const t0 = performance.now();
  const started = await driver.start(s);
  if (started.kind !== 'running') throw new Error(`${driver.name}: ${started.exit.message}`);
  const exit = await started.exited;
  if (exit.reason !== 'Completed') throw new Error(`${driver.name}: ${exit.reason} ${exit.message}`);
  return performance.now() - t0;
}

/** startedGroups are the process pods' groups this run started (killed at the end whatever happens). */
const startedGroups: number[] = [];

/** SCOPE labels this run's containers. */
const SCOPE = `bench-${process.pid}`;

async function startRunning(driver: RuntimeDriver, specs: PodSpec[]): Promise<number[]> {
  const pids: number[] = [];
  for (const s of specs) {
    const r = await driver.start(s);
    if (r.kind !== 'running') throw new Error(`${driver.name}: ${r.exit.message}`);
    pids.push(r.pid);
    if (driver.name === 'process') startedGroups.push(r.pid);
  }
  return pids;
}

async function measure(name: 'process' | 'container', make: () => RuntimeDriver, dir: string, image: string, opts: PodRuntimeBenchOptions, print: (l: string) => void): Promise<DriverFigures> {
  const driver = make();
  const quick = ['true'];
  let gen = 1;
  // One warm-up pod (image lookup, page cache) is not counted.
  await startAndWait(driver, spec(dir, gen++, quick, image));
  const samples: number[] = [];
  for (let i = 0; i < opts.pods; i++) samples.push(await startAndWait(driver, spec(dir, gen++, quick, image)));
  print(`  ${name}: ${opts.pods} pods started and exited`);

  const long = ['sh', '-c', 'exec sleep 600'];
  const specs = Array.from({ length: opts.adopt }, () => spec(dir, gen++, long, image));
  const pids = await startRunning(driver, specs);
  const helperRss = mean(pids.map((p) => processRss(image ? conmonOf(p) : p) ?? NaN));
  driver.close?.();

  // A restarted agent: a new driver instance on the same records / engine.
  const known = new Set(specs.map(keyOf));
  const byKey = new Map(specs.map((s) => [keyOf(s), s]));
  const t0 = performance.now();
  const adopted = make();
  const found = await adopted.recover({ known: (k) => known.has(keyOf(k)), filesOf: (k) => byKey.get(keyOf(k)), gracePeriodMs: 1000 });
  const adoptMs = performance.now() - t0;
  if (found.filter((f) => f.state === 'running').length !== opts.adopt) throw new Error(`${name}: adopted ${found.length} of ${opts.adopt} pods`);

  // Without adoption: stop them all, start them all again.
  const t1 = performance.now();
  await Promise.all(specs.map((s) => adopted.stop(s, 1000, 'bench')));
  const again = specs.map((s) => ({ ...s, generation: s.generation + 100_000 }));
  await startRunning(adopted, again);
  const restartMs = performance.now() - t1;
  await Promise.all(again.map((s) => adopted.stop(s, 0, 'bench done')));
  adopted.close?.();
  print(`  ${name}: ${opts.adopt} pods adopted, then restarted`);
  return { startToExitMs: summarize(samples), adoptMs, restartMs, helperRss };
}

function keyOf(k: PodKey): string {
  return `${k.podId}@${k.generation}`;
}

function mean(xs: number[]): number {
  const ok = xs.filter((x) => Number.isFinite(x));
  return ok.length === 0 ? NaN : ok.reduce((a, b) => a + b, 0) / ok.length;
}

/** conmonOf finds the conmon process that supervises a container's init pid (its parent); 0 when unknown. */
function conmonOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) || 0;
  } catch {
    return 0;
  }
}

/** run measures both drivers and prints the figures. */
export async function run(opts: PodRuntimeBenchOptions, print: (line: string) => void = console.log): Promise<PodRuntimeFigures> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'muster-bench-runtime-'));
  let engine: ContainerEngineHandle | undefined;
  try {
    print(`pod-runtime: ${opts.pods} pods per driver, ${opts.adopt} adopted; ${os.cpus().length} CPUs`);
    const records = path.join(dir, 'running');
    const processFigures = await measure('process', () => new ProcessDriver({ logger: nullLogger, recordsDir: records }), path.join(dir, 'p'), '', opts, print);
    let container: DriverFigures | undefined;
    const podman = findPodman();
    if (podman) {
      const image = ensureBusyboxImage();
      engine = await startPodmanService({ dir: path.join(dir, 'engine'), podman });
      const socketPath = engine.socketPath;
      container = await measure('container', () => new OciDriver({ logger: nullLogger, socketPath, scope: SCOPE, node: 'bench', gpuDevices: 'cdi', allowedHostPaths: [] }), path.join(dir, 'c'), image, opts, print);
    } else print('  container: podman is not installed; skipped');

    print('');
    print('start → exit of a pod running `true`');
    print(table(SUMMARY_HEADERS, [summaryRow('process', processFigures.startToExitMs), ...(container ? [summaryRow('container', container.startToExitMs)] : [])]));
    if (container) print(`container / process p50: ${fmtRatio(container.startToExitMs.p50 / processFigures.startToExitMs.p50)}`);
    print('');
    print(`agent restart with ${opts.adopt} running pods: adoption vs stop + start again`);
    const rows = [processFigures, container].flatMap((f, i) => (f ? [[i === 0 ? 'process' : 'container', fmtMs(f.adoptMs), fmtMs(f.restartMs), fmtRatio(f.restartMs / f.adoptMs), fmtBytes(f.helperRss)]] : []));
    print(table(['', 'adopt', 'stop+start', 'ratio', 'helper RSS/pod'], rows));
    return { options: opts, process: processFigures, ...(container ? { container } : {}) };
  } finally {
    await engine?.stop(5000).catch(() => undefined);
    // A failed run leaves nothing behind: process groups it started, containers of its scope.
    for (const pgid of startedGroups) killGroup(pgid, 'SIGKILL');
    const podman = findPodman();
    if (podman) {
      try {
        const ids = execFileSync(podman, ['ps', '-aq', '--filter', `label=io.muster.scope=${SCOPE}`]).toString().split('\n').filter((x) => x !== '');
        if (ids.length > 0) execFileSync(podman, ['rm', '-f', ...ids], { stdio: 'ignore' });
      } catch {
        // podman cannot say: nothing more to do
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url))
  runMain({ ...DEFAULT_POD_RUNTIME_OPTIONS }, 'node dist/bench/pod-runtime.bench.js [--pods 30] [--adopt 20]', (o) => run(o));
