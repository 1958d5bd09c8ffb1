/**
 * A private nats-server with JetStream for a single-machine cluster or a
 * test: started on a random port on 127.0.0.1, its port read from the ports
 * file it writes, ready once it accepts TCP connections.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { isExecutable, whichOnPath } from '../../../shared/src/which.js';
import { waitFor } from '../util/poll.js';
import { exitedEarlyError, spawnManaged, type ManagedProcess } from './processes.js';

/** NATS_SERVER_ENV names an environment variable that points at the nats-server binary. */
export const NATS_SERVER_ENV = 'MUSTER_NATS_SERVER';

/** WELL_KNOWN_NATS_PATHS are tried when nats-server is not on PATH. */
export const WELL_KNOWN_NATS_PATHS = ['/usr/local/bin/nats-server', '/usr/bin/nats-server', '/usr/sbin/nats-server', '/usr/local/sbin/nats-server'];

/** NatsServerOptions configure startNatsServer. */
export interface NatsServerOptions {
  /** Working directory: JetStream data in DIR/nats, ports file in DIR/run, log in DIR/logs/nats-server.log. */
  dir: string;
  /** The nats-server binary; default $MUSTER_NATS_SERVER, else PATH, else WELL_KNOWN_NATS_PATHS. */
  bin?: string;
  /** The client port (default: a random free one); a restarted server takes its old port so clients reconnect. */
  port?: number;
  /** The address it listens on; default 127.0.0.1 (a test with hosts in network namespaces gives a bridge address). */
  host?: string;
  /** More arguments for nats-server. */
  extraArgs?: readonly string[];
  /** How long to wait for it to accept connections; default 15 s. */
  timeoutMs?: number;
  /** Own session and unref'd: it outlives this process (`local up --detach`). Default false. */
  detached?: boolean;
  /** Own session without unref (foreground `local up`: Ctrl-C reaches only the CLI). Default false. */
  newSession?: boolean;
  /** Stops waiting (the server is stopped again). */
  signal?: AbortSignal;
}

/** NatsServerHandle is a running nats-server. */
export interface NatsServerHandle {
  /** nats://127.0.0.1:PORT */
  url: string;
  /** The client port it listens on. */
  port: number;
  /** The process. */
  process: ManagedProcess;
  /** Stops it (SIGTERM, then SIGKILL after graceMs) and waits until it is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** findNatsServer locates the nats-server binary; throws when there is none. */
export function findNatsServer(env: Record<string, string | undefined> = process.env): string {
  const explicit = env[NATS_SERVER_ENV];
  if (explicit) return explicit;
  const onPath = whichOnPath('nats-server', env.PATH ?? '');
  if (onPath) return onPath;
  const known = WELL_KNOWN_NATS_PATHS.find((f) => isExecutable(f));
  if (known) return known;
  throw new Error(`nats-server not found on PATH or in ${WELL_KNOWN_NATS_PATHS.join(', ')}; install it (https://nats.io) or set ${NATS_SERVER_ENV}`);
}

/** readPortsFile returns the first client URL of nats-server's ports file for `pid`, or undefined until it is complete. */
export function readPortsFile(runDir: string, pid: number): string | undefined {
  let name: string | undefined;
  try {
    name = readdirSync(runDir).find((f) => f.endsWith(`_${pid}.ports`));
  } catch {
    return undefined;
  }
  if (!name) return undefined;
  try {
    const doc = JSON.parse(readFileSync(path.join(runDir, name), 'utf8')) as { nats?: unknown };
    const first = Array.isArray(doc.nats) ? doc.nats[0] : undefined;
    return typeof first === 'string' ? first : undefined;
  } catch {
    return undefined; // partly written
  }
}

/** acceptsTcp resolves true when a TCP connection to host:port succeeds. */
export function acceptsTcp(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** startNatsServer starts `nats-server -js` on a random port and resolves once it accepts connections; on failure nothing is left running. */
export async function startNatsServer(opts: NatsServerOptions): Promise<NatsServerHandle> {
  const dir = path.resolve(opts.dir);
  const runDir = path.join(dir, 'run');
  const dataDir = path.join(dir, 'nats');
  mkdirSync(runDir, { recursive: true });
  mkdirSync(dataDir, { recursive: true });
  const bin = opts.bin ?? findNatsServer();
  const proc = await spawnManaged({
    name: 'nats-server',
    command: bin,
    args: ['-js', '-sd', dataDir, '-a', opts.host ?? '127.0.0.1', '-p', String(opts.port ?? -1), '--ports_file_dir', runDir, ...(opts.extraArgs ?? [])],
    logFile: path.join(dir, 'logs', 'nats-server.log'),
    newSession: (opts.newSession ?? false) || (opts.detached ?? false),
    unref: opts.detached ?? false,
  });
  const timeoutMs = opts.timeoutMs ?? 15_000;
  try {
    const url = await waitFor(
      () => {
        if (!proc.running()) throw exitedEarlyError(proc, 'waiting for nats-server to start');
        return readPortsFile(runDir, proc.pid);
      },
      { timeoutMs, what: `nats-server's ports file in ${runDir}`, ...(opts.signal ? { signal: opts.signal } : {}) },
    );
    const u = new URL(url);
    const host = u.hostname || '127.0.0.1';
    const port = Number(u.port);
    await waitFor(
      async () => {
        if (!proc.running()) throw exitedEarlyError(proc, 'waiting for nats-server to accept connections');
        return acceptsTcp(host, port);
      },
      { timeoutMs, what: `nats-server to accept connections on ${host}:${port}`, ...(opts.signal ? { signal: opts.signal } : {}) },
    );
    return {
      url: `nats://${host}:${port}`,
      port,
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
