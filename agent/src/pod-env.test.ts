import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PodAssignment, PodTemplate } from '../../shared/src/proto/types.js';
import { buildPodEnv, podWorkingDir } from './pod-env.js';
import { podPaths } from './pod-paths.js';

function template(over: Partial<PodTemplate> = {}): PodTemplate {
  return { image: '', command: ['true'], args: [], env: [], workingDir: '', resources: null, user: '', ...over };
}

function assignment(over: Partial<PodAssignment> = {}): PodAssignment {
  return {
    podId: 'train/workers/1/2',
    jobset: 'train',
    replicatedJob: 'workers',
    jobIndex: 1,
    podIndex: 2,
    generation: 3,
    template: template(),
    env: {},
    hosts: [],
    binding: null,
    submitDir: '',
    user: '',
    ...over,
  };
}

const HOSTFILE = '/state/pods/train/workers-1-2/g3/hostfile';

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
  const podDir = '/state/pods/train/workers-1-2/g3';
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
  it('puts logs and the hostfile in <stateDir>/pods/<jobset>/<rj>-<job>-<pod>/g<generation>', () => {
    const p = podPaths('/state', assignment());
    expect(p).toEqual({
      dir: '/state/pods/train/workers-1-2/g3',
      stdout: '/state/pods/train/workers-1-2/g3/stdout.log',
      stderr: '/state/pods/train/workers-1-2/g3/stderr.log',
      hostfile: '/state/pods/train/workers-1-2/g3/hostfile',
    });
  });

  it('makes a relative state dir absolute', () => {
    expect(path.isAbsolute(podPaths('rel/state', assignment()).dir)).toBe(true);
  });

  it('refuses names that would escape the state dir', () => {
    expect(() => podPaths('/state', assignment({ jobset: '..', replicatedJob: 'a/b' }))).toThrow(/jobset: .*; replicatedJob: /);
  });
});
