/**
 * A real single-machine cluster for integration tests: a private nats-server
 * on a random port, the scheduler and N agents as real processes (from dist/),
 * in a temp dir that is removed afterwards. Built on the same launcher as
 * `muster local up`, so the tests exercise what users run.
 */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SchedulerApi } from '../../cli/src/client.js';
import { startScheduler, type SchedulerHandle } from '../../cli/src/local/daemons.js';
import { startLocalCluster, type LocalCluster } from '../../cli/src/local/cluster.js';
import { waitFor } from '../../cli/src/util/poll.js';
import type { JobSet } from '../../shared/src/proto/types.js';
import { parseJobSetObject, toSubmitRequest } from '../../shared/src/spec/document.js';

/** TestClusterOptions configure startTestCluster. */
export interface TestClusterOptions {
  agents?: number;
  hardware?: string[];
  schedulerArgs?: string[];
  agentArgs?: string[];
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
  /** Starts the scheduler again on the same address, database and NATS. */
  restartScheduler(): Promise<void>;
  /** Submits a JobSet written in the file shape (apiVersion/kind added). */
  submit(doc: { metadata: { name: string }; spec: unknown }, submitDir?: string): Promise<JobSet>;
  /** Polls GetJobSet until `pred` holds; throws naming `what` on timeout. */
  waitForJobSet(name: string, pred: (js: JobSet) => boolean, what: string, timeoutMs?: number): Promise<JobSet>;
  /** Reads a pod's stdout (or stderr) from its agent's state dir. */
  podLog(podId: string, stream?: 'stdout' | 'stderr', generation?: number): string;
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
  const schedulerArgs = ['--listen', `127.0.0.1:${port}`, '--log-level', 'debug', ...(opts.schedulerArgs ?? [])];
  let cluster: LocalCluster;
  try {
    cluster = await startLocalCluster({
      dir,
      agents: opts.agents ?? 2,
      hardware: opts.hardware ?? [],
      schedulerArgs,
      agentArgs: ['--stop-grace-period', '2s', '--log-level', 'debug', ...(opts.agentArgs ?? [])],
      readyTimeoutMs: 45_000,
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let scheduler = cluster.scheduler;
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
    async restartScheduler() {
      rmSync(path.join(dir, 'scheduler.addr'), { force: true });
      scheduler = await startScheduler({ dir, natsUrl: cluster.natsUrl, extraArgs: schedulerArgs });
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
    podLog(podId, stream = 'stdout', generation = 0) {
      const [jobset, rj, j, p] = podId.split('/');
      for (const node of cluster.nodeNames) {
        const f = path.join(dir, 'agents', node, 'pods', jobset!, `${rj}-${j}-${p}`, `g${generation}`, `${stream}.log`);
        if (existsSync(f)) return readFileSync(f, 'utf8');
      }
      throw new Error(`no ${stream} log for pod ${podId} generation ${generation} under ${dir}/agents`);
    },
    daemonLog(name) {
      const f = path.join(dir, 'logs', `${name}.log`);
      return existsSync(f) ? readFileSync(f, 'utf8') : '';
    },
    async stop() {
      api.client.close();
      await Promise.allSettled(cluster.agents.map((a) => a.stop(5000)));
      await scheduler.stop(5000).catch(() => undefined);
      await cluster.stop(5000).catch(() => undefined);
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
