/**
 * The Kubernetes JobSet project's published examples (deploy/examples/jobset,
 * Apache-2.0, see its README.md): each parses as a Muster JobSet, validates,
 * and keeps what it is an example of.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseJobSetText, type JobSetDocument } from './document.js';
import { validateJobSet } from './validate.js';

const DIR = fileURLToPath(new URL('../../../deploy/examples/jobset/', import.meta.url));
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

function load(file: string): JobSetDocument {
  return parseJobSetText(readFileSync(`${DIR}${file}`, 'utf8'));
}

/** shape is each replicatedJob as name:replicas×parallelism. */
function shape(d: JobSetDocument): string[] {
  return d.spec.replicatedJobs.map((rj) => `${rj.name}:${rj.replicas ?? 1}x${rj.template?.parallelism ?? 1}`);
}

/** What each example must keep once converted. */
const EXPECT: Record<string, (d: JobSetDocument) => void> = {
  'paralleljobs.yaml': (d) => {
    expect(shape(d)).toEqual(['workers:1x4', 'driver:1x1']);
    expect(d.spec.replicatedJobs[0]!.template).toMatchObject({ completions: 4, backoffLimit: 0, template: { image: 'busybox', command: ['sleep'], args: ['100s'] } });
  },
  'ttl-after-finished.yaml': (d) => {
    expect(d.spec.ttlSecondsAfterFinished).toBe(60);
    expect(shape(d)).toEqual(['workers:1x4']);
  },
  'failure-policy.yaml': (d) => {
    expect(d.spec.failurePolicy).toEqual({ maxRestarts: 3, restartStrategy: 'BlockingRecreate', rules: [] });
    expect(shape(d)).toEqual(['leader:1x2', 'workers:1x2']);
    expect(d.spec.replicatedJobs[0]!.template!.template!.command.slice(0, 2)).toEqual(['bash', '-xc']);
  },
  'group.yaml': (d) => {
    expect(shape(d)).toEqual(['rj-1:1x2', 'rj-2:1x2']);
    expect(d.ignored).toEqual(['spec.replicatedJobs[1].groupName']);
  },
  'depends-on.yaml': (d) => {
    expect(shape(d)).toEqual(['initializer:1x1', 'launcher:1x1', 'worker:1x4']);
    expect(d.spec.replicatedJobs.map((rj) => rj.dependsOn)).toEqual([[], [{ name: 'initializer', status: 'Complete' }], [{ name: 'launcher', status: 'Ready' }]]);
    expect(d.ignored).toEqual(['spec.replicatedJobs[1].template.spec.template.spec.containers[0].startupProbe']);
  },
  'multiple-depends-on.yaml': (d) => {
    expect(d.spec.replicatedJobs[2]!.dependsOn).toEqual([
      { name: 'dataset-initializer', status: 'Complete' },
      { name: 'model-initializer', status: 'Complete' },
    ]);
  },
  'startup-driver-ready.yaml': (d) => {
    expect(d.spec.startupPolicy).toEqual({ startupPolicyOrder: 'InOrder' });
    expect(shape(d)).toEqual(['driver:1x1', 'workers:1x4']);
    expect(d.ignored).toEqual(['spec.replicatedJobs[0].template.spec.template.spec.containers[0].readinessProbe']);
  },
  'driver-worker-success-policy.yaml': (d) => {
    expect(d.spec.successPolicy).toEqual({ operator: 'All', targetReplicatedJobs: ['workers'] });
    expect(shape(d)).toEqual(['leader:1x1', 'workers:1x2']);
  },
  'coordinator.yaml': (d) => {
    expect(d.spec.coordinator).toEqual({ replicatedJob: 'driver', jobIndex: 0, podIndex: 0 });
  },
  'failjobset-action.yaml': (d) => {
    expect(d.spec.failurePolicy!.maxRestarts).toBe(3);
    expect(d.spec.failurePolicy!.rules).toEqual([{ name: '', action: 'FailJobSet', onJobFailureReasons: [], onJobFailureMessagePatterns: [], targetReplicatedJobs: ['leader'] }]);
  },
  'restartjobset-action.yaml': (d) => {
    expect(d.spec.failurePolicy!.rules.map((r) => [r.action, r.targetReplicatedJobs])).toEqual([['RestartJobSet', ['leader']]]);
  },
  'restartjobsetandignoremaxrestarts-action.yaml': (d) => {
    expect(d.name).toBe('rjimr-action-example');
    expect(d.spec.failurePolicy!.rules.map((r) => r.action)).toEqual(['RestartJobSetAndIgnoreMaxRestarts']);
  },
  'host-maintenance-event-model.yaml': (d) => {
    expect(d.spec.failurePolicy!.maxRestarts).toBe(0);
    expect(d.spec.failurePolicy!.rules.map((r) => [r.action, r.onJobFailureReasons, r.targetReplicatedJobs])).toEqual([
      ['RestartJobSetAndIgnoreMaxRestarts', ['PodFailurePolicy'], []],
      ['RestartJobSet', [], ['leader']],
    ]);
    expect(d.spec.replicatedJobs[0]!.template!.podFailurePolicy).toEqual({ rules: [{ action: 'FailJob', onExitCodes: null, onPodConditions: [{ type: 'DisruptionTarget', status: '' }] }] });
    expect(d.ignored).toEqual(['spec.replicatedJobs[0].template.spec.template.spec.restartPolicy']);
  },
  'pod-failure-policy.yaml': (d) => {
    expect(d.spec.replicatedJobs[0]!.template!.podFailurePolicy).toEqual({ rules: [{ action: 'FailJob', onExitCodes: { operator: 'NotIn', values: [143] }, onPodConditions: [] }] });
    expect(d.ignored).toEqual([
      'spec.replicatedJobs[0].template.spec.podFailurePolicy.rules[0].onExitCodes.containerName',
      'spec.replicatedJobs[0].template.spec.template.spec.restartPolicy',
      'spec.replicatedJobs[1].template.spec.template.spec.restartPolicy',
    ]);
  },
  'pytorch-mnist.yaml': (d) => {
    expect(shape(d)).toEqual(['workers:1x4']);
    const pod = d.spec.replicatedJobs[0]!.template!.template!;
    expect(pod.env.map((e) => e.name)).toEqual(['MASTER_ADDR', 'MASTER_PORT', 'PYTHONUNBUFFERED']);
    expect(pod.command[2]).toContain('RANK=$RANK WORLD_SIZE=$WORLD_SIZE');
    expect(d.ignored).toEqual([
      'spec.replicatedJobs[0].template.spec.template.spec.containers[0].ports',
      'spec.replicatedJobs[0].template.spec.template.spec.containers[0].env[2].valueFrom (Muster sets RANK itself)',
    ]);
  },
  'pytorch-gpu-training.yaml': (d) => {
    expect(shape(d)).toEqual(['workers:1x2']);
    expect(d.spec.replicatedJobs[0]!.template!.template!.resources).toEqual({ cpuMillis: 0, memoryBytes: 0, gpus: 2, rdma: 0 });
    expect(d.spec.failurePolicy).toEqual({ maxRestarts: 1, restartStrategy: '', rules: [{ name: '', action: 'RestartJobSet', onJobFailureReasons: [], onJobFailureMessagePatterns: [], targetReplicatedJobs: [] }] });
    expect(d.ignored[0]).toBe('spec.network');
  },
};

describe('deploy/examples/jobset (the JobSet project’s examples)', () => {
  it('has a check for every example, and an example for every check', () => {
    expect(FILES).toEqual(Object.keys(EXPECT).sort());
  });

  for (const file of FILES) {
    it(`${file} parses, validates and keeps its meaning`, () => {
      const d = load(file);
      expect(validateJobSet(d.name, d.spec)).toEqual([]);
      // Every example names an image (Kubernetes requires one); Muster keeps it.
      for (const rj of d.spec.replicatedJobs) expect(rj.template!.template!.image).not.toBe('');
      EXPECT[file]!(d);
    });
  }

  it('every file is listed in the README with its source', () => {
    const readme = readFileSync(`${DIR}README.md`, 'utf8');
    for (const file of FILES) expect(readme).toContain(`\`${file}\``);
  });
});
