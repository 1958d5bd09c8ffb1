/**
 * A fake container engine for the OCI driver's tests: a node:http server on a
 * unix socket in a temp dir that answers the Docker Engine API endpoints the
 * driver uses, keeps containers and images in memory, records every request,
 * and lets a test make containers write output and exit.
 *
 * Endpoints (optionally prefixed with an API version, `/v1.41/...`):
 * GET /version, GET /images/{name}/json, POST /images/create,
 * POST /containers/create, POST /containers/{id}/start,
 * GET /containers/{id}/json, POST /containers/{id}/wait (long-poll),
 * GET /containers/{id}/logs (multiplexed frames; follow stays open until the
 * container exits), POST /containers/{id}/stop, POST /containers/{id}/kill,
 * DELETE /containers/{id}, GET /containers/json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

/** EngineFlavor is the engine the fake pretends to be (GET /version). */
export type EngineFlavor = 'podman' | 'docker';

/** RecordedRequest is one request the fake received; `path` is without the version prefix and query. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The body parsed as JSON (undefined when empty or not JSON). */
  body: unknown;
  rawBody: string;
}

/** FakeContainerState is a container's status as the engine reports it. */
export type FakeContainerState = 'created' | 'running' | 'paused' | 'exited';

/** FakeContainer is one container the fake engine holds. */
export interface FakeContainer {
  id: string;
  name: string;
  image: string;
  labels: Record<string, string>;
  /** The create body, as sent (undefined for a container added by the test). */
  createBody?: unknown;
  state: FakeContainerState;
  pid: number;
  exitCode: number;
  oomKilled: boolean;
  error: string;
  startedAt: string;
  /** Unix seconds. */
  created: number;
  /** Every multiplexed frame the container wrote, in order. */
  frames: Buffer[];
}

/** FakeEngineOptions configure a fake engine. */
export interface FakeEngineOptions {
  /** Podman (`Components: [{Name: 'Podman Engine'}]`) or Docker's shape; default podman. */
  flavor?: EngineFlavor;
  /** Images present at start. */
  images?: string[];
}

/** FakeFailure makes matching requests fail with an engine error. */
export interface FakeFailure {
  method: string;
  /** Matched against the unprefixed path. */
  path: RegExp;
  status: number;
  message: string;
}

/** frame renders one multiplexed log frame: [stream type, 0, 0, 0, uint32 BE size] + payload. */
export function frame(stream: 0 | 1 | 2 | number, data: string | Buffer): Buffer {
  const payload = typeof data === 'string' ? Buffer.from(data) : data;
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/** waitFor polls cond every 10 ms until it holds, failing after deadlineMs (a bound, not a timing assertion). */
export async function waitFor(what: string, cond: () => boolean, deadlineMs = 10_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** normalizeImage adds the implicit `:latest` tag to a reference without a tag or digest. */
function normalizeImage(name: string): string {
  const last = name.slice(name.lastIndexOf('/') + 1);
  return last.includes(':') || last.includes('@') ? name : `${name}:latest`;
}

/** FakeEngine is the fake engine; create one with FakeEngine.start and close it in afterEach. */
export class FakeEngine {
  /** The API socket (pass it as the driver's socketPath). */
  readonly socketPath: string;
  /** Every request received, in arrival order. */
  readonly requests: RecordedRequest[] = [];
  /** Containers by id (removed ones are deleted from here and listed in `removed`). */
  readonly containers = new Map<string, FakeContainer>();
  /** Containers DELETEd, in order. */
  readonly removed: FakeContainer[] = [];
  /** Images present (normalized with `:latest`). */
  readonly images = new Set<string>();
  /** What GET /version says. */
  flavor: EngineFlavor;
  /** When set, a pull streams a progress line and then this error line (HTTP 200, like the engines). */
  pullError: string | undefined;
  /** Requests failing with an engine error (checked before any handling). */
  readonly failures: FakeFailure[] = [];
  /** Exit code of a container stopped with POST stop (SIGTERM: 143). */
  stopExitCode = 143;

  private readonly dir: string;
  private readonly server: http.Server;
  private readonly waiters = new Map<string, Set<http.ServerResponse>>();
  private readonly followers = new Map<string, Set<{ res: http.ServerResponse; stdout: boolean; stderr: boolean }>>();
  private nextId = 1;
  private nextPid = 40_000;

  private constructor(opts: FakeEngineOptions) {
    this.flavor = opts.flavor ?? 'podman';
    for (const i of opts.images ?? []) this.images.add(normalizeImage(i));
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'muster-fake-engine-'));
    this.socketPath = path.join(this.dir, 'engine.sock');
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req, res, Buffer.concat(chunks).toString('utf8')));
    });
  }

  /** start creates a fake engine listening on a fresh socket. */
  static async start(opts: FakeEngineOptions = {}): Promise<FakeEngine> {
    const e = new FakeEngine(opts);
    await new Promise<void>((resolve, reject) => {
      e.server.once('error', reject);
      e.server.listen(e.socketPath, () => resolve());
    });
    return e;
  }

  /** close ends every open response, stops the server and removes its temp dir. */
  async close(): Promise<void> {
    for (const set of this.followers.values()) for (const f of set) f.res.destroy();
    for (const set of this.waiters.values()) for (const r of set) r.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** addContainer puts a container in the engine as if someone (a previous agent) had created it. */
  addContainer(c: { name: string; labels: Record<string, string>; state: FakeContainerState; image?: string; exitCode?: number; oomKilled?: boolean; frames?: Buffer[] }): FakeContainer {
    const id = this.newId();
    const container: FakeContainer = {
      id,
      name: c.name,
      image: c.image ?? 'busybox:latest',
      labels: c.labels,
      state: c.state,
      pid: c.state === 'running' || c.state === 'paused' ? this.nextPid++ : 0,
      exitCode: c.exitCode ?? 0,
      oomKilled: c.oomKilled ?? false,
      error: '',
      startedAt: c.state === 'created' ? '0001-01-01T00:00:00Z' : new Date(Date.now() - 60_000).toISOString(),
      created: Math.floor(Date.now() / 1000) - 120,
      frames: [...(c.frames ?? [])],
    };
    this.containers.set(id, container);
    return container;
  }

  /** container finds a container by id or name (the engine accepts both). */
  container(idOrName: string): FakeContainer | undefined {
    const name = idOrName.replace(/^\//, '');
    return this.containers.get(idOrName) ?? [...this.containers.values()].find((c) => c.name === name);
  }

  /** only returns the one container the engine holds (fails when there are none or several). */
  only(): FakeContainer {
    const all = [...this.containers.values()];
    if (all.length !== 1) throw new Error(`expected one container, the engine has ${all.length}`);
    return all[0]!;
  }

  /** output makes a container write to stdout or stderr (a frame, sent to followers at once). */
  output(idOrName: string, stream: 'stdout' | 'stderr', data: string | Buffer): void {
    const c = this.mustGet(idOrName);
    const f = frame(stream === 'stdout' ? 1 : 2, data);
    c.frames.push(f);
    for (const fl of this.followers.get(c.id) ?? []) if (stream === 'stdout' ? fl.stdout : fl.stderr) fl.res.write(f);
  }

  /** exit makes a running container exit: pending waits answer and log followers end. */
  exit(idOrName: string, code: number, opts: { oomKilled?: boolean; error?: string } = {}): void {
    const c = this.mustGet(idOrName);
    c.state = 'exited';
    c.exitCode = code;
    c.oomKilled = opts.oomKilled ?? false;
    c.error = opts.error ?? '';
    c.pid = 0;
    this.release(c);
  }

  /** dropConnections cuts every open wait and log follow, as an engine restart does (containers keep their state). */
  dropConnections(): void {
    for (const set of this.waiters.values()) for (const r of set) r.destroy();
    for (const set of this.followers.values()) for (const f of set) f.res.destroy();
    this.waiters.clear();
    this.followers.clear();
  }

  /** forget removes a container without a trace (no exit, no DELETE recorded), as if it vanished while nobody watched. */
  forget(idOrName: string): void {
    this.containers.delete(this.mustGet(idOrName).id);
  }

  /** pending says how many waits and log followers a container has open. */
  pending(idOrName: string): { waits: number; follows: number } {
    const c = this.mustGet(idOrName);
    return { waits: this.waiters.get(c.id)?.size ?? 0, follows: this.followers.get(c.id)?.size ?? 0 };
  }

  /** requestsTo filters the recorded requests by method and unprefixed path. */
  requestsTo(method: string, pathRe: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && pathRe.test(r.path));
  }

  private mustGet(idOrName: string): FakeContainer {
    const c = this.container(idOrName);
    if (!c) throw new Error(`fake engine: no container ${idOrName}`);
    return c;
  }

  private newId(): string {
    return (this.nextId++).toString(16).padStart(64, 'c');
  }

  private release(c: FakeContainer): void {
    for (const r of this.waiters.get(c.id) ?? []) json(r, 200, { StatusCode: c.exitCode, Error: null });
    this.waiters.delete(c.id);
    for (const f of this.followers.get(c.id) ?? []) f.res.end();
    this.followers.delete(c.id);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, rawBody: string): void {
    const url = new URL(req.url ?? '/', 'http://engine');
    const p = decodeURIComponent(url.pathname).replace(/^\/v\d+\.\d+(?=\/)/, '');
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    let body: unknown;
    try {
      body = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      body = undefined;
    }
    const method = req.method ?? 'GET';
    this.requests.push({ method, path: p, query, body, rawBody });

    const failure = this.failures.find((f) => f.method === method && f.path.test(p));
    if (failure) return json(res, failure.status, { message: failure.message });

    let m: RegExpExecArray | null;
    if (method === 'GET' && p === '/version') return this.version(res);
    if (method === 'GET' && (m = /^\/images\/(.+)\/json$/.exec(p))) {
      return this.images.has(normalizeImage(m[1]!)) ? json(res, 200, { Id: 'sha256:' + 'a'.repeat(64), RepoTags: [normalizeImage(m[1]!)] }) : json(res, 404, { message: `failed to find image ${m[1]}: image not known` });
    }
    if (method === 'POST' && p === '/images/create') return this.pull(res, query);
    if (method === 'POST' && p === '/containers/create') return this.create(res, query, body);
    if (method === 'GET' && p === '/containers/json') return this.list(res, query);
    if ((m = /^\/containers\/([^/]+)(\/[a-z]+)?$/.exec(p))) {
      const c = this.container(m[1]!);
      if (!c) return json(res, 404, { message: `no container with name or ID "${m[1]}" found: no such container` });
      const op = `${method} ${m[2] ?? ''}`;
      switch (op) {
        case 'POST /start':
          return this.startContainer(res, c);
        case 'GET /json':
          return json(res, 200, inspectOf(c));
        case 'POST /wait':
          return this.wait(res, c);
        case 'GET /logs':
          return this.logs(res, c, query);
        case 'POST /stop':
          if (c.state !== 'running' && c.state !== 'paused') return end(res, 304);
          this.exit(c.id, this.stopExitCode);
          return end(res, 204);
        case 'POST /kill':
          if (c.state !== 'running' && c.state !== 'paused') return json(res, 409, { message: `container ${c.id} is not running` });
          this.exit(c.id, 137);
          return end(res, 204);
        case 'DELETE ':
          return this.remove(res, c, query);
      }
    }
    json(res, 404, { message: `fake engine: no route ${method} ${p}` });
  }

  private version(res: http.ServerResponse): void {
    if (this.flavor === 'podman') {
      json(res, 200, { Platform: { Name: 'linux/amd64/fedora-40' }, Components: [{ Name: 'Podman Engine', Version: '5.2.0', Details: {} }], Version: '5.2.0', ApiVersion: '1.41', MinAPIVersion: '1.24', Os: 'linux', Arch: 'amd64' });
    } else {
      json(res, 200, { Platform: { Name: 'Docker Engine - Community' }, Components: [{ Name: 'Engine', Version: '26.1.0', Details: {} }, { Name: 'containerd', Version: '1.7.0', Details: {} }], Version: '26.1.0', ApiVersion: '1.45', MinAPIVersion: '1.24', Os: 'linux', Arch: 'amd64' });
    }
  }

  private pull(res: http.ServerResponse, query: Record<string, string>): void {
    const ref = query.tag ? `${query.fromImage}${query.tag.startsWith('sha256:') ? '@' : ':'}${query.tag}` : (query.fromImage ?? '');
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write(JSON.stringify({ status: `Trying to pull ${ref}...` }) + '\n');
    if (this.pullError !== undefined) {
      res.end(JSON.stringify({ error: this.pullError, errorDetail: { message: this.pullError } }) + '\n');
      return;
    }
    res.write(JSON.stringify({ status: 'Downloading', progressDetail: { current: 1, total: 2 }, id: 'abc' }) + '\n');
    this.images.add(normalizeImage(ref));
    res.end(JSON.stringify({ status: `Status: Downloaded newer image for ${ref}` }) + '\n');
  }

  private create(res: http.ServerResponse, query: Record<string, string>, body: unknown): void {
    const b = (body ?? {}) as { Image?: string; Labels?: Record<string, string> };
    const name = query.name ?? '';
    if (name && this.container(name)) return json(res, 409, { message: `the container name "${name}" is already in use` });
    const id = this.newId();
    this.containers.set(id, {
      id,
      name: name || `fake_${id.slice(0, 8)}`,
      image: b.Image ?? '',
      labels: b.Labels ?? {},
      createBody: body,
      state: 'created',
      pid: 0,
      exitCode: 0,
      oomKilled: false,
      error: '',
      startedAt: '0001-01-01T00:00:00Z',
      created: Math.floor(Date.now() / 1000),
      frames: [],
    });
    json(res, 201, { Id: id, Warnings: [] });
  }

  private startContainer(res: http.ServerResponse, c: FakeContainer): void {
    if (c.state === 'running') return end(res, 304);
    c.state = 'running';
    c.pid = this.nextPid++;
    c.startedAt = new Date().toISOString();
    end(res, 204);
  }

  private wait(res: http.ServerResponse, c: FakeContainer): void {
    if (c.state === 'exited' || c.state === 'created') return json(res, 200, { StatusCode: c.exitCode, Error: null });
    // Headers go out at once, like the engines (a long-poll whose body comes at exit).
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    const set = this.waiters.get(c.id) ?? new Set();
    set.add(res);
    this.waiters.set(c.id, set);
    res.once('close', () => set.delete(res));
  }

  private logs(res: http.ServerResponse, c: FakeContainer, query: Record<string, string>): void {
    const truthy = (v: string | undefined): boolean => v === '1' || v === 'true';
    const stdout = truthy(query.stdout);
    const stderr = truthy(query.stderr);
    res.writeHead(200, { 'Content-Type': 'application/vnd.docker.multiplexed-stream' });
    for (const f of c.frames) if ((f[0] === 1 && stdout) || (f[0] === 2 && stderr)) res.write(f);
    if (!truthy(query.follow) || (c.state !== 'running' && c.state !== 'paused')) return void res.end();
    res.flushHeaders();
    const set = this.followers.get(c.id) ?? new Set();
    const fl = { res, stdout, stderr };
    set.add(fl);
    this.followers.set(c.id, set);
    res.once('close', () => set.delete(fl));
  }

  private remove(res: http.ServerResponse, c: FakeContainer, query: Record<string, string>): void {
    const force = query.force === 'true' || query.force === '1';
    if ((c.state === 'running' || c.state === 'paused') && !force) return json(res, 409, { message: `cannot remove container ${c.id} as it is running - running or paused containers cannot be removed without force` });
    if (c.state === 'running' || c.state === 'paused') this.exit(c.id, 137);
    this.containers.delete(c.id);
    this.removed.push(c);
    end(res, 204);
  }

  private list(res: http.ServerResponse, query: Record<string, string>): void {
    const all = query.all === 'true' || query.all === '1';
    let labels: string[] = [];
    if (query.filters) {
      const f = JSON.parse(query.filters) as { label?: string[] | Record<string, boolean> };
      labels = Array.isArray(f.label) ? f.label : Object.keys(f.label ?? {});
    }
    const has = (c: FakeContainer, l: string): boolean => {
      const eq = l.indexOf('=');
      return eq < 0 ? l in c.labels : c.labels[l.slice(0, eq)] === l.slice(eq + 1);
    };
    const out = [...this.containers.values()]
      .filter((c) => all || c.state === 'running')
      .filter((c) => labels.every((l) => has(c, l)))
      .map((c) => ({ Id: c.id, Names: ['/' + c.name], Image: c.image, Labels: c.labels, State: c.state, Status: c.state, Created: c.created }));
    json(res, 200, out);
  }
}

function inspectOf(c: FakeContainer): unknown {
  return {
    Id: c.id,
    Name: '/' + c.name,
    Image: c.image,
    Config: { Labels: c.labels, Image: c.image },
    State: {
      Status: c.state,
      Running: c.state === 'running' || c.state === 'paused',
      Paused: c.state === 'paused',
      Pid: c.pid,
      ExitCode: c.exitCode,
      OOMKilled: c.oomKilled,
      Error: c.error,
      StartedAt: c.startedAt,
      FinishedAt: c.state === 'exited' ? new Date().toISOString() : '0001-01-01T00:00:00Z',
    },
  };
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  if (!res.headersSent) res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function end(res: http.ServerResponse, status: number): void {
  res.writeHead(status);
  res.end();
}
