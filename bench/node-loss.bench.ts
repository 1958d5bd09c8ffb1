/**
 * Lost-node detection and recovery on a real local cluster: N agents playing
 * 8-GPU hosts run one JobSet of P 1-GPU pods — by default 64 pods filling 8
 * hosts, plus one spare host to recover onto (no failurePolicy: a lost node
 * requeues the gang). Each run freezes one agent with SIGSTOP (the node goes
 * silent, its pods keep running) and reads the scheduler's own event history:
 *
 *   detection  SIGSTOP → the JobSet's `Requeued` event (NotReady, Lost after
 *              the lost timeout, NodeLost decided). The timeout runs from the
 *              node's last heartbeat, up to one heartbeat interval (1 s)
 *              before the SIGSTOP, so detection can be that much shorter;
 *   recovery   SIGSTOP → `AllPodsRunning` of the new attempt on the other nodes.
 *
 * Then SIGCONT: the agent registers a new epoch and stops its old pods; the
 * JobSet is deleted and the cluster settles before the next run. The
 * baseline, measured in the same run, is a cold start of the same JobSet
 * (created → AllPodsRunning): recovery costs the lost timeout plus about one
 * cold start.
 *
 *   npm run build && node dist/bench/node-loss.bench.js [--runs 5] [--nodes 9] [--pods 64] [--lost-timeout-ms 5000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SchedulerApi } from '../cli/src/client.js';
import { startLocalCluster, type LocalCluster } from '../cli/src/local/cluster.js';
import { findRepoRoot } from '../cli/src/local/repo.js';
import { waitFor } from '../cli/src/util/poll.js';
import type { JobSet } from '../shared/src/proto/types.js';
import { parseJobSetObject, toSubmitRequest } from '../shared/src/spec/document.js';
import { isMain, runMain } from './args.js';
import { fmtMs, fmtRatio, summarize, summaryRow, SUMMARY_HEADERS, table, type Summary } from './stats.js';

/** NodeLossBenchOptions size the benchmark. */
export interface NodeLossBenchOptions {
  runs: number;
  nodes: number;
  pods: number;
  'lost-timeout-ms': number;
}

/** DEFAULT_NODE_LOSS_OPTIONS are the defaults of the command line. */
export const DEFAULT_NODE_LOSS_OPTIONS: NodeLossBenchOptions = { runs: 5, nodes: 9, pods: 64, 'lost-timeout-ms': 5000 };

/** NodeLossFigures are the benchmark's results (milliseconds). */
export interface NodeLossFigures {
  options: NodeLossBenchOptions;
  detectionMs: Summary;
  recoveryMs: Summary;
  coldStartMs: Summary;
}

/** eventAt is the time of the first `type` event of the history at or after `since`. */
function eventAt(js: JobSet, type: string, since: number): number | undefined {
  return js.status?.history.find((e) => e.type === type && e.timeMs >= since)?.timeMs;
}

function jobsetFile(name: string, pods: number): Record<string, unknown> {
  return {
    apiVersion: 'muster.dev/v1',
    kind: 'JobSet',
    metadata: { name },
    spec: { replicatedJobs: [{ name: 'w', replicas: pods, template: { template: { command: ['sleep', '600'], resources: { cpu: '100m', memory: '16Mi', gpus: 1 } } } }] },
  };
}

/** run starts the cluster, measures `runs` node losses and cold starts, prints and returns the figures; the cluster is always stopped. */
export async function run(partial: Partial<NodeLossBenchOptions> = {}, print: (line: string) => void = console.log): Promise<NodeLossFigures> {
  const options = { ...DEFAULT_NODE_LOSS_OPTIONS, ...partial };
  const hardware = path.join(findRepoRoot(), 'deploy', 'hardware', 'h100-sxm-8gpu.json');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'muster-bench-node-loss-'));
  let cluster: LocalCluster | undefined;
  let api: SchedulerApi | undefined;
  const frozen = new Set<number>();
  try {
    cluster = await startLocalCluster({
      dir,
      agents: options.nodes,
      hardware: [hardware],
      schedulerArgs: ['--node-lost-timeout', `${options['lost-timeout-ms']}ms`, '--pod-retry-backoff', '0'],
      agentArgs: ['--stop-grace-period', '1s'],
      readyTimeoutMs: 90_000,
      runtime: 'process',
    });
    const c = cluster;
    const a = (api = new SchedulerApi(c.schedulerAddress, { timeoutMs: 10_000 }));
    print(`node-loss: ${options.nodes} agents, a JobSet of ${options.pods} pods, lost timeout ${fmtMs(options['lost-timeout-ms'])}, ${options.runs} run(s)`);
    const submit = (name: string) => a.submitJobSet(toSubmitRequest(parseJobSetObject(jobsetFile(name, options.pods)), { user: os.userInfo().username, submitDir: dir }));
    const until = <T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 120_000) => waitFor(f, { timeoutMs, intervalMs: 50, what });
    const allRunningSince = (name: string, since: number) =>
      until(`${name} all running`, async () => {
        const js = await a.getJobSet(name);
        return eventAt(js, 'AllPodsRunning', since) !== undefined ? js : undefined;
      });
    const settled = () =>
      until('the cluster idle, every node Ready', async () => {
        const nodes = await a.nodes();
        const idle = nodes.length === options.nodes && nodes.every((n) => n.state === 'NODE_STATE_READY' && n.pods === 0 && (n.lingering?.cpuMillis ?? 0) === 0);
        return idle ? true : undefined;
      });

    const detection: number[] = [];
    const recovery: number[] = [];
    const cold: number[] = [];
    for (let r = 0; r < options.runs; r++) {
      // Baseline: a cold start of the same JobSet.
      const coldName = `cold-${r}`;
      const created = (await submit(coldName)).metadata!.createdMs;
      cold.push(eventAt(await allRunningSince(coldName, created), 'AllPodsRunning', created)! - created);
      await a.deleteJobSet(coldName);
      await settled();

      // A node lost under the running JobSet.
      const name = `lost-${r}`;
      const t = (await submit(name)).metadata!.createdMs;
      const running = await allRunningSince(name, t);
      const used = [...new Set(running.status!.pods.map((p) => p.node))].sort();
      const victim = used[r % used.length]!;
      const agent = c.agents[c.nodeNames.indexOf(victim)]!;
      const epoch = (await a.nodes()).find((n) => n.name === victim)!.epoch;
      const t0 = Date.now();
      process.kill(agent.process.pid, 'SIGSTOP');
      frozen.add(agent.process.pid);
      const requeued = await until(`${name} requeued`, async () => {
        const js = await a.getJobSet(name);
        return eventAt(js, 'Requeued', t0) !== undefined ? js : undefined;
      });
      const requeuedAt = eventAt(requeued, 'Requeued', t0)!;
      const back = await allRunningSince(name, requeuedAt);
      detection.push(requeuedAt - t0);
      recovery.push(eventAt(back, 'AllPodsRunning', requeuedAt)! - t0);
      process.kill(agent.process.pid, 'SIGCONT');
      frozen.delete(agent.process.pid);
      await until(`${victim} registered again`, async () => ((await a.nodes()).find((n) => n.name === victim)!.epoch > epoch ? true : undefined));
      await a.deleteJobSet(name);
      await settled();
      print(`  run ${r + 1}: detection ${fmtMs(detection.at(-1)!)}, recovery ${fmtMs(recovery.at(-1)!)}, cold start ${fmtMs(cold.at(-1)!)} (node ${victim})`);
    }

    const figures: NodeLossFigures = { options, detectionMs: summarize(detection), recoveryMs: summarize(recovery), coldStartMs: summarize(cold) };
    print('');
    print(
      table(
        [...SUMMARY_HEADERS].map((h, i) => (i === 0 ? `${options.pods} pods, ${options.nodes} nodes` : h)),
        [summaryRow('detection (SIGSTOP → requeued)', figures.detectionMs), summaryRow('recovery (SIGSTOP → all running)', figures.recoveryMs), summaryRow('cold start (baseline)', figures.coldStartMs)],
      ),
    );
    print('');
    print(`detection − lost timeout, p50: ${Math.round(figures.detectionMs.p50 - options['lost-timeout-ms'])} ms (the timeout runs from the last heartbeat, ≤ 1 s before the SIGSTOP)`);
    print(`ratio (recovery − detection) / cold start, p50: ${fmtRatio((figures.recoveryMs.p50 - figures.detectionMs.p50) / figures.coldStartMs.p50)}`);
    return figures;
  } finally {
    for (const pid of frozen) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // gone
      }
    }
    api?.close();
    await cluster?.stop(5_000).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url))
  runMain({ ...DEFAULT_NODE_LOSS_OPTIONS }, 'node dist/bench/node-loss.bench.js [--runs 5] [--nodes 9] [--pods 64] [--lost-timeout-ms 5000]', (opts) => run(opts));
