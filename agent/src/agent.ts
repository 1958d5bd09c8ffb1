/**
 * The agent: inventory → Register → NATS → follow the desired document → run
 * pods → heartbeat and publish pod events, until asked to stop.
 *
 * Pods outlive the agent (DESIGN §6). Its pod table is kept on disk
 * (pod-store.ts); a new agent process — after kill -9, a crash or a restart —
 * loads it before it registers, has the runtime driver find its pods again
 * (process groups by pid and start time, containers by label), adopts those
 * still running, reports those that ended meanwhile with their exits, stops
 * what it does not know, and registers with the whole table, so the scheduler
 * keeps the pods' incarnations and no pod is lost or runs twice.
 *
 * On shutdown with podsOnExit `keep` (the default: `systemctl restart` must not
 * kill jobs, with KillMode=process in the unit) it leaves the pods running
 * and exits; with `stop` it stops every pod (SIGTERM, SIGKILL after the grace
 * period), publishes their final events and one last heartbeat. Either way it
 * drains NATS.
 *
 * The agent's instance id (`<stateDir>/instance-id`, created once) goes with
 * every Register: the scheduler refuses a node name another live instance
 * holds (two hosts configured with one name), and the agent keeps retrying.
 *
 * Every rediscoverIntervalMs the agent runs discovery again (opts.rediscover,
 * absent with --hardware or interval 0) and, when the inventory changed,
 * re-registers with the new one through Register. The Register names this
 * process's session and the epoch it holds, so the scheduler keeps the epoch
 * and the pods keep running (an inventory update, not a restart).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { systemClock, type Clock } from '../../shared/src/clock.js';
import { errorFields, type Logger } from '../../shared/src/logger.js';
import type { NodeInventory } from '../../shared/src/proto/types.js';
import { VERSION } from '../../shared/src/version.js';
import { isAborted } from './backoff.js';
import type { AgentConfig } from './config.js';
import { DesiredFollower, type DesiredTransport } from './desired-follower.js';
import { EventPublisher, type DurablePublisher } from './event-publisher.js';
import { Heartbeater, type HeartbeatTransport } from './heartbeat.js';
import { fenceMargin, SelfFence } from './self-fence.js';
import { loadInstanceId } from './instance-id.js';
import { NatsLink } from './nats-link.js';
import { servePodLogs } from './pod-logs.js';
import { rotatePodLogs } from './log-rotation.js';
import { podLogsSubject } from '../../shared/src/subjects.js';
import { PodSupervisor } from './pod-supervisor.js';
import { PodTable } from './pod-table.js';
import { Rediscovery, type RediscoveryTimers } from './rediscovery.js';
import { GpuHealthMonitor } from './gpu-health-monitor.js';
import type { GpuProbeResult } from './discovery/gpu-health.js';
import { Registration } from './registration.js';
import type { RuntimeDriver } from './runtime/driver.js';
import { ProcessDriver } from './runtime/process-driver.js';
import { OciDriver } from './runtime/oci-driver.js';
import { RoutingDriver } from './runtime/routing-driver.js';
import { affinityScope, CpuAffinity } from './runtime/cpu-affinity.js';
import { IdentityResolver } from './runtime/identity.js';
import { RUNNING_DIR } from './runtime/running-records.js';
import { podKeyString } from './runtime/driver.js';
import { PodStore } from './pod-store.js';
import { podPaths } from './pod-paths.js';
import { isTerminalPod } from '../../shared/src/phases.js';
import { SchedulerClient, type Registrar } from './scheduler-client.js';

/** LOG_ROTATION_INTERVAL_MS is how often running pods' output files are checked against maxLogBytes. */
export const LOG_ROTATION_INTERVAL_MS = 10_000;

/** FINAL_EVENTS_TIMEOUT_MS bounds the wait for the last pod events at shutdown. */
export const FINAL_EVENTS_TIMEOUT_MS = 5000;

/** AgentLink is everything the agent uses of its NATS connection. */
export interface AgentLink extends DesiredTransport, HeartbeatTransport, DurablePublisher {
  /** Request/reply: desired-document resyncs, and acknowledged heartbeats. */
  request(subject: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array>;
  onReconnect(fn: () => void): void;
  /** serve answers requests on a subject (the pods' logs). */
  serve(subject: string, handler: (data: Uint8Array) => Promise<Uint8Array>): () => void;
  drain(): Promise<void>;
}

/** AgentOptions are the agent's settings and (for tests) replaceable collaborators. */
export interface AgentOptions {
  config: AgentConfig;
  logger: Logger;
  inventory: NodeInventory;
  /** The agent's environment, source of the pods' base variables (default process.env). */
  env?: Record<string, string | undefined>;
  driver?: RuntimeDriver;
  registrar?: Registrar;
  connectNats?: (signal: AbortSignal) => Promise<AgentLink>;
  clock?: Clock;
  /** Runs discovery again (see rediscoverFunction); no re-discovery when absent or config.rediscoverIntervalMs is 0. */
  rediscover?: () => Promise<NodeInventory>;
  /** Probes GPU health (see gpuHealthProbeFunction); heartbeats carry no GPU health when absent or config.gpuHealthIntervalMs is 0. */
  probeGpuHealth?: () => Promise<GpuProbeResult>;
  /** Timers of the re-discovery loop (tests). */
  rediscoveryTimers?: RediscoveryTimers;
}

/** Agent runs one node. */
export class Agent {
  private readonly logger: Logger;
  private readonly log: Logger;
  private readonly abort = new AbortController();
  private readonly registrar: Registrar;
  private readonly schedulerClient: SchedulerClient | undefined;
  private readonly table: PodTable;
  private readonly store: PodStore;
  private readonly driver: RuntimeDriver;
  private readonly supervisor: PodSupervisor;
  private readonly registration: Registration;
  private readonly publisher: EventPublisher;
  private link: AgentLink | undefined;
  private follower: DesiredFollower | undefined;
  private heartbeater: Heartbeater | undefined;
  private fence: SelfFence | undefined;
  private rediscovery: Rediscovery | undefined;
  private gpuHealth: GpuHealthMonitor | undefined;
  /** The inventory the next Register carries (the latest discovered). */
  private inventory: NodeInventory;
  private stopping: Promise<void> | undefined;
  private instanceId = '';
  /** Random per process: tells the scheduler a re-register comes from the same running agent. */
  private readonly sessionId = randomUUID();
  private logRotation: NodeJS.Timeout | undefined;
  /** Binds pods to their cpusets (with the process driver this agent made). */
  private affinity: CpuAffinity | undefined;
  private resolveDone!: () => void;
  private readonly done = new Promise<void>((resolve) => (this.resolveDone = resolve));

  constructor(private readonly opts: AgentOptions) {
    const { config } = opts;
    const clock = opts.clock ?? systemClock;
    this.inventory = opts.inventory;
    // Every record of this agent names its node.
    const logger = (this.logger = opts.logger.child({ node: config.nodeName }));
    this.log = logger.child({ component: 'agent' });
    if (opts.registrar) this.registrar = opts.registrar;
    else this.registrar = this.schedulerClient = new SchedulerClient(config.scheduler, logger);
    this.store = new PodStore(config.stateDir);
    this.table = new PodTable(config.nodeName, logger.child({ component: 'pod-table' }), this.store);
    this.driver = opts.driver ?? this.makeDriver(clock);
    this.supervisor = new PodSupervisor({
      nodeName: config.nodeName,
      stateDir: config.stateDir,
      stopGracePeriodMs: config.stopGracePeriodMs,
      driver: this.driver,
      table: this.table,
      logger,
      agentEnv: opts.env ?? process.env,
      identity: new IdentityResolver({ runPodsAs: config.runPodsAs, allowRootPods: config.allowRootPods, minUid: config.minPodUid, agentUid: process.getuid?.() ?? 0 }),
      clock,
    });
    this.registration = new Registration({
      registrar: this.registrar,
      request: () => ({
        nodeName: config.nodeName,
        address: config.address,
        labels: config.labels,
        inventory: this.inventory,
        agentVersion: VERSION,
        instanceId: this.instanceId,
        // Same process + the epoch it holds: the scheduler treats the Register as an inventory update and keeps
        // the pods running; a new process (after a crash or restart) always starts a new epoch.
        sessionId: this.sessionId,
        epoch: this.registration?.epoch ?? 0,
        // The whole pod table: after a restart the scheduler keeps the pods reported here (adopted or ended).
        pods: this.table.statuses(),
      }),
      defaultHeartbeatIntervalMs: config.heartbeatIntervalMs,
      logger,
      signal: this.abort.signal,
      clock,
    });
    this.publisher = new EventPublisher({ node: config.nodeName, epoch: () => this.registration.epoch, logger, clock });
    this.table.onChange((status) => this.publisher.enqueue(status));
    this.registration.onRegistered((_epoch, intervalMs, res) => {
      // A registration is the scheduler hearing this node; a fence shorter than three heartbeats would trip on one late reply.
      this.fence?.acknowledged();
      this.fence?.setMinimumMs(3 * intervalMs);
      if (this.fence) this.checkFenceMargin(this.fence.effectiveAfterMs, Number(res.nodeLostTimeoutMs));
      this.heartbeater?.setIntervalMs(intervalMs);
      this.follower?.resync();
    });
  }

  /** run starts the agent and resolves once it has shut down (see shutdown). */
  async run(): Promise<void> {
    try {
      await this.startUp();
    } catch (err) {
      // Whatever start-up was doing when shutdown began is moot.
      if (!isAborted(err) && !this.abort.signal.aborted) {
        this.log.error('start-up failed', errorFields(err));
        await this.shutdown('start-up failed');
        throw err;
      }
    }
    await this.done;
  }

  /**
   * shutdown stops the agent: no more desired documents or heartbeats, every
   * pod stopped, final events published, NATS drained. A second call while
   * stopping kills the remaining pods at once.
   */
  shutdown(why = 'requested'): Promise<void> {
    if (this.stopping) {
      if (this.opts.config.podsOnExit === 'stop') {
        this.log.warn('shutdown requested again: killing remaining pods now', { why });
        this.supervisor.killAll();
      }
      return this.stopping;
    }
    this.stopping = this.stopAll(why);
    return this.stopping;
  }

  /** makeDriver builds the process driver, and the OCI driver beside it when a container engine socket is configured. */
  private makeDriver(clock: Clock): RuntimeDriver {
    const { config } = this.opts;
    const logger = this.logger;
    this.affinity = CpuAffinity.detect({ mode: config.cpuAffinity, logger, scope: affinityScope(config.nodeName, config.stateDir) });
    const processes = new ProcessDriver({ logger, clock, recordsDir: this.runningDir(), imagePolicy: config.imagePolicy, affinity: this.affinity });
    if (!config.containerSocket) return processes;
    const containers = new OciDriver({
      logger,
      clock,
      socketPath: config.containerSocket,
      scope: affinityScope(config.nodeName, config.stateDir),
      node: config.nodeName,
      gpuDevices: config.gpuDevices,
      allowedHostPaths: config.allowedHostPaths,
    });
    return new RoutingDriver(processes, containers);
  }

  private runningDir(): string {
    return path.join(path.resolve(this.opts.config.stateDir), RUNNING_DIR);
  }

  private async startUp(): Promise<void> {
    const { config } = this.opts;
    const signal = this.abort.signal;
    this.log.info('starting', { version: VERSION, scheduler: config.scheduler, natsUrl: config.natsUrl, inventorySource: this.opts.inventory.source });
    this.instanceId = loadInstanceId(config.stateDir, this.log);
    this.startSelfFence(config.fencePodsAfterMs);
    await this.adoptPods(signal);
    // Cgroups of pods that ended are empty now: remove them (adopted pods' are not empty).
    this.affinity?.sweep();
    if (signal.aborted) return;
    await this.registration.register();

    const connect =
      this.opts.connectNats ??
      ((s: AbortSignal) => NatsLink.connect({ natsUrl: config.natsUrl, name: `muster-agent ${config.nodeName}`, logger: this.logger, signal: s }));
    const link = await connect(signal);
    if (signal.aborted) {
      await link.drain().catch(() => undefined);
      return;
    }
    this.link = link;
    this.publisher.connect(link);

    const follower = new DesiredFollower({
      node: config.nodeName,
      transport: link,
      registration: this.registration,
      onDesired: (doc) => this.supervisor.apply(doc.pods, doc.hostfiles),
      logger: this.logger,
    });
    this.follower = follower;
    link.onReconnect(() => follower.resync());
    follower.start();
    // `muster logs`: the scheduler asks for pods' output, finished pods' too.
    link.serve(podLogsSubject(config.nodeName), (data) => servePodLogs(config.stateDir, data));

    this.heartbeater = new Heartbeater({
      node: config.nodeName,
      transport: link,
      epoch: () => this.registration.epoch,
      desiredRevision: () => follower.appliedRevision,
      pods: () => this.table.statuses(),
      gpuHealth: () => this.gpuHealth?.reports() ?? [],
      intervalMs: this.registration.heartbeatIntervalMs,
      logger: this.logger,
      clock: this.opts.clock,
      ...(this.fence ? { acks: { stamp: () => this.fence!.now(), onAck: (sent: number) => this.fence?.acknowledged(sent) } } : {}),
    });
    this.startGpuHealth();
    this.heartbeater.start();
    this.startLogRotation();
    this.startRediscovery();
    this.log.info('running', { epoch: this.registration.epoch, heartbeatIntervalMs: this.heartbeater.intervalMs, instanceId: this.instanceId });
  }

  /** checkFenceMargin warns when a fenced node's pods could outlive the scheduler's nodeLostTimeout (they could then run twice). */
  private checkFenceMargin(fenceAfterMs: number, nodeLostTimeoutMs: number): void {
    const m = fenceMargin(fenceAfterMs, this.opts.config.stopGracePeriodMs, nodeLostTimeoutMs);
    if (!m.safe)
      this.log.warn('self-fencing may end pods after the scheduler has already placed them elsewhere: keep fencePodsAfter + 1s + stopGracePeriod below its nodeLostTimeout', {
        fencePodsAfterMs: fenceAfterMs,
        stopGracePeriodMs: this.opts.config.stopGracePeriodMs,
        worstCaseMs: m.worstCaseMs,
        nodeLostTimeoutMs: m.nodeLostTimeoutMs,
      });
  }

  /**
   * startSelfFence starts self-fencing when fencePodsAfter is set — first
   * thing, so an agent restarted inside a partition (stuck registering) fences
   * its adopted pods too.
   */
  private startSelfFence(afterMs: number): void {
    if (afterMs <= 0) return;
    this.fence = new SelfFence({ afterMs, fence: (why) => this.supervisor.fence(why), unfence: () => this.supervisor.unfence(), logger: this.logger });
    this.fence.start();
    this.log.info('self-fencing on: pods stop when the scheduler acknowledges no heartbeat for this long', { fencePodsAfterMs: afterMs });
  }

  /**
   * adoptPods takes over what a previous agent process of this state dir left:
   * its persisted pod table, matched with the pods the driver finds again
   * (unknown ones are stopped), before this process registers.
   */
  private async adoptPods(signal: AbortSignal): Promise<void> {
    const { pods, bad } = this.store.load();
    for (const b of bad) this.log.warn('removed an unreadable file of the persisted pod table', { file: b.file, problem: b.problem });
    const unfinished = new Set(pods.filter((p) => !isTerminalPod(p.status.phase)).map((p) => podKeyString(p.status)));
    const byKey = new Map(pods.map((p) => [podKeyString(p.status), p.assignment]));
    const recovered = await this.driver.recover({
      known: (k) => unfinished.has(podKeyString(k)),
      filesOf: (k) => {
        const a = byKey.get(podKeyString(k));
        if (!a) return undefined;
        const paths = podPaths(this.opts.config.stateDir, a);
        return { podDir: paths.dir, stdoutPath: paths.stdout, stderrPath: paths.stderr };
      },
      gracePeriodMs: this.opts.config.stopGracePeriodMs,
      signal,
    });
    const running = this.supervisor.adopt(pods, recovered);
    if (pods.length > 0 || recovered.length > 0)
      this.log.info('pod table restored from a previous agent process', { pods: pods.length, runningAgain: running, endedMeanwhile: recovered.filter((r) => r.state === 'ended').length });
  }

  /** startLogRotation caps running pods' output files (log-rotation.ts) every LOG_ROTATION_INTERVAL_MS. */
  private startLogRotation(): void {
    const { config } = this.opts;
    if (config.maxLogBytes <= 0) return;
    let busy = false;
    this.logRotation = setInterval(() => {
      if (busy) return;
      busy = true;
      void rotatePodLogs(config.stateDir, this.table.statuses(), config.maxLogBytes, this.log).finally(() => (busy = false));
    }, LOG_ROTATION_INTERVAL_MS);
    this.logRotation.unref();
  }

  private startGpuHealth(): void {
    const { probeGpuHealth, config } = this.opts;
    if (!probeGpuHealth || config.gpuHealthIntervalMs <= 0 || this.abort.signal.aborted) return;
    this.gpuHealth = new GpuHealthMonitor({
      probe: probeGpuHealth,
      gpus: () => this.inventory.gpus,
      intervalMs: config.gpuHealthIntervalMs,
      logger: this.logger,
      timers: this.opts.rediscoveryTimers,
    });
    this.gpuHealth.start();
  }

  private startRediscovery(): void {
    const { rediscover, config } = this.opts;
    if (!rediscover || config.rediscoverIntervalMs <= 0 || this.abort.signal.aborted) return;
    this.rediscovery = new Rediscovery({
      discover: rediscover,
      initial: this.inventory,
      intervalMs: config.rediscoverIntervalMs,
      logger: this.logger,
      timers: this.opts.rediscoveryTimers,
      onChanged: (inventory, changes) => {
        this.inventory = inventory;
        // Register again (a new epoch) with the new inventory; requestReRegister logs its own failures.
        void this.registration.requestReRegister(`inventory changed: ${changes.join('; ')}`);
      },
    });
    this.rediscovery.start();
  }

  private async stopAll(why: string): Promise<void> {
    this.log.info('shutting down', { why, pods: this.table.size });
    this.abort.abort();
    this.rediscovery?.stop();
    this.gpuHealth?.stop();
    this.heartbeater?.stop();
    this.fence?.stop();
    this.follower?.stop();
    if (this.logRotation) clearInterval(this.logRotation);
    try {
      if (this.opts.config.podsOnExit === 'keep') {
        this.supervisor.detach();
        this.log.info('leaving pods running for the next agent process to adopt', { running: this.driver.list().length });
      } else await this.supervisor.shutdown();
      if (this.link) {
        this.heartbeater?.beat(); // one last full report of the pods' final states
        const flushed = await this.publisher.flush(FINAL_EVENTS_TIMEOUT_MS);
        if (!flushed) this.log.warn('shutting down with unpublished pod events', { pending: this.publisher.pending });
      }
      this.publisher.stop();
      await this.link?.drain();
    } catch (err) {
      this.log.error('error while shutting down', errorFields(err));
    } finally {
      this.schedulerClient?.close();
      this.driver.close?.();
      if (this.opts.config.podsOnExit !== 'keep') this.affinity?.close();
      this.log.info('stopped');
      this.resolveDone();
    }
  }
}
