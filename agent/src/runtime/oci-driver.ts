/**
 * The `oci` runtime driver: a pod with an image runs as a container through
 * the Docker Engine API on a unix socket — Docker's, or Podman's
 * (`podman system service`) — with dockerode as the client.
 *
 * start: mounts checked against the agent's allowed host paths (after
 * symbolic links are resolved) → the image made present per pull policy
 * (IfNotPresent, Always, Never; failures are ErrImagePull / ErrImageNeverPull,
 * Kubernetes' reasons) → create (container-spec.ts: host network, identity,
 * cpuset, memory, shm, GPUs, labels) → start → the log copier
 * (container-logs.ts) appends its output to the pod's files → `wait` until it
 * exits, then its exit code, OOM kill or signal become the pod's exit, and the
 * container is removed.
 *
 * stop: the engine's stop (SIGTERM, SIGKILL after the grace period), or kill
 * at once. recover: the containers labelled with this agent's scope are found
 * again; running ones of known pods are adopted (wait and log copy resume),
 * exited ones are reported with their exits and removed, unknown ones are
 * removed (killed).
 */
import { realpathSync } from 'node:fs';
import Docker from 'dockerode';
import { systemClock, type Clock } from '../../../shared/src/clock.js';
import { errorFields, type Logger } from '../../../shared/src/logger.js';
import { sleep } from '../backoff.js';
import { keyFields, podKeyString, type PodExit, type PodExitReason, type PodKey, type PodSpec, type PodStart, type RecoveredPod, type RecoverOptions, type RunningPod, type RuntimeDriver } from './driver.js';
import type { Readable } from 'node:stream';
import { LogCopier, readPosition, type LogPosition } from './container-logs.js';
import { createOptions, keyOfLabels, LABELS, mountProblem, type GpuDeviceMode } from './container-spec.js';
import { signalName } from './signals.js';
import { hostCpusOf, hostNumaNodesOf } from './cpu-affinity.js';

/** OciDriverOptions configure the OCI driver. */
export interface OciDriverOptions {
  logger: Logger;
  clock?: Clock;
  /** The engine's API socket. */
  socketPath: string;
  /** This agent's scope label (node name + state dir hash). */
  scope: string;
  node: string;
  gpuDevices: GpuDeviceMode;
  /** Host path prefixes pod mounts may use. */
  allowedHostPaths: readonly string[];
  /** How long after a container exits its remaining output is awaited (default 5 s). */
  logDrainMs?: number;
  /** How often an unanswered wait is re-asked (default WAIT_REPOLL_MS). */
  waitRepollMs?: number;
  /** The pause before a log stream that ended while its container runs is followed again (default LOG_REFOLLOW_MS). */
  logRefollowMs?: number;
}

/** WAIT_REPOLL_MS is how long a wait may stay unanswered before the container is inspected and the wait asked again. */
export const WAIT_REPOLL_MS = 30_000;

/** LOG_REFOLLOW_MS is the pause before a dropped log stream of a running container is followed again. */
export const LOG_REFOLLOW_MS = 1000;

interface Entry extends RunningPod {
  container: Docker.Container;
  podDir: string;
  files: Pick<PodSpec, 'stdoutPath' | 'stderrPath'>;
  copier?: LogCopier;
  /** The pending re-follow of a log stream that ended while the container ran. */
  refollow?: NodeJS.Timeout;
  /** True once its exit is known (no more re-follows). */
  exitSeen?: boolean;
  exited: Promise<PodExit>;
  stopWhy?: string;
  abort: AbortController;
}

/** EngineError is an error the engine answered with (dockerode's shape). */
interface EngineError extends Error {
  statusCode?: number;
  json?: { message?: string } | null;
}

function statusOf(err: unknown): number | undefined {
  return (err as EngineError | undefined)?.statusCode;
}

/** engineMessage is the engine's own words for an error, without dockerode's "(HTTP code N)" prefix. */
export function engineMessage(err: unknown): string {
  const e = err as EngineError;
  const fromJson = e?.json && typeof e.json === 'object' ? e.json.message : undefined;
  return (fromJson ?? e?.message ?? String(err)).replace(/^\(HTTP code \d+\)\s*[a-z ]*-\s*/, '').trim();
}

function failed(reason: PodExitReason, message: string, now: number): PodStart {
  return { kind: 'failed', exit: { phase: 'POD_PHASE_FAILED', reason, signal: '', message, finishedMs: now } };
}

/** OciDriver runs pods with an image as containers. */
export class OciDriver implements RuntimeDriver {
  readonly name = 'oci';
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly docker: Docker;
  private readonly running = new Map<string, Entry>();
  private engine: Promise<string> | undefined;
  private closed = false;
  private readonly agentUser = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };

  constructor(private readonly opts: OciDriverOptions) {
    this.log = opts.logger.child({ component: 'oci-driver' });
    this.clock = opts.clock ?? systemClock;
    this.docker = new Docker({ socketPath: opts.socketPath });
  }

  /** containerized: every pod with an image runs in a container. */
  containerized(image: string): boolean {
    return image !== '';
  }

  /** engineVersion asks the engine what it is (once, logged), which also says it answers. */
  private engineVersion(): Promise<string> {
    this.engine ??= this.docker.version().then(
      (v) => {
        const name = (v.Components ?? []).some((c) => /podman/i.test(c.Name)) ? 'Podman' : 'Docker';
        const version = `${name} ${v.Version} (API ${v.ApiVersion})`;
        this.log.info('container engine', { engine: version, socket: this.opts.socketPath });
        return version;
      },
      (err: unknown) => {
        this.engine = undefined;
        throw new Error(`the container engine at ${this.opts.socketPath} does not answer: ${engineMessage(err)}`);
      },
    );
    return this.engine;
  }

  /** start creates and starts the pod's container; the pod's own problems come back as `failed`. */
  async start(spec: PodSpec): Promise<PodStart> {
    const now = (): number => this.clock.now();
    if (spec.workingDir && !spec.workingDir.startsWith('/')) return failed('StartError', `workingDir "${spec.workingDir}" must be absolute in a container`, now());
    try {
      await this.engineVersion();
    } catch (err) {
      return failed('StartError', (err as Error).message, now());
    }
    const pulled = await this.ensureImage(spec.image, spec.imagePullPolicy || 'IfNotPresent');
    if (pulled) return failed(pulled.reason, pulled.message, now());
    // Mounts are checked last, right before create: a pull may take minutes, and a path swapped for a link
    // meanwhile must not be bound. (What is left of that race gains nothing: the container runs as the
    // pod's user without capabilities, so the kernel's permissions still apply to whatever is bound.)
    const mounts = [];
    // Allowed prefixes as configured and as their links resolve (an allowed /data may be a link to /mnt/data).
    const allowed = [...new Set([...this.opts.allowedHostPaths, ...this.opts.allowedHostPaths.map(safeRealpath)])];
    for (const m of spec.mounts ?? []) {
      // Checked before the path is touched, so a pod cannot probe what exists outside the allowed paths.
      const problem = mountProblem(m.hostPath, allowed);
      if (problem) return failed('MountNotAllowed', problem, now());
      let real: string;
      try {
        real = realpathSync(m.hostPath);
      } catch {
        return failed('StartError', `host path "${m.hostPath}" does not exist on node ${this.opts.node}`, now());
      }
      const viaLinks = mountProblem(real, this.opts.allowedHostPaths.map(safeRealpath));
      if (viaLinks) return failed('MountNotAllowed', `${viaLinks} (it resolves to ${real})`, now());
      mounts.push({ ...m, hostPath: real });
    }

    const body = createOptions({ ...spec, mounts, ...this.cpusHere(spec) }, { scope: this.opts.scope, node: this.opts.node, gpuDevices: this.opts.gpuDevices, agentUser: this.agentUser });
    // A container of this incarnation left by a crash between create and start goes first (its name is taken).
    await this.docker.getContainer(body.name!).remove({ force: true }).catch(() => undefined);
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer(body);
    } catch (err) {
      return failed('StartError', `cannot create the container: ${engineMessage(err)}`, now());
    }
    try {
      await container.start();
    } catch (err) {
      await container.remove({ force: true }).catch(() => undefined);
      return failed('StartError', `cannot start the container: ${engineMessage(err)}`, now());
    }
    let pid = 0;
    let startedMs = now();
    try {
      const info = await container.inspect();
      pid = info.State.Pid;
      const t = Date.parse(info.State.StartedAt);
      if (Number.isFinite(t) && t > 0) startedMs = t;
    } catch (err) {
      this.log.warn('cannot inspect a started container', { ...keyFields(spec), ...errorFields(err) });
    }
    const entry = this.track(spec, container, spec.podDir, pid, startedMs, spec);
    this.log.debug('container started', { ...keyFields(spec), container: container.id.slice(0, 12), image: spec.image, podPid: pid });
    return { kind: 'running', pid, startedMs, exited: entry.exited };
  }

  /**
   * cpusHere keeps the binding's CPUs and NUMA node this host has (a recorded
   * inventory may name more than a small test machine): the engine refuses a
   * cpuset it cannot honour. Dropped ones are logged, as the process driver does.
   */
  private cpusHere(spec: PodSpec): Pick<PodSpec, 'cpus' | 'numaNode'> {
    if (!spec.cpus || spec.cpus.length === 0) return {};
    const host = new Set(hostCpusOf());
    const kept = spec.cpus.filter((c) => host.has(c));
    const numa = spec.numaNode !== undefined && hostNumaNodesOf().includes(spec.numaNode) ? spec.numaNode : -1;
    if (kept.length < spec.cpus.length) this.log.warn('the binding names CPUs this host lacks: the container gets the others', { ...keyFields(spec), dropped: spec.cpus.length - kept.length, kept: kept.length });
    return kept.length > 0 ? { cpus: kept, numaNode: numa } : { cpus: [], numaNode: -1 };
  }

  /** ensureImage makes the image present per pull policy; returns why it could not, or undefined. */
  private async ensureImage(image: string, policy: string): Promise<{ reason: PodExitReason; message: string } | undefined> {
    if (policy !== 'Always') {
      try {
        await this.docker.getImage(image).inspect();
        return undefined;
      } catch (err) {
        if (statusOf(err) !== 404) return { reason: 'ErrImagePull', message: `cannot inspect image "${image}": ${engineMessage(err)}` };
      }
      if (policy === 'Never') return { reason: 'ErrImageNeverPull', message: `image "${image}" is not present on node ${this.opts.node} and its pull policy is Never` };
    }
    try {
      const stream = await this.docker.pull(image);
      await new Promise<void>((resolve, reject) =>
        this.docker.modem.followProgress(stream, (err: Error | null, events: { error?: string; errorDetail?: { message?: string } }[]) => {
          const failedEvent = events?.find((e) => e.error || e.errorDetail);
          if (err) reject(err);
          else if (failedEvent) reject(new Error(failedEvent.errorDetail?.message ?? failedEvent.error));
          else resolve();
        }),
      );
      this.log.info('image pulled', { image });
      return undefined;
    } catch (err) {
      return { reason: 'ErrImagePull', message: `cannot pull image "${image}" on node ${this.opts.node}: ${engineMessage(err)}` };
    }
  }

  /** track watches a running container: copies its logs, waits for its exit, then removes it. */
  private track(key: PodKey, container: Docker.Container, podDir: string, pid: number, startedMs: number, files: Pick<PodSpec, 'stdoutPath' | 'stderrPath'>, resume = false): Entry {
    const abort = new AbortController();
    let resolveExit!: (e: PodExit) => void;
    const exited = new Promise<PodExit>((r) => (resolveExit = r));
    const entry: Entry = { ...keyFields(key), pid, startedMs, container, podDir, files, exited, abort };
    this.follow(entry, resume ? readPosition(podDir) : undefined);
    const k = podKeyString(key);
    this.running.set(k, entry);
    void this.waitExit(entry).then(
      (exit) => {
        if (this.running.get(k) === entry) this.running.delete(k);
        resolveExit(exit);
      },
      () => undefined, // closed: the pod keeps running for the next agent process
    );
    return entry;
  }

  /**
   * follow copies the container's output from `from` on. When the stream ends
   * while the container still runs (the engine restarted, the socket was
   * cut), it follows again from what was copied, after LOG_REFOLLOW_MS.
   */
  private follow(entry: Entry, from?: LogPosition): void {
    let copier: LogCopier;
    try {
      copier = new LogCopier({ ...entry.files, podDir: entry.podDir, from, logger: this.log });
    } catch (err) {
      this.log.warn('cannot open a container pod\'s log files', { ...keyFields(entry), ...errorFields(err) });
      return;
    }
    entry.copier = copier;
    entry.container
      .logs({ follow: true, stdout: true, stderr: true, abortSignal: entry.abort.signal })
      .then((stream) => copier.attach(stream as unknown as Readable))
      .catch((err: unknown) => {
        if (!entry.abort.signal.aborted) this.log.warn('cannot follow a container\'s output', { ...keyFields(entry), ...errorFields(err) });
        copier.close();
      });
    void copier.done.then(() => {
      // A stream the engine finished means the container exited: waitExit takes it from there.
      if (entry.copier !== copier || copier.ending !== 'cut' || entry.exitSeen || this.closed || entry.abort.signal.aborted) return;
      entry.refollow = setTimeout(() => {
        entry.refollow = undefined;
        if (!entry.exitSeen && !this.closed && !entry.abort.signal.aborted) this.follow(entry, copier.copied);
      }, this.opts.logRefollowMs ?? LOG_REFOLLOW_MS);
    });
  }

  /**
   * waitForExit long-polls the engine's wait, re-asking every waitRepollMs
   * (a wait whose connection the engine dropped after the headers never
   * settles) and after errors; resolves with the exit code, or undefined when
   * the container is gone. Rejects once the driver is closed.
   */
  private async waitForExit(entry: Entry): Promise<number | undefined> {
    for (let attempt = 0; ; attempt++) {
      if (entry.abort.signal.aborted || this.closed) throw new Error('closed');
      const one = new AbortController();
      const cancel = (): void => one.abort();
      entry.abort.signal.addEventListener('abort', cancel, { once: true });
      let timer: NodeJS.Timeout | undefined;
      try {
        const res = await Promise.race([
          entry.container.wait({ abortSignal: one.signal }) as Promise<{ StatusCode?: number }>,
          new Promise<'repoll'>((r) => (timer = setTimeout(() => r('repoll'), this.opts.waitRepollMs ?? WAIT_REPOLL_MS))),
        ]);
        if (res !== 'repoll') return res.StatusCode;
        // No answer for a while: still running (ask again), or did it end unseen?
        const info = await entry.container.inspect();
        if (!info.State.Running && info.State.Status !== 'created') return info.State.ExitCode;
        attempt = -1;
      } catch (err) {
        if (entry.abort.signal.aborted || this.closed) throw err;
        if (statusOf(err) === 404) return undefined;
        if (attempt % 10 === 0) this.log.warn('waiting for a container failed; retrying', { ...keyFields(entry), ...errorFields(err) });
        await sleep(Math.min(5000, 200 * 2 ** Math.min(attempt, 5)));
      } finally {
        if (timer) clearTimeout(timer);
        one.abort();
        entry.abort.signal.removeEventListener('abort', cancel);
      }
    }
  }

  /** waitExit waits for the container to exit, copies the rest of its output, reads how it ended and removes it. */
  private async waitExit(entry: Entry): Promise<PodExit> {
    let code = await this.waitForExit(entry);
    entry.exitSeen = true;
    if (entry.refollow) clearTimeout(entry.refollow);
    let oom = false;
    let engineError = '';
    try {
      const info = await entry.container.inspect();
      code = info.State.ExitCode;
      oom = info.State.OOMKilled;
      engineError = info.State.Error ?? '';
    } catch (err) {
      if (code === undefined) this.log.warn('a container vanished before its exit could be read', { ...keyFields(entry), ...errorFields(err) });
    }
    if (entry.copier) {
      const drained = await Promise.race([entry.copier.done.then(() => true), sleep(this.opts.logDrainMs ?? 5000).then(() => false)]);
      if (!drained) this.log.warn('a container\'s output did not end after it exited; closing its log', keyFields(entry));
      entry.copier.close();
      // A stream cut before the end (an engine restart) missed output: the exited container's log, from what was copied, ends at once.
      if (code !== undefined && entry.copier.ending !== 'end') {
        const last = entry.copier;
        this.follow(entry, last.copied);
        if (entry.copier !== last) {
          await Promise.race([entry.copier.done, sleep(this.opts.logDrainMs ?? 5000)]);
          entry.copier.close();
        }
      }
    }
    await entry.container.remove({ force: true }).catch((err: unknown) => {
      if (statusOf(err) !== 404) this.log.warn('cannot remove an exited container', { ...keyFields(entry), ...errorFields(err) });
    });
    return this.exitOf(code, oom, engineError, entry.stopWhy);
  }

  private exitOf(code: number | undefined, oom: boolean, engineError: string, stopWhy: string | undefined): PodExit {
    const finishedMs = this.clock.now();
    if (code === undefined) return { phase: 'POD_PHASE_FAILED', reason: stopWhy !== undefined ? 'Stopped' : 'ExitUnknown', signal: '', message: 'the container was removed before its exit code could be read', finishedMs };
    const signal = code > 128 ? signalName(code - 128) : '';
    const how = oom ? `killed by the kernel's OOM killer (memory limit) with exit code ${code}` : signal ? `killed by ${signal} (exit code ${code})` : `exited with code ${code}`;
    const detail = engineError ? `; the engine says: ${engineError}` : '';
    if (stopWhy !== undefined) return { phase: 'POD_PHASE_FAILED', reason: 'Stopped', exitCode: code, signal, message: `stopped by the agent (${stopWhy}); ${how}`, finishedMs };
    if (oom) return { phase: 'POD_PHASE_FAILED', reason: 'OOMKilled', exitCode: code, signal, message: how + detail, finishedMs };
    if (code === 0) return { phase: 'POD_PHASE_SUCCEEDED', reason: 'Completed', exitCode: 0, signal: '', message: how, finishedMs };
    if (signal) return { phase: 'POD_PHASE_FAILED', reason: 'Signaled', exitCode: code, signal, message: how + detail, finishedMs };
    return { phase: 'POD_PHASE_FAILED', reason: 'Error', exitCode: code, signal: '', message: how + detail, finishedMs };
  }

  /** stop asks the engine to stop the container (SIGTERM, SIGKILL after the grace period; kill at once when it is 0). */
  async stop(key: PodKey, gracePeriodMs: number, why: string): Promise<PodExit | undefined> {
    const entry = this.running.get(podKeyString(key));
    if (!entry) return undefined;
    entry.stopWhy ??= why;
    const req = gracePeriodMs > 0 ? entry.container.stop({ t: Math.max(1, Math.ceil(gracePeriodMs / 1000)) }) : entry.container.kill();
    await req.catch((err: unknown) => {
      // 304: already stopped; 404: already gone — the exit is on its way either way.
      if (statusOf(err) !== 304 && statusOf(err) !== 404) this.log.warn('cannot stop a container', { ...keyFields(key), ...errorFields(err) });
    });
    return entry.exited;
  }

  /** list returns the containers running now. */
  list(): RunningPod[] {
    return [...this.running.values()].map(({ podId, jobsetUid, generation, pid, startedMs }) => ({ podId, jobsetUid, generation, pid, startedMs }));
  }

  /**
   * recover finds this agent's containers by their scope label: known running
   * ones are adopted, known exited ones reported and removed, the rest removed.
   * Throws when the engine does not answer (the agent must not register
   * without knowing what runs).
   */
  async recover(opts: RecoverOptions): Promise<RecoveredPod[]> {
    let listed: Docker.ContainerInfo[];
    try {
      listed = await this.docker.listContainers({ all: true, filters: { label: [`${LABELS.scope}=${this.opts.scope}`] } });
    } catch (err) {
      throw new Error(`cannot list this agent's containers at ${this.opts.socketPath}: ${engineMessage(err)}`);
    }
    const out: RecoveredPod[] = [];
    for (const info of listed) {
      const key = keyOfLabels(info.Labels);
      const container = this.docker.getContainer(info.Id);
      const files = key ? opts.filesOf(key) : undefined;
      if (!key || !opts.known(key) || !files || info.State === 'created') {
        this.log.warn('removing a container left by a previous agent that the pod table does not know', { container: info.Id.slice(0, 12), state: info.State, ...(key ? keyFields(key) : {}) });
        await container.remove({ force: true }).catch((err: unknown) => this.log.warn('cannot remove a container', { container: info.Id.slice(0, 12), ...errorFields(err) }));
        continue;
      }
      let startedMs = info.Created * 1000;
      let pid = 0;
      try {
        const st = await container.inspect();
        pid = st.State.Pid;
        const t = Date.parse(st.State.StartedAt);
        if (Number.isFinite(t) && t > 0) startedMs = t;
      } catch {
        // its exit is read (or found unreadable) below
      }
      const entry = this.track(key, container, files.podDir, pid, startedMs, files, true);
      if (info.State === 'running' || info.State === 'paused') {
        this.log.info('adopted a container left running by a previous agent', { ...keyFields(key), container: info.Id.slice(0, 12) });
        out.push({ ...keyFields(key), state: 'running', pid, startedMs, exited: entry.exited });
      } else {
        const exit = await entry.exited;
        this.log.info('a container ended while the agent was down', { ...keyFields(key), reason: exit.reason, exitCode: exit.exitCode });
        out.push({ ...keyFields(key), state: 'ended', exit });
      }
    }
    return out;
  }

  /** close stops watching (waits and log copies end); containers keep running. */
  close(): void {
    this.closed = true;
    for (const e of this.running.values()) {
      if (e.refollow) clearTimeout(e.refollow);
      e.abort.abort();
      e.copier?.close();
    }
  }
}

function safeRealpath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}
