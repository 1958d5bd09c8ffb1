/**
 * Starting muster-scheduler and muster-agent as child processes of this Node
 * (process.execPath) from this installation's bin/, with their logs in
 * DIR/logs. Used by `muster local up` and by integration tests.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { isHostPort } from '../address.js';
import { waitFor } from '../util/poll.js';
import { exitedEarlyError, spawnManaged, type ManagedProcess } from './processes.js';
import { daemonScript, findRepoRoot } from './repo.js';

/** SCHEDULER_ADDRESS_FILE is the scheduler's address file inside a cluster directory. */
export const SCHEDULER_ADDRESS_FILE = 'scheduler.addr';

/** SCHEDULER_METRICS_ADDRESS_FILE holds the scheduler's bound /metrics address under a local cluster's dir. */
export const SCHEDULER_METRICS_ADDRESS_FILE = 'metrics.addr';

/** DaemonSpawnOptions are the process options both daemons take. */
export interface DaemonSpawnOptions {
  /** More command-line arguments (they come last, so they win). */
  extraArgs?: readonly string[];
  /** Extra environment variables over process.env. */
  env?: Record<string, string>;
  /** Own session and unref'd: it outlives this process. Default false. */
  detached?: boolean;
  /** Own session without unref (Ctrl-C reaches only the CLI). Default false. */
  newSession?: boolean;
  /** The installation whose bin/ is used; default the one this module belongs to. */
  repoRoot?: string;
  /**
   * A command the daemon runs under, which must exec it in place (same pid),
   * e.g. `ip netns exec NS` to put an agent on a host of its own in tests.
   */
  commandPrefix?: readonly string[];
}

/** spawnCommand is [command, args] running node with `args`, under opts.commandPrefix when one is given. */
function spawnCommand(opts: DaemonSpawnOptions, args: string[]): { command: string; args: string[] } {
  const prefix = opts.commandPrefix ?? [];
  if (prefix.length === 0) return { command: process.execPath, args };
  return { command: prefix[0]!, args: [...prefix.slice(1), process.execPath, ...args] };
}

/** SchedulerOptions configure startScheduler. */
export interface SchedulerOptions extends DaemonSpawnOptions {
  /** Cluster directory: DIR/scheduler.addr, DIR/scheduler.db, DIR/logs/scheduler.log. */
  dir: string;
  /** The NATS URL the scheduler connects to. */
  natsUrl: string;
  /** How long to wait for the address file; default 20 s. */
  timeoutMs?: number;
  /** Stops waiting (the scheduler is stopped again). */
  signal?: AbortSignal;
}

/** SchedulerHandle is a running scheduler. */
export interface SchedulerHandle {
  /** host:port its gRPC server listens on. */
  address: string;
  /** The process. */
  process: ManagedProcess;
  /** Stops it (SIGTERM, then SIGKILL after graceMs) and waits until it is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** AgentOptions configure startAgent. */
export interface AgentOptions extends DaemonSpawnOptions {
  /** Cluster directory: state in DIR/agents/NODE, log in DIR/logs/NODE.log. */
  dir: string;
  /** The node name (`local-1`). */
  nodeName: string;
  /** The scheduler's host:port. */
  schedulerAddress: string;
  /** The NATS URL. */
  natsUrl: string;
  /** A recorded inventory to use instead of discovery. */
  hardwareFile?: string | undefined;
  /** The address pods on this node are reachable at; default 127.0.0.1. */
  address?: string;
}

/** AgentHandle is a running agent (it is Ready once the scheduler lists it so). */
export interface AgentHandle {
  /** Its node name. */
  nodeName: string;
  /** Its state directory. */
  stateDir: string;
  /** The process. */
  process: ManagedProcess;
  /** Stops it (SIGTERM, then SIGKILL after graceMs) and waits until it is gone. */
  stop(graceMs?: number): Promise<void>;
}

function checkBuilt(root: string, component: 'scheduler' | 'agent'): void {
  const main = path.join(root, 'dist', component, 'src', 'main.js');
  if (!existsSync(main)) throw new Error(`muster-${component} is not built (${main} is missing): run \`npm run build\` in ${root}`);
}

function childEnv(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  return { ...process.env, ...(extra ?? {}) };
}

/** readAddressFile returns the host:port in an address file once it holds a complete one with a real port. */
export function readAddressFile(file: string): string | undefined {
  let v: string;
  try {
    v = readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
  if (!isHostPort(v) || v.endsWith(':0')) return undefined;
  return v;
}

/**
 * startScheduler runs `muster-scheduler --listen 127.0.0.1:0 --address-file
 * DIR/scheduler.addr --nats-url URL --db DIR/scheduler.db --log-format json`
 * and resolves once the address file holds its address; on failure nothing is left running.
 */
export async function startScheduler(opts: SchedulerOptions): Promise<SchedulerHandle> {
  const dir = path.resolve(opts.dir);
  const root = opts.repoRoot ?? findRepoRoot();
  checkBuilt(root, 'scheduler');
  mkdirSync(dir, { recursive: true });
  const addressFile = path.join(dir, SCHEDULER_ADDRESS_FILE);
  rmSync(addressFile, { force: true });
  const proc = await spawnManaged({
    name: 'scheduler',
    ...spawnCommand(opts, [
      daemonScript('muster-scheduler', root),
      '--listen',
      '127.0.0.1:0',
      '--address-file',
      addressFile,
      '--metrics-listen',
      '127.0.0.1:0',
      '--metrics-address-file',
      path.join(dir, SCHEDULER_METRICS_ADDRESS_FILE),
      '--nats-url',
      opts.natsUrl,
      '--db',
      path.join(dir, 'scheduler.db'),
      '--log-format',
      'json',
      ...(opts.extraArgs ?? []),
    ]),
    logFile: path.join(dir, 'logs', 'scheduler.log'),
    env: childEnv(opts.env),
    newSession: (opts.newSession ?? false) || (opts.detached ?? false),
    unref: opts.detached ?? false,
  });
  try {
    const address = await waitFor(
      () => {
        if (!proc.running()) throw exitedEarlyError(proc, 'starting');
        return readAddressFile(addressFile);
      },
      { timeoutMs: opts.timeoutMs ?? 20_000, what: `the scheduler's address file ${addressFile}`, ...(opts.signal ? { signal: opts.signal } : {}) },
    );
    return {
      address,
      process: proc,
      stop: async (graceMs?: number) => {
        await proc.stop(graceMs);
      },
    };
  } catch (err) {
    await proc.stop(2_000).catch(() => undefined);
    throw err;
  }
}

/**
 * startAgent runs `muster-agent --node-name NODE --address 127.0.0.1
 * --scheduler ADDR --nats-url URL --state-dir DIR/agents/NODE [--hardware
 * FILE] --log-format json`. It resolves once the process has started; wait for
 * the node to be Ready through the scheduler (ListNodes).
 */
export async function startAgent(opts: AgentOptions): Promise<AgentHandle> {
  const dir = path.resolve(opts.dir);
  const root = opts.repoRoot ?? findRepoRoot();
  checkBuilt(root, 'agent');
  const stateDir = path.join(dir, 'agents', opts.nodeName);
  mkdirSync(stateDir, { recursive: true });
  const proc = await spawnManaged({
    name: opts.nodeName,
    ...spawnCommand(opts, [
      daemonScript('muster-agent', root),
      '--node-name',
      opts.nodeName,
      '--address',
      opts.address ?? '127.0.0.1',
      '--scheduler',
      opts.schedulerAddress,
      '--nats-url',
      opts.natsUrl,
      '--state-dir',
      stateDir,
      ...(opts.hardwareFile ? ['--hardware', path.resolve(opts.hardwareFile)] : []),
      '--log-format',
      'json',
      // A local cluster is one person's: pods run as whoever submits, root included (a root shell on a test box).
      '--allow-root-pods',
      // `muster local down` leaves nothing running: an agent stopped on purpose stops its pods (a killed one's are adopted).
      '--pods-on-exit',
      'stop',
      ...(opts.extraArgs ?? []),
    ]),
    logFile: path.join(dir, 'logs', `${opts.nodeName}.log`),
    env: childEnv(opts.env),
    newSession: (opts.newSession ?? false) || (opts.detached ?? false),
    unref: opts.detached ?? false,
  });
  return {
    nodeName: opts.nodeName,
    stateDir,
    process: proc,
    stop: async (graceMs?: number) => {
      await proc.stop(graceMs);
    },
  };
}
