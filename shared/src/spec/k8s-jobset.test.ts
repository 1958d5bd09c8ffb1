import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { InvalidArgumentError, type FieldIssue } from '../errors.js';
import { documentPath, NATIVE_API_VERSION, parseJobSetText } from './document.js';
import { convertK8sJobSet, K8S_JOBSET_API_VERSIONS, toSourcePath } from './k8s-jobset.js';
import { validateJobSet } from './validate.js';

const GI = 2 ** 30;
const MI = 2 ** 20;
const RJ0 = 'spec.replicatedJobs[0]';
const POD0 = `${RJ0}.template.spec.template.spec`;
const C0 = `${POD0}.containers[0]`;

/** A manifest using every field that maps to Muster, as a Kubernetes user writes it. */
const FULL = `
apiVersion: jobset.x-k8s.io/v1alpha2
kind: JobSet
metadata:
  name: train
  labels:
    team: nlp
    kueue.x-k8s.io/queue-name: research
spec:
  suspend: true
  ttlSecondsAfterFinished: 120
  successPolicy: {operator: Any, targetReplicatedJobs: [workers]}
  failurePolicy:
    maxRestarts: 3
    restartStrategy: InPlaceRestart
    rules:
      - name: leaderFails
        action: FailJobSet
        onJobFailureReasons: [PodFailurePolicy]
        onJobFailureMessagePatterns: ["exit code 42"]
        targetReplicatedJobs: [leader]
  startupPolicy: {startupPolicyOrder: AnyOrder}
  coordinator: {replicatedJob: leader, jobIndex: 0, podIndex: 0}
  replicatedJobs:
    - name: leader
      replicas: 1
      template:
        spec:
          parallelism: 1
          completions: 1
          completionMode: Indexed
          backoffLimit: 0
          activeDeadlineSeconds: 3600
          template:
            spec:
              priorityClassName: high
              containers:
                - name: main
                  image: busybox
                  command: ["sh", "-c"]
                  args: ["echo leader"]
                  workingDir: /tmp
                  env:
                    - {name: EPOCHS, value: "3"}
                    - {name: EMPTY}
                  resources:
                    requests: {cpu: 500m, memory: 2Gi}
    - name: workers
      replicas: 2
      dependsOn: [{name: leader, status: Ready}]
      template:
        spec:
          parallelism: 4
          completions: 4
          backoffLimitPerIndex: 1
          maxFailedIndexes: 2
          podFailurePolicy:
            rules:
              - action: FailIndex
                onExitCodes: {containerName: main, operator: In, values: [42]}
              - action: Ignore
                onPodConditions: [{type: DisruptionTarget, status: "True"}]
          template:
            spec:
              priorityClassName: high
              containers:
                - name: main
                  image: busybox
                  command: ["sleep", "1"]
                  resources:
                    requests: {cpu: "4", memory: 16Gi, nvidia.com/gpu: 8, rdma/hca_shared_devices_a: "1"}
`;

/** issuesOf parses text that must be rejected and returns the issues. */
function issuesOf(text: string): FieldIssue[] {
  try {
    parseJobSetText(text);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgumentError);
    return (err as InvalidArgumentError).issues;
  }
  throw new Error('expected parseJobSetText to reject the text');
}

/** manifest builds a one-replicatedJob manifest around a container (YAML flow or block, indented 16) and extra pod spec fields. */
function manifest(container: string, podExtra = '', jobExtra = '', top = ''): string {
  return `apiVersion: jobset.x-k8s.io/v1alpha2
kind: JobSet
metadata: {name: t}
spec:
${top}  replicatedJobs:
    - name: w
      template:
        spec:
          parallelism: 1
${jobExtra}          template:
            spec:
${podExtra}              containers:
                - name: main
                  command: ["true"]
${container}`;
}

describe('convertK8sJobSet', () => {
  it('reads jobset.x-k8s.io/v1alpha2', () => {
    expect(K8S_JOBSET_API_VERSIONS).toEqual(['jobset.x-k8s.io/v1alpha2']);
  });

  it('returns the native file object, mapped field by field', () => {
    const conv = convertK8sJobSet(YAML.parse(FULL) as Record<string, unknown>);
    expect(conv.issues).toEqual([]);
    expect(conv.native).toEqual({
      apiVersion: NATIVE_API_VERSION,
      kind: 'JobSet',
      metadata: { name: 'train', labels: { team: 'nlp', 'kueue.x-k8s.io/queue-name': 'research' } },
      spec: {
        suspend: true,
        ttlSecondsAfterFinished: 120,
        successPolicy: { operator: 'Any', targetReplicatedJobs: ['workers'] },
        failurePolicy: {
          maxRestarts: 3,
          restartStrategy: 'InPlaceRestart',
          rules: [{ name: 'leaderFails', action: 'FailJobSet', onJobFailureReasons: ['PodFailurePolicy'], onJobFailureMessagePatterns: ['exit code 42'], targetReplicatedJobs: ['leader'] }],
        },
        startupPolicy: { startupPolicyOrder: 'AnyOrder' },
        coordinator: { replicatedJob: 'leader', jobIndex: 0, podIndex: 0 },
        replicatedJobs: [
          {
            name: 'leader',
            replicas: 1,
            template: {
              parallelism: 1,
              completions: 1,
              completionMode: 'Indexed',
              backoffLimit: 0,
              activeDeadlineSeconds: 3600,
              template: {
                image: 'busybox',
                command: ['sh', '-c'],
                args: ['echo leader'],
                workingDir: '/tmp',
                env: [{ name: 'EPOCHS', value: '3' }, { name: 'EMPTY' }],
                resources: { cpu: '500m', memory: '2Gi' },
              },
            },
          },
          {
            name: 'workers',
            replicas: 2,
            dependsOn: [{ name: 'leader', status: 'Ready' }],
            template: {
              parallelism: 4,
              completions: 4,
              backoffLimitPerIndex: 1,
              maxFailedIndexes: 2,
              podFailurePolicy: {
                rules: [
                  { action: 'FailIndex', onExitCodes: { operator: 'In', values: [42] } },
                  { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
                ],
              },
              template: { image: 'busybox', command: ['sleep', '1'], resources: { cpu: '4', memory: '16Gi', gpus: 8, rdma: 1 } },
            },
          },
        ],
        queue: 'research',
        priorityClass: 'high',
      },
    });
    expect(conv.ignored).toEqual([`${RJ0.replace('[0]', '[1]')}.template.spec.podFailurePolicy.rules[0].onExitCodes.containerName`]);
  });

  it('parses into the same document as the equivalent native file (quantities converted, policies kept)', () => {
    const d = parseJobSetText(FULL);
    expect(d.name).toBe('train');
    expect(d.labels).toEqual({ team: 'nlp', 'kueue.x-k8s.io/queue-name': 'research' });
    expect(d.spec.queue).toBe('research');
    expect(d.spec.priorityClass).toBe('high');
    expect(d.spec.suspend).toBe(true);
    expect(d.spec.ttlSecondsAfterFinished).toBe(120);
    const [leader, workers] = d.spec.replicatedJobs;
    expect(leader!.template!.template!.resources).toEqual({ cpuMillis: 500, memoryBytes: 2 * GI, gpus: 0, rdma: 0 });
    expect(leader!.template!.template!.env).toEqual([
      { name: 'EPOCHS', value: '3' },
      { name: 'EMPTY', value: '' },
    ]);
    expect(workers!.template!.template!.resources).toEqual({ cpuMillis: 4000, memoryBytes: 16 * GI, gpus: 8, rdma: 1 });
    expect(workers!.template!.podFailurePolicy!.rules[0]).toEqual({ action: 'FailIndex', onExitCodes: { operator: 'In', values: [42] }, onPodConditions: [] });
    expect(d.spec.failurePolicy!.restartStrategy).toBe('InPlaceRestart');
    expect(validateJobSet(d.name, d.spec)).toEqual([]);

    const native = `apiVersion: ${NATIVE_API_VERSION}
kind: JobSet
metadata: {name: train, labels: {team: nlp, kueue.x-k8s.io/queue-name: research}}
spec:
  queue: research
  priorityClass: high
  suspend: true
  ttlSecondsAfterFinished: 120
  successPolicy: {operator: Any, targetReplicatedJobs: [workers]}
  failurePolicy:
    maxRestarts: 3
    restartStrategy: InPlaceRestart
    rules: [{name: leaderFails, action: FailJobSet, onJobFailureReasons: [PodFailurePolicy], onJobFailureMessagePatterns: ["exit code 42"], targetReplicatedJobs: [leader]}]
  startupPolicy: {startupPolicyOrder: AnyOrder}
  coordinator: {replicatedJob: leader, jobIndex: 0, podIndex: 0}
  replicatedJobs:
    - name: leader
      replicas: 1
      template:
        parallelism: 1
        completions: 1
        completionMode: Indexed
        backoffLimit: 0
        activeDeadlineSeconds: 3600
        template:
          image: busybox
          command: [sh, -c]
          args: [echo leader]
          workingDir: /tmp
          env: [{name: EPOCHS, value: "3"}, {name: EMPTY}]
          resources: {cpu: 500m, memory: 2Gi}
    - name: workers
      replicas: 2
      dependsOn: [{name: leader, status: Ready}]
      template:
        parallelism: 4
        completions: 4
        backoffLimitPerIndex: 1
        maxFailedIndexes: 2
        podFailurePolicy:
          rules:
            - {action: FailIndex, onExitCodes: {operator: In, values: [42]}}
            - {action: Ignore, onPodConditions: [{type: DisruptionTarget, status: "True"}]}
        template:
          image: busybox
          command: [sleep, "1"]
          resources: {cpu: 4, memory: 16Gi, gpus: 8, rdma: 1}
`;
    expect(d.spec).toEqual(parseJobSetText(native).spec);
  });

  it('lists every field with no meaning outside Kubernetes, in manifest order, and never fails on them', () => {
    const text = `apiVersion: jobset.x-k8s.io/v1alpha2
kind: JobSet
metadata:
  name: t
  namespace: default
  annotations: {a: b}
  generateName: t-
status: {restarts: 0}
spec:
  network: {enableDNSHostnames: true, subdomain: s}
  managedBy: kueue.x-k8s.io/multikueue
  volumeClaimPolicies: []
  futureField: 1
  replicatedJobs:
    - name: w
      groupName: g
      template:
        metadata: {labels: {x: y}}
        spec:
          parallelism: 1
          podReplacementPolicy: Failed
          template:
            metadata: {annotations: {z: w}}
            spec:
              restartPolicy: OnFailure
              serviceAccountName: sa
              nodeSelector: {gpu: a100}
              tolerations: [{key: k, operator: Exists}]
              affinity: {}
              securityContext: {runAsUser: 1000}
              imagePullSecrets: [{name: s}]
              hostNetwork: true
              dnsPolicy: ClusterFirstWithHostNet
              schedulerName: default-scheduler
              subdomain: s
              volumes: [{name: data, emptyDir: {}}]
              initContainers:
                - {name: setup, image: busybox, command: ["true"]}
                - {name: sidecar, image: busybox, restartPolicy: Always}
              containers:
                - name: main
                  image: busybox
                  imagePullPolicy: IfNotPresent
                  command: ["true"]
                  ports: [{containerPort: 3389}]
                  volumeMounts: [{name: data, mountPath: /data}]
                  readinessProbe: {exec: {command: ["true"]}}
                  livenessProbe: {exec: {command: ["true"]}}
                  securityContext: {privileged: true}
                  envFrom: [{configMapRef: {name: cm}}]
                  resources:
                    requests: {cpu: 1, ephemeral-storage: 1Gi}
                    claims: [{name: gpu}]
`;
    const d = parseJobSetText(text);
    expect(d.ignored).toEqual([
      'status',
      'metadata.namespace',
      'metadata.annotations',
      'metadata.generateName',
      'spec.network',
      'spec.managedBy',
      'spec.volumeClaimPolicies',
      'spec.futureField',
      `${RJ0}.groupName`,
      `${RJ0}.template.metadata`,
      `${RJ0}.template.spec.podReplacementPolicy`,
      `${RJ0}.template.spec.template.metadata`,
      `${POD0}.restartPolicy`,
      `${POD0}.serviceAccountName`,
      `${POD0}.nodeSelector`,
      `${POD0}.tolerations`,
      `${POD0}.affinity`,
      `${POD0}.securityContext`,
      `${POD0}.imagePullSecrets`,
      `${POD0}.hostNetwork`,
      `${POD0}.dnsPolicy`,
      `${POD0}.schedulerName`,
      `${POD0}.subdomain`,
      `${POD0}.volumes`,
      `${POD0}.initContainers`,
      `${C0}.ports`,
      `${C0}.volumeMounts`,
      `${C0}.readinessProbe`,
      `${C0}.livenessProbe`,
      `${C0}.securityContext`,
      `${C0}.envFrom`,
      `${C0}.resources.claims`,
      `${C0}.resources.requests.ephemeral-storage`,
    ]);
    // imagePullPolicy is kept; an emptyDir volume (not shared memory) and its mount are ignored.
    expect(d.spec.replicatedJobs[0]!.template!.template).toMatchObject({ image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['true'], resources: { cpuMillis: 1000 }, mounts: [], shmSizeBytes: 0 });
    expect(validateJobSet(d.name, d.spec)).toEqual([]);
  });

  it('a second container is an issue naming its path; init containers and sidecars are only ignored', () => {
    const issues = issuesOf(manifest('                - {name: logger, image: busybox}\n                - {name: third, image: busybox}\n', '              initContainers: [{name: sidecar, image: busybox, restartPolicy: Always}]\n'));
    expect(issues.map((i) => i.path)).toEqual([`${POD0}.containers[1]`, `${POD0}.containers[2]`]);
    expect(issues[0]!.message).toContain('one container');
  });

  it('a pod without containers is an issue at containers', () => {
    const text = 'apiVersion: jobset.x-k8s.io/v1alpha2\nkind: JobSet\nmetadata: {name: t}\nspec:\n  replicatedJobs: [{name: w, template: {spec: {template: {spec: {restartPolicy: Never}}}}}]\n';
    expect(issuesOf(text)).toEqual([{ path: `${POD0}.containers`, message: 'is required (the container the pod runs)' }]);
  });

  it('nvidia.com/gpu in limits only counts as the GPU request', () => {
    const d = parseJobSetText(manifest('                  resources:\n                    limits: {nvidia.com/gpu: "2", cpu: "1"}\n'));
    expect(d.spec.replicatedJobs[0]!.template!.template!.resources).toEqual({ cpuMillis: 1000, memoryBytes: 0, gpus: 2, rdma: 0 });
    expect(d.ignored).toEqual([]);
  });

  it('a request wins over a limit; a different limit is listed as ignored, an equal one is not', () => {
    const d = parseJobSetText(
      manifest('                  resources:\n                    requests: {cpu: 500m, memory: 1Gi, nvidia.com/gpu: 1}\n                    limits: {cpu: "2", memory: 1Gi, nvidia.com/gpu: 1}\n'),
    );
    expect(d.spec.replicatedJobs[0]!.template!.template!.resources).toEqual({ cpuMillis: 500, memoryBytes: GI, gpus: 1, rdma: 0 });
    expect(d.ignored).toEqual([`${C0}.resources.limits.cpu`]);
  });

  it('several rdma/* resources add up to rdma', () => {
    const d = parseJobSetText(manifest('                  resources:\n                    requests: {rdma/ib: 1, rdma/hca_shared_devices_a: "2", memory: 512Mi}\n'));
    expect(d.spec.replicatedJobs[0]!.template!.template!.resources).toEqual({ cpuMillis: 0, memoryBytes: 512 * MI, gpus: 0, rdma: 3 });
  });

  it('a valueFrom variable is ignored with a note, never fatal; the other variables keep their values', () => {
    const d = parseJobSetText(
      manifest(`                  env:
                    - {name: A, value: "1"}
                    - name: RANK
                      valueFrom: {fieldRef: {fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']"}}
                    - name: POD_NAME
                      valueFrom: {fieldRef: {fieldPath: metadata.name}}
                    - {name: B, value: "2"}
`),
    );
    expect(d.spec.replicatedJobs[0]!.template!.template!.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ]);
    expect(d.ignored).toEqual([`${C0}.env[1].valueFrom (Muster sets RANK itself)`, `${C0}.env[2].valueFrom (POD_NAME is left unset)`]);
  });

  it('a problem after a dropped valueFrom is reported at its index in the manifest', () => {
    const d = parseJobSetText(manifest('                  env:\n                    - {name: X, valueFrom: {fieldRef: {fieldPath: metadata.name}}}\n                    - {name: "bad name", value: "1"}\n'));
    const issues = validateJobSet(d.name, d.spec);
    expect(issues.map((i) => i.path)).toEqual([`spec.replicatedJobs[0].template.template.env[0].name`]);
    expect(documentPath(d, issues[0]!.path)).toBe(`${C0}.env[1].name`);
  });

  it('the pods’ priorityClassName becomes the JobSet’s; the Kueue priority label wins over it', () => {
    expect(parseJobSetText(manifest('', '              priorityClassName: batch-low\n')).spec.priorityClass).toBe('batch-low');
    const text = manifest('', '              priorityClassName: batch-low\n').replace('metadata: {name: t}', 'metadata: {name: t, labels: {kueue.x-k8s.io/priority-class: urgent}}');
    const d = parseJobSetText(text);
    expect(d.spec.priorityClass).toBe('urgent');
    expect(d.ignored).toEqual([`${POD0}.priorityClassName (the kueue.x-k8s.io/priority-class label wins)`]);
  });

  it('with the Kueue priority label, every pod’s priorityClassName is listed as ignored', () => {
    const d = parseJobSetText(FULL.replace('    team: nlp\n', '    team: nlp\n    kueue.x-k8s.io/priority-class: urgent\n'));
    expect(d.spec.priorityClass).toBe('urgent');
    expect(d.ignored.filter((p) => p.includes('priorityClassName'))).toEqual([
      `${POD0}.priorityClassName (the kueue.x-k8s.io/priority-class label wins)`,
      'spec.replicatedJobs[1].template.spec.template.spec.priorityClassName (the kueue.x-k8s.io/priority-class label wins)',
    ]);
  });

  it('pods asking for different priority classes are an issue', () => {
    const conv = convertK8sJobSet(YAML.parse(FULL.replace('priorityClassName: high\n              containers:\n                - name: main\n                  image: busybox\n                  command: ["sleep"', 'priorityClassName: low\n              containers:\n                - name: main\n                  image: busybox\n                  command: ["sleep"')) as Record<string, unknown>);
    expect(conv.issues.map((i) => i.path)).toEqual(['spec.replicatedJobs[1].template.spec.template.spec.priorityClassName']);
  });
});

describe('a Kubernetes manifest with problems', () => {
  const cases: { name: string; text: string; want: string[] }[] = [
    { name: 'parallelism "four"', text: manifest('').replace('parallelism: 1', 'parallelism: four'), want: [`${RJ0}.template.spec.parallelism`] },
    { name: 'a bad CPU quantity', text: manifest('                  resources: {requests: {cpu: lots}}\n'), want: [`${C0}.resources.requests.cpu`] },
    { name: 'half a GPU', text: manifest('                  resources: {limits: {nvidia.com/gpu: "0.5"}}\n'), want: [`${C0}.resources.limits["nvidia.com/gpu"]`] },
    { name: 'command as a string', text: manifest('').replace('command: ["true"]', 'command: "true"'), want: [`${C0}.command`] },
    { name: 'an env value that is a number', text: manifest('                  env: [{name: N, value: 3}]\n'), want: [`${C0}.env[0].value`] },
    { name: 'replicas "two"', text: manifest('').replace('    - name: w\n', '    - name: w\n      replicas: two\n'), want: [`${RJ0}.replicas`] },
    { name: 'a podFailurePolicy rule with a bad operator type', text: manifest('', '', '          podFailurePolicy: {rules: [{action: FailJob, onExitCodes: {operator: In, values: "1"}}]}\n'), want: [`${RJ0}.template.spec.podFailurePolicy.rules[0].onExitCodes.values`] },
    { name: 'generateName instead of a name', text: manifest('').replace('metadata: {name: t}', 'metadata: {generateName: t-}'), want: ['metadata.generateName', 'metadata.name'] },
    { name: 'a batch/v1 Job successPolicy', text: manifest('', '', '          successPolicy: {rules: [{succeededCount: 1}]}\n'), want: [`${RJ0}.template.spec.successPolicy`] },
    { name: 'a JobSpec that is not a mapping', text: manifest('').replace(/ {6}template:\n[\s\S]*$/, '      template: {spec: 3}\n'), want: [`${RJ0}.template.spec`] },
    { name: 'a wrong kind', text: manifest('').replace('kind: JobSet', 'kind: Job'), want: ['kind'] },
    { name: 'a queue label that is not a string', text: manifest('').replace('metadata: {name: t}', 'metadata: {name: t, labels: {kueue.x-k8s.io/queue-name: 5}}'), want: ['metadata.labels.kueue.x-k8s.io/queue-name'] },
    { name: 'containers that are not a list', text: manifest('').replace(/ {14}containers:\n[\s\S]*$/, '              containers: {main: {}}\n'), want: [`${POD0}.containers`] },
  ];
  for (const c of cases) {
    it(`${c.name} is reported at ${c.want.join(', ')}`, () => {
      const issues = issuesOf(c.text);
      const paths = issues.map((i) => i.path);
      for (const p of c.want) expect(paths, JSON.stringify(issues)).toContain(p);
    });
  }

  it('a YAML syntax error is an InvalidArgumentError', () => {
    const issues = issuesOf('apiVersion: jobset.x-k8s.io/v1alpha2\nkind: JobSet\nspec: {replicatedJobs: [\n');
    expect(issues[0]!.message).toContain('not valid YAML');
  });

  it('a semantic problem is translated to the manifest path by documentPath', () => {
    const d = parseJobSetText(manifest('').replace('parallelism: 1', 'parallelism: 2\n          completions: 3'));
    const paths = validateJobSet(d.name, d.spec).map((i) => documentPath(d, i.path));
    expect(paths).toEqual([`${RJ0}.template.spec.completions`]);
  });
});

describe('toSourcePath', () => {
  const map = { 'spec.a': 'spec.a.spec', 'spec.a.template': 'spec.a.spec.x[0]' };
  it('uses the longest prefix, on whole segments only', () => {
    expect(toSourcePath('spec.a.template.command', map)).toBe('spec.a.spec.x[0].command');
    expect(toSourcePath('spec.a.parallelism', map)).toBe('spec.a.spec.parallelism');
    expect(toSourcePath('spec.ab', map)).toBe('spec.ab');
    expect(toSourcePath('spec.a[1]', map)).toBe('spec.a.spec[1]');
    expect(toSourcePath('spec.a.x', undefined)).toBe('spec.a.x');
  });
});

describe('a native file', () => {
  it('is parsed as before: nothing ignored, paths unchanged', () => {
    const d = parseJobSetText(`apiVersion: ${NATIVE_API_VERSION}\nkind: JobSet\nmetadata: {name: t}\nspec:\n  replicatedJobs: [{name: w, template: {parallelism: 2, completions: 3, template: {command: ["true"]}}}]\n`);
    expect(d.ignored).toEqual([]);
    expect(d.sourcePaths).toBeUndefined();
    const issues = validateJobSet(d.name, d.spec);
    expect(issues.map((i) => documentPath(d, i.path))).toEqual(['spec.replicatedJobs[0].template.completions']);
  });

  it('with a Kubernetes field is still rejected (the native shape stays strict)', () => {
    const issues = issuesOf(`apiVersion: ${NATIVE_API_VERSION}\nkind: JobSet\nmetadata: {name: t}\nspec:\n  network: {}\n  replicatedJobs: [{name: w, template: {template: {command: ["true"]}}}]\n`);
    expect(issues.map((i) => i.path)).toEqual(['spec.network']);
  });
});

describe('topology annotations', () => {
  const manifest = (jobsetAnnotations: string, podAnnotations: string): string => `
apiVersion: jobset.x-k8s.io/v1alpha2
kind: JobSet
metadata:
  name: t
  annotations: {${jobsetAnnotations}}
spec:
  replicatedJobs:
    - name: workers
      replicas: 4
      template:
        spec:
          parallelism: 2
          template:
            metadata:
              annotations: {${podAnnotations}}
            spec:
              containers: [{name: c, image: busybox, command: ["true"]}]
`;

  it('JobSet\'s exclusive-topology gives every replicatedJob exclusive Jobs; kubernetes.io/hostname is hostname', () => {
    const d = parseJobSetText(manifest('alpha.jobset.sigs.k8s.io/exclusive-topology: rack, team: nlp', ''));
    expect(d.spec.replicatedJobs[0]!.placement).toMatchObject({ exclusive: 'rack' });
    expect(d.ignored).toContain('metadata.annotations.team');
    const h = parseJobSetText(manifest('alpha.jobset.sigs.k8s.io/exclusive-topology: kubernetes.io/hostname', ''));
    expect(h.spec.replicatedJobs[0]!.placement).toMatchObject({ exclusive: 'hostname' });
  });

  it('Kueue TAS pod-template annotations become the replicatedJob placement: required, preferred, slices', () => {
    const d = parseJobSetText(manifest('', 'kueue.x-k8s.io/podset-required-topology: block, kueue.x-k8s.io/podset-slice-required-topology: kubernetes.io/hostname, kueue.x-k8s.io/podset-slice-size: "2", note: x'));
    expect(d.spec.replicatedJobs[0]!.placement).toMatchObject({ required: 'block', sliceRequired: 'hostname', sliceSize: 2 });
    expect(d.ignored).toContain(`${RJ0}.template.spec.template.metadata.annotations.note`);
    expect(d.ignored.some((p) => p.includes('podset'))).toBe(false);
    expect(parseJobSetText(manifest('', 'kueue.x-k8s.io/podset-preferred-topology: rack')).spec.replicatedJobs[0]!.placement).toMatchObject({ preferred: 'rack' });
  });

  it('a slice size that is not a whole number is an issue at the annotation', () => {
    const issues = issuesOf(manifest('', 'kueue.x-k8s.io/podset-slice-required-topology: rack, kueue.x-k8s.io/podset-slice-size: two'));
    expect(issues.map((i) => i.path)).toContain(`${RJ0}.template.spec.template.metadata.annotations["kueue.x-k8s.io/podset-slice-size"]`);
  });
});

describe('MIG resources', () => {
  const withLimits = (limits: string): string => `
apiVersion: jobset.x-k8s.io/v1alpha2
kind: JobSet
metadata: {name: m}
spec:
  replicatedJobs:
    - name: w
      template:
        spec:
          template:
            spec:
              containers: [{name: c, image: busybox, command: ["true"], resources: {limits: {${limits}}}}]
`;

  it('nvidia.com/mig-<profile>: N is N MIG devices of that profile', () => {
    const pod = parseJobSetText(withLimits('nvidia.com/mig-1g.10gb: 2')).spec.replicatedJobs[0]!.template!.template!;
    expect(pod.migProfile).toBe('1g.10gb');
    expect(pod.resources?.gpus).toBe(2);
  });

  it('whole GPUs and MIG devices together, or two profiles, are an error at the resource', () => {
    expect(issuesOf(withLimits('nvidia.com/gpu: 1, nvidia.com/mig-1g.10gb: 1')).map((i) => i.message)).toContain('a pod asks for whole GPUs or MIG devices of one profile, not both or several');
    expect(issuesOf(withLimits('nvidia.com/mig-1g.10gb: 1, nvidia.com/mig-2g.20gb: 1')).map((i) => i.path)).toContain(`${C0}.resources.limits["nvidia.com/mig-2g.20gb"]`);
  });

  it('a native migProfile needs gpus ≥ 1 and a profile name', () => {
    const native = (pod: string): string => `apiVersion: ${NATIVE_API_VERSION}\nkind: JobSet\nmetadata: {name: t}\nspec:\n  replicatedJobs: [{name: w, template: {template: {command: ["true"], ${pod}}}}]\n`;
    const validated = (text: string) => {
      const d = parseJobSetText(text);
      return validateJobSet(d.name, d.spec).map((i) => i.path);
    };
    expect(validated(native('migProfile: 1g.10gb'))).toEqual(['spec.replicatedJobs[0].template.template.resources.gpus']);
    expect(validated(native('migProfile: huge, resources: {gpus: 1}'))).toEqual(['spec.replicatedJobs[0].template.template.migProfile']);
    expect(validated(native('migProfile: 1g.10gb, resources: {gpus: 2}'))).toEqual([]);
    expect(parseJobSetText(native('migProfile: 3g.40gb, resources: {gpus: 1}')).spec.replicatedJobs[0]!.template!.template!.migProfile).toBe('3g.40gb');
  });
});

describe('imagePullPolicy, hostPath volumes and shared memory', () => {
  /** withVolumes builds a manifest whose container (image busybox) has `mounts` (YAML flow list) and whose pod has `volumes`. */
  const withVolumes = (volumes: string, mounts: string) => manifest(`                  image: busybox\n                  volumeMounts: ${mounts}\n`, `              volumes: ${volumes}\n`);
  const podOf = (d: ReturnType<typeof parseJobSetText>) => d.spec.replicatedJobs[0]!.template!.template!;
  const validated = (d: ReturnType<typeof parseJobSetText>) => validateJobSet(d.name, d.spec).map((i) => documentPath(d, i.path));

  it('a container’s imagePullPolicy is kept, and a bad one is reported at its path in the manifest', () => {
    const d = parseJobSetText(manifest('                  image: busybox\n                  imagePullPolicy: Never\n'));
    expect(podOf(d).imagePullPolicy).toBe('Never');
    expect(d.ignored).toEqual([]);
    expect(validated(d)).toEqual([]);
    const bad = parseJobSetText(manifest('                  image: busybox\n                  imagePullPolicy: Sometimes\n'));
    expect(validated(bad)).toEqual([`${C0}.imagePullPolicy`]);
  });

  it('mounts of hostPath volumes become mounts (readOnly kept); other volumes and mounts are listed as ignored, in manifest order', () => {
    const d = parseJobSetText(
      withVolumes(
        '[{name: data, hostPath: {path: /mnt/data, type: Directory}}, {name: scratch, emptyDir: {}}, {name: ckpt, hostPath: {path: /mnt/ckpt}}, {name: unused, hostPath: {path: /x}}]',
        '[{name: data, mountPath: /data, readOnly: true}, {name: scratch, mountPath: /scratch}, {name: ckpt, mountPath: /ckpt, mountPropagation: HostToContainer}, {name: data, mountPath: /data2, subPath: ""}]',
      ),
    );
    expect(podOf(d).mounts).toEqual([
      { hostPath: '/mnt/data', containerPath: '/data', readOnly: true },
      { hostPath: '/mnt/ckpt', containerPath: '/ckpt', readOnly: false },
      { hostPath: '/mnt/data', containerPath: '/data2', readOnly: false },
    ]);
    expect(podOf(d).shmSizeBytes).toBe(0);
    expect(d.ignored).toEqual([`${POD0}.volumes[0].hostPath.type`, `${POD0}.volumes[1]`, `${POD0}.volumes[3]`, `${C0}.volumeMounts[1]`, `${C0}.volumeMounts[2].mountPropagation`]);
    expect(validated(d)).toEqual([]);
  });

  it('the native mount is the same as a native file’s', () => {
    const k8s = parseJobSetText(withVolumes('[{name: data, hostPath: {path: /mnt/data}}]', '[{name: data, mountPath: /data, readOnly: true}]'));
    const native = parseJobSetText(
      `apiVersion: ${NATIVE_API_VERSION}\nkind: JobSet\nmetadata: {name: t}\nspec:\n  replicatedJobs: [{name: w, template: {parallelism: 1, template: {image: busybox, command: ["true"], mounts: [{hostPath: /mnt/data, containerPath: /data, readOnly: true}]}}}]\n`,
    );
    expect(k8s.spec).toEqual(native.spec);
  });

  it('a mount’s problems are reported in the manifest: hostPath at the volume, containerPath at the mountPath (indices of skipped mounts kept)', () => {
    const d = parseJobSetText(
      withVolumes('[{name: rel, hostPath: {path: data}}, {name: tmp, emptyDir: {}}, {name: a, hostPath: {path: /a}}]', '[{name: tmp, mountPath: /tmp}, {name: rel, mountPath: /rel}, {name: a, mountPath: /x}, {name: a, mountPath: /x}]'),
    );
    expect(validated(d)).toEqual([`${POD0}.volumes[0].hostPath.path`, `${C0}.volumeMounts[3].mountPath`]);
  });

  it('mounts need an image: reported at volumeMounts', () => {
    const d = parseJobSetText(manifest('                  volumeMounts: [{name: data, mountPath: /data}]\n', '              volumes: [{name: data, hostPath: {path: /data}}]\n'));
    expect(validated(d)).toEqual([`${C0}.volumeMounts`]);
  });

  it('a subPath of a hostPath mount is an issue at the subPath (an empty one is none)', () => {
    const issues = issuesOf(withVolumes('[{name: data, hostPath: {path: /mnt/data}}]', '[{name: data, mountPath: /data, subPath: models}]'));
    expect(issues.map((i) => i.path)).toEqual([`${C0}.volumeMounts[0].subPath`]);
    expect(issues[0]!.message).toContain('not supported');
    const expr = issuesOf(withVolumes('[{name: data, hostPath: {path: /mnt/data}}]', '[{name: data, mountPath: /data, subPathExpr: "$(POD)"}]'));
    expect(expr.map((i) => i.path)).toEqual([`${C0}.volumeMounts[0].subPathExpr`]);
  });

  it('a mount of a volume the pod does not have is an issue at its name', () => {
    const issues = issuesOf(withVolumes('[{name: data, hostPath: {path: /mnt/data}}]', '[{name: data, mountPath: /data}, {name: nope, mountPath: /nope}]'));
    expect(issues).toEqual([{ path: `${C0}.volumeMounts[1].name`, message: 'no volume named "nope" in the pod\'s volumes' }]);
  });

  it('a memory-backed emptyDir at /dev/shm sets shmSize from its sizeLimit', () => {
    const d = parseJobSetText(withVolumes('[{name: dshm, emptyDir: {medium: Memory, sizeLimit: 2Gi}}]', '[{name: dshm, mountPath: /dev/shm}]'));
    expect(podOf(d).shmSizeBytes).toBe(2 * GI);
    expect(podOf(d).mounts).toEqual([]);
    expect(d.ignored).toEqual([]);
    expect(validated(d)).toEqual([]);
  });

  it('without a sizeLimit, /dev/shm keeps the engine default (0), with a note', () => {
    const d = parseJobSetText(withVolumes('[{name: dshm, emptyDir: {medium: Memory}}]', '[{name: dshm, mountPath: /dev/shm}]'));
    expect(podOf(d).shmSizeBytes).toBe(0);
    expect(d.ignored).toEqual([`${POD0}.volumes[0].emptyDir (no sizeLimit: /dev/shm keeps the container engine's default size)`]);
  });

  it('a memory-backed emptyDir elsewhere, or a disk emptyDir at /dev/shm, is ignored as before', () => {
    for (const [volumes, mounts] of [
      ['[{name: m, emptyDir: {medium: Memory, sizeLimit: 1Gi}}]', '[{name: m, mountPath: /cache}]'],
      ['[{name: m, emptyDir: {sizeLimit: 1Gi}}]', '[{name: m, mountPath: /dev/shm}]'],
    ]) {
      const d = parseJobSetText(withVolumes(volumes!, mounts!));
      expect(podOf(d).shmSizeBytes).toBe(0);
      expect(d.ignored).toEqual([`${POD0}.volumes`, `${C0}.volumeMounts`]);
    }
  });

  it('shared memory and host directories together', () => {
    const d = parseJobSetText(
      withVolumes('[{name: dshm, emptyDir: {medium: Memory, sizeLimit: 512Mi}}, {name: data, hostPath: {path: /mnt/data}}]', '[{name: data, mountPath: /data}, {name: dshm, mountPath: /dev/shm, readOnly: false}]'),
    );
    expect(podOf(d)).toMatchObject({ shmSizeBytes: 512 * MI, mounts: [{ hostPath: '/mnt/data', containerPath: '/data', readOnly: false }] });
    expect(d.ignored).toEqual([`${C0}.volumeMounts[1].readOnly`]);
  });

  it('a bad sizeLimit is reported at the sizeLimit', () => {
    const issues = issuesOf(withVolumes('[{name: dshm, emptyDir: {medium: Memory, sizeLimit: lots}}]', '[{name: dshm, mountPath: /dev/shm}]'));
    expect(issues.map((i) => i.path)).toEqual([`${POD0}.volumes[0].emptyDir.sizeLimit`]);
  });
});
