/**
 * `muster local up` and `muster local down`: a single-machine cluster (a
 * private nats-server, a scheduler and N agents) for trying Muster out.
 */
import path from 'node:path';
import { Command, Option } from 'commander';
import { parseDuration } from '../../../shared/src/config/values.js';
import { DEFAULT_LOCAL_DIR } from '../address.js';
import type { CliContext } from '../context.js';
import { CommandFailedError, UsageError } from '../errors.js';
import { DEFAULT_READY_TIMEOUT_MS, startLocalCluster, stopLocalCluster, type LocalCluster, type LocalRuntime } from '../local/cluster.js';
import { expandHardware, resolveHardwareFiles } from '../local/hardware.js';
import { DEFAULT_GRACE_MS, describeExit } from '../local/processes.js';

/** RUNTIMES are the pod runtimes `local up --runtime` accepts. */
export const RUNTIMES = ['auto', 'process'] as const;

/** MAX_LOCAL_AGENTS bounds --agents. */
export const MAX_LOCAL_AGENTS = 64;

/** parseAgents reads --agents; throws UsageError unless it is a whole number in 1..MAX_LOCAL_AGENTS. */
export function parseAgents(v: string | undefined): number {
  const s = (v ?? '2').trim();
  const n = /^\d+$/.test(s) ? Number(s) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_LOCAL_AGENTS) throw new UsageError(`--agents must be a whole number from 1 to ${MAX_LOCAL_AGENTS}, got "${v}"`);
  return n;
}

function parseDurationFlag(flag: string, v: string | undefined, fallbackMs: number): number {
  if (v === undefined) return fallbackMs;
  const ms = parseDuration(v);
  if (ms === undefined || ms <= 0) throw new UsageError(`${flag} must be a positive duration such as 500ms, 30s or 2m, got "${v}"`);
  return ms;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function summary(c: LocalCluster): string {
  return [
    `local cluster ready: ${c.nodeNames.length} ${c.nodeNames.length === 1 ? 'node' : 'nodes'} (${c.nodeNames.join(', ')})`,
    `  scheduler  ${c.schedulerAddress}`,
    `  nats       ${c.natsUrl}`,
    `  logs       ${path.join(c.dir, 'logs')}`,
    `  containers ${c.engine ? `${c.engine.socketPath}${c.engine.origin === 'started' ? ' (podman API service started for this cluster)' : ''}` : 'none: every pod runs as a process'}`,
    `export MUSTER_SCHEDULER=${c.schedulerAddress}`,
    '',
  ].join('\n');
}

interface UpOptions {
  agents?: string;
  hardware: string[];
  dir: string;
  detach?: boolean;
  runtime: string;
  imagePolicy?: string;
  readyTimeout?: string;
  grace?: string;
}

async function up(ctx: CliContext, opts: UpOptions): Promise<void> {
  const io = ctx.io;
  const agents = parseAgents(opts.agents);
  if (!(RUNTIMES as readonly string[]).includes(opts.runtime)) throw new UsageError(`--runtime must be one of ${RUNTIMES.join(', ')}, got "${opts.runtime}"`);
  expandHardware(opts.hardware, agents); // usage errors before anything starts
  const hardware = resolveHardwareFiles(opts.hardware, io.cwd);
  const readyTimeoutMs = parseDurationFlag('--ready-timeout', opts.readyTimeout, DEFAULT_READY_TIMEOUT_MS);
  const graceMs = parseDurationFlag('--grace', opts.grace, DEFAULT_GRACE_MS);
  const dir = path.resolve(io.cwd, opts.dir);
  const onProgress = (msg: string): void => io.err(`${msg}…\n`);
  const imagePolicy = opts.imagePolicy ?? 'reject';
  if (!['reject', 'host'].includes(imagePolicy)) throw new UsageError(`--image-policy must be reject or host, got "${imagePolicy}"`);
  // Running image pods' commands on the host is the process runtime's fallback: it leaves containers out.
  const runtime = imagePolicy === 'host' ? 'process' : (opts.runtime as LocalRuntime);
  const base = { dir, agents, hardware, readyTimeoutMs, onProgress, runtime, agentArgs: ['--image-policy', imagePolicy] };

  if (opts.detach) {
    const cluster = await startLocalCluster({ ...base, detach: true });
    io.out(summary(cluster));
    io.err(`running in the background; stop it with \`muster local down${opts.dir === DEFAULT_LOCAL_DIR ? '' : ` --dir ${opts.dir}`}\`\n`);
    return;
  }

  const abort = new AbortController();
  let requestStop: (signal: NodeJS.Signals) => void = () => undefined;
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => {
    requestStop = resolve;
  });
  let cluster: LocalCluster | undefined;
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (!cluster) abort.abort(new CommandFailedError(`interrupted by ${signal}; everything started was stopped`));
    else if (signals === 1) requestStop(signal);
    else {
      io.err('second signal: killing the cluster now\n');
      void cluster.stop(0);
    }
  };
  // SIGHUP too: the children run in their own sessions, so a closed terminal would orphan them.
  const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  try {
    cluster = await startLocalCluster({ ...base, detach: false, recordCli: true, signal: abort.signal });
    const c = cluster;
    let stopping = false;
    for (const p of c.processes())
      void p.exited.then((info) => {
        if (!stopping) io.err(`warning: ${p.name} exited (${describeExit(info)}); see ${p.logFile}\n`);
      });
    io.out(summary(c));
    io.err('press Ctrl-C to stop the cluster\n');
    const signal = await stopRequested;
    stopping = true;
    io.err(`${signal}: stopping agents, then the scheduler, then nats-server${c.engine?.origin === 'started' ? ', then podman' : ''}…\n`);
    await c.stop(graceMs);
    io.err('local cluster stopped\n');
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
  }
}

async function down(ctx: CliContext, opts: { dir: string; grace?: string }): Promise<void> {
  const io = ctx.io;
  const dir = path.resolve(io.cwd, opts.dir);
  const graceMs = parseDurationFlag('--grace', opts.grace, DEFAULT_GRACE_MS);
  const res = await stopLocalCluster(dir, { graceMs, onProgress: (m) => io.err(`${m}…\n`) });
  if (!res) {
    io.out(`no local cluster is running in ${dir}\n`);
    return;
  }
  if (res.stopped.length === 0 && !res.record.cli) io.out(`no local cluster was running in ${dir} (removed its stale record)\n`);
  else io.out(`local cluster in ${dir} stopped\n`);
}

/** localCommand builds `muster local` with `up` and `down`. */
export function localCommand(ctx: CliContext): Command {
  const upCmd = new Command('up')
    .description('start a single-machine cluster: a private nats-server, a scheduler and N agents')
    .option('--agents <n>', 'number of agents (nodes local-1 … local-N)', '2')
    .option('--hardware <file>', 'recorded inventory instead of discovery; once = every agent, repeated = one per agent in order', collect, [])
    .option('--dir <dir>', 'directory for logs, state, database and cluster.json', DEFAULT_LOCAL_DIR)
    .option('--detach', 'run in the background and return once every node is Ready')
    .addOption(new Option('--runtime <runtime>', 'auto: pods with an image run as containers (an engine socket that answers, else a podman API service started under --dir when podman is installed); process: every pod runs as a process').choices([...RUNTIMES]).default('auto'))
    .addOption(new Option('--image-policy <policy>', 'with --runtime process, pods that name an image: reject them, or run their command on the host (host implies --runtime process)').choices(['reject', 'host']).default('reject'))
    .option('--ready-timeout <duration>', 'how long to wait for every node to be Ready', '30s')
    .option('--grace <duration>', 'time between SIGTERM and SIGKILL when stopping', '10s')
    .action(async (opts: UpOptions) => up(ctx, opts));
  const downCmd = new Command('down')
    .description('stop the single-machine cluster started by `muster local up`')
    .option('--dir <dir>', 'the cluster directory', DEFAULT_LOCAL_DIR)
    .option('--grace <duration>', 'time between SIGTERM and SIGKILL', '10s')
    .action(async (opts: { dir: string; grace?: string }) => down(ctx, opts));
  return new Command('local').description('run a single-machine cluster').addCommand(upCmd).addCommand(downCmd);
}
