import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ContainerCreateOptions } from 'dockerode';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nullLogger } from '../../../shared/src/logger.js';
import { POS_FILE } from './container-logs.js';
import { containerName, labelsOf, LABELS } from './container-spec.js';
import { formatCpuList } from '../../../shared/src/cpulist.js';
import { hostCpusOf, hostNumaNodesOf } from './cpu-affinity.js';
import { podKeyString, type PodExit, type PodKey, type PodSpec, type RecoverOptions } from './driver.js';
import { OciDriver, type OciDriverOptions } from './oci-driver.js';
import { FakeEngine, frame, waitFor, type EngineFlavor, type FakeContainer } from './testdata/fake-engine.js';

const SCOPE = 'node1-5ca1ab1e';
const NODE = 'node1';
const GPU_A = 'GPU-11111111-2222-3333-4444-555555555555';
const GPU_B = 'GPU-66666666-7777-8888-9999-000000000000';

let dir: string;
let allowed: string;
let outside: string;
const engines: FakeEngine[] = [];
const drivers: OciDriver[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'muster-oci-driver-'));
  allowed = path.join(dir, 'allowed');
  outside = path.join(dir, 'outside');
  mkdirSync(path.join(allowed, 'data'), { recursive: true });
  mkdirSync(outside);
  symlinkSync(outside, path.join(allowed, 'escape'));
  symlinkSync(path.join(allowed, 'data'), path.join(allowed, 'inner'));
});

afterEach(async () => {
  for (const d of drivers.splice(0)) d.close();
  for (const e of engines.splice(0)) await e.close();
  rmSync(dir, { recursive: true, force: true });
});

async function setup(opts: { flavor?: EngineFlavor; images?: string[]; driver?: Partial<OciDriverOptions> } = {}): Promise<{ engine: FakeEngine; driver: OciDriver }> {
  const engine = await FakeEngine.start({ flavor: opts.flavor ?? 'podman', images: opts.images ?? ['busybox'] });
  engines.push(engine);
  const driver = new OciDriver({ logger: nullLogger, socketPath: engine.socketPath, scope: SCOPE, node: NODE, gpuDevices: 'cdi', allowedHostPaths: [allowed], logDrainMs: 5000, ...opts.driver });
  drivers.push(driver);
  return { engine, driver };
}

let nextGen = 1;
function spec(over: Partial<PodSpec> = {}): PodSpec {
  const gen = nextGen++;
  const podDir = path.join(dir, 'pods', `g${gen}`);
  mkdirSync(podDir, { recursive: true });
  return {
    podId: 'train/workers/0/0',
    jobsetUid: '0123abcd-0000',
    generation: gen,
    image: 'busybox',
    command: ['sh', '-c', 'echo hi'],
    args: [],
    env: { PATH: '/usr/bin:/bin', MUSTER_RANK: '0' },
    workingDir: '/',
    podDir,
    stdoutPath: path.join(podDir, 'stdout.log'),
    stderrPath: path.join(podDir, 'stderr.log'),
    user: 'alice',
    ...over,
  };
}

async function startRunning(driver: OciDriver, s: PodSpec) {
  const res = await driver.start(s);
  if (res.kind !== 'running') throw new Error(`expected a running pod, got ${JSON.stringify(res.exit)}`);
  return res;
}

async function startFailed(driver: OciDriver, s: PodSpec): Promise<PodExit> {
  const res = await driver.start(s);
  if (res.kind !== 'failed') throw new Error('expected the start to fail, the pod runs');
  return res.exit;
}

function createBody(engine: FakeEngine): ContainerCreateOptions {
  const creates = engine.requestsTo('POST', /^\/containers\/create$/);
  expect(creates).toHaveLength(1);
  return creates[0]!.body as ContainerCreateOptions;
}

function envOf(body: ContainerCreateOptions): Record<string, string> {
  return Object.fromEntries((body.Env ?? []).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}

/** The driver keeps only the CPUs and NUMA node this host has: tests bind to real ones. */
const HOST_CPUS = hostCpusOf();
const HOST_NODE = hostNumaNodesOf()[0] ?? -1;

const read = (f: string): string => (existsSync(f) ? readFileSync(f, 'utf8') : '');

describe('OciDriver.start: what is sent to the engine', () => {
  it('creates the container of a pod with GPUs, CPUs, identity and mounts (CDI GPUs in a cdi device request)', async () => {
    const { engine, driver } = await setup();
    const s = spec({
      gpuUuids: [GPU_A, GPU_B],
      cpus: HOST_CPUS,
      numaNode: HOST_NODE,
      identity: { user: 'alice', uid: 1001, gid: 1001, groups: [1001, 44], home: '/home/alice' },
      mounts: [
        { hostPath: path.join(allowed, 'data'), containerPath: '/data', readOnly: true },
        { hostPath: path.join(allowed, 'inner'), containerPath: '/inner', readOnly: false },
      ],
      hostfilePath: path.join(dir, 'hostfile'),
      memoryBytes: 4 * 2 ** 30,
      shmSizeBytes: 2 ** 30,
      env: { PATH: '/bin', CUDA_VISIBLE_DEVICES: '0,1', CUDA_DEVICE_ORDER: 'PCI_BUS_ID' },
    });
    const res = await startRunning(driver, s);

    const create = engine.requestsTo('POST', /^\/containers\/create$/)[0]!;
    expect(create.query.name).toBe(containerName(s, SCOPE));
    const body = createBody(engine);
    const realData = realpathSync(path.join(allowed, 'data'));
    expect(body.Image).toBe('busybox');
    expect(body.Entrypoint).toEqual(['sh', '-c', 'echo hi']);
    expect(body.Cmd).toEqual([]);
    expect(body.User).toBe('1001:1001');
    expect(body.Labels).toEqual(labelsOf(s, { scope: SCOPE, node: NODE }));
    expect(body.HostConfig).toMatchObject({
      NetworkMode: 'host',
      // mounts are bound by their resolved paths (a link inside the allowed dir is fine)
      Binds: [`${path.join(dir, 'hostfile')}:/etc/muster/hostfile:ro`, `${realData}:/data:ro`, `${realData}:/inner:rw`],
      CpusetCpus: formatCpuList(HOST_CPUS),
      ...(HOST_NODE >= 0 ? { CpusetMems: String(HOST_NODE) } : {}),
      GroupAdd: ['1001', '44'],
      Memory: 4 * 2 ** 30,
      ShmSize: 2 ** 30,
    });
    expect(body.HostConfig?.DeviceRequests).toEqual([expect.objectContaining({ Driver: 'cdi', DeviceIDs: [`nvidia.com/gpu=${GPU_A}`, `nvidia.com/gpu=${GPU_B}`] })]);
    expect(body.HostConfig).not.toHaveProperty('Devices');
    const env = envOf(body);
    expect(env.CUDA_VISIBLE_DEVICES).toBe(`${GPU_A},${GPU_B}`);
    expect(env.NVIDIA_VISIBLE_DEVICES).toBe('void');
    expect(env).not.toHaveProperty('CUDA_DEVICE_ORDER');

    // created, then started; the pid is the engine's
    const c = engine.only();
    const order = engine.requests.map((r) => `${r.method} ${r.path}`);
    expect(order.indexOf('POST /containers/create')).toBeLessThan(order.indexOf(`POST /containers/${c.id}/start`));
    expect(c.state).toBe('running');
    expect(res.pid).toBe(c.pid);
    expect(res.startedMs).toBe(Date.parse(c.startedAt));
    expect(driver.list()).toEqual([{ podId: s.podId, jobsetUid: s.jobsetUid, generation: s.generation, pid: c.pid, startedMs: res.startedMs }]);
  });

  it('drops CPUs and a NUMA node this host lacks from the cpuset', async () => {
    const { engine, driver } = await setup();
    await startRunning(driver, spec({ cpus: [...HOST_CPUS, 4095, 4094], numaNode: 1023 }));
    const hc = createBody(engine).HostConfig;
    expect(hc?.CpusetCpus).toBe(formatCpuList(HOST_CPUS));
    expect(hc).not.toHaveProperty('CpusetMems');
  });

  it('a binding with none of this host\'s CPUs gets no cpuset at all', async () => {
    const { engine, driver } = await setup();
    await startRunning(driver, spec({ cpus: [4095], numaNode: HOST_NODE }));
    const hc = createBody(engine).HostConfig;
    expect(hc).not.toHaveProperty('CpusetCpus');
    expect(hc).not.toHaveProperty('CpusetMems');
  });

  it('asks Docker for CDI GPUs with the same cdi device request', async () => {
    const { engine, driver } = await setup({ flavor: 'docker' });
    await startRunning(driver, spec({ gpuUuids: [GPU_A] }));
    const body = createBody(engine);
    expect(body.HostConfig?.DeviceRequests).toEqual([expect.objectContaining({ Driver: 'cdi', DeviceIDs: [`nvidia.com/gpu=${GPU_A}`] })]);
    expect(body.HostConfig).not.toHaveProperty('Devices');
  });

  it('gpuDevices env: the GPUs go in NVIDIA_VISIBLE_DEVICES, no devices', async () => {
    const { engine, driver } = await setup({ driver: { gpuDevices: 'env' } });
    await startRunning(driver, spec({ gpuUuids: [GPU_A] }));
    const body = createBody(engine);
    expect(envOf(body).NVIDIA_VISIBLE_DEVICES).toBe(GPU_A);
    expect(body.HostConfig).not.toHaveProperty('Devices');
    expect(body.HostConfig).not.toHaveProperty('DeviceRequests');
  });

  it('works with a versioned API path prefix too (the fake accepts both)', async () => {
    const { engine } = await setup();
    const { default: Docker } = await import('dockerode');
    const v = await new Docker({ socketPath: engine.socketPath, version: 'v1.41' }).version();
    expect(v.Components?.[0]?.Name).toBe('Podman Engine');
    expect(engine.requests.at(-1)?.path).toBe('/version');
  });
});

describe('OciDriver.start: host mounts', () => {
  it('refuses a mount through a symbolic link that leaves the allowed dir (MountNotAllowed), creating nothing', async () => {
    const { engine, driver } = await setup();
    const exit = await startFailed(driver, spec({ mounts: [{ hostPath: path.join(allowed, 'escape'), containerPath: '/x', readOnly: true }] }));
    expect(exit).toMatchObject({ phase: 'POD_PHASE_FAILED', reason: 'MountNotAllowed' });
    expect(exit.message).toContain(realpathSync(outside));
    // Checked after the image is made present, right before create (a path swapped for a link during a pull is caught).
    expect(engine.requestsTo('POST', /^\/containers\/create$/)).toEqual([]);
  });

  it('refuses a mount outside the allowed dirs (MountNotAllowed)', async () => {
    const { engine, driver } = await setup();
    const exit = await startFailed(driver, spec({ mounts: [{ hostPath: outside, containerPath: '/x', readOnly: true }] }));
    expect(exit.reason).toBe('MountNotAllowed');
    expect(exit.message).toContain(outside);
    expect(engine.requestsTo('POST', /^\/containers\/create$/)).toEqual([]);
  });

  it('refuses a sibling of an allowed dir sharing its prefix', async () => {
    const { driver } = await setup();
    const sibling = allowed + 'x';
    mkdirSync(sibling);
    const exit = await startFailed(driver, spec({ mounts: [{ hostPath: sibling, containerPath: '/x', readOnly: true }] }));
    expect(exit.reason).toBe('MountNotAllowed');
  });

  it('fails a mount of a missing host path with StartError', async () => {
    const { engine, driver } = await setup();
    const exit = await startFailed(driver, spec({ mounts: [{ hostPath: path.join(allowed, 'missing'), containerPath: '/x', readOnly: true }] }));
    expect(exit.reason).toBe('StartError');
    expect(exit.message).toContain(path.join(allowed, 'missing'));
    expect(engine.requestsTo('POST', /^\/containers\/create$/)).toEqual([]);
  });

  it('refuses every mount when no host path is allowed', async () => {
    const { driver } = await setup({ driver: { allowedHostPaths: [] } });
    const exit = await startFailed(driver, spec({ mounts: [{ hostPath: path.join(allowed, 'data'), containerPath: '/x', readOnly: true }] }));
    expect(exit.reason).toBe('MountNotAllowed');
  });
});

describe('OciDriver.start: images', () => {
  const pulls = (e: FakeEngine) => e.requestsTo('POST', /^\/images\/create$/);
  const creates = (e: FakeEngine) => e.requestsTo('POST', /^\/containers\/create$/);

  it('IfNotPresent (the default) with the image present: no pull', async () => {
    for (const policy of [undefined, '', 'IfNotPresent']) {
      const { engine, driver } = await setup({ images: ['busybox'] });
      await startRunning(driver, spec({ imagePullPolicy: policy }));
      expect(engine.requestsTo('GET', /^\/images\/busybox\/json$/)).toHaveLength(1);
      expect(pulls(engine)).toEqual([]);
      expect(creates(engine)).toHaveLength(1);
    }
  });

  it('IfNotPresent with the image absent: pulls it, then creates', async () => {
    const { engine, driver } = await setup({ images: [] });
    await startRunning(driver, spec({ image: 'registry.example:5000/team/trainer:1.2' }));
    expect(pulls(engine)).toHaveLength(1);
    expect(pulls(engine)[0]!.query).toMatchObject({ fromImage: 'registry.example:5000/team/trainer', tag: '1.2' });
    expect(createBody(engine).Image).toBe('registry.example:5000/team/trainer:1.2');
    const order = engine.requests.map((r) => `${r.method} ${r.path}`);
    expect(order.indexOf('POST /images/create')).toBeLessThan(order.indexOf('POST /containers/create'));
  });

  it('a failed pull is ErrImagePull with the engine\'s message, and nothing is created', async () => {
    const { engine, driver } = await setup({ images: [] });
    engine.pullError = 'initializing source docker://busybox:nope: reading manifest nope in docker.io/library/busybox: manifest unknown';
    const exit = await startFailed(driver, spec({ image: 'busybox:nope' }));
    expect(exit).toMatchObject({ phase: 'POD_PHASE_FAILED', reason: 'ErrImagePull' });
    expect(exit.message).toContain('manifest unknown');
    expect(exit.message).toContain('busybox:nope');
    expect(creates(engine)).toEqual([]);
  });

  it('a pull the engine refuses outright (HTTP error) is ErrImagePull with its message', async () => {
    const { engine, driver } = await setup({ images: [] });
    engine.failures.push({ method: 'POST', path: /^\/images\/create$/, status: 500, message: 'registry unreachable: dial tcp: i/o timeout' });
    const exit = await startFailed(driver, spec());
    expect(exit.reason).toBe('ErrImagePull');
    expect(exit.message).toContain('registry unreachable: dial tcp: i/o timeout');
    expect(exit.message).not.toContain('HTTP code');
  });

  it('Never with the image absent: ErrImageNeverPull, no pull and no create', async () => {
    const { engine, driver } = await setup({ images: [] });
    const exit = await startFailed(driver, spec({ imagePullPolicy: 'Never' }));
    expect(exit.reason).toBe('ErrImageNeverPull');
    expect(pulls(engine)).toEqual([]);
    expect(creates(engine)).toEqual([]);
  });

  it('Never with the image present: runs', async () => {
    const { engine, driver } = await setup({ images: ['busybox'] });
    await startRunning(driver, spec({ imagePullPolicy: 'Never' }));
    expect(pulls(engine)).toEqual([]);
    expect(creates(engine)).toHaveLength(1);
  });

  it('Always: pulls even when the image is present', async () => {
    const { engine, driver } = await setup({ images: ['busybox'] });
    await startRunning(driver, spec({ imagePullPolicy: 'Always' }));
    expect(pulls(engine)).toHaveLength(1);
    expect(pulls(engine)[0]!.query).toMatchObject({ fromImage: 'busybox', tag: 'latest' });
    expect(creates(engine)).toHaveLength(1);
  });
});

describe('OciDriver.start: engine failures', () => {
  it('a refused create is StartError with the engine\'s message', async () => {
    const { engine, driver } = await setup();
    engine.failures.push({ method: 'POST', path: /^\/containers\/create$/, status: 500, message: 'invalid cpuset "0-3,8": numerical result out of range' });
    const exit = await startFailed(driver, spec());
    expect(exit).toMatchObject({ phase: 'POD_PHASE_FAILED', reason: 'StartError' });
    expect(exit.message).toContain('invalid cpuset "0-3,8": numerical result out of range');
    expect(exit.message).not.toContain('HTTP code');
    expect(engine.containers.size).toBe(0);
  });

  it('a refused start is StartError with the engine\'s message, and the container is removed', async () => {
    const { engine, driver } = await setup();
    engine.failures.push({ method: 'POST', path: /^\/containers\/[^/]+\/start$/, status: 500, message: 'crun: unresolvable CDI devices nvidia.com/gpu=GPU-x' });
    const exit = await startFailed(driver, spec());
    expect(exit.reason).toBe('StartError');
    expect(exit.message).toContain('unresolvable CDI devices nvidia.com/gpu=GPU-x');
    expect(engine.containers.size).toBe(0);
    expect(engine.removed).toHaveLength(1);
    const id = engine.removed[0]!.id;
    expect(engine.requestsTo('DELETE', new RegExp(`^/containers/${id}$`))[0]?.query.force).toBe('true');
    expect(driver.list()).toEqual([]);
  });

  it('an unreachable engine is StartError naming the socket', async () => {
    const socketPath = path.join(dir, 'no-engine.sock');
    const driver = new OciDriver({ logger: nullLogger, socketPath, scope: SCOPE, node: NODE, gpuDevices: 'cdi', allowedHostPaths: [allowed] });
    drivers.push(driver);
    const exit = await startFailed(driver, spec());
    expect(exit.reason).toBe('StartError');
    expect(exit.message).toContain(socketPath);
  });

  it('removes a stale container of the same incarnation before creating', async () => {
    const { engine, driver } = await setup();
    const s = spec();
    const stale = engine.addContainer({ name: containerName(s, SCOPE), labels: labelsOf(s, { scope: SCOPE, node: NODE }), state: 'created' });
    await startRunning(driver, s);
    expect(engine.removed.map((c) => c.id)).toEqual([stale.id]);
    expect(engine.only().name).toBe(containerName(s, SCOPE));
  });
});

describe('OciDriver: exits', () => {
  async function runAndExit(code: number, opts: { oomKilled?: boolean; error?: string } = {}): Promise<{ exit: PodExit; engine: FakeEngine; c: FakeContainer }> {
    const { engine, driver } = await setup();
    const res = await startRunning(driver, spec());
    const c = engine.only();
    await waitFor('the driver to wait for the container', () => engine.pending(c.id).waits === 1);
    engine.exit(c.id, code, opts);
    const exit = await res.exited;
    expect(driver.list()).toEqual([]);
    return { exit, engine, c };
  }

  it('exit 0 is Succeeded/Completed, and the container is removed afterwards', async () => {
    const { exit, engine, c } = await runAndExit(0);
    expect(exit).toMatchObject({ phase: 'POD_PHASE_SUCCEEDED', reason: 'Completed', exitCode: 0, signal: '' });
    expect(engine.containers.has(c.id)).toBe(false);
    const del = engine.requestsTo('DELETE', new RegExp(`^/containers/${c.id}$`));
    expect(del).toHaveLength(1);
    expect(del[0]!.query.force).toBe('true');
    // removed only after its exit was read
    const order = engine.requests.map((r) => `${r.method} ${r.path}`);
    expect(order.lastIndexOf(`GET /containers/${c.id}/json`)).toBeLessThan(order.indexOf(`DELETE /containers/${c.id}`));
  });

  it('exit 3 is Failed/Error with the code', async () => {
    const { exit } = await runAndExit(3);
    expect(exit).toMatchObject({ phase: 'POD_PHASE_FAILED', reason: 'Error', exitCode: 3, signal: '' });
    expect(exit.message).toContain('3');
  });

  it('137 without an OOM kill is Signaled SIGKILL', async () => {
    const { exit } = await runAndExit(137);
    expect(exit).toMatchObject({ phase: 'POD_PHASE_FAILED', reason: 'Signaled', exitCode: 137, signal: 'SIGKILL' });
  });

  it('an OOM kill is OOMKilled', async () => {
    const { exit } = await runAndExit(137, { oomKilled: true });
    expect(exit).toMatchObject({ phase: 'POD_PHASE_FAILED', reason: 'OOMKilled', exitCode: 137 });
    expect(exit.message).toMatch(/OOM/);
  });

  it('the engine\'s error about the container goes into the message', async () => {
    const { exit } = await runAndExit(127, { error: 'executable file `trainer` not found in $PATH' });
    expect(exit.reason).toBe('Error');
    expect(exit.message).toContain('executable file `trainer` not found');
  });

  it('copies stdout and stderr frames into the pod\'s files, before and after the follow began', async () => {
    const { engine, driver } = await setup();
    const s = spec();
    const res = await startRunning(driver, s);
    const c = engine.only();
    await waitFor('the log follow', () => engine.pending(c.id).follows === 1);
    engine.output(c.id, 'stdout', 'epoch 1\n');
    engine.output(c.id, 'stderr', 'warning: slow\n');
    engine.output(c.id, 'stdout', 'epoch 2\n');
    await waitFor('the output in the files', () => read(s.stdoutPath) === 'epoch 1\nepoch 2\n' && read(s.stderrPath) === 'warning: slow\n');
    engine.output(c.id, 'stdout', 'done\n');
    engine.exit(c.id, 0);
    await res.exited;
    expect(read(s.stdoutPath)).toBe('epoch 1\nepoch 2\ndone\n');
    expect(read(s.stderrPath)).toBe('warning: slow\n');
    const logs = engine.requestsTo('GET', new RegExp(`^/containers/${c.id}/logs$`));
    expect(logs).toHaveLength(1);
    expect(logs[0]!.query).toMatchObject({ follow: 'true', stdout: 'true', stderr: 'true' });
    expect(JSON.parse(readFileSync(path.join(s.podDir, POS_FILE), 'utf8'))).toEqual({ stdout: 21, stderr: 14 });
  });

  it('output written before the log request arrives is not lost', async () => {
    const { engine, driver } = await setup();
    const s = spec();
    const res = await startRunning(driver, s);
    const c = engine.only();
    engine.output(c.id, 'stdout', 'early\n');
    engine.exit(c.id, 0);
    await res.exited;
    expect(read(s.stdoutPath)).toBe('early\n');
  });
});

// KNOWN BUG in oci-driver.ts (reported; these tests are skipped until it is fixed). Docker and Podman send the
// headers of a wait at once and the body at exit; when the engine restarts, the connection is cut after
// the headers, and docker-modem (non-stream requests listen for `end` and request errors only) never
// settles container.wait() — aborting its signal does not either (the request is already destroyed):
// waitExit hangs, the pod's exit is never reported and stop() never resolves. The log follow is cut
// too and never resumed, so later output never reaches the pod's files. Unskip once the driver
// re-polls (e.g. races each wait against a timer and re-issues it, or inspects periodically) with an
// interval these tests can shorten.
describe('OciDriver: engine restarts (a wait cut after its headers never settles: it is re-asked; a cut log stream is followed again)', () => {
  it('a wait cut by an engine restart is retried, and the exit still comes', async () => {
    const { engine, driver } = await setup({ driver: { waitRepollMs: 200, logRefollowMs: 50 } });
    const res = await startRunning(driver, spec());
    const c = engine.only();
    await waitFor('the wait', () => engine.pending(c.id).waits === 1);
    engine.dropConnections();
    await waitFor('the wait again', () => engine.pending(c.id).waits === 1 && engine.requestsTo('POST', /\/wait$/).length >= 2);
    engine.exit(c.id, 4);
    await expect(res.exited).resolves.toMatchObject({ reason: 'Error', exitCode: 4 });
  });

  it('a container that vanished while the engine was away ends as ExitUnknown', async () => {
    const { engine, driver } = await setup({ driver: { waitRepollMs: 200, logRefollowMs: 50 } });
    const res = await startRunning(driver, spec());
    const c = engine.only();
    await waitFor('the wait', () => engine.pending(c.id).waits === 1);
    engine.forget(c.id);
    engine.dropConnections();
    await expect(res.exited).resolves.toMatchObject({ phase: 'POD_PHASE_FAILED', reason: 'ExitUnknown' });
    expect(driver.list()).toEqual([]);
  });

  it('output written after an engine restart still reaches the pod\'s files', async () => {
    const { engine, driver } = await setup({ driver: { waitRepollMs: 200, logRefollowMs: 50 } });
    const s = spec();
    const res = await startRunning(driver, s);
    const c = engine.only();
    await waitFor('the wait and the follow', () => engine.pending(c.id).waits === 1 && engine.pending(c.id).follows === 1);
    engine.output(c.id, 'stdout', 'before\n');
    await waitFor('the first output', () => read(s.stdoutPath) === 'before\n');
    engine.dropConnections();
    engine.output(c.id, 'stdout', 'after\n');
    engine.exit(c.id, 0);
    await res.exited;
    expect(read(s.stdoutPath)).toBe('before\nafter\n');
  });
});

describe('OciDriver.stop', () => {
  it('stop with a grace period asks the engine to stop with t = ceil(grace in s): Stopped', async () => {
    const { engine, driver } = await setup();
    const s = spec();
    const res = await startRunning(driver, s);
    const c = engine.only();
    const exit = await driver.stop(s, 2500, 'the JobSet was cancelled');
    const stops = engine.requestsTo('POST', new RegExp(`^/containers/${c.id}/stop$`));
    expect(stops).toHaveLength(1);
    expect(stops[0]!.query.t).toBe('3');
    expect(engine.requestsTo('POST', /\/kill$/)).toEqual([]);
    expect(exit).toMatchObject({ phase: 'POD_PHASE_FAILED', reason: 'Stopped', exitCode: 143, signal: 'SIGTERM' });
    expect(exit?.message).toContain('the JobSet was cancelled');
    await expect(res.exited).resolves.toEqual(exit);
    expect(engine.containers.has(c.id)).toBe(false);
  });

  it('rounds the grace period up to whole seconds, at least 1', async () => {
    const { engine, driver } = await setup();
    for (const [graceMs, t] of [[10, '1'], [1000, '1'], [2001, '3']] as const) {
      const s = spec();
      await startRunning(driver, s);
      const c = engine.container(containerName(s, SCOPE))!;
      await driver.stop(s, graceMs, 'x');
      expect(engine.requestsTo('POST', new RegExp(`^/containers/${c.id}/stop$`))[0]?.query.t, `grace ${graceMs} ms`).toBe(t);
    }
  });

  it('stop with no grace period kills at once: Stopped, SIGKILL', async () => {
    const { engine, driver } = await setup();
    const s = spec();
    await startRunning(driver, s);
    const c = engine.only();
    const exit = await driver.stop(s, 0, 'node drained');
    expect(engine.requestsTo('POST', new RegExp(`^/containers/${c.id}/kill$`))).toHaveLength(1);
    expect(engine.requestsTo('POST', /\/stop$/)).toEqual([]);
    expect(exit).toMatchObject({ reason: 'Stopped', exitCode: 137, signal: 'SIGKILL' });
  });

  it('stopping a pod the driver does not run resolves undefined', async () => {
    const { driver } = await setup();
    await expect(driver.stop({ podId: 'nope', jobsetUid: 'x', generation: 1 }, 1000, 'x')).resolves.toBeUndefined();
  });

  it('stopping a pod that already exited by itself is still reported as Stopped', async () => {
    const { engine, driver } = await setup();
    const s = spec();
    const res = await startRunning(driver, s);
    const c = engine.only();
    await waitFor('the wait', () => engine.pending(c.id).waits === 1);
    c.state = 'exited'; // exited, but the wait has not been answered yet: the engine answers stop with 304
    c.exitCode = 0;
    const exit = driver.stop(s, 1000, 'cancelled');
    await waitFor('the stop request', () => engine.requestsTo('POST', /\/stop$/).length === 1);
    engine.exit(c.id, 0);
    await expect(exit).resolves.toMatchObject({ reason: 'Stopped', exitCode: 0 });
    await expect(res.exited).resolves.toMatchObject({ reason: 'Stopped' });
  });
});

describe('OciDriver.close', () => {
  it('stops watching but leaves the container running', async () => {
    const { engine, driver } = await setup();
    await startRunning(driver, spec());
    const c = engine.only();
    await waitFor('the wait and the follow', () => engine.pending(c.id).waits === 1 && engine.pending(c.id).follows === 1);
    driver.close();
    await waitFor('the requests to be dropped', () => engine.pending(c.id).waits === 0 && engine.pending(c.id).follows === 0);
    expect(engine.containers.get(c.id)?.state).toBe('running');
    expect(engine.requestsTo('DELETE', new RegExp(`^/containers/${c.id}$`))).toEqual([]);
    expect(engine.requestsTo('POST', /\/(stop|kill)$/)).toEqual([]);
  });
});

describe('OciDriver.recover', () => {
  function keyOf(podId: string, generation: number): PodKey {
    return { podId, jobsetUid: 'feedbeef-0000', generation };
  }

  function podFiles(key: PodKey): Pick<PodSpec, 'podDir' | 'stdoutPath' | 'stderrPath'> {
    const podDir = path.join(dir, 'pods', key.podId.replace(/\//g, '_'), `g${key.generation}`);
    mkdirSync(podDir, { recursive: true });
    return { podDir, stdoutPath: path.join(podDir, 'stdout.log'), stderrPath: path.join(podDir, 'stderr.log') };
  }

  function recoverOpts(known: PodKey[]): RecoverOptions {
    const ks = new Set(known.map(podKeyString));
    return { known: (k) => ks.has(podKeyString(k)), gracePeriodMs: 1000, filesOf: (k) => (ks.has(podKeyString(k)) ? podFiles(k) : undefined) };
  }

  const labels = (key: PodKey, scope = SCOPE) => labelsOf(key, { scope, node: NODE });

  it('adopts known running containers, reports and removes known exited ones, removes unknown ones', async () => {
    const { engine, driver } = await setup();
    const running = keyOf('js/w/0/0', 1);
    const exited = keyOf('js/w/0/1', 1);
    const unknown = keyOf('js/w/0/2', 1);
    const runningFiles = podFiles(running);
    // The previous agent copied "hello\n" (6 bytes of stdout) and saved its position; "warn\n" on stderr was not copied yet.
    writeFileSync(runningFiles.stdoutPath, 'hello\n');
    writeFileSync(path.join(runningFiles.podDir, POS_FILE), JSON.stringify({ stdout: 6, stderr: 0 }) + '\n');
    const cRunning = engine.addContainer({ name: 'r', labels: labels(running), state: 'running', frames: [frame(1, 'hello\n'), frame(2, 'warn\n')] });
    const cExited = engine.addContainer({ name: 'e', labels: labels(exited), state: 'exited', exitCode: 3, frames: [frame(1, 'last words\n')] });
    const cUnknown = engine.addContainer({ name: 'u', labels: labels(unknown), state: 'running' });
    const cNoKey = engine.addContainer({ name: 'n', labels: { [LABELS.scope]: SCOPE }, state: 'exited' });
    const cOther = engine.addContainer({ name: 'o', labels: labels(running, 'node1-0therag'), state: 'running' });
    const cUnlabelled = engine.addContainer({ name: 'x', labels: {}, state: 'running' });

    const got = await driver.recover(recoverOpts([running, exited]));

    const list = engine.requestsTo('GET', /^\/containers\/json$/);
    expect(list).toHaveLength(1);
    expect(list[0]!.query.all).toBe('true');
    expect(JSON.parse(list[0]!.query.filters!)).toEqual({ label: [`${LABELS.scope}=${SCOPE}`] });

    expect(got).toHaveLength(2);
    const adopted = got.find((p) => p.podId === running.podId);
    const ended = got.find((p) => p.podId === exited.podId);
    expect(adopted).toMatchObject({ ...running, state: 'running', pid: cRunning.pid, startedMs: Date.parse(cRunning.startedAt) });
    expect(ended).toMatchObject({ ...exited, state: 'ended', exit: { phase: 'POD_PHASE_FAILED', reason: 'Error', exitCode: 3 } });

    // unknown ones are removed (forced: they may run); other agents' and unlabelled containers are left alone
    for (const c of [cUnknown, cNoKey]) {
      const del = engine.requestsTo('DELETE', new RegExp(`^/containers/${c.id}$`));
      expect(del, c.name).toHaveLength(1);
      expect(del[0]!.query.force).toBe('true');
    }
    expect(engine.containers.has(cOther.id)).toBe(true);
    expect(engine.containers.has(cUnlabelled.id)).toBe(true);
    // the exited one was removed once its exit was read, and its output copied
    expect(engine.containers.has(cExited.id)).toBe(false);
    expect(read(podFiles(exited).stdoutPath)).toBe('last words\n');

    // the adopted one is watched as the driver's own: listed, its output resumes without duplicates, its exit comes
    expect(driver.list().map((p) => p.podId)).toEqual([running.podId]);
    if (adopted?.state !== 'running') throw new Error('not adopted');
    await waitFor('the adopted container\'s wait and follow', () => engine.pending(cRunning.id).waits === 1 && engine.pending(cRunning.id).follows === 1);
    engine.output(cRunning.id, 'stdout', 'more\n');
    engine.exit(cRunning.id, 0);
    await expect(adopted.exited).resolves.toMatchObject({ reason: 'Completed', exitCode: 0 });
    expect(read(runningFiles.stdoutPath)).toBe('hello\nmore\n');
    expect(read(runningFiles.stderrPath)).toBe('warn\n');
    expect(engine.containers.has(cRunning.id)).toBe(false);
    expect(driver.list()).toEqual([]);
  });

  it('across an agent restart (close, then a new driver recovers): output is copied exactly once', async () => {
    const { engine, driver } = await setup();
    const s = spec();
    await startRunning(driver, s);
    const c = engine.only();
    await waitFor('the log follow', () => engine.pending(c.id).follows === 1);
    engine.output(c.id, 'stdout', 'before\n');
    engine.output(c.id, 'stderr', 'e1\n');
    await waitFor('the first output', () => read(s.stdoutPath) === 'before\n' && read(s.stderrPath) === 'e1\n');
    driver.close(); // the agent stops; the container runs on
    await waitFor('the first agent to let go', () => engine.pending(c.id).follows === 0 && engine.pending(c.id).waits === 0);
    expect(readFileSync(path.join(s.podDir, POS_FILE), 'utf8')).toContain('"stdout":7');
    engine.output(c.id, 'stdout', 'while down\n');

    const next = new OciDriver({ logger: nullLogger, socketPath: engine.socketPath, scope: SCOPE, node: NODE, gpuDevices: 'cdi', allowedHostPaths: [allowed] });
    drivers.push(next);
    const got = await next.recover({ known: (k) => podKeyString(k) === podKeyString(s), gracePeriodMs: 1000, filesOf: () => ({ podDir: s.podDir, stdoutPath: s.stdoutPath, stderrPath: s.stderrPath }) });
    expect(got).toMatchObject([{ podId: s.podId, generation: s.generation, state: 'running' }]);
    if (got[0]?.state !== 'running') throw new Error('not adopted');
    await waitFor('the new follow', () => engine.pending(c.id).follows === 1);
    engine.output(c.id, 'stdout', 'after\n');
    engine.exit(c.id, 0);
    await expect(got[0].exited).resolves.toMatchObject({ reason: 'Completed' });
    expect(read(s.stdoutPath)).toBe('before\nwhile down\nafter\n');
    expect(read(s.stderrPath)).toBe('e1\n');
  });

  it('an adopted container can be stopped', async () => {
    const { engine, driver } = await setup();
    const key = keyOf('js/w/1/0', 4);
    const c = engine.addContainer({ name: 'r', labels: labels(key), state: 'running' });
    const got = await driver.recover(recoverOpts([key]));
    expect(got).toMatchObject([{ ...key, state: 'running' }]);
    const exit = await driver.stop(key, 1000, 'cancelled');
    expect(engine.requestsTo('POST', new RegExp(`^/containers/${c.id}/stop$`))).toHaveLength(1);
    expect(exit).toMatchObject({ reason: 'Stopped', signal: 'SIGTERM' });
  });

  it('a known exited OOM-killed container is reported OOMKilled', async () => {
    const { engine, driver } = await setup();
    const key = keyOf('js/w/2/0', 1);
    engine.addContainer({ name: 'e', labels: labels(key), state: 'exited', exitCode: 137, oomKilled: true });
    const got = await driver.recover(recoverOpts([key]));
    expect(got).toMatchObject([{ ...key, state: 'ended', exit: { reason: 'OOMKilled', exitCode: 137 } }]);
  });

  it('a known pod\'s container that was only created (never started) is removed, not adopted', async () => {
    const { engine, driver } = await setup();
    const key = keyOf('js/w/3/0', 1);
    const c = engine.addContainer({ name: 'c', labels: labels(key), state: 'created' });
    expect(await driver.recover(recoverOpts([key]))).toEqual([]);
    expect(engine.removed.map((r) => r.id)).toEqual([c.id]);
  });

  it('finds nothing in an empty engine', async () => {
    const { driver } = await setup();
    expect(await driver.recover(recoverOpts([]))).toEqual([]);
  });

  it('rejects, naming the socket, when the engine is unreachable', async () => {
    const socketPath = path.join(dir, 'missing', 'podman.sock');
    const driver = new OciDriver({ logger: nullLogger, socketPath, scope: SCOPE, node: NODE, gpuDevices: 'cdi', allowedHostPaths: [allowed] });
    drivers.push(driver);
    await expect(driver.recover(recoverOpts([]))).rejects.toThrow(socketPath);
  });
});
