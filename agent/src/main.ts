/**
 * muster-agent: the node agent. Composition root only — parses the command
 * line, loads the configuration and inventory, builds the Agent and ties it to
 * the process's signals.
 *
 *   muster-agent [run] [--config FILE] [--node-name NAME] … the daemon (default)
 *   muster-agent discover [--json] [--nvidia-smi PATH] [--sysfs-root DIR] [--hardware FILE]
 *                                                             what it would register (alias: inventory)
 *   muster-agent --version
 */
import { Command, CommanderError, Option } from 'commander';
import { ConfigError } from '../../shared/src/config/issues.js';
import { MusterError } from '../../shared/src/errors.js';
import { createLogger, errorFields, type Logger } from '../../shared/src/logger.js';
import { VERSION } from '../../shared/src/version.js';
import { Agent } from './agent.js';
import { loadAgentConfig, type AgentConfig } from './config.js';
import { discoverCommandOutput, gpuHealthProbeFunction, loadNodeInventory, rediscoverFunction } from './discover-command.js';

/** EXIT_USAGE is the exit code of bad flags, configuration or hardware files. */
const EXIT_USAGE = 2;

interface RunFlags {
  config?: string;
  nodeName?: string;
  address?: string;
  scheduler?: string;
  natsUrl?: string;
  stateDir?: string;
  hardware?: string;
  nvidiaSmi?: string;
  sysfsRoot?: string;
  label?: string[];
  heartbeatInterval?: string;
  stopGracePeriod?: string;
  rediscoverInterval?: string;
  gpuHealthInterval?: string;
  imagePolicy?: string;
  cpuAffinity?: string;
  maxLogSize?: string;
  runPodsAs?: string;
  allowRootPods?: boolean;
  minPodUid?: string;
  containerSocket?: string;
  gpuDevices?: string;
  allowHostPath?: string[];
  podsOnExit?: string;
  fencePodsAfter?: string;
  logLevel?: string;
  logFormat?: string;
}

interface InventoryFlags {
  config?: string;
  hardware?: string;
  nvidiaSmi?: string;
  sysfsRoot?: string;
  json?: boolean;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** configFlags maps command-line flags to configuration keys (undefined = not given). */
function configFlags(f: RunFlags): Record<string, unknown> {
  return {
    nodeName: f.nodeName,
    address: f.address,
    scheduler: f.scheduler,
    natsUrl: f.natsUrl,
    stateDir: f.stateDir,
    hardwareFile: f.hardware,
    nvidiaSmi: f.nvidiaSmi,
    sysfsRoot: f.sysfsRoot,
    labels: f.label,
    heartbeatIntervalMs: f.heartbeatInterval,
    stopGracePeriodMs: f.stopGracePeriod,
    rediscoverIntervalMs: f.rediscoverInterval,
    gpuHealthIntervalMs: f.gpuHealthInterval,
    imagePolicy: f.imagePolicy,
    cpuAffinity: f.cpuAffinity,
    maxLogBytes: f.maxLogSize,
    runPodsAs: f.runPodsAs,
    allowRootPods: f.allowRootPods,
    minPodUid: f.minPodUid,
    containerSocket: f.containerSocket,
    gpuDevices: f.gpuDevices,
    allowedHostPaths: f.allowHostPath,
    podsOnExit: f.podsOnExit,
    fencePodsAfterMs: f.fencePodsAfter,
    logLevel: f.logLevel,
    logFormat: f.logFormat,
  };
}

/** fail prints a start-up problem and exits: 2 for bad input (config, flags, hardware file), 1 otherwise. */
function fail(err: unknown): never {
  if (err instanceof ConfigError || (err instanceof MusterError && err.code === 'INVALID_ARGUMENT')) {
    process.stderr.write(`muster-agent: ${err.message}\n`);
    process.exit(EXIT_USAGE);
  }
  process.stderr.write(`muster-agent: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}

function loadConfigOrExit(configFile: string | undefined, flags: Record<string, unknown>): AgentConfig {
  try {
    return loadAgentConfig({ configFile, env: process.env, flags });
  } catch (err) {
    return fail(err);
  }
}

async function runDaemon(flags: RunFlags): Promise<void> {
  const config = loadConfigOrExit(flags.config, configFlags(flags));
  const logger = createLogger({ level: config.logLevel, format: config.logFormat });
  // Discovery never throws: a host without a working nvidia-smi registers CPU-only with a condition.
  const inventory = await loadNodeInventory(config).catch(fail);
  for (const c of inventory.conditions)
    if (c.status === 'False' || c.type !== 'GpuDiscovery') logger.warn('discovery condition', { ...c });
  const agent = new Agent({ config, logger, inventory, rediscover: rediscoverFunction(config), probeGpuHealth: gpuHealthProbeFunction(config) });
  installProcessHandlers(agent, logger);
  try {
    await agent.run();
  } catch (err) {
    logger.error('muster-agent failed', errorFields(err));
    process.exit(1);
  }
  process.exit(0);
}

function installProcessHandlers(agent: Agent, logger: Logger): void {
  for (const sig of ['SIGTERM', 'SIGINT'] as const)
    process.on(sig, () => {
      logger.info('signal received', { signal: sig });
      void agent.shutdown(sig);
    });
  // A daemon logs stray failures instead of dying with its pods orphaned.
  process.on('unhandledRejection', (reason) => logger.error('unhandled rejection', errorFields(reason)));
  process.on('uncaughtException', (err) => {
    logger.error('uncaught exception: shutting down', errorFields(err));
    void agent.shutdown('uncaught exception').finally(() => process.exit(1));
  });
}

async function printInventory(flags: InventoryFlags): Promise<void> {
  const config = loadConfigOrExit(flags.config, { hardwareFile: flags.hardware, nvidiaSmi: flags.nvidiaSmi, sysfsRoot: flags.sysfsRoot });
  const text = await discoverCommandOutput({ ...config, json: flags.json }).catch(fail);
  process.stdout.write(text);
}

const program = new Command('muster-agent')
  .description('Muster node agent: registers this host, runs the pods the scheduler places here, reports their state.')
  .version(VERSION, '--version', 'print the version')
  .exitOverride((err: CommanderError) => {
    // Usage errors exit 2 (as configuration errors do); help and version exit 0.
    process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE);
  });

program
  .command('run', { isDefault: true })
  .description('run the agent (the default command)')
  .option('--config <file>', 'configuration file (default /etc/muster/agent.yaml when present)')
  .option('--node-name <name>', 'this node\'s name (default: the short host name)')
  .option('--address <host>', 'address other hosts reach this node\'s pods at (default: the host name)')
  .option('--scheduler <host:port>', 'the scheduler\'s gRPC address (default 127.0.0.1:7070)')
  .option('--nats-url <url>', 'NATS server URL(s), comma-separated (default nats://127.0.0.1:4222)')
  .option('--state-dir <dir>', 'pods\' logs, hostfiles and agent state (default /var/lib/muster/agent)')
  .option('--hardware <file>', 'use this recorded inventory (JSON) instead of discovery')
  .option('--nvidia-smi <path>', 'the nvidia-smi binary discovery runs (default: nvidia-smi on PATH)')
  .option('--sysfs-root <dir>', 'the directory holding sys/ that discovery reads; another root than / is a recorded machine whose proc/ gives CPU and memory too (default /)')
  .option('--label <k=v>', 'node label, repeatable (e.g. --label rack=r1 --label pool=a100)', collect)
  .option('--heartbeat-interval <duration>', 'heartbeat interval until the scheduler names one (e.g. 1s)')
  .option('--stop-grace-period <duration>', 'time between SIGTERM and SIGKILL when stopping a pod (e.g. 10s)')
  .option('--rediscover-interval <duration>', 're-discover the hardware this often and re-register when it changed; 0 disables, ignored with --hardware (default 60s)')
  .option('--image-policy <policy>', 'a pod that names an image: reject (ImageNotSupported) or host (run its command on the host, image ignored) (default reject)')
  .option('--run-pods-as <who>', "submitter (each JobSet's submitting user: uid, gid, groups and home as this host resolves them) or agent (the agent's own user) (default submitter)")
  .option('--min-pod-uid <uid>', "the lowest uid a submitter's pod may run as besides root; system accounts below it are refused (default 1000)")
  .option('--allow-root-pods', 'let pods run as root (a root submitter, or --run-pods-as agent under a root agent); refused otherwise')
  .option('--max-log-size <size>', "a running pod's stdout.log or stderr.log past this size is copied to <file>.1 and truncated; 0 = no cap (default 64Mi)")
  .option('--cpu-affinity <mode>', 'bind pods to their cpuset: auto (a cpuset cgroup, else taskset, else numactl, else not), cgroup, taskset, numactl or off (default auto)')
  .option('--container-socket <path>', "the Docker Engine API socket of Docker or Podman (e.g. /run/podman/podman.sock): pods with an image run as containers; none by default")
  .addOption(new Option('--gpu-devices <mode>', 'how containers get their GPUs: cdi (nvidia.com/gpu=<uuid> devices) or env (NVIDIA_VISIBLE_DEVICES for the NVIDIA runtime hook) (default cdi)').choices(['cdi', 'env']))
  .option('--allow-host-path <dir>', 'a host directory (and what is under it) pod templates may mount into containers; repeatable', collect)
  .option('--fence-pods-after <duration>', 'stop this node\'s pods when the scheduler has not acknowledged a heartbeat for this long (keep it below the scheduler\'s node lost timeout); 0 = never (default)')
  .addOption(new Option('--pods-on-exit <what>', 'when the agent exits: keep its pods running for the next agent process to adopt, or stop them (default keep)').choices(['keep', 'stop']))
  .option('--gpu-health-interval <duration>', 'probe GPU health this often (one nvidia-smi call; heartbeats carry it); 0 disables, ignored with --hardware (default 10s)')
  .addOption(new Option('--log-level <level>', 'minimum log level').choices(['debug', 'info', 'warn', 'error', 'silent']))
  .addOption(new Option('--log-format <format>', 'log format').choices(['json', 'pretty']))
  .action((flags: RunFlags) => runDaemon(flags));

program
  .command('discover')
  .alias('inventory')
  .description('print the inventory this host would register (discovered, or from --hardware)')
  .option('--config <file>', 'configuration file (its hardwareFile, nvidiaSmi, sysfsRoot apply when the flags are not given)')
  .option('--hardware <file>', 'read this recorded inventory (JSON) instead of discovering')
  .option('--nvidia-smi <path>', 'the nvidia-smi binary to run (default: nvidia-smi on PATH)')
  .option('--sysfs-root <dir>', 'the directory holding sys/ to read; another root than / is a recorded machine whose proc/ gives CPU and memory too (default /)')
  .option('--json', 'print the proto JSON of muster.v1.NodeInventory (accepted by --hardware)')
  .action((flags: InventoryFlags) => printInventory(flags));

await program.parseAsync(process.argv);
