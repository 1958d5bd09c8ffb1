/**
 * The benchmarks run at a tiny size and print their figures. Nothing here
 * asserts a timing: only that the figures are present and sane (counts match
 * what was asked, percentiles finite and ordered).
 */
import { describe, expect, it } from 'vitest';
import { run as runDecideCycle } from './decide-cycle.bench.js';
import { runBench as runPlacement } from './placement.bench.js';
import { run as runPreemptionCycle } from './preemption-cycle.bench.js';
import { run as runQuotaCycle } from './quota-cycle.bench.js';
import type { Summary } from './stats.js';
import { run as runRestart } from './restart.bench.js';
import { run as runSubmitToAdmit } from './submit-to-admit.bench.js';
import { run as runPodRuntime } from './pod-runtime.bench.js';
import { run as runNodeLoss } from './node-loss.bench.js';
import { run as runSchedulerStartup } from './scheduler-startup.bench.js';

function expectSane(s: Summary, count: number): void {
  expect(s.count).toBe(count);
  for (const v of [s.min, s.mean, s.p50, s.p90, s.p99, s.max]) {
    expect(Number.isFinite(v)).toBe(true);
    expect(v).toBeGreaterThanOrEqual(0);
  }
  expect(s.min).toBeLessThanOrEqual(s.p50);
  expect(s.p50).toBeLessThanOrEqual(s.p90);
  expect(s.p90).toBeLessThanOrEqual(s.p99);
  expect(s.p99).toBeLessThanOrEqual(s.max);
}

describe('benchmarks at tiny size', () => {
  it('decide-cycle prints its figures', async () => {
    const lines: string[] = [];
    const f = await runDecideCycle({ nodes: 16, pending: 40, rounds: 3, seed: 7 }, (l) => lines.push(l));
    expectSane(f.decide, 3);
    expectSane(f.copy, 3);
    expect(Object.values(f.mix).reduce((a, b) => a + b, 0)).toBe(40);
    const stillPending = Object.values(f.stillPending).reduce((a, b) => a + b, 0);
    expect(f.admittedJobSets + stillPending).toBe(40);
    expect(f.placedPods).toBeGreaterThan(0);
    expect(f.placedPods).toBeLessThanOrEqual(f.pendingPods);
    expect(Number.isFinite(f.jobsetsPerSecond) && f.jobsetsPerSecond > 0).toBe(true);
    expect(Number.isFinite(f.ratioDecideToCopy) && f.ratioDecideToCopy > 0).toBe(true);
    expect(f.memory.heapBefore).toBeGreaterThan(0);
    const text = lines.join('\n');
    expect(text).toContain('decideCycle');
    expect(text).toContain('ratio decide/copy (p50)');
    expect(text).toContain('JobSets/s');
    console.log(text);
  });

  it('submit-to-admit runs on a real cluster and prints its figures', async () => {
    const lines: string[] = [];
    const f = await runSubmitToAdmit({ jobsets: 3, agents: 1, rtts: 10 }, (l) => lines.push(l));
    expectSane(f.rtt, 10);
    for (const s of [f.submitCall, f.admitted, f.succeeded, f.serverAdmitted, f.serverSucceeded, f.burst.admitted, f.burst.succeeded]) expectSane(s, 3);
    expect(f.admitted.p50).toBeLessThanOrEqual(f.succeeded.p50);
    expect(f.burst.allAdmittedMs).toBeLessThanOrEqual(f.burst.allSucceededMs);
    expect(f.fitAtOnce).toBe(4);
    expect(Number.isFinite(f.ratios.admittedToRtt) && f.ratios.admittedToRtt > 0).toBe(true);
    expect(f.rss.start.scheduler).toBeGreaterThan(0);
    expect(f.rss.afterBurst.scheduler).toBeGreaterThan(0);
    const text = lines.join('\n');
    expect(text).toContain('submit → Admitted');
    expect(text).toContain('ratio Admitted/RTT');
    console.log(text);
  });

  it('restart runs InPlace and Recreate on a real cluster and prints their latencies', async () => {
    const lines: string[] = [];
    const f = await runRestart({ restarts: 2 }, (l) => lines.push(l));
    expectSane(f.latencyMs.InPlace, 2);
    expectSane(f.latencyMs.Recreate, 2);
    expect(Number.isFinite(f.speedup) && f.speedup > 0).toBe(true);
    expect(f.busyMs.InPlace).toBeGreaterThan(0);
    expect(f.busyMs.Recreate).toBeGreaterThan(0);
    const text = lines.join('\n');
    expect(text).toContain('ratio Recreate/InPlace');
    expect(text).toContain('1-GPU JobSets waiting');
    console.log(text);
  });

  it('pod-runtime starts and adopts pods with the process and the OCI (podman) drivers and prints both', async () => {
    const lines: string[] = [];
    const f = await runPodRuntime({ pods: 3, adopt: 2 }, (l) => lines.push(l));
    expectSane(f.process.startToExitMs, 3);
    expect(f.container).toBeDefined(); // make test installs podman
    expectSane(f.container!.startToExitMs, 3);
    for (const d of [f.process, f.container!]) {
      expect(d.adoptMs).toBeGreaterThan(0);
      expect(d.restartMs).toBeGreaterThan(0);
    }
    const text = lines.join('\n');
    expect(text).toContain('container / process p50');
    expect(text).toContain('adoption vs stop + start again');
    console.log(text);
  }, 120_000);

  it('node-loss freezes an agent, measures detection and recovery against a cold start, and prints them', async () => {
    const lines: string[] = [];
    const f = await runNodeLoss({ runs: 1, nodes: 3, pods: 16, 'lost-timeout-ms': 3000 }, (l) => lines.push(l));
    expectSane(f.detectionMs, 1);
    expectSane(f.recoveryMs, 1);
    expectSane(f.coldStartMs, 1);
    // Detection cannot beat the lost timeout counted from the last heartbeat (at most one 1 s interval before the freeze).
    expect(f.detectionMs.p50).toBeGreaterThanOrEqual(3000 - 1000);
    expect(f.recoveryMs.p50).toBeGreaterThanOrEqual(f.detectionMs.p50);
    const text = lines.join('\n');
    expect(text).toContain('detection − lost timeout');
    console.log(text);
  }, 180_000);

  it('scheduler-startup restarts a scheduler with a full and an empty store and prints both', async () => {
    const lines: string[] = [];
    const f = await runSchedulerStartup({ jobsets: 50, runs: 2 }, (l) => lines.push(l));
    expectSane(f.fullMs, 2);
    expectSane(f.emptyMs, 2);
    expect(f.rssBytes).toBeGreaterThan(0);
    expect(lines.join('\n')).toContain('ratio full / empty');
    console.log(lines.join('\n'));
  }, 120_000);

  it('quota-cycle prints Muster\'s cycle and the one-head-per-queue baseline', async () => {
    const lines: string[] = [];
    const f = await runQuotaCycle({ queues: 20, nodes: 100, pending: 200, rounds: 2, seed: 7 }, (l) => lines.push(l));
    expectSane(f.muster.decide, 2);
    expectSane(f.baseline.total, 2);
    expectSane(f.baseline.wall, 2);
    expectSane(f.baseline.cycle, 2 * f.baseline.cycles);
    expect(Object.values(f.priorities).reduce((a, b) => a + b, 0)).toBe(200);
    const stillPending = Object.values(f.muster.stillPending).reduce((a, b) => a + b, 0);
    expect(f.muster.admittedJobSets + stillPending).toBe(200);
    expect(f.muster.admittedJobSets).toBeGreaterThan(0);
    expect(f.muster.admittedJobSets).toBeLessThanOrEqual(200);
    expect(f.muster.placedPods).toBeLessThanOrEqual(f.cluster.pendingPods);
    expect(f.muster.admittedGpus).toBeLessThanOrEqual(f.cluster.gpus);
    expect(f.baseline.cycles).toBeGreaterThanOrEqual(1);
    expect(f.baseline.admittedAfter).toHaveLength(f.baseline.cycles);
    expect(f.baseline.admittedAfter.at(-1)).toBe(f.baseline.admittedJobSets);
    expect(f.baseline.admittedJobSets).toBeLessThanOrEqual(200);
    expect(f.baseline.admittedGpus).toBeLessThanOrEqual(f.cluster.gpus);
    for (const r of [f.ratios.cycles, f.ratios.time, f.muster.admissionsPerSecond]) expect(Number.isFinite(r) && r > 0).toBe(true);
    expect(f.memory.heapBefore).toBeGreaterThan(0);
    const text = lines.join('\n');
    expect(text).toContain('Muster decideCycle');
    expect(text).toContain('ratio time');
    expect(text).toContain('JobSets/s');
    console.log(text);
  });

  it('preemption-cycle prints Muster\'s victims and the naive baseline\'s', async () => {
    const lines: string[] = [];
    const f = await runPreemptionCycle({ queues: 10, nodes: 40, preemptors: 12, rounds: 2, seed: 7 }, (l) => lines.push(l));
    expectSane(f.muster.decide, 2);
    expect(f.cluster.runningGpus).toBe(f.cluster.gpus); // the cluster is full
    expect(f.muster.preemptors).toBeGreaterThan(0);
    expect(f.muster.preemptors).toBeLessThanOrEqual(12);
    expect(f.muster.victims).toBeGreaterThanOrEqual(f.muster.preemptors);
    expect(f.muster.admitted).toBe(0); // nothing fits without preempting
    expect(f.baseline.preemptors).toBeGreaterThan(0);
    for (const r of [f.ratios.victims, f.ratios.gpus]) expect(Number.isFinite(r) && r > 0).toBe(true);
    const text = lines.join('\n');
    expect(text).toContain('naive (lowest first, GPU count only)');
    expect(text).toContain('ratio naive/Muster');
    console.log(text);
  });

  it('placement prints per-gang latency and rack locality for Muster and first fit on the same stream', async () => {
    const lines: string[] = [];
    const f = await runPlacement({ nodes: 96, gangs: 40, churn: 30, seed: 3 }, (l) => lines.push(l));
    for (const r of [f.muster, f.firstFit]) {
      expect(r.gangs + r.unplaced).toBe(40);
      expect(r.churnOffered).toBe(30);
      expect(r.churnMissed).toBeLessThanOrEqual(30);
      expect(r.churnStranded).toBeLessThanOrEqual(96 * 8);
      expect(r.churnWholeNodes).toBeLessThanOrEqual(96);
      expect(r.gangs).toBeGreaterThan(0);
      expectSane(r.perGang, r.gangs);
      expect(r.gpus).toBeLessThanOrEqual(96 * 8);
      expect(r.racksMean).toBeGreaterThanOrEqual(1);
      expect(r.oneRack).toBeLessThanOrEqual(r.gangs);
    }
    const text = lines.join('\n');
    expect(text).toContain('gangs in one rack');
    expect(text).toContain('ratio first fit / Muster');
    expect(text).toContain('whole free nodes (mean)');
    console.log(text);
  });
});
