import { describe, expect, it } from 'vitest';
import { CONTAINER_HOSTFILE, type PodSpec } from './driver.js';
import { cdiName, containerName, createOptions, keyOfLabels, LABELS, labelsOf, mountProblem, type ContainerSpecOptions } from './container-spec.js';

const OPTS: ContainerSpecOptions = { scope: 'node1-abc123', node: 'node1', gpuDevices: 'cdi', agentUser: { uid: 990, gid: 990 } };
const GPU_A = 'GPU-11111111-2222-3333-4444-555555555555';
const GPU_B = 'MIG-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';

function spec(over: Partial<PodSpec> = {}): PodSpec {
  return {
    podId: 'train/workers/0/1',
    jobsetUid: '0123abcd-4567-89ef',
    generation: 2,
    image: 'nvcr.io/nvidia/pytorch:24.05-py3',
    command: [],
    args: [],
    env: { PATH: '/usr/bin:/bin', MUSTER_RANK: '1' },
    workingDir: '/workspace',
    stdoutPath: '/var/lib/muster/pods/x/stdout.log',
    stderrPath: '/var/lib/muster/pods/x/stderr.log',
    podDir: '/var/lib/muster/pods/x',
    user: 'alice',
    ...over,
  };
}

/** envOf turns a create body's Env list back into a map (failing on duplicates). */
function envOf(env: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of env ?? []) {
    const eq = kv.indexOf('=');
    const k = kv.slice(0, eq);
    expect(out, `duplicate env ${k}`).not.toHaveProperty(k);
    out[k] = kv.slice(eq + 1);
  }
  return out;
}

describe('createOptions', () => {
  it('uses the host network and binds the hostfile read-only at CONTAINER_HOSTFILE', () => {
    const body = createOptions(spec({ hostfilePath: '/var/lib/muster/pods/x/hostfile' }), OPTS);
    expect(body.HostConfig?.NetworkMode).toBe('host');
    expect(CONTAINER_HOSTFILE).toBe('/etc/muster/hostfile');
    expect(body.HostConfig?.Binds).toEqual(['/var/lib/muster/pods/x/hostfile:/etc/muster/hostfile:ro']);
    expect(body.Image).toBe('nvcr.io/nvidia/pytorch:24.05-py3');
    expect(body.WorkingDir).toBe('/workspace');
    expect(body.Tty).toBe(false);
  });

  it('binds no hostfile when the pod has none', () => {
    expect(createOptions(spec(), OPTS).HostConfig?.Binds).toEqual([]);
  });

  it('binds mounts read-only or read-write as asked, after the hostfile', () => {
    const body = createOptions(
      spec({
        hostfilePath: '/h',
        mounts: [
          { hostPath: '/data/set', containerPath: '/data', readOnly: true },
          { hostPath: '/scratch/alice', containerPath: '/scratch', readOnly: false },
        ],
      }),
      OPTS,
    );
    expect(body.HostConfig?.Binds).toEqual(['/h:/etc/muster/hostfile:ro', '/data/set:/data:ro', '/scratch/alice:/scratch:rw']);
  });

  it('command replaces the entrypoint and args become Cmd', () => {
    const body = createOptions(spec({ command: ['python', '-u'], args: ['train.py', '--lr', '3e-4'] }), OPTS);
    expect(body.Entrypoint).toEqual(['python', '-u']);
    expect(body.Cmd).toEqual(['train.py', '--lr', '3e-4']);
  });

  it('command without args drops the image cmd (Cmd = [])', () => {
    const body = createOptions(spec({ command: ['sleep', '10'] }), OPTS);
    expect(body.Entrypoint).toEqual(['sleep', '10']);
    expect(body.Cmd).toEqual([]);
  });

  it('only args set Cmd and keep the image entrypoint', () => {
    const body = createOptions(spec({ args: ['--epochs', '3'] }), OPTS);
    expect(body.Cmd).toEqual(['--epochs', '3']);
    expect(body).not.toHaveProperty('Entrypoint');
  });

  it('neither command nor args keeps the image entrypoint and cmd', () => {
    const body = createOptions(spec(), OPTS);
    expect(body).not.toHaveProperty('Entrypoint');
    expect(body).not.toHaveProperty('Cmd');
  });

  it('runs as the identity uid:gid with its groups added', () => {
    const body = createOptions(spec({ identity: { user: 'alice', uid: 1001, gid: 1002, groups: [1002, 27, 44], home: '/home/alice' } }), OPTS);
    expect(body.User).toBe('1001:1002');
    expect(body.HostConfig?.GroupAdd).toEqual(['1002', '27', '44']);
  });

  it('identity without supplementary groups sets User only', () => {
    const body = createOptions(spec({ identity: { user: 'bob', uid: 2000, gid: 2000, groups: [], home: '/home/bob' } }), OPTS);
    expect(body.User).toBe('2000:2000');
    expect(body.HostConfig).not.toHaveProperty('GroupAdd');
  });

  it('no identity (runPodsAs: agent) runs as the agent\'s own ids, never the image\'s user', () => {
    const body = createOptions(spec(), OPTS);
    expect(body.User).toBe('990:990');
    expect(body.HostConfig).not.toHaveProperty('GroupAdd');
  });

  it('no new privileges and no capabilities: a setuid binary in the image gains nothing, the pod can do what its user can', () => {
    const body = createOptions(spec({ identity: { user: 'alice', uid: 1001, gid: 1001, groups: [1001], home: '/home/alice' } }), OPTS);
    expect(body.HostConfig).toMatchObject({ SecurityOpt: ['no-new-privileges'], CapDrop: ['ALL'] });
  });

  it('a pod an admin lets run as root keeps the engine\'s default capabilities, still without new privileges', () => {
    const body = createOptions(spec({ identity: { user: 'root', uid: 0, gid: 0, groups: [0], home: '/root' } }), OPTS);
    expect(body.User).toBe('0:0');
    expect(body.HostConfig?.SecurityOpt).toEqual(['no-new-privileges']);
    expect(body.HostConfig).not.toHaveProperty('CapDrop');
  });

  it('binds the CPUs as a cpulist and the memory to the NUMA node', () => {
    const body = createOptions(spec({ cpus: [8, 0, 1, 2, 3], numaNode: 1 }), OPTS);
    expect(body.HostConfig?.CpusetCpus).toBe('0-3,8');
    expect(body.HostConfig?.CpusetMems).toBe('1');
  });

  it('an unknown NUMA node (-1) or none leaves CpusetMems unset', () => {
    expect(createOptions(spec({ cpus: [4, 5], numaNode: -1 }), OPTS).HostConfig).not.toHaveProperty('CpusetMems');
    const noNode = createOptions(spec({ cpus: [4, 5] }), OPTS).HostConfig;
    expect(noNode?.CpusetCpus).toBe('4-5');
    expect(noNode).not.toHaveProperty('CpusetMems');
  });

  it('an unbound pod gets no cpuset', () => {
    const hc = createOptions(spec({ cpus: [], numaNode: 0 }), OPTS).HostConfig;
    expect(hc).not.toHaveProperty('CpusetCpus');
    expect(hc).not.toHaveProperty('CpusetMems');
  });

  it('sets Memory and ShmSize only when positive', () => {
    const hc = createOptions(spec({ memoryBytes: 8 * 2 ** 30, shmSizeBytes: 2 ** 30 }), OPTS).HostConfig;
    expect(hc?.Memory).toBe(8 * 2 ** 30);
    expect(hc?.ShmSize).toBe(2 ** 30);
    for (const zero of [spec({ memoryBytes: 0, shmSizeBytes: 0 }), spec()]) {
      const z = createOptions(zero, OPTS).HostConfig;
      expect(z).not.toHaveProperty('Memory');
      expect(z).not.toHaveProperty('ShmSize');
    }
  });

  it('cdi: one cdi DeviceRequest naming every GPU (the Engine API form Docker 25+ and Podman 5.4+ honour), never Devices entries', () => {
    const body = createOptions(spec({ gpuUuids: [GPU_A, GPU_B] }), { ...OPTS, gpuDevices: 'cdi' });
    expect(body.HostConfig?.DeviceRequests).toHaveLength(1);
    expect(body.HostConfig?.DeviceRequests?.[0]).toMatchObject({ Driver: 'cdi', DeviceIDs: [cdiName(GPU_A), cdiName(GPU_B)] });
    // Podman's Docker-compatible API joins Devices fields with ":", which a CDI name cannot survive.
    expect(body.HostConfig).not.toHaveProperty('Devices');
    expect(envOf(body.Env).NVIDIA_VISIBLE_DEVICES).toBe('void');
  });

  it('env mode: no devices, NVIDIA_VISIBLE_DEVICES names the GPUs', () => {
    const body = createOptions(spec({ gpuUuids: [GPU_A, GPU_B] }), { ...OPTS, gpuDevices: 'env' });
    expect(body.HostConfig).not.toHaveProperty('Devices');
    expect(body.HostConfig).not.toHaveProperty('DeviceRequests');
    expect(envOf(body.Env).NVIDIA_VISIBLE_DEVICES).toBe(`${GPU_A},${GPU_B}`);
  });

  it('CUDA_VISIBLE_DEVICES names the GPUs by UUID (replacing host indices) and CUDA_DEVICE_ORDER goes', () => {
    for (const gpuDevices of ['cdi', 'env'] as const) {
      const body = createOptions(spec({ gpuUuids: [GPU_A, GPU_B], env: { PATH: '/bin', CUDA_VISIBLE_DEVICES: '2,3', CUDA_DEVICE_ORDER: 'PCI_BUS_ID', NVIDIA_VISIBLE_DEVICES: '2,3' } }), { ...OPTS, gpuDevices });
      const env = envOf(body.Env);
      expect(env.CUDA_VISIBLE_DEVICES).toBe(`${GPU_A},${GPU_B}`);
      expect(env).not.toHaveProperty('CUDA_DEVICE_ORDER');
      expect(env.PATH).toBe('/bin');
    }
  });

  it('a GPU-less pod sees no GPU: NVIDIA_VISIBLE_DEVICES=void, CUDA_VISIBLE_DEVICES empty, no devices', () => {
    for (const gpuDevices of ['cdi', 'env'] as const) {
      const body = createOptions(spec({ env: { CUDA_VISIBLE_DEVICES: '0' } }), { ...OPTS, gpuDevices });
      const env = envOf(body.Env);
      expect(env.NVIDIA_VISIBLE_DEVICES).toBe('void');
      expect(env.CUDA_VISIBLE_DEVICES).toBe('');
      expect(body.HostConfig).not.toHaveProperty('Devices');
      expect(body.HostConfig).not.toHaveProperty('DeviceRequests');
    }
  });

  it('keeps the pod environment otherwise as given', () => {
    const env = envOf(createOptions(spec({ env: { A: '1', B: 'x=y', EMPTY: '' } }), OPTS).Env);
    expect(env).toMatchObject({ A: '1', B: 'x=y', EMPTY: '' });
  });

  it('names and labels the container after the pod incarnation and the agent scope', () => {
    const s = spec();
    const body = createOptions(s, OPTS);
    expect(body.name).toBe(containerName(s, OPTS.scope));
    expect(body.Labels).toEqual(labelsOf(s, OPTS));
    expect(body.Labels?.[LABELS.scope]).toBe('node1-abc123');
    expect(body.Labels?.[LABELS.node]).toBe('node1');
  });
});

describe('labels', () => {
  it('round trip through keyOfLabels', () => {
    const key = { podId: 'train/workers/0/1', jobsetUid: '0123abcd-4567', generation: 7 };
    expect(keyOfLabels(labelsOf(key, OPTS))).toEqual(key);
    expect(keyOfLabels(labelsOf({ ...key, generation: 0 }, OPTS))).toEqual({ ...key, generation: 0 });
  });

  it('keyOfLabels rejects labels that are not a pod key', () => {
    const good = labelsOf({ podId: 'p', jobsetUid: 'u', generation: 3 }, OPTS);
    const without = (k: string): Record<string, string> => Object.fromEntries(Object.entries(good).filter(([n]) => n !== k));
    expect(keyOfLabels(undefined)).toBeUndefined();
    expect(keyOfLabels({})).toBeUndefined();
    expect(keyOfLabels(without(LABELS.generation))).toBeUndefined();
    expect(keyOfLabels(without(LABELS.podId))).toBeUndefined();
    expect(keyOfLabels(without(LABELS.jobsetUid))).toBeUndefined();
    for (const gen of ['', 'x', '1.5', '-1', '1e3', ' 1', '0x10', '9'.repeat(16)]) {
      expect(keyOfLabels({ ...good, [LABELS.generation]: gen }), `generation ${JSON.stringify(gen)}`).toBeUndefined();
    }
  });
});

describe('containerName', () => {
  it('keeps only the engine alphabet', () => {
    const name = containerName({ podId: 'train/workers/0/1 é:x', jobsetUid: 'ab/cd:ef-123456', generation: 12 }, 'node 1/abc');
    expect(name).toMatch(/^[A-Za-z0-9_.-]+$/);
    expect(name).toMatch(/^muster-/);
    expect(name).toMatch(/-g12$/);
  });

  it('differs between incarnations', () => {
    const a = { podId: 'p', jobsetUid: 'u1234567-x', generation: 1 };
    const names = new Set([containerName(a, 's'), containerName({ ...a, generation: 2 }, 's'), containerName({ ...a, jobsetUid: 'u7654321-x' }, 's'), containerName(a, 't')]);
    expect(names.size).toBe(4);
  });
});

describe('mountProblem', () => {
  it('accepts paths under an allowed prefix, and the prefix itself', () => {
    expect(mountProblem('/data/set1', ['/data'])).toBeUndefined();
    expect(mountProblem('/data', ['/data'])).toBeUndefined();
    expect(mountProblem('/data/a/b/c', ['/scratch', '/data/'])).toBeUndefined();
    expect(mountProblem('/anything', ['/'])).toBeUndefined();
  });

  it('refuses relative paths and ".." components', () => {
    expect(mountProblem('data/set1', ['/data'])).toMatch(/absolute/);
    expect(mountProblem('./data', ['/data'])).toMatch(/absolute/);
    expect(mountProblem('/data/../etc', ['/data'])).toMatch(/absolute, without "\.\."/);
    expect(mountProblem('/data/..', ['/data'])).toBeDefined();
  });

  it('refuses paths outside every prefix', () => {
    expect(mountProblem('/etc/shadow', ['/data', '/scratch'])).toMatch(/not under/);
  });

  it('does not let a prefix allow its siblings ("/data" is not "/database")', () => {
    expect(mountProblem('/database', ['/data'])).toMatch(/not under/);
    expect(mountProblem('/database/x', ['/data'])).toMatch(/not under/);
    expect(mountProblem('/data2', ['/data/'])).toMatch(/not under/);
  });

  it('refuses everything when nothing is allowed', () => {
    expect(mountProblem('/data', [])).toMatch(/allows no host paths/);
  });
});
