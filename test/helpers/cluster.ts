/**
 * A real single-machine cluster for integration tests: a private nats-server
 * on a random port, the scheduler and N agents as real processes (from dist/),
 * in a temp dir that is removed afterwards. Built on the same launcher as
 * `muster local up`, so the tests exercise what users run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SchedulerApi } from '../../cli/src/client.js';
import { startAgent, startScheduler, type AgentHandle, type SchedulerHandle } from '../../cli/src/local/daemons.js';
import { startLocalCluster, type LocalCluster } from '../../cli/src/local/cluster.js';
import { startNatsServer } from '../../cli/src/local/nats-server.js';
import { waitFor } from '../../cli/src/util/poll.js';
import { findPodman } from '../../cli/src/local/container-engine.js';
import { affinityScope } from '../../agent/src/runtime/cpu-affinity.js';
import type { JobSet } from '../../shared/src/proto/types.js';
import { parseJobSetObject, toSubmitRequest } from '../../shared/src/spec/document.js';

/** TestClusterOptions configure startTestCluster. */
export interface TestClusterOptions {
  agents?: number;
  hardware?: string[];
  schedulerArgs?: string[];
  agentArgs?: string[];
  /** Extra arguments for agent i (0-based), after agentArgs. */
  agentArgsFor?: (i: number) => string[];
  /** Pods with an image run as containers (a podman API service is started); default: processes only. */
  containers?: boolean;
  /** The address nats-server and the scheduler listen on (default 127.0.0.1): a bridge address reaches agents in network namespaces. */
  listenHost?: string;
}

/** TestCluster is a running cluster plus conveniences for assertions. */
export interface TestCluster {
  dir: string;
  cluster: LocalCluster;
  api: SchedulerApi;
  schedulerAddress: string;
  /** The scheduler process now running (changes after restartScheduler). */
  scheduler(): SchedulerHandle;
  /** SIGKILLs the scheduler and waits until it is gone. */
  killScheduler(): Promise<void>;
  /** Starts the scheduler again on the same address, database and NATS (with `env` added to its environment). */
  restartScheduler(env?: Record<string, string>): Promise<void>;
  /** SIGKILLs nats-server (an outage: JetStream's data stays on disk) and waits until it is gone. */
  killNats(): Promise<void>;
  /** Starts nats-server again on the same port and JetStream directory: clients reconnect by themselves. */
  restartNats(): Promise<void>;
  /** Starts agent `i` again (same node name and state dir) after it exited. */
  restartAgent(i: number): Promise<void>;
  /** Agent `i` now running (changes after restartAgent). */
  agent(i: number): AgentHandle;
  /** Submits a JobSet written in the file shape (apiVersion/kind added). */
  submit(doc: { metadata: { name: string }; spec: unknown }, submitDir?: string): Promise<JobSet>;
  /** Polls GetJobSet until `pred` holds; throws naming `what` on timeout. */
  waitForJobSet(name: string, pred: (js: JobSet) => boolean, what: string, timeoutMs?: number): Promise<JobSet>;
  /** Reads a pod's stdout (or stderr) from its agent's state dir (jobsetUid picks one incarnation when several exist). */
  podLog(podId: string, stream?: 'stdout' | 'stderr', generation?: number, jobsetUid?: string): string;
  /** The file podLog reads (throws when there is none). */
  podLogPath(podId: string, stream?: 'stdout' | 'stderr', generation?: number, jobsetUid?: string): string;
  /** Text of a daemon's log file (`scheduler`, `local-1`…). */
  daemonLog(name: string): string;
  /** Stops every process and removes the temp dir. */
  stop(): Promise<void>;
}

/** freePort asks the kernel for a free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** startTestCluster starts nats-server, the scheduler and agents; everything is stopped on failure. */
export async function startTestCluster(opts: TestClusterOptions = {}): Promise<TestCluster> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'muster-it-'));
  const port = await freePort();
  // Retries wait 200 ms (doubling) instead of batch/v1's 10 s, so tests of retries take moments.
  const host = opts.listenHost ?? '127.0.0.1';
  const schedulerArgs = ['--listen', `${host}:${port}`, '--log-level', 'debug', '--pod-retry-backoff', '200ms', ...(opts.schedulerArgs ?? [])];
  const agentArgs = ['--stop-grace-period', '2s', '--log-level', 'debug', ...(opts.agentArgs ?? [])];
  let cluster: LocalCluster;
  try {
    cluster = await startLocalCluster({
      dir,
      agents: opts.agents ?? 2,
      hardware: opts.hardware ?? [],
      schedulerArgs,
      agentArgs,
      ...(opts.agentArgsFor ? { agentArgsFor: opts.agentArgsFor } : {}),
      readyTimeoutMs: 45_000,
      natsHost: host,
      // Only tests of containers pay for a podman service; none of a person's engines is used.
      runtime: opts.containers ? 'auto' : 'process',
      engineSockets: [],
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let scheduler = cluster.scheduler;
  let nats = cluster.nats;
  const agents = [...cluster.agents];
  const api = new SchedulerApi(cluster.schedulerAddress, { timeoutMs: 10_000 });
  const tc: TestCluster = {
    dir,
    cluster,
    api,
    schedulerAddress: cluster.schedulerAddress,
    scheduler: () => scheduler,
    async killScheduler() {
      scheduler.process.kill('SIGKILL');
      await scheduler.process.exited;
    },
    async restartScheduler(env) {
      rmSync(path.join(dir, 'scheduler.addr'), { force: true });
      scheduler = await startScheduler({ dir, natsUrl: cluster.natsUrl, extraArgs: schedulerArgs, ...(env ? { env } : {}) });
    },
    async killNats() {
      nats.process.kill('SIGKILL');
      await nats.process.exited;
    },
    async restartNats() {
      nats = await startNatsServer({ dir, host, port: cluster.nats.port });
    },
    agent(i) {
      return agents[i]!;
    },
    async restartAgent(i) {
      const old = agents[i]!;
      agents[i] = await startAgent({
        dir,
        nodeName: old.nodeName,
        schedulerAddress: cluster.schedulerAddress,
        natsUrl: cluster.natsUrl,
        hardwareFile: opts.hardware?.[Math.min(i, (opts.hardware?.length ?? 1) - 1)],
        extraArgs: [...(cluster.engine ? ['--container-socket', cluster.engine.socketPath] : []), ...agentArgs, ...(opts.agentArgsFor?.(i) ?? [])],
      });
    },
    async submit(doc, submitDir) {
      const parsed = parseJobSetObject({ apiVersion: 'muster.dev/v1', kind: 'JobSet', ...doc });
      return api.submitJobSet(toSubmitRequest(parsed, { user: os.userInfo().username, submitDir: submitDir ?? dir }));
    },
    async waitForJobSet(name, pred, what, timeoutMs = 60_000) {
      let last: JobSet | undefined;
      try {
        return await waitFor(
          async () => {
            last = await api.getJobSet(name);
            return pred(last) ? last : undefined;
          },
          { timeoutMs, intervalMs: 100, what: `${name}: ${what}`, retryOnError: true },
        );
      } catch (err) {
        const s = last?.status;
        throw new Error(`${(err as Error).message}; last status: ${s ? `${s.phase} ${s.reason}: ${s.message}` : 'none'}`);
      }
    },
    podLog(podId, stream = 'stdout', generation = 0, jobsetUid) {
      return readFileSync(tc.podLogPath(podId, stream, generation, jobsetUid), 'utf8');
    },
    podLogPath(podId, stream = 'stdout', generation = 0, jobsetUid?: string) {
      // <stateDir>/pods/<jobset>/<uid8>/<rj>-<j>-<p>/g<gen>/<stream>.log
      const [jobset, rj, j, p] = podId.split('/');
      const found: string[] = [];
      for (const node of cluster.nodeNames) {
        const base = path.join(dir, 'agents', node, 'pods', jobset!);
        if (!existsSync(base)) continue;
        for (const uid8 of readdirSync(base)) {
          if (jobsetUid && !jobsetUid.startsWith(uid8)) continue;
          const f = path.join(base, uid8, `${rj}-${j}-${p}`, `g${generation}`, `${stream}.log`);
          if (existsSync(f)) found.push(f);
        }
      }
      if (found.length !== 1) throw new Error(`expected one ${stream} log for pod ${podId} generation ${generation} under ${dir}/agents, found ${found.length}`);
      return found[0]!;
    },
    daemonLog(name) {
      const f = path.join(dir, 'logs', `${name}.log`);
      return existsSync(f) ? readFileSync(f, 'utf8') : '';
    },
    async stop() {
      api.client.close();
      await Promise.allSettled(agents.map((a) => a.stop(5000)));
      await scheduler.stop(5000).catch(() => undefined);
      // Containers of a failed test go before the engine (the cluster's stop ends with the podman service).
      if (cluster.engine) removeContainersOf(cluster.nodeNames.map((n) => path.join(dir, 'agents', n)), cluster.nodeNames);
      await cluster.stop(5000).catch(() => undefined);
      if (nats !== cluster.nats) await nats.stop(5000).catch(() => undefined);
      killRecordedPods(dir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return tc;
}

/** envOf parses `env` output (KEY=VALUE lines) into a map. */
export function envOf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** removeContainersOf force-removes every container labelled with the agents' scopes (what a failed test may leave). */
function removeContainersOf(stateDirs: string[], nodeNames: string[]): void {
  const podman = findPodman();
  if (!podman) return;
  for (const [i, stateDir] of stateDirs.entries()) {
    try {
      const ids = execFileSync(podman, ['ps', '-aq', '--filter', `label=io.muster.scope=${affinityScope(nodeNames[i]!, stateDir)}`]).toString().split('\n').filter((x) => x !== '');
      if (ids.length > 0) execFileSync(podman, ['rm', '-f', ...ids], { stdio: 'ignore' });
    } catch {
      // nothing to remove, or podman cannot say: the test's own assertions tell
    }
  }
}

/**
 * killRecordedPods SIGKILLs the process groups agents recorded as running
 * (agents/<node>/running/<pgid>.json): a pod that outlives a stopped agent
 * (a long stop grace, a failed test) must not outlive the test.
 */
function killRecordedPods(dir: string): void {
  const agentsDir = path.join(dir, 'agents');
  if (!existsSync(agentsDir)) return;
  for (const node of readdirSync(agentsDir)) {
    const running = path.join(agentsDir, node, 'running');
    if (!existsSync(running)) continue;
    for (const f of readdirSync(running)) {
      const pgid = Number(f.replace(/\.json$/, ''));
      if (!Number.isInteger(pgid) || pgid <= 1) continue;
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
}
