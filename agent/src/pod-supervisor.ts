/**
 * The pod supervisor carries out reconciliation: it keeps the latest desired
 * pods (and the hostfiles of their JobSets), asks reconcile() what to do, and
 * does it through the runtime driver — preparing each pod's directory,
 * hostfile, environment and working directory, recording every phase change in
 * the pod table — and reconciles again whenever a pod ends (another
 * incarnation of its podId may be waiting for it).
 */
import { chown, mkdir, writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import path from 'node:path';
import { parseCpuList } from '../../shared/src/cpulist.js';
import { systemClock, type Clock } from '../../shared/src/clock.js';
import { errorFields, type Logger } from '../../shared/src/logger.js';
import { isTerminalPod } from '../../shared/src/phases.js';
import type { NodeDesired, PodAssignment } from '../../shared/src/proto/types.js';
import { buildPodEnv, podWorkingDir } from './pod-env.js';
import { canEnter, type IdentityRefusal, type IdentityResolver } from './runtime/identity.js';
import { podPaths } from './pod-paths.js';
import type { PodRecord, PodTable } from './pod-table.js';
import { reconcile, type ReconcileAction, type StopReason } from './reconcile.js';
import { CONTAINER_HOSTFILE, keyFields, podKeyString, START_FAILURE_REASONS, type PodExit, type PodKey, type PodSpec, type RecoveredPod, type RuntimeDriver } from './runtime/driver.js';
import type { StoredPod } from './pod-store.js';

/** JobSetHosts is the hostfile of one JobSet (NodeDesired.hostfiles). */
export type JobSetHosts = NodeDesired['hostfiles'][number];

/** PodSupervisorOptions are the supervisor's collaborators and settings. */
export interface PodSupervisorOptions {
  nodeName: string;
  stateDir: string;
  /** Time between SIGTERM and SIGKILL when stopping a pod. */
  stopGracePeriodMs: number;
  driver: RuntimeDriver;
  table: PodTable;
  logger: Logger;
  /** The agent's environment, source of the pods' base variables. */
  agentEnv: Record<string, string | undefined>;
  /** Who each pod runs as (runtime/identity.ts); absent = the agent's own user. */
  identity?: IdentityResolver;
  clock?: Clock;
}

/** PodRefused is a pod that may not run as the user it names (its reason goes into the pod's status). */
class PodRefused extends Error {
  constructor(readonly refusal: IdentityRefusal) {
    super(refusal.message);
    this.name = 'PodRefused';
  }
}

/** SHUTDOWN_REASON is the stop reason of the pods the agent stops when it exits. */
export const SHUTDOWN_REASON = 'the agent is shutting down';

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function stopWhy(reason: StopReason, key: PodKey, by: PodKey | undefined): string {
  if (reason === 'NotDesired') return 'no longer desired on this node';
  if (by && by.jobsetUid !== key.jobsetUid) return `${key.podId} of another JobSet incarnation (uid ${by.jobsetUid}) is desired`;
  return `generation ${by?.generation ?? '?'} of ${key.podId} is desired`;
}

/** PodSupervisor runs the pods the desired state asks for and nothing else. */
export class PodSupervisor {
  private readonly log: Logger;
  private readonly clock: Clock;
  private desired: PodAssignment[] | undefined;
  private hostfiles = new Map<string, string[]>();
  private closing = false;
  private readonly inflight = new Set<Promise<unknown>>();

  /** Self-fenced: no pod starts (see fence). */
  private fenced = false;

  constructor(private readonly opts: PodSupervisorOptions) {
    this.log = opts.logger.child({ component: 'pods' });
    this.clock = opts.clock ?? systemClock;
  }

  /** apply makes `pods` the desired set, `hostfiles` the hostfiles of their JobSets (by uid), and reconciles. */
  apply(pods: PodAssignment[], hostfiles: readonly JobSetHosts[] = []): void {
    this.desired = pods;
    this.hostfiles = new Map(hostfiles.map((h) => [h.jobsetUid, h.hosts]));
    this.reconcileNow();
  }

  /** reconcileNow brings the table towards the desired set (no-op before the first document and after shutdown). */
  reconcileNow(): void {
    if (this.closing || !this.desired) return;
    const actions = reconcile(this.desired, this.opts.table.localPods());
    for (const action of actions) {
      // Fenced: nothing starts until the scheduler is heard again (stops and forgets still go on).
      if (this.fenced && action.kind === 'start') continue;
      try {
        this.execute(action);
      } catch (err) {
        this.log.error('reconcile action failed', { action: action.kind, ...errorFields(err) });
      }
    }
  }

  /** shutdown stops starting pods, stops every pod still running and resolves once all have exited. */
  async shutdown(): Promise<void> {
    this.closing = true;
    for (const rec of this.opts.table.records())
      if (!isTerminalPod(rec.status.phase)) this.stopPod(rec.status, SHUTDOWN_REASON);
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /**
   * detach stops reconciling and leaves every pod running (the agent exits
   * with podsOnExit: keep); the next agent process adopts them.
   */
  detach(): void {
    this.closing = true;
  }

  /**
   * adopt puts back the pods a previous agent process had (its persisted
   * table), matched with what the driver found again: running ones are
   * watched as if this process had started them, those that ended meanwhile
   * get their exit (an event and the next heartbeat report it), terminal ones
   * keep their status. A pod recorded as running that the driver did not
   * find ended without a trace (ExitUnknown); one that never started (Pending)
   * is dropped — the scheduler fails it with NodeRestarted, a disruption.
   * Returns how many pods are running again.
   */
  adopt(stored: readonly StoredPod[], recovered: readonly RecoveredPod[]): number {
    const found = new Map(recovered.map((r) => [podKeyString(r), r]));
    let running = 0;
    for (const { assignment, status } of stored) {
      const key = podKeyString(status);
      const r = found.get(key);
      if (isTerminalPod(status.phase)) {
        this.opts.table.restore(assignment, status);
        continue;
      }
      if (!r && status.phase !== 'POD_PHASE_RUNNING') {
        this.log.warn('a pod that had not started when the previous agent stopped is dropped', keyFields(status));
        this.opts.table.discardStored(status);
        continue;
      }
      // Stored as Pending but found running (the agent died between start and its record): that is a phase change the scheduler must see.
      const seq = status.phase === 'POD_PHASE_RUNNING' ? status.seq : status.seq + 1;
      const rec = this.opts.table.restore(assignment, { ...status, phase: 'POD_PHASE_RUNNING', seq, ...(r?.state === 'running' ? { pid: r.pid, startedMs: r.startedMs } : {}) });
      if (!r) {
        this.finish(rec, { phase: 'POD_PHASE_FAILED', reason: 'ExitUnknown', signal: '', message: 'it ended while the agent was down and its runtime no longer knows it', finishedMs: this.clock.now() });
      } else if (r.state === 'ended') {
        this.finish(rec, r.exit);
      } else {
        running++;
        this.log.info('pod adopted', { ...keyFields(status), podPid: r.pid });
        this.track(r.exited.then((exit) => this.finish(rec, exit)));
      }
    }
    return running;
  }

  /**
   * fence stops every pod that runs or is starting, saying `why` (self-fencing:
   * the scheduler has not heard this node for too long), and starts none until
   * unfence. The stopped pods are the incarnations the desired document names,
   * so none of them is started again; new ones come with a new document.
   * Idempotent: pods already stopping are left to finish stopping.
   */
  fence(why: string): void {
    this.fenced = true;
    for (const rec of this.opts.table.records())
      if (!isTerminalPod(rec.status.phase)) this.stopPod(rec.status, why);
  }

  /** unfence lets desired pods start again (the scheduler acknowledges heartbeats again) and reconciles. */
  unfence(): void {
    if (!this.fenced) return;
    this.fenced = false;
    this.reconcileNow();
  }

  /** killAll sends SIGKILL to every pod now (a second shutdown signal: no more grace). */
  killAll(): void {
    for (const p of this.opts.driver.list()) this.track(this.opts.driver.stop(p, 0, SHUTDOWN_REASON));
  }

  private execute(action: ReconcileAction): void {
    switch (action.kind) {
      case 'start':
        this.startPod(action.assignment);
        return;
      case 'stop':
        this.stopPod(action, stopWhy(action.reason, action, action.by));
        return;
      case 'forget':
        this.opts.table.remove(action);
        this.log.debug('pod forgotten', keyFields(action));
        return;
    }
  }

  private track<T>(p: Promise<T>): void {
    const tracked = p.catch((err: unknown) => this.log.error('pod task failed', errorFields(err)));
    this.inflight.add(tracked);
    void tracked.finally(() => this.inflight.delete(tracked));
  }

  private startPod(assignment: PodAssignment): void {
    const rec = this.opts.table.add(assignment);
    this.track(this.runPod(rec));
  }

  private stopPod(key: PodKey, why: string): void {
    const rec = this.opts.table.get(key);
    if (!rec || isTerminalPod(rec.status.phase) || rec.stopping !== undefined) return;
    this.opts.table.markStopping(key, why);
    this.log.info('stopping pod', { ...keyFields(key), why });
    // A Pending pod is stopped by runPod as soon as the driver has started it.
    if (rec.status.phase === 'POD_PHASE_RUNNING') this.track(this.opts.driver.stop(key, this.opts.stopGracePeriodMs, why));
  }

  private finish(rec: PodRecord, exit: PodExit): void {
    const key = rec.status;
    if (!this.opts.table.markFinished(key, exit)) return;
    const fields = { ...keyFields(key), phase: key.phase, reason: exit.reason, exitCode: exit.exitCode, signal: exit.signal || undefined };
    if (START_FAILURE_REASONS.has(exit.reason)) this.log.warn(`pod could not start: ${exit.message}`, fields);
    else this.log.info('pod finished', fields);
    this.reconcileNow();
  }

  private startFailed(message: string, reason: 'StartError' | 'Stopped' = 'StartError'): PodExit {
    return { phase: 'POD_PHASE_FAILED', reason, signal: '', message, finishedMs: this.clock.now() };
  }

  private async runPod(rec: PodRecord): Promise<void> {
    const key: PodKey = keyFields(rec.status);
    const log = this.log.child(keyFields(key));
    let spec: PodSpec;
    try {
      spec = await this.prepare(rec.assignment, log);
    } catch (err) {
      if (err instanceof PodRefused) this.finish(rec, { phase: 'POD_PHASE_FAILED', reason: err.refusal.reason, signal: '', message: err.refusal.message, finishedMs: this.clock.now() });
      else this.finish(rec, this.startFailed(`cannot prepare the pod: ${(err as Error).message}`));
      return;
    }
    if (rec.stopping !== undefined) {
      this.finish(rec, this.startFailed(`stopped by the agent (${rec.stopping}) before it started`, 'Stopped'));
      return;
    }
    log.info('starting pod', { command: spec.command[0], workingDir: spec.workingDir, driver: this.opts.driver.name });
    let started;
    try {
      started = await this.opts.driver.start(spec);
    } catch (err) {
      this.finish(rec, this.startFailed(`cannot run "${spec.command[0] ?? ''}": ${(err as Error).message}`));
      return;
    }
    if (started.kind === 'failed') {
      this.finish(rec, started.exit);
      return;
    }
    this.opts.table.markRunning(key, started.pid, started.startedMs);
    log.info('pod running', { podPid: started.pid }); // `pid` is the agent's own (logger base field)
    if (rec.stopping !== undefined) this.track(this.opts.driver.stop(key, this.opts.stopGracePeriodMs, rec.stopping));
    this.finish(rec, await started.exited);
  }

  private async prepare(a: PodAssignment, log: Logger): Promise<PodSpec> {
    if (!a.template) throw new Error('the assignment has no pod template');
    const paths = podPaths(this.opts.stateDir, a);
    const user = a.user || a.template.user;
    const who = this.opts.identity ? await this.opts.identity.resolve(user) : { identity: undefined };
    if ('refused' in who) throw new PodRefused(who.refused);
    const identity = who.identity;
    await mkdir(paths.dir, { recursive: true });
    // The pod's directory (logs, hostfile) stays root's: the agent reads and rotates files there, so the
    // user must not be able to put links in it. A pod running as its user gets a `work/` of its own instead.
    let ownDir = paths.dir;
    if (identity) {
      ownDir = path.join(paths.dir, 'work');
      await mkdir(ownDir, { recursive: true, mode: 0o700 });
      await chown(ownDir, identity.uid, identity.gid);
    }
    const hosts = this.hostfiles.get(a.jobsetUid);
    if (!hosts) log.warn('the desired document has no hostfile for this JobSet: writing an empty hostfile', { jobset: a.jobset });
    await writeFile(paths.hostfile, (hosts ?? []).map((h) => h.replace(/[\r\n]/g, '') + '\n').join(''));
    const t = a.template;
    const common = {
      ...keyFields(a),
      image: t.image,
      command: t.command,
      args: t.args,
      stdoutPath: paths.stdout,
      stderrPath: paths.stderr,
      podDir: paths.dir,
      hostfilePath: paths.hostfile,
      user,
      ...(identity ? { identity } : {}),
      ...cpusOf(a, log),
    };
    if (this.opts.driver.containerized(t.image))
      // The image brings its own environment and working directory: nothing of the host's goes in.
      return {
        ...common,
        env: buildPodEnv({ agentEnv: {}, assignment: a, nodeName: this.opts.nodeName, hostfilePath: CONTAINER_HOSTFILE }),
        workingDir: t.workingDir,
        imagePullPolicy: t.imagePullPolicy,
        mounts: t.mounts.map((m) => ({ hostPath: m.hostPath, containerPath: m.containerPath || m.hostPath, readOnly: m.readOnly })),
        shmSizeBytes: t.shmSizeBytes,
        memoryBytes: a.requests?.memoryBytes ?? 0,
        gpuUuids: gpuIdsOf(a),
      };
    return {
      ...common,
      // The user's own HOME, USER, LOGNAME and SHELL replace the agent's as the base (the template's env still wins).
      env: buildPodEnv({ agentEnv: identity ? { ...this.opts.agentEnv, HOME: identity.home, USER: identity.user, LOGNAME: identity.user, SHELL: identity.shell || undefined } : this.opts.agentEnv, assignment: a, nodeName: this.opts.nodeName, hostfilePath: paths.hostfile }),
      // As the user would see them: a directory it cannot enter is passed over (the agent, root, could).
      workingDir: podWorkingDir(a, identity && canEnter(identity.home, identity) ? identity.home : ownDir, identity ? (p) => canEnter(p, identity) : isDirectory),
    };
  }
}

/**
 * gpuIdsOf names a container pod's GPUs for its engine: their UUIDs (MIG
 * device UUIDs for MIG pods) when the binding has one for each, else their
 * indices (a recorded inventory without UUIDs; CDI names devices by index too).
 */
export function gpuIdsOf(a: Pick<PodAssignment, 'binding'>): string[] {
  const uuids = a.binding?.gpuUuids ?? [];
  const indices = a.binding?.gpuIndices ?? [];
  if (uuids.length > 0 && uuids.every((u) => u !== '') && uuids.length >= indices.length) return [...uuids];
  return indices.map(String);
}

/** cpusOf reads an assignment's cpuset (validated: a malformed one is logged and the pod runs unbound). */
function cpusOf(a: PodAssignment, log: Logger): { cpus?: number[]; numaNode?: number } {
  const text = a.binding?.cpuset ?? '';
  if (text === '') return {};
  const cpus = parseCpuList(text);
  if (!cpus) {
    log.warn('the assignment\'s binding.cpuset is not a cpulist: running unbound', { cpuset: text.slice(0, 100) });
    return {};
  }
  return { cpus, numaNode: a.binding?.numaNode ?? -1 };
}
