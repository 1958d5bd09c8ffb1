import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PodAssignment, PodTemplate } from '../../shared/src/proto/types.js';
import { buildPodEnv, podWorkingDir } from './pod-env.js';
import { podPaths } from './pod-paths.js';

function template(over: Partial<PodTemplate> = {}): PodTemplate {
  return { image: '', command: ['true'], args: [], env: [], workingDir: '', resources: null, user: '', migProfile: '', imagePullPolicy: '', mounts: [], shmSizeBytes: 0, ...over };
}

function assignment(over: Partial<PodAssignment> = {}): PodAssignment {
  return {
    podId: 'train/workers/1/2',
    jobset: 'train',
    jobsetUid: '0f3c9a7e-5b21-4c8e-9d4f-2a6b8c1e7f90',
    replicatedJob: 'workers',
    jobIndex: 1,
    podIndex: 2,
    generation: 3,
    template: template(),
    env: {},
    binding: null,
    submitDir: '',
    user: '',
    requests: null,
    ...over,
  };
}

const HOSTFILE = '/state/pods/train/0f3c9a7e/workers-1-2/g3/hostfile';

describe('buildPodEnv', () => {
  it('takes only the base variables from the agent environment', () => {
    const env = buildPodEnv({
      agentEnv: { PATH: '/usr/bin', HOME: '/root', LANG: 'C.UTF-8', TZ: 'UTC', SECRET_TOKEN: 'x', MUSTER_NATS_URL: 'nats://a' },
      assignment: assignment(),
      nodeName: 'n1',
      hostfilePath: HOSTFILE,
    });
    expect(env).toEqual({ PATH: '/usr/bin', HOME: '/root', LANG: 'C.UTF-8', TZ: 'UTC', MUSTER_NODE: 'n1', MUSTER_HOSTFILE: HOSTFILE });
  });

  it('layers agent base < template env < scheduler env < agent-only variables', () => {
    const env = buildPodEnv({
      agentEnv: { PATH: '/usr/bin', HOME: '/root' },
      assignment: assignment({
        template: template({
          env: [
            { name: 'PATH', value: '/opt/conda/bin:/usr/bin' }, // template overrides the agent's base
            { name: 'EPOCHS', value: '3' },
            { name: 'RANK', value: 'from-template' }, // the scheduler's value wins
            { name: 'MUSTER_NODE', value: 'spoofed' }, // the agent's value wins
          ],
        }),
        env: { RANK: '5', WORLD_SIZE: '8', MASTER_ADDR: 'h0', MUSTER_HOSTFILE: '/elsewhere' },
      }),
      nodeName: 'gpu-07',
      hostfilePath: HOSTFILE,
    });
    expect(env).toEqual({
      PATH: '/opt/conda/bin:/usr/bin',
      HOME: '/root',
      EPOCHS: '3',
      RANK: '5',
      WORLD_SIZE: '8',
      MASTER_ADDR: 'h0',
      MUSTER_NODE: 'gpu-07',
      MUSTER_HOSTFILE: HOSTFILE,
    });
  });

  it('sets MUSTER_NODE and MUSTER_HOSTFILE even when the pod has no template', () => {
    const env = buildPodEnv({ agentEnv: {}, assignment: assignment({ template: null }), nodeName: 'n1', hostfilePath: HOSTFILE });
    expect(env).toEqual({ MUSTER_NODE: 'n1', MUSTER_HOSTFILE: HOSTFILE });
  });
});

describe('podWorkingDir', () => {
  const podDir = '/state/pods/train/0f3c9a7e/workers-1-2/g3';
  const exists = (dirs: string[]) => (p: string) => dirs.includes(p);

  it('uses template.workingDir when set, even if the submit dir exists', () => {
    const a = assignment({ template: template({ workingDir: '/scratch/run' }), submitDir: '/home/ada/proj' });
    expect(podWorkingDir(a, podDir, exists(['/home/ada/proj']))).toBe('/scratch/run');
  });

  it('takes a relative template.workingDir from the submit dir', () => {
    const a = assignment({ template: template({ workingDir: 'out' }), submitDir: '/home/ada/proj' });
    expect(podWorkingDir(a, podDir, exists([]))).toBe('/home/ada/proj/out');
  });

  it('uses the submit dir when it exists on this host', () => {
    const a = assignment({ submitDir: '/home/ada/proj' });
    expect(podWorkingDir(a, podDir, exists(['/home/ada/proj']))).toBe('/home/ada/proj');
  });

  it("falls back to the pod's own directory when the submit dir is not on this host", () => {
    const a = assignment({ submitDir: '/home/ada/proj' });
    expect(podWorkingDir(a, podDir, exists([]))).toBe(podDir);
  });

  it("uses the pod's own directory when nothing else is given", () => {
    expect(podWorkingDir(assignment(), podDir, exists([]))).toBe(podDir);
  });
});

describe('podPaths', () => {
  it('puts logs and the hostfile in <stateDir>/pods/<jobset>/<uid8>/<rj>-<job>-<pod>/g<generation>', () => {
    const p = podPaths('/state', assignment());
    expect(p).toEqual({
      dir: '/state/pods/train/0f3c9a7e/workers-1-2/g3',
      stdout: '/state/pods/train/0f3c9a7e/workers-1-2/g3/stdout.log',
      stderr: '/state/pods/train/0f3c9a7e/workers-1-2/g3/stderr.log',
      hostfile: '/state/pods/train/0f3c9a7e/workers-1-2/g3/hostfile',
    });
  });

  it('gives a JobSet submitted again under the same name (another uid) other files', () => {
    const again = podPaths('/state', assignment({ jobsetUid: '7d0e4b12-0000-4000-8000-000000000000' }));
    expect(again.dir).toBe('/state/pods/train/7d0e4b12/workers-1-2/g3');
    expect(again.dir).not.toBe(podPaths('/state', assignment()).dir);
  });

  it('refuses a JobSet uid that is missing, short, or not hex and "-"', () => {
    for (const jobsetUid of ['', '0f3c9a7', '../../../etc', '0f3c9a7e/../x', 'zzzzzzzz-1', '0f3c9a7e.1'])
      expect(() => podPaths('/state', assignment({ jobsetUid })), jobsetUid).toThrow(/jobsetUid: /);
    expect(podPaths('/state', assignment({ jobsetUid: 'ABCDEF01' })).dir).toBe('/state/pods/train/ABCDEF01/workers-1-2/g3');
  });

  it('makes a relative state dir absolute', () => {
    expect(path.isAbsolute(podPaths('rel/state', assignment()).dir)).toBe(true);
  });

  it('refuses names that would escape the state dir', () => {
    expect(() => podPaths('/state', assignment({ jobset: '..', replicatedJob: 'a/b' }))).toThrow(/jobset: .*; replicatedJob: /);
  });
});
