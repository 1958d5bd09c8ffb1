/**
 * The container engine of a single-machine cluster: an engine API socket that
 * already answers (Podman's system service, Docker's daemon), else a private
 * `podman system service` under the cluster directory — with its own
 * containers.conf choosing runc, cgroupfs and explicit ulimits, which hosts
 * with a hybrid cgroup layout need — else none (pods run as processes).
 *
 * The private service uses the host's default image storage, so images an
 * admin pulled or imported with `podman` are there; only its API socket
 * (DIR/run/podman.sock) is its own.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { isExecutable, whichOnPath } from '../../../shared/src/which.js';
import { waitFor } from '../util/poll.js';
import { exitedEarlyError, spawnManaged, type ManagedProcess } from './processes.js';

/** WELL_KNOWN_SOCKETS are engine sockets tried before a private service is started: Podman's system service, then Docker's. */
export const WELL_KNOWN_SOCKETS = ['/run/podman/podman.sock', '/var/run/docker.sock'];

/** pingEngine resolves true when an engine answers `GET /_ping` with OK on the unix socket. */
export function pingEngine(socketPath: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: '/_ping', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(res.statusCode === 200 && body.trim() === 'OK'));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** findPodman locates the podman binary (PATH, then /usr/bin); undefined when it is not installed. */
export function findPodman(env: Record<string, string | undefined> = process.env): string | undefined {
  return whichOnPath('podman', env.PATH ?? '') ?? (isExecutable('/usr/bin/podman') ? '/usr/bin/podman' : undefined);
}

/**
 * containersConf is the private service's containers.conf: runc when it is
 * installed (crun refuses hybrid cgroup v1/v2 hosts), cgroupfs (no systemd
 * needed), events to a file, and ulimits within the hard limits (podman's
 * defaults ask for more than a runtime may set).
 */
export function containersConf(runc: string | undefined): string {
  return [
    '[containers]',
    'default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]',
    '[engine]',
    ...(runc ? [`runtime = "runc"`] : []),
    'cgroup_manager = "cgroupfs"',
    'events_logger = "file"',
    '',
  ].join('\n');
}

/** ContainerEngineHandle is the engine a local cluster's agents use. */
export interface ContainerEngineHandle {
  /** The engine API socket the agents are given. */
  socketPath: string;
  /** How it was found: an engine already running, or the private podman service started here. */
  origin: 'existing' | 'started';
  /** The private service's process (origin started). */
  process?: ManagedProcess;
  /** Stops the private service (nothing for an existing engine). */
  stop(graceMs?: number): Promise<void>;
}

/** StartEngineOptions configure findOrStartContainerEngine. */
export interface StartEngineOptions {
  /** The cluster directory: DIR/run/podman.sock, DIR/podman/containers.conf, DIR/logs/podman.log. */
  dir: string;
  /** Sockets to try first (default WELL_KNOWN_SOCKETS). */
  sockets?: readonly string[];
  /** The podman binary (default: findPodman()). */
  podman?: string;
  detached?: boolean;
  newSession?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * findOrStartContainerEngine returns an engine that answers: a well-known
 * socket, else a private podman service it starts (ready once `/_ping`
 * answers); undefined when neither exists (no podman installed).
 */
export async function findOrStartContainerEngine(opts: StartEngineOptions): Promise<ContainerEngineHandle | undefined> {
  for (const s of opts.sockets ?? WELL_KNOWN_SOCKETS)
    if (await pingEngine(s)) return { socketPath: s, origin: 'existing', stop: async () => undefined };
  const podman = opts.podman ?? findPodman();
  if (!podman) return undefined;
  return startPodmanService({ ...opts, podman });
}

/** startPodmanService starts `podman system service --time=0` on DIR/run/podman.sock; on failure nothing is left running. */
export async function startPodmanService(opts: StartEngineOptions & { podman: string }): Promise<ContainerEngineHandle> {
  const dir = path.resolve(opts.dir);
  const runDir = path.join(dir, 'run');
  const confDir = path.join(dir, 'podman');
  mkdirSync(runDir, { recursive: true });
  mkdirSync(confDir, { recursive: true });
  const conf = path.join(confDir, 'containers.conf');
  const runc = whichOnPath('runc', process.env.PATH ?? '') ?? (isExecutable('/usr/sbin/runc') ? '/usr/sbin/runc' : undefined);
  writeFileSync(conf, containersConf(runc));
  const socketPath = path.join(runDir, 'podman.sock');
  const proc = await spawnManaged({
    name: 'podman',
    command: opts.podman,
    args: ['system', 'service', '--time=0', `unix://${socketPath}`],
    logFile: path.join(dir, 'logs', 'podman.log'),
    env: { ...process.env, CONTAINERS_CONF: conf },
    newSession: (opts.newSession ?? false) || (opts.detached ?? false),
    unref: opts.detached ?? false,
  });
  try {
    await waitFor(
      async () => {
        if (!proc.running()) throw exitedEarlyError(proc, 'waiting for the podman API service');
        return pingEngine(socketPath, 1000);
      },
      { timeoutMs: opts.timeoutMs ?? 20_000, intervalMs: 100, what: `podman's API on ${socketPath}`, ...(opts.signal ? { signal: opts.signal } : {}) },
    );
  } catch (err) {
    await proc.stop(2_000).catch(() => undefined);
    throw err;
  }
  return {
    socketPath,
    origin: 'started',
    process: proc,
    stop: async (graceMs?: number) => {
      await proc.stop(graceMs);
    },
  };
}
