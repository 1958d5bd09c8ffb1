/**
 * A whole single-machine cluster: a private nats-server, one scheduler and N
 * agents, recorded in DIR/run/cluster.json, ready once the scheduler lists
 * every node as Ready. Whatever fails, nothing started is left running.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Node } from '../../../shared/src/proto/types.js';
import { nodeStateName } from '../../../shared/src/phases.js';
import { SchedulerApi } from '../client.js';
import { TimeoutError, waitFor } from '../util/poll.js';
import {
  cliAlive,
  liveProcesses,
  readClusterRecord,
  removeClusterRecord,
  stopGroups,
  writeClusterRecord,
  type ClusterRecord,
  type ProcessRecord,
  type ProcessRole,
} from './cluster-file.js';
import { SCHEDULER_ADDRESS_FILE, startAgent, startScheduler, type AgentHandle, type SchedulerHandle } from './daemons.js';
import { expandHardware } from './hardware.js';
import { startNatsServer, type NatsServerHandle } from './nats-server.js';
import { findOrStartContainerEngine, type ContainerEngineHandle } from './container-engine.js';
import { commandLineOf, DEFAULT_GRACE_MS, exitedEarlyError, indent, isAlive, stopPid, tailFile, type ManagedProcess } from './processes.js';

/** DEFAULT_READY_TIMEOUT_MS bounds the wait for every node to be Ready. */
export const DEFAULT_READY_TIMEOUT_MS = 30_000;

/** LocalClusterOptions configure startLocalCluster. */
export interface LocalClusterOptions {
  /** The cluster directory (logs, state, database, cluster.json). */
  dir: string;
  /** How many agents (nodes local-1 … local-N). */
  agents: number;
  /** --hardware files as given: none, one for all, or one per agent in order (see expandHardware). */
  hardware?: readonly string[];
  /** Start the processes detached so they outlive this process. */
  detach?: boolean;
  /** How long to wait for every node to be Ready; default 30 s. */
  readyTimeoutMs?: number;
  /** Aborts start-up (everything started is stopped again). */
  signal?: AbortSignal;
  /** Progress messages for people. */
  onProgress?: (msg: string) => void;
  /** Extra scheduler arguments. */
  schedulerArgs?: readonly string[];
  /** Extra arguments for every agent. */
  agentArgs?: readonly string[];
  /** Extra arguments for agent i (0-based), after agentArgs. */
  agentArgsFor?: (i: number) => readonly string[];
  /** Extra environment for the daemons. */
  env?: Record<string, string>;
  /** The address nats-server listens on (default 127.0.0.1); the scheduler's comes from schedulerArgs' --listen. */
  natsHost?: string;
  /** Record this process as the foreground CLI in cluster.json, so `down` asks it to stop (only `muster local up` in the foreground sets this). Default false. */
  recordCli?: boolean;
  /** The nats-server binary (default: found on PATH). */
  natsBin?: string;
  /** The installation whose bin/ daemons are started (default: this CLI's). */
  repoRoot?: string;
  /**
   * auto (default): pods with an image run as containers when a container
   * engine answers or podman is installed (a private podman API service is
   * started under DIR); process: every pod runs as a process.
   */
  runtime?: LocalRuntime;
  /** Engine sockets tried before a private podman service is started (default WELL_KNOWN_SOCKETS). */
  engineSockets?: readonly string[];
}

/** LocalRuntime says whether a local cluster runs image pods as containers. */
export type LocalRuntime = 'auto' | 'process';

/** LocalCluster is a running single-machine cluster. */
export interface LocalCluster {
  /** The cluster directory (absolute). */
  dir: string;
  /** The private NATS URL. */
  natsUrl: string;
  /** The scheduler's host:port. */
  schedulerAddress: string;
  /** The node names, in order. */
  nodeNames: string[];
  /** The nodes as the scheduler listed them once all were Ready. */
  nodes: Node[];
  /** The private nats-server. */
  nats: NatsServerHandle;
  /** The scheduler. */
  scheduler: SchedulerHandle;
  /** The agents, in node order. */
  agents: AgentHandle[];
  /** The container engine the agents use; undefined when pods run as processes only. */
  engine?: ContainerEngineHandle;
  /** Every process, agents first (the stop order). */
  processes(): ManagedProcess[];
  /** Stops agents, then the scheduler, then NATS (SIGTERM, SIGKILL after graceMs) and removes cluster.json and scheduler.addr. */
  stop(graceMs?: number): Promise<void>;
}

/** ClusterRunningError says a cluster from the same directory is still running. */
export class ClusterRunningError extends Error {
  constructor(
    readonly dir: string,
    readonly pids: number[],
  ) {
    super(`a local cluster from ${dir} is still running (pids ${pids.join(', ')}); run \`muster local down${dirFlag(dir)}\` first`);
    this.name = 'ClusterRunningError';
  }
}

function dirFlag(dir: string): string {
  const rel = path.relative(process.cwd(), dir);
  return rel === path.join('.muster', 'local') ? '' : ` --dir ${rel || '.'}`;
}

/** nodeName is the name of agent i (0-based): local-1, local-2, … */
export function nodeName(i: number): string {
  return `local-${i + 1}`;
}

/** assertNotRunning throws ClusterRunningError when DIR's recorded cluster still runs; a stale record is removed. */
export function assertNotRunning(dir: string): void {
  const rec = readClusterRecord(dir);
  if (!rec) return;
  const pids = [...(cliAlive(rec) && rec.cli ? [rec.cli.pid] : []), ...liveProcesses(rec).map((p) => p.pid)];
  if (pids.length > 0) throw new ClusterRunningError(path.resolve(dir), pids);
  removeClusterRecord(dir);
}

type Started = { role: ProcessRole; proc: ManagedProcess };

function toRecord(s: Started): ProcessRecord {
  return { name: s.proc.name, role: s.role, pid: s.proc.pid, command: [...s.proc.command], log: s.proc.logFile };
}

async function stopStarted(started: readonly Started[], graceMs: number): Promise<void> {
  for (const group of stopGroups(started)) await Promise.all(group.map((s) => s.proc.stop(graceMs).catch(() => undefined)));
}

/** WaitReadyOptions configure waitForNodesReady. */
export interface WaitReadyOptions {
  /** Give up after this long (ms). */
  timeoutMs: number;
  /** Processes whose death ends the wait at once (with the tail of their log). */
  processes?: readonly ManagedProcess[];
  /** Stops waiting. */
  signal?: AbortSignal;
  /** Log files to show when the wait times out (with the node names not Ready). */
  logs?: (notReady: string[]) => string[];
}

/** waitForNodesReady polls ListNodes until every named node is NODE_STATE_READY and returns the node list. */
export async function waitForNodesReady(schedulerAddress: string, names: readonly string[], opts: WaitReadyOptions): Promise<Node[]> {
  const api = new SchedulerApi(schedulerAddress, { timeoutMs: 2_000 });
  let last: Node[] = [];
  try {
    return await waitFor(
      async () => {
        for (const p of opts.processes ?? []) if (!p.running()) throw exitedEarlyError(p, 'waiting for the nodes to be Ready');
        try {
          last = await api.nodes();
        } catch {
          return undefined; // the scheduler may still be opening its listener or store
        }
        const ready = new Set(last.filter((n) => n.state === 'NODE_STATE_READY').map((n) => n.name));
        return names.every((n) => ready.has(n)) ? last : undefined;
      },
      { timeoutMs: opts.timeoutMs, intervalMs: 200, what: `nodes ${names.join(', ')} to be Ready`, ...(opts.signal ? { signal: opts.signal } : {}) },
    );
  } catch (err) {
    if (!(err instanceof TimeoutError)) throw err;
    const byName = new Map(last.map((n) => [n.name, n]));
    const notReady = names.filter((n) => byName.get(n)?.state !== 'NODE_STATE_READY');
    const states = notReady.map((n) => {
      const node = byName.get(n);
      return `${n}: ${node ? nodeStateName(node.state) : 'not registered'}`;
    });
    const tails = (opts.logs?.(notReady) ?? []).map((f) => `last lines of ${f}:\n${indent(tailFile(f) || '(empty)')}`);
    throw new Error([`${err.message}`, `not Ready: ${states.join(', ')}`, ...tails].join('\n'), { cause: err });
  } finally {
    api.close();
  }
}

/** startLocalCluster starts nats-server, the scheduler and the agents, and resolves once every node is Ready. */
export async function startLocalCluster(opts: LocalClusterOptions): Promise<LocalCluster> {
  const dir = path.resolve(opts.dir);
  if (!Number.isInteger(opts.agents) || opts.agents < 1) throw new Error(`agents must be a whole number ≥ 1, got ${opts.agents}`);
  const hardware = expandHardware(opts.hardware ?? [], opts.agents);
  assertNotRunning(dir);
  const detach = opts.detach ?? false;
  const spawn = { detached: detach, newSession: true };
  const daemon = { ...spawn, ...(opts.env ? { env: opts.env } : {}), ...(opts.repoRoot ? { repoRoot: opts.repoRoot } : {}) };
  const signal = opts.signal;
  const progress = opts.onProgress ?? (() => undefined);
  const started: Started[] = [];
  const recordCli = opts.recordCli ?? false;
  const rec: ClusterRecord = {
    version: 1,
    dir,
    startedMs: Date.now(),
    detached: detach,
    ...(recordCli ? { cli: { pid: process.pid, command: commandLineOf(process.pid) ?? [process.execPath, ...process.argv.slice(1)] } } : {}),
    natsUrl: '',
    schedulerAddress: '',
    processes: [],
  };
  const persist = (): void => {
    rec.processes = started.map(toRecord);
    writeClusterRecord(dir, rec);
  };
  const cleanup = (): void => {
    removeClusterRecord(dir);
    rmSync(path.join(dir, SCHEDULER_ADDRESS_FILE), { force: true });
  };
  try {
    persist();
    progress('starting nats-server');
    const nats = await startNatsServer({ dir, ...spawn, ...(opts.natsHost ? { host: opts.natsHost } : {}), ...(opts.natsBin ? { bin: opts.natsBin } : {}), ...(signal ? { signal } : {}) });
    started.push({ role: 'nats', proc: nats.process });
    rec.natsUrl = nats.url;
    persist();

    progress('starting the scheduler');
    const scheduler = await startScheduler({
      dir,
      natsUrl: nats.url,
      ...daemon,
      ...(opts.schedulerArgs ? { extraArgs: opts.schedulerArgs } : {}),
      ...(signal ? { signal } : {}),
    });
    started.push({ role: 'scheduler', proc: scheduler.process });
    rec.schedulerAddress = scheduler.address;
    persist();

    let engine: ContainerEngineHandle | undefined;
    const engineArgs: string[] = [];
    if ((opts.runtime ?? 'auto') === 'auto') {
      progress('looking for a container engine');
      engine = await findOrStartContainerEngine({ dir, ...spawn, ...(opts.engineSockets ? { sockets: opts.engineSockets } : {}), ...(signal ? { signal } : {}) });
      if (engine?.process) {
        started.push({ role: 'engine', proc: engine.process });
        persist();
      }
      if (engine) {
        engineArgs.push('--container-socket', engine.socketPath);
        progress(engine.origin === 'started' ? `containers: started a podman API service on ${engine.socketPath}` : `containers: using the engine on ${engine.socketPath}`);
      } else progress('containers: no engine answers and podman is not installed; pods with an image fail with ImageNotSupported (--runtime process says so explicitly)');
    }

    const nodeNames = hardware.map((_, i) => nodeName(i));
    progress(`starting ${opts.agents} ${opts.agents === 1 ? 'agent' : 'agents'}`);
    const agents: AgentHandle[] = [];
    for (const [i, name] of nodeNames.entries()) {
      signal?.throwIfAborted();
      const agent = await startAgent({
        dir,
        nodeName: name,
        schedulerAddress: scheduler.address,
        natsUrl: nats.url,
        hardwareFile: hardware[i],
        ...daemon,
        extraArgs: [...engineArgs, ...(opts.agentArgs ?? []), ...(opts.agentArgsFor?.(i) ?? [])],
      });
      agents.push(agent);
      started.push({ role: 'agent', proc: agent.process });
      persist();
    }

    progress('waiting for the nodes to be Ready');
    const nodes = await waitForNodesReady(scheduler.address, nodeNames, {
      timeoutMs: opts.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
      processes: started.map((s) => s.proc),
      ...(signal ? { signal } : {}),
      logs: (notReady) => [scheduler.process.logFile, ...agents.filter((a) => notReady.includes(a.nodeName)).map((a) => a.process.logFile)],
    });
    return {
      dir,
      natsUrl: nats.url,
      schedulerAddress: scheduler.address,
      nodeNames,
      nodes,
      nats,
      scheduler,
      agents,
      ...(engine ? { engine } : {}),
      processes: () => stopGroups(started).flat().map((s) => s.proc),
      // Calls may overlap: a second call with a shorter grace (a second Ctrl-C) escalates sooner.
      stop: (graceMs = DEFAULT_GRACE_MS) => stopStarted(started, graceMs).finally(cleanup),
    };
  } catch (err) {
    await stopStarted(started, 5_000);
    cleanup();
    throw err;
  }
}

/** StopClusterOptions configure stopLocalCluster. */
export interface StopClusterOptions {
  /** Time between SIGTERM and SIGKILL per process; default 10 s. */
  graceMs?: number;
  /** Progress messages for people. */
  onProgress?: (msg: string) => void;
}

/** StopClusterResult says what `down` found and stopped. */
export interface StopClusterResult {
  /** The record that was found. */
  record: ClusterRecord;
  /** The processes that were still running and were stopped. */
  stopped: ProcessRecord[];
}

/**
 * stopLocalCluster stops the cluster recorded in DIR (a foreground `up` is
 * asked to stop first; then agents, the scheduler and NATS), waits until they
 * are gone and removes cluster.json and scheduler.addr. Undefined when no record exists.
 */
export async function stopLocalCluster(dir: string, opts: StopClusterOptions = {}): Promise<StopClusterResult | undefined> {
  const rec = readClusterRecord(dir);
  if (!rec) return undefined;
  const grace = opts.graceMs ?? DEFAULT_GRACE_MS;
  const progress = opts.onProgress ?? (() => undefined);
  const live = liveProcesses(rec);
  if (cliAlive(rec) && rec.cli) {
    progress(`asking the foreground \`muster local up\` (pid ${rec.cli.pid}) to stop`);
    // It stops its children in order itself; give it time for all three groups.
    await stopPid(rec.cli.pid, grace * 3 + 5_000);
  }
  for (const group of stopGroups(live)) {
    const running = group.filter((p) => isAlive(p.pid));
    if (running.length === 0) continue;
    progress(`stopping ${running.map((p) => p.name).join(', ')}`);
    await Promise.all(running.map((p) => stopPid(p.pid, grace)));
  }
  removeClusterRecord(dir);
  rmSync(path.join(path.resolve(dir), SCHEDULER_ADDRESS_FILE), { force: true });
  return { record: rec, stopped: live };
}
