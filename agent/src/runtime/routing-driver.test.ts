import { describe, expect, it } from 'vitest';
import { podKeyString, type PodExit, type PodKey, type PodSpec, type PodStart, type RecoveredPod, type RecoverOptions, type RunningPod, type RuntimeDriver } from './driver.js';
import { RoutingDriver } from './routing-driver.js';

/** FakeDriver records what it is asked and runs "pods" that exit when stopped. */
class FakeDriver implements RuntimeDriver {
  readonly started: PodSpec[] = [];
  readonly stopped: { key: PodKey; gracePeriodMs: number; why: string }[] = [];
  readonly recoverCalls: RecoverOptions[] = [];
  readonly running = new Map<string, RunningPod>();
  recovered: RecoveredPod[] = [];
  closed = 0;

  constructor(
    readonly name: string,
    private readonly containers: boolean,
  ) {}

  containerized(image: string): boolean {
    return this.containers && image !== '';
  }

  start(spec: PodSpec): Promise<PodStart> {
    this.started.push(spec);
    const pod = { podId: spec.podId, jobsetUid: spec.jobsetUid, generation: spec.generation, pid: 100 + this.started.length, startedMs: 1000 };
    this.running.set(podKeyString(spec), pod);
    return Promise.resolve({ kind: 'running', pid: pod.pid, startedMs: pod.startedMs, exited: new Promise<PodExit>(() => undefined) });
  }

  stop(key: PodKey, gracePeriodMs: number, why: string): Promise<PodExit | undefined> {
    this.stopped.push({ key, gracePeriodMs, why });
    if (!this.running.delete(podKeyString(key))) return Promise.resolve(undefined);
    return Promise.resolve({ phase: 'POD_PHASE_FAILED', reason: 'Stopped', signal: 'SIGTERM', message: `stopped by ${this.name}`, finishedMs: 2000 });
  }

  list(): RunningPod[] {
    return [...this.running.values()];
  }

  recover(opts: RecoverOptions): Promise<RecoveredPod[]> {
    this.recoverCalls.push(opts);
    return Promise.resolve(this.recovered);
  }

  close(): void {
    this.closed++;
  }
}

function spec(podId: string, image: string, generation = 1): PodSpec {
  return { podId, jobsetUid: 'abcdef01-0000', generation, image, command: ['true'], args: [], env: {}, workingDir: '/', stdoutPath: '/tmp/o', stderrPath: '/tmp/e', podDir: '/tmp/p', user: 'u' };
}

function setup() {
  const processes = new FakeDriver('process', false);
  const containers = new FakeDriver('oci', true);
  return { processes, containers, router: new RoutingDriver(processes, containers) };
}

describe('RoutingDriver', () => {
  it('sends pods with an image to the containers driver and the others to the processes driver', async () => {
    const { processes, containers, router } = setup();
    expect(router.name).toBe('router');
    const a = await router.start(spec('with-image', 'busybox'));
    const b = await router.start(spec('plain', ''));
    expect(a.kind).toBe('running');
    expect(b.kind).toBe('running');
    expect(containers.started.map((s) => s.podId)).toEqual(['with-image']);
    expect(processes.started.map((s) => s.podId)).toEqual(['plain']);
  });

  it('containerized follows the containers driver', () => {
    const { router } = setup();
    expect(router.containerized('busybox')).toBe(true);
    expect(router.containerized('')).toBe(false);
  });

  it('stop goes to the driver that runs the pod', async () => {
    const { processes, containers, router } = setup();
    await router.start(spec('c', 'busybox'));
    await router.start(spec('p', ''));

    const c = await router.stop(spec('c', 'busybox'), 3000, 'cancel c');
    expect(c?.message).toBe('stopped by oci');
    expect(containers.stopped).toMatchObject([{ key: { podId: 'c' }, gracePeriodMs: 3000, why: 'cancel c' }]);
    expect(processes.stopped).toEqual([]);

    const p = await router.stop(spec('p', ''), 1000, 'cancel p');
    expect(p?.message).toBe('stopped by process');
    expect(processes.stopped).toMatchObject([{ key: { podId: 'p' }, gracePeriodMs: 1000, why: 'cancel p' }]);
    expect(containers.stopped).toHaveLength(1);
  });

  it('stop tells incarnations apart (another generation of a container pod is not the container\'s)', async () => {
    const { processes, containers, router } = setup();
    await router.start(spec('c', 'busybox', 1));
    await expect(router.stop({ podId: 'c', jobsetUid: 'abcdef01-0000', generation: 2 }, 0, 'x')).resolves.toBeUndefined();
    expect(containers.stopped).toEqual([]);
    expect(processes.stopped).toHaveLength(1);
  });

  it('stopping a pod neither driver runs resolves undefined', async () => {
    const { router } = setup();
    await expect(router.stop({ podId: 'nobody', jobsetUid: 'x', generation: 1 }, 0, 'x')).resolves.toBeUndefined();
  });

  it('list merges both drivers\' pods', async () => {
    const { router } = setup();
    expect(router.list()).toEqual([]);
    await router.start(spec('c1', 'busybox'));
    await router.start(spec('p1', ''));
    await router.start(spec('c2', 'alpine'));
    expect(
      router
        .list()
        .map((p) => p.podId)
        .sort(),
    ).toEqual(['c1', 'c2', 'p1']);
  });

  it('recover asks both drivers with the same options and merges what they found', async () => {
    const { processes, containers, router } = setup();
    const key = (podId: string): PodKey => ({ podId, jobsetUid: 'u', generation: 1 });
    const exit: PodExit = { phase: 'POD_PHASE_FAILED', reason: 'Error', exitCode: 1, signal: '', message: 'x', finishedMs: 1 };
    processes.recovered = [{ ...key('p'), state: 'running', pid: 7, startedMs: 1, exited: new Promise<PodExit>(() => undefined) }];
    containers.recovered = [{ ...key('c'), state: 'ended', exit }];
    const opts: RecoverOptions = { known: () => true, gracePeriodMs: 500, filesOf: () => undefined };
    const got = await router.recover(opts);
    expect(got.map((r) => `${r.podId}:${r.state}`).sort()).toEqual(['c:ended', 'p:running']);
    expect(processes.recoverCalls).toEqual([opts]);
    expect(containers.recoverCalls).toEqual([opts]);
  });

  it('recover fails when either driver fails (the agent must know what runs)', async () => {
    const { containers, router } = setup();
    containers.recover = () => Promise.reject(new Error('cannot list this agent\'s containers at /run/podman/podman.sock'));
    await expect(router.recover({ known: () => true, gracePeriodMs: 0, filesOf: () => undefined })).rejects.toThrow('/run/podman/podman.sock');
  });

  it('close closes both drivers', () => {
    const { processes, containers, router } = setup();
    router.close();
    expect(processes.closed).toBe(1);
    expect(containers.closed).toBe(1);
  });

  it('close works when a driver has no close', () => {
    const processes = new FakeDriver('process', false);
    const containers = new FakeDriver('oci', true);
    const bare: RuntimeDriver = { name: 'bare', start: (s) => processes.start(s), stop: (k, g, w) => processes.stop(k, g, w), list: () => [], containerized: () => false, recover: () => Promise.resolve([]) };
    expect(() => new RoutingDriver(bare, containers).close()).not.toThrow();
    expect(containers.closed).toBe(1);
  });
});
