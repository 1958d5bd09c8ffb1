/**
 * A real scheduler, in-process and without transports, for tests of the
 * scheduler's controller layer (controllers, services, apply):
 *
 *   const s = startTestScheduler();                      // :memory: SQLite, fake clock, recording Outbound
 *   registerTestNode(s, 'n1', { cpu: 16, memory: '64Gi', gpus: 8 });
 *   submitTestJobSet(s, 'train', { workers: { replicas: 2, gpus: 4 } });
 *   s.runCycle();                                        // one real SchedulingLoop cycle, now
 *   s.out.desiredOf('n1')                                // what node n1 was told, in order
 *   handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(a, 'POD_PHASE_RUNNING')]));
 *   s.clock.advance(3001); checkLiveness(s.ctx, true);
 *
 * Everything is real (Store over SQLite, SchedulingLoop, WatchHub) except
 * the clock (advanced by hand) and the Outbound (records what would go to
 * NATS). Cycles run only when a test calls runCycle(), unless the scheduler
 * was started with `cycles: 'sync'`, where every requestCycle runs one at
 * once; either way every request is recorded in `cycleRequests`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { withProtoDefaults } from '../../shared/src/proto/defaults.js';
import os from 'node:os';
import path from 'node:path';
import type { Clock } from '../../shared/src/clock.js';
import { nullLogger } from '../../shared/src/logger.js';
import type {
  Gpu,
  Heartbeat,
  JobSet,
  JobSetEvent,
  NodeDesired,
  NodeInventory,
  PodAssignment,
  PodEvent,
  PodLogsChunk,
  PodLogsRequest,
  PodPhase,
  PodStatus,
  RegisterRequest,
  RegisterResponse,
} from '../../shared/src/proto/types.js';
import { UnavailableError } from '../../shared/src/errors.js';
import { toResources, type Resources } from '../../shared/src/resources.js';
import { parseJobSetObject } from '../../shared/src/spec/document.js';
import type { Outbound, SchedulerContext } from '../../scheduler/src/context.js';
import { AdmissionFairSharing } from '../../scheduler/src/admission-fair-sharing.js';
import type { AfsSettings } from '../../scheduler/src/core/admission-fair-sharing.js';
import { createSchedulerMetrics } from '../../scheduler/src/metrics/scheduler-metrics.js';
import { SchedulingLoop } from '../../scheduler/src/scheduling-loop.js';
import { submitJobSet } from '../../scheduler/src/service/jobsets.js';
import { registerNode } from '../../scheduler/src/service/nodes.js';
import { openDatabase, type SqliteDb } from '../../scheduler/src/store/db.js';
import { Store } from '../../scheduler/src/store/store.js';
import { ObjectStore } from '../../scheduler/src/store/objects.js';
import { WatchHub } from '../../scheduler/src/watch-hub.js';
import { cpuMillis, memoryBytes, type Quantity } from './builders.js';

/** T0 is when every test scheduler's clock starts (a realistic unix time: rate limits compare against 0). */
export const T0 = 1_700_000_000_000;

/** FakeClock is a Clock that moves only when told to. */
export interface FakeClock extends Clock {
  advance(ms: number): number;
  set(ms: number): void;
}

/** fakeClock starts at `start`. */
export function fakeClock(start = T0): FakeClock {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => (t += ms),
    set: (ms) => {
      t = ms;
    },
  };
}

/** RecordingOutbound records every desired document and JobSet event, in order. */
export interface RecordingOutbound extends Outbound {
  desired: NodeDesired[];
  events: JobSetEvent[];
  /** Called inside publishDesired, before the document is recorded (e.g. to look at the database at that moment). */
  onDesired?: (doc: NodeDesired) => void;
  /** desiredOf lists the documents published to `node`. */
  desiredOf(node: string): NodeDesired[];
  /** lastDesired is the newest document published to `node`. */
  lastDesired(node: string): NodeDesired | undefined;
  /** eventsOf lists the JobSet events about `name`. */
  eventsOf(name: string): JobSetEvent[];
  /** clear forgets everything recorded so far. */
  clear(): void;
  /** What requestPodLogs answers (default: the node's agent does not answer). */
  podLogs?: (node: string, req: PodLogsRequest) => Promise<PodLogsChunk>;
}

/** recordingOutbound returns an empty RecordingOutbound. */
export function recordingOutbound(): RecordingOutbound {
  const out: RecordingOutbound = {
    desired: [],
    events: [],
    publishDesired(doc) {
      out.onDesired?.(doc);
      out.desired.push(structuredClone(doc));
    },
    publishJobSetEvent(ev) {
      out.events.push(structuredClone(ev));
    },
    requestPodLogs(node, req) {
      return out.podLogs ? out.podLogs(node, req) : Promise.reject(new UnavailableError(`node ${node} did not answer (no agent in this test)`));
    },
    desiredOf: (node) => out.desired.filter((d) => d.node === node),
    lastDesired: (node) => out.desiredOf(node).at(-1),
    eventsOf: (name) => out.events.filter((e) => e.name === name),
    clear() {
      out.desired.length = 0;
      out.events.length = 0;
    },
  };
  return out;
}

/** Settings are SchedulerContext['settings']. */
export type Settings = SchedulerContext['settings'];

/** TEST_SETTINGS are the settings every test scheduler starts with. */
export const TEST_SETTINGS: Readonly<Settings> = Object.freeze({
  heartbeatIntervalMs: 1000,
  nodeGracePeriodMs: 3000,
  nodeLostTimeoutMs: 30_000,
  portRange: { min: 29500, max: 29999 },
  maxPodsPerNode: 256,
  maxDesiredBytes: 1024 * 1024,
  // Retries start at once in unit tests; tests of the back-off set it.
  podRetryBackoffMs: 0,
  // waitForPodsReady is off in unit tests; tests of it turn it on.
  podsReady: { timeoutMs: 0, backoffBaseMs: 60_000, backoffMaxMs: 3_600_000, requeueLimit: -1 },
});

/** TestSchedulerOptions configure startTestScheduler. */
export interface TestSchedulerOptions {
  /** Admission fair sharing settings (default: Kueue-like 168h half-life, 5m sampling, GPUs weigh). */
  afs?: AfsSettings;
  /** A user's groups (who may submit to a queue); default: every user is unknown. */
  groupsOf?: (user: string) => readonly string[] | undefined;
  /** 'file': a SQLite file in a temp dir (so a second Store can open it); default ':memory:'. */
  db?: 'memory' | 'file';
  /**
   * 'record' (default): requests are only recorded, runCycle() runs one. 'sync': every request runs a
   * cycle at once, inside the caller (e.g. halfway through handleHeartbeat, before it updated the
   * lingering pods), where the daemon defers it to the next turn of the event loop.
   */
  cycles?: 'record' | 'sync';
  settings?: Partial<Settings>;
  /** What holdScheduling answers (default: never hold). */
  holdScheduling?: () => string | undefined;
}

/** TestScheduler is a SchedulerContext plus the handles tests need. */
export interface TestScheduler {
  ctx: SchedulerContext;
  store: Store;
  db: SqliteDb;
  clock: FakeClock;
  out: RecordingOutbound;
  /** Path of the SQLite file (db: 'file' only). */
  dbFile: string | undefined;
  /** Every requestCycle reason, in order. */
  cycleRequests: string[];
  /** runCycle runs one scheduling cycle now (SchedulingLoop.runOnce). */
  runCycle(): void;
  /** writes counts the rows SQLite changed on the scheduler's connection so far (total_changes()). */
  writes(): number;
  /**
   * restart is a scheduler restart (db: 'file' only): this store is closed and a new scheduler
   * loads the same file (nodes NotReady until they heartbeat); the clock goes on. Close the
   * returned scheduler (it owns the temp dir now); closing this one afterwards does nothing.
   */
  restart(opts?: Omit<TestSchedulerOptions, 'db'>): TestScheduler;
  /** reopen opens a second Store on the same SQLite file and loads it, as a restarted scheduler would (db: 'file' only; closed by close()). */
  reopen(): Store;
  /** close closes every database this scheduler opened and removes its temp dir. */
  close(): void;
}

/** startTestScheduler builds a real SchedulerContext over a fresh SQLite store. */
export function startTestScheduler(opts: TestSchedulerOptions = {}): TestScheduler {
  const dir = opts.db === 'file' ? mkdtempSync(path.join(os.tmpdir(), 'muster-sched-test-')) : undefined;
  return buildTestScheduler(opts, dir, fakeClock());
}

function buildTestScheduler(opts: TestSchedulerOptions, dir: string | undefined, clock: FakeClock): TestScheduler {
  const dbFile = dir ? path.join(dir, 'scheduler.db') : undefined;
  const db = openDatabase(dbFile ?? ':memory:', nullLogger);
  const store = new Store(db, nullLogger);
  store.load(clock.now());
  const objects = new ObjectStore(db);
  objects.load();
  const out = recordingOutbound();
  const cycleRequests: string[] = [];
  const reopened: Store[] = [];
  const loop = new SchedulingLoop(() => ctx);
  const afs = new AdmissionFairSharing(db, opts.afs ?? { halfLifeMs: 168 * 3_600_000, samplingMs: 300_000, weights: { gpus: 1 } });
  afs.load();
  const ctx: SchedulerContext = {
    store,
    objects,
    metrics: createSchedulerMetrics(),
    afs,
    groupsOf: opts.groupsOf ?? (() => undefined),
    clock,
    log: nullLogger,
    out,
    hub: new WatchHub(),
    holdScheduling: opts.holdScheduling ?? (() => undefined),
    requestCycle: (why) => {
      cycleRequests.push(why);
      if (opts.cycles === 'sync') loop.runOnce();
    },
    reRegisterAsked: new Map(),
    transportLastDownMs: 0,
    settings: { ...structuredClone(TEST_SETTINGS), ...opts.settings },
  };
  const totalChanges = db.prepare('SELECT total_changes() AS n');
  let owner = true;
  let closed = false;
  const closeAll = (): void => {
    if (closed) return;
    closed = true;
    for (const s of reopened) s.close();
    store.close();
  };
  return {
    ctx,
    store,
    db,
    clock,
    out,
    dbFile,
    cycleRequests,
    runCycle: () => loop.runOnce(),
    writes: () => (totalChanges.get() as { n: number }).n,
    restart: (more = {}) => {
      if (!dir) throw new Error('restart needs startTestScheduler({ db: "file" })');
      closeAll();
      owner = false;
      return buildTestScheduler({ ...opts, ...more, db: 'file' }, dir, clock);
    },
    reopen: () => {
      if (!dbFile) throw new Error('reopen needs startTestScheduler({ db: "file" })');
      const s = new Store(openDatabase(dbFile, nullLogger), nullLogger);
      s.load(clock.now());
      reopened.push(s);
      return s;
    },
    close: () => {
      closeAll();
      if (dir && owner) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** NodeShape is a node's hardware as a person describes it. */
export interface NodeShape {
  /** The pod table the Register carries (adopted pods). */
  pods?: PodStatus[];
  cpu?: Quantity;
  memory?: Quantity;
  /** GPU count (indices 0..n-1, all healthy) or explicit indices. */
  gpus?: number | number[];
  address?: string;
  instanceId?: string;
  /** Agent process session (empty = an agent that predates sessions: every Register is a restart). */
  sessionId?: string;
  /** The epoch the agent claims to hold. */
  epoch?: number;
  labels?: Record<string, string>;
}

/** inventoryOf builds a NodeInventory whose capacity and allocatable are `shape`. */
export function inventoryOf(name: string, shape: NodeShape = {}): NodeInventory {
  const indices = Array.isArray(shape.gpus) ? shape.gpus : Array.from({ length: shape.gpus ?? 0 }, (_, i) => i);
  const gpus: Gpu[] = indices.map((index) =>
    withProtoDefaults<Gpu>('muster.v1.Gpu', { index, uuid: `GPU-${name}-${index}`, model: 'Test GPU', memoryBytes: 80 * 2 ** 30, pciBusId: `0000:${index.toString(16).padStart(2, '0')}:00.0`, numaNode: 0, healthy: true }),
  );
  const list = { cpuMillis: cpuMillis(shape.cpu ?? 16), memoryBytes: memoryBytes(shape.memory ?? '64Gi'), gpus: gpus.length, rdma: 0 };
  return withProtoDefaults<NodeInventory>('muster.v1.NodeInventory', {
    hostname: name,
    cpuModel: 'Test CPU',
    sockets: 1,
    cores: list.cpuMillis / 1000,
    threads: list.cpuMillis / 1000,
    memoryBytes: list.memoryBytes,
    gpus,
    os: 'linux',
    kernel: '6.1',
    capacity: { ...list },
    allocatable: { ...list },
    source: 'test',
  });
}

/** registerRequest is the Register an agent on `name` sends. */
export function registerRequest(name: string, shape: NodeShape = {}): RegisterRequest {
  return {
    nodeName: name,
    address: shape.address ?? `${name}.cluster.test`,
    labels: shape.labels ?? {},
    inventory: inventoryOf(name, shape),
    agentVersion: 'test',
    instanceId: shape.instanceId ?? `instance-${name}`,
    sessionId: shape.sessionId ?? '',
    epoch: shape.epoch ?? 0,
    pods: shape.pods ?? [],
  };
}

/** registerTestNode registers `name` through service/nodes.ts registerNode. */
export function registerTestNode(s: TestScheduler, name: string, shape: NodeShape = {}): RegisterResponse {
  return registerNode(s.ctx, registerRequest(name, shape));
}

/** ReplicatedJobShape is one replicatedJob of a test JobSet, resources per pod. */
export interface ReplicatedJobShape {
  replicas?: number;
  parallelism?: number;
  cpu?: Quantity;
  memory?: Quantity;
  gpus?: number;
  command?: string[];
  env?: Record<string, string>;
  /** Pod failures before the Job fails. Test JobSets default to 0 (a failed pod fails its Job at once); batch/v1's default is 6. */
  backoffLimit?: number;
  podFailurePolicy?: unknown;
  /** Start only after these replicatedJobs reach a status (Ready | Complete). */
  dependsOn?: { name: string; status: string }[];
  /** The replicatedJob's placement (required, preferred, exclusive, sliceRequired, sliceSize). */
  placement?: Record<string, unknown>;
}

/** JobSetOptions are the rest of a test JobSet file. */
export interface JobSetOptions {
  ttlSecondsAfterFinished?: number;
  /** spec.failurePolicy as written in a file. */
  failurePolicy?: unknown;
  /** spec.queue. */
  queue?: string;
  /** spec.priorityClass. */
  priorityClass?: string;
  successPolicy?: unknown;
  /** spec.placement as written in a file. */
  placement?: unknown;
  labels?: Record<string, string>;
  user?: string;
}

/** jobSetFile writes the JobSet file (muster.dev/v1) a person would, replicatedJobs in the given order. */
export function jobSetFile(name: string, rjs: Record<string, ReplicatedJobShape>, o: JobSetOptions = {}): Record<string, unknown> {
  return {
    apiVersion: 'muster.dev/v1',
    kind: 'JobSet',
    metadata: { name, ...(o.labels ? { labels: o.labels } : {}) },
    spec: {
      ...(o.ttlSecondsAfterFinished !== undefined ? { ttlSecondsAfterFinished: o.ttlSecondsAfterFinished } : {}),
      ...(o.failurePolicy !== undefined ? { failurePolicy: o.failurePolicy } : {}),
      ...(o.queue !== undefined ? { queue: o.queue } : {}),
      ...(o.priorityClass !== undefined ? { priorityClass: o.priorityClass } : {}),
      ...(o.successPolicy !== undefined ? { successPolicy: o.successPolicy } : {}),
      ...(o.placement !== undefined ? { placement: o.placement } : {}),
      replicatedJobs: Object.entries(rjs).map(([rjName, r]) => ({
        name: rjName,
        replicas: r.replicas ?? 1,
        ...(r.dependsOn ? { dependsOn: r.dependsOn } : {}),
        ...(r.placement ? { placement: r.placement } : {}),
        template: {
          parallelism: r.parallelism ?? 1,
          backoffLimit: r.backoffLimit ?? 0,
          ...(r.podFailurePolicy !== undefined ? { podFailurePolicy: r.podFailurePolicy } : {}),
          template: {
            command: r.command ?? ['python', 'train.py'],
            env: Object.entries(r.env ?? {}).map(([n, value]) => ({ name: n, value })),
            resources: { cpu: r.cpu ?? 1, memory: r.memory ?? '1Gi', gpus: r.gpus ?? 0 },
          },
        },
      })),
    },
  };
}

/** submitTestJobSet parses a JobSet file (shared/src/spec/document.ts) and submits it through service/jobsets.ts. */
export function submitTestJobSet(s: TestScheduler, name: string, rjs: Record<string, ReplicatedJobShape>, o: JobSetOptions = {}): JobSet {
  const doc = parseJobSetObject(jobSetFile(name, rjs, o));
  return submitJobSet(s.ctx, {
    metadata: { name: doc.name, labels: doc.labels, uid: '', createdMs: 0, user: o.user ?? 'alice', userVerified: false, submitDir: '/home/alice' },
    spec: doc.spec,
  });
}

/** jobsetOf returns the stored JobSet `name` (throws when it is not there). */
export function jobsetOf(s: TestScheduler, name: string): JobSet {
  const rec = s.store.getJobSet(name);
  if (!rec) throw new Error(`jobset ${name} is not in the store`);
  return rec.jobset;
}

/** assignmentsOf lists the admitted JobSet's pod assignments (rank order). */
export function assignmentsOf(s: TestScheduler, name: string): PodAssignment[] {
  const rec = s.store.getJobSet(name);
  if (!rec?.placement) throw new Error(`jobset ${name} has no placement`);
  return rec.placement.assignments;
}

/** SEQ is the seq an agent gives each phase of one pod incarnation (proto/README.md). */
export const SEQ: Partial<Record<PodPhase, number>> = { POD_PHASE_PENDING: 1, POD_PHASE_RUNNING: 2, POD_PHASE_SUCCEEDED: 3, POD_PHASE_FAILED: 3 };

/**
 * podReport is what an agent reports about an assigned pod: its identity,
 * requests and binding from the assignment, the phase's usual seq.
 */
export function podReport(a: PodAssignment, phase: PodPhase, over: Partial<PodStatus> = {}): PodStatus {
  return {
    podId: a.podId,
    jobsetUid: a.jobsetUid,
    generation: a.generation,
    notBeforeMs: 0,
    node: '',
    phase,
    signal: '',
    reason: '',
    message: '',
    startedMs: phase === 'POD_PHASE_PENDING' ? 0 : T0,
    finishedMs: phase === 'POD_PHASE_SUCCEEDED' || phase === 'POD_PHASE_FAILED' ? T0 : 0,
    seq: SEQ[phase] ?? 0,
    pid: 4242,
    binding: a.binding ? structuredClone(a.binding) : null,
    requests: a.requests ? { ...a.requests } : null,
    ...(phase === 'POD_PHASE_SUCCEEDED' ? { exitCode: 0 } : {}),
    ...over,
  };
}

/** heartbeatOf is `node`'s heartbeat now: its current epoch and revision unless overridden. */
export function heartbeatOf(s: TestScheduler, node: string, pods: PodStatus[] = [], over: Partial<Heartbeat> = {}): Heartbeat {
  const rec = s.store.getNode(node);
  return { node, epoch: rec?.node.epoch ?? 1, timeMs: s.clock.now(), desiredRevision: rec?.revision ?? 0, pods, gpuHealth: [], ...over };
}

/** podEventOf is a pod lifecycle event from `node` in its current epoch unless overridden. */
export function podEventOf(s: TestScheduler, node: string, pod: PodStatus, over: Partial<PodEvent> = {}): PodEvent {
  return { node, epoch: s.store.getNode(node)?.node.epoch ?? 1, pod, timeMs: s.clock.now(), ...over };
}

/** persistedNode reads a node's row straight from SQLite (what survives a restart). */
export function persistedNode(db: SqliteDb, node: string): { epoch: number; revision: number } | undefined {
  return db.prepare('SELECT epoch, revision FROM nodes WHERE name = ?').get(node) as { epoch: number; revision: number } | undefined;
}

/** persistedJobSet reads a JobSet's row: its phase and whether a placement is stored. */
export function persistedJobSet(db: SqliteDb, name: string): { phase: string; placement: string | null; doc: string } | undefined {
  return db.prepare('SELECT phase, placement, doc FROM jobsets WHERE name = ?').get(name) as { phase: string; placement: string | null; doc: string } | undefined;
}

/** allocatedOf is what node `name` has allocated (active pods plus lingering ones), zero when unknown. */
export function allocatedOf(s: TestScheduler, name: string): Resources {
  return toResources(s.store.getNode(name)?.node.allocated);
}

/** lingeringOf is what pods no longer desired but still reported running hold on node `name`. */
export function lingeringOf(s: TestScheduler, name: string): Resources {
  return toResources(s.store.getNode(name)?.node.lingering);
}
