import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { documentPath, NATIVE_API_VERSION, parseJobSetText, toSubmitRequest } from './document.js';
import { validateJobSet } from './validate.js';
import { InvalidArgumentError, type FieldIssue } from '../errors.js';

const GI = 2 ** 30;
const MI = 2 ** 20;

const YAML_DOC = `
apiVersion: ${NATIVE_API_VERSION}
kind: JobSet
metadata: {name: train, labels: {team: nlp}}
spec:
  queue: research
  replicatedJobs:
    - name: leader
      template:
        parallelism: 1
        template:
          command: ["python", "serve.py"]
          resources: {cpu: 500m, memory: 512Mi}
    - name: workers
      replicas: 2
      dependsOn: [{name: leader, status: Ready}]
      template:
        parallelism: 4
        completions: 4
        completionMode: Indexed
        backoffLimit: 0
        template:
          image: localhost/busybox:test
          command: ["python", "train.py"]
          env: [{name: EPOCHS, value: "3"}]
          resources: {cpu: 4, memory: 16Gi, gpus: 1}
  successPolicy: {operator: All, targetReplicatedJobs: [workers]}
  failurePolicy: {maxRestarts: 3, restartStrategy: InPlace}
`;

/** The same JobSet as JSON, with quantities written differently (0.5 CPU, memory in bytes). */
const JSON_DOC = JSON.stringify({
  apiVersion: NATIVE_API_VERSION,
  kind: 'JobSet',
  metadata: { name: 'train', labels: { team: 'nlp' } },
  spec: {
    queue: 'research',
    replicatedJobs: [
      { name: 'leader', template: { parallelism: 1, template: { command: ['python', 'serve.py'], resources: { cpu: 0.5, memory: 512 * MI } } } },
      {
        name: 'workers',
        replicas: 2,
        dependsOn: [{ name: 'leader', status: 'Ready' }],
        template: {
          parallelism: 4,
          completions: 4,
          completionMode: 'Indexed',
          backoffLimit: 0,
          template: { image: 'localhost/busybox:test', command: ['python', 'train.py'], env: [{ name: 'EPOCHS', value: '3' }], resources: { cpu: '4', memory: '16Gi', gpus: 1 } },
        },
      },
    ],
    successPolicy: { operator: 'All', targetReplicatedJobs: ['workers'] },
    failurePolicy: { maxRestarts: 3, restartStrategy: 'InPlace' },
  },
});

/** issuesOf parses text that must be rejected and returns the issues of the InvalidArgumentError. */
function issuesOf(text: string): FieldIssue[] {
  try {
    parseJobSetText(text);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgumentError);
    return (err as InvalidArgumentError).issues;
  }
  throw new Error('expected parseJobSetText to reject the text');
}

/** withSpecBody builds a native document around a spec body written in YAML (indented 2). */
function doc(specBody: string, head = `apiVersion: ${NATIVE_API_VERSION}\nkind: JobSet\nmetadata: {name: t}\n`): string {
  return `${head}spec:\n${specBody}`;
}

const ONE_POD = (podExtra = '', jobExtra = '', rjExtra = '') => `  replicatedJobs:
    - name: w
${rjExtra}      template:
        parallelism: 1
${jobExtra}        template:
          command: ["true"]
${podExtra}`;

describe('parseJobSetText', () => {
  it('reads the native YAML shape and converts quantities', () => {
    const d = parseJobSetText(YAML_DOC);
    expect(d.name).toBe('train');
    expect(d.labels).toEqual({ team: 'nlp' });
    expect(d.spec.queue).toBe('research');
    const [leader, workers] = d.spec.replicatedJobs;
    expect(leader!.template!.template!.resources).toEqual({ cpuMillis: 500, memoryBytes: 512 * MI, gpus: 0, rdma: 0 });
    expect(workers!.template!.template!.resources).toEqual({ cpuMillis: 4000, memoryBytes: 16 * GI, gpus: 1, rdma: 0 });
    expect(workers!.replicas).toBe(2);
    expect(workers!.dependsOn).toEqual([{ name: 'leader', status: 'Ready' }]);
    expect(workers!.template!.parallelism).toBe(4);
    expect(workers!.template!.template!.env).toEqual([{ name: 'EPOCHS', value: '3' }]);
    expect(d.spec.successPolicy).toEqual({ operator: 'All', targetReplicatedJobs: ['workers'] });
    expect(d.spec.failurePolicy).toEqual({ maxRestarts: 3, restartStrategy: 'InPlace', rules: [] });
    expect(validateJobSet(d.name, d.spec)).toEqual([]);
  });

  it('reads JSON into the same document', () => {
    expect(parseJobSetText(JSON_DOC)).toEqual(parseJobSetText(YAML_DOC));
  });

  it('fills proto defaults for fields the file leaves out', () => {
    const d = parseJobSetText(YAML_DOC);
    const leader = d.spec.replicatedJobs[0]!;
    expect(leader.dependsOn).toEqual([]);
    expect(leader.template!.template!.image).toBe('');
    expect(leader.template!.template!.env).toEqual([]);
    expect(d.spec.coordinator).toBeNull();
    expect(d.spec.suspend).toBe(false);
  });

  it('builds a submit request carrying name, labels, spec and the caller’s identity', () => {
    const d = parseJobSetText(YAML_DOC);
    const req = toSubmitRequest(d, { user: 'ada', submitDir: '/home/ada' });
    expect(req.metadata).toMatchObject({ name: 'train', labels: { team: 'nlp' }, user: 'ada', submitDir: '/home/ada' });
    expect(req.spec).toEqual(d.spec);
  });

  const quantities: { name: string; resources: string; want: Record<string, number> }[] = [
    { name: 'cpu 500m is 500 millicores', resources: '{cpu: 500m}', want: { cpuMillis: 500 } },
    { name: 'cpu 4 is 4000 millicores', resources: '{cpu: 4}', want: { cpuMillis: 4000 } },
    { name: 'cpu 0.25 is 250 millicores', resources: '{cpu: 0.25}', want: { cpuMillis: 250 } },
    { name: 'cpu "2" as a string is 2000 millicores', resources: '{cpu: "2"}', want: { cpuMillis: 2000 } },
    { name: 'memory 16Gi is 16·2^30 bytes', resources: '{memory: 16Gi}', want: { memoryBytes: 16 * GI } },
    { name: 'memory 1G is 10^9 bytes', resources: '{memory: 1G}', want: { memoryBytes: 1e9 } },
    { name: 'memory as a plain number is bytes', resources: '{memory: 1048576}', want: { memoryBytes: MI } },
    { name: 'gpus and rdma are counts', resources: '{gpus: 8, rdma: 2}', want: { gpus: 8, rdma: 2 } },
  ];
  for (const q of quantities) {
    it(q.name, () => {
      const d = parseJobSetText(doc(ONE_POD(`          resources: ${q.resources}\n`)));
      expect(d.spec.replicatedJobs[0]!.template!.template!.resources).toMatchObject(q.want);
    });
  }

  const RES = 'spec.replicatedJobs[0].template.template.resources';
  const rejected: { name: string; text: string; wantPaths: string[] }[] = [
    { name: 'a misspelt Job field', text: doc(ONE_POD('', '        paralelism: 2\n')), wantPaths: ['spec.replicatedJobs[0].template.paralelism'] },
    { name: 'an unknown pod field', text: doc(ONE_POD('          containers: []\n')), wantPaths: ['spec.replicatedJobs[0].template.template.containers'] },
    { name: 'an unknown spec field', text: doc(`  replicas: 3\n${ONE_POD()}`), wantPaths: ['spec.replicas'] },
    { name: 'an unknown top-level field', text: `extra: 1\n${doc(ONE_POD())}`, wantPaths: ['extra'] },
    { name: 'an unknown metadata field', text: doc(ONE_POD(), `apiVersion: ${NATIVE_API_VERSION}\nkind: JobSet\nmetadata: {name: t, namespace: default}\n`), wantPaths: ['metadata.namespace'] },
    { name: 'replicas "two"', text: doc(ONE_POD('', '', '      replicas: "two"\n')), wantPaths: ['spec.replicatedJobs[0].replicas'] },
    { name: 'replicas 1.5', text: doc(ONE_POD('', '', '      replicas: 1.5\n')), wantPaths: ['spec.replicatedJobs[0].replicas'] },
    { name: 'command as a string instead of a list', text: doc(ONE_POD().replace('command: ["true"]', 'command: "true"')), wantPaths: ['spec.replicatedJobs[0].template.template.command'] },
    { name: 'replicatedJobs as a mapping', text: doc('  replicatedJobs: {w: 1}\n'), wantPaths: ['spec.replicatedJobs'] },
    { name: 'a label value that is not a string', text: doc(ONE_POD(), `apiVersion: ${NATIVE_API_VERSION}\nkind: JobSet\nmetadata: {name: t, labels: {n: 3}}\n`), wantPaths: ['metadata.labels.n'] },
    { name: 'a bad CPU quantity', text: doc(ONE_POD('          resources: {cpu: lots}\n')), wantPaths: [`${RES}.cpu`] },
    { name: 'a bad memory quantity', text: doc(ONE_POD('          resources: {memory: 16GB}\n')), wantPaths: [`${RES}.memory`] },
    { name: 'fractional GPUs', text: doc(ONE_POD('          resources: {gpus: 0.5}\n')), wantPaths: [`${RES}.gpus`] },
    { name: 'an unknown resource', text: doc(ONE_POD('          resources: {tpu: 1}\n')), wantPaths: [`${RES}.tpu`] },
    { name: 'resources as a list', text: doc(ONE_POD('          resources: [cpu]\n')), wantPaths: [RES] },
    { name: 'a wrong apiVersion', text: doc(ONE_POD(), 'apiVersion: jobset.x-k8s.io/v1\nkind: JobSet\nmetadata: {name: t}\n'), wantPaths: ['apiVersion'] },
    { name: 'a wrong kind', text: doc(ONE_POD(), `apiVersion: ${NATIVE_API_VERSION}\nkind: Job\nmetadata: {name: t}\n`), wantPaths: ['kind'] },
    { name: 'no metadata', text: doc(ONE_POD(), `apiVersion: ${NATIVE_API_VERSION}\nkind: JobSet\n`), wantPaths: ['metadata'] },
    { name: 'no spec', text: `apiVersion: ${NATIVE_API_VERSION}\nkind: JobSet\nmetadata: {name: t}\n`, wantPaths: ['spec'] },
    {
      name: 'every problem in one file is reported together',
      text: doc(ONE_POD('          resources: {cpu: lots}\n', '        paralelism: 2\n', '      replicas: "two"\n'), `apiVersion: v0\nkind: JobSet\nmetadata: {name: t}\n`),
      wantPaths: ['apiVersion', 'spec.replicatedJobs[0].replicas', 'spec.replicatedJobs[0].template.paralelism', `${RES}.cpu`],
    },
  ];
  for (const c of rejected) {
    it(`rejects ${c.name} at ${c.wantPaths.join(', ')}`, () => {
      const issues = issuesOf(c.text);
      const paths = issues.map((i) => i.path);
      for (const p of c.wantPaths) expect(paths, JSON.stringify(issues)).toContain(p);
    });
  }

  it('the error message names each path', () => {
    try {
      parseJobSetText(doc(ONE_POD('', '        paralelism: 2\n')));
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toContain('spec.replicatedJobs[0].template.paralelism');
    }
  });

  it('rejects more than one document', () => {
    const one = doc(ONE_POD());
    const issues = issuesOf(`${one}---\n${one}`);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toContain('2');
  });

  it('rejects an empty file', () => {
    expect(issuesOf('').length).toBeGreaterThan(0);
  });

  const garbage: { name: string; text: string }[] = [
    { name: 'invalid YAML (unclosed flow mapping)', text: 'apiVersion: {a: 1\nkind: JobSet' },
    { name: 'invalid YAML (bad indentation)', text: 'spec:\n  a: 1\n b: 2\n' },
    { name: 'invalid JSON (trailing comma)', text: '{"apiVersion": "muster.dev/v1", "kind": "JobSet",}' },
    { name: 'a scalar', text: '42' },
    { name: 'a list', text: '- 1\n- 2\n' },
  ];
  for (const g of garbage) {
    it(`rejects ${g.name} with an InvalidArgumentError`, () => {
      const issues = issuesOf(g.text);
      expect(issues.length).toBeGreaterThan(0);
    });
  }
});

describe('imagePullPolicy, mounts and shmSize in a native file', () => {
  const POD = 'spec.replicatedJobs[0].template.template';
  /** withPod builds a one-pod native file whose pod template is image: busybox, command: ["true"] plus `extra` (YAML flow entries). */
  const withPod = (extra: string) => doc(`  replicatedJobs: [{name: w, template: {template: {image: busybox, command: ["true"], ${extra}}}}]\n`);
  const podOf = (text: string) => parseJobSetText(text).spec.replicatedJobs[0]!.template!.template!;

  it('reads imagePullPolicy and mounts (containerPath and readOnly optional), and validates them', () => {
    const text = withPod('imagePullPolicy: Always, mounts: [{hostPath: /data, containerPath: /mnt/data, readOnly: true}, {hostPath: /scratch}]');
    const pod = podOf(text);
    expect(pod.imagePullPolicy).toBe('Always');
    expect(pod.mounts).toEqual([
      { hostPath: '/data', containerPath: '/mnt/data', readOnly: true },
      { hostPath: '/scratch', containerPath: '', readOnly: false },
    ]);
    const d = parseJobSetText(text);
    expect(validateJobSet(d.name, d.spec)).toEqual([]);
  });

  it('leaves the three fields at their defaults when the file has none', () => {
    expect(podOf(withPod(''))).toMatchObject({ imagePullPolicy: '', mounts: [], shmSizeBytes: 0 });
  });

  const sizes: { name: string; pod: string; want: number }[] = [
    { name: 'shmSize 1Gi is 2^30 bytes', pod: 'shmSize: 1Gi', want: GI },
    { name: 'shmSize 512Mi is 512·2^20 bytes', pod: 'shmSize: 512Mi', want: 512 * MI },
    { name: 'shmSize 1G is 10^9 bytes', pod: 'shmSize: 1G', want: 1e9 },
    { name: 'shmSize as a plain number is bytes', pod: 'shmSize: 1048576', want: MI },
    { name: 'shmSize 0 is the engine default', pod: 'shmSize: 0', want: 0 },
    { name: 'the proto field shmSizeBytes is bytes', pod: 'shmSizeBytes: 1048576', want: MI },
    { name: 'shmSize and shmSizeBytes that agree', pod: 'shmSize: 1Mi, shmSizeBytes: 1048576', want: MI },
  ];
  for (const c of sizes) {
    it(c.name, () => {
      expect(podOf(withPod(c.pod)).shmSizeBytes).toBe(c.want);
    });
  }

  const rejected: { name: string; pod: string; want: string }[] = [
    { name: 'a shmSize that is not a quantity', pod: 'shmSize: lots', want: `${POD}.shmSize` },
    { name: 'a negative shmSize', pod: 'shmSize: -1', want: `${POD}.shmSize` },
    { name: 'a shmSize in a unit Kubernetes does not know', pod: 'shmSize: 1GB', want: `${POD}.shmSize` },
    { name: 'shmSize and shmSizeBytes that disagree', pod: 'shmSize: 1Gi, shmSizeBytes: 1048576', want: `${POD}.shmSizeBytes` },
    { name: 'a mount field Kubernetes calls mountPath', pod: 'mounts: [{hostPath: /data, mountPath: /data}]', want: `${POD}.mounts[0].mountPath` },
    { name: 'readOnly that is not a boolean', pod: 'mounts: [{hostPath: /data, readOnly: "yes"}]', want: `${POD}.mounts[0].readOnly` },
    { name: 'mounts as a mapping', pod: 'mounts: {hostPath: /data}', want: `${POD}.mounts` },
    { name: 'imagePullPolicy that is not a string', pod: 'imagePullPolicy: 1', want: `${POD}.imagePullPolicy` },
  ];
  for (const c of rejected) {
    it(`rejects ${c.name} at ${c.want}`, () => {
      const issues = issuesOf(withPod(c.pod));
      expect(issues.map((i) => i.path)).toEqual([c.want]);
    });
  }

  it('a negative shmSizeBytes parses and is then rejected by validation at shmSize', () => {
    const d = parseJobSetText(withPod('shmSizeBytes: -1'));
    expect(validateJobSet(d.name, d.spec).map((i) => documentPath(d, i.path))).toEqual([`${POD}.shmSize`]);
  });

  it('mounts and shmSize on a pod without an image are rejected by validation', () => {
    const d = parseJobSetText(doc(ONE_POD('          mounts: [{hostPath: /data}]\n          shmSize: 1Gi\n')));
    expect(validateJobSet(d.name, d.spec).map((i) => i.path)).toEqual([`${POD}.mounts`, `${POD}.shmSize`]);
  });
});

describe('the shipped example deploy/examples/leader-workers.yaml', () => {
  const text = readFileSync(fileURLToPath(new URL('../../../deploy/examples/leader-workers.yaml', import.meta.url)), 'utf8');

  it('parses, converts its quantities and validates', () => {
    const d = parseJobSetText(text);
    expect(d.name).toBe('leader-workers');
    expect(d.spec.replicatedJobs.map((r) => r.name)).toEqual(['leader', 'workers']);
    const [leader, workers] = d.spec.replicatedJobs;
    expect(leader!.template!.template!.resources).toEqual({ cpuMillis: 100, memoryBytes: 64 * MI, gpus: 0, rdma: 0 });
    // 4 GPUs per worker pod: two 8-GPU hosts for the 4 workers (the demo's recorded DGX H100s).
    expect(workers!.template!.template!.resources).toEqual({ cpuMillis: 8000, memoryBytes: 64 * 1024 * MI, gpus: 4, rdma: 0 });
    expect(d.spec.coordinator).toEqual({ replicatedJob: 'leader', jobIndex: 0, podIndex: 0 });
    expect(validateJobSet(d.name, d.spec)).toEqual([]);
  });
});

describe('the shipped example deploy/examples/drained-node.yaml (make demo drains a host under it)', () => {
  const text = readFileSync(fileURLToPath(new URL('../../../deploy/examples/drained-node.yaml', import.meta.url)), 'utf8');

  it('parses and validates: two pods that each take a whole 8-GPU host, and no failurePolicy (so a lost host requeues it)', () => {
    const d = parseJobSetText(text);
    expect(d.name).toBe('drained-node');
    expect(validateJobSet(d.name, d.spec)).toEqual([]);
    const [train] = d.spec.replicatedJobs;
    expect(train!.replicas).toBe(2);
    expect(train!.template!.template!.resources!.gpus).toBe(8);
    expect(d.spec.failurePolicy ?? null).toBeNull();
  });
});
