import { describe, expect, it } from 'vitest';
import { IMAGE_PULL_POLICIES, MAX_MOUNTS, MAX_POD_TEMPLATE_BYTES, MAX_PODS_PER_JOBSET, MAX_REPLICAS, validateJobSet, withDefaults } from './validate.js';
import type { JobSetSpec } from '../proto/types.js';
import { makeJobSet } from '../../../test/helpers/builders.js';

/** A valid raw spec: leader (1 job × 1 pod) then workers (2 jobs × 2 pods), env A=1. */
function validSpec(): JobSetSpec {
  return makeJobSet('train')
    .replicatedJob('leader', { cpu: 1, memory: '1Gi' })
    .replicatedJob('workers', { replicas: 2, parallelism: 2, cpu: 2, memory: '4Gi', gpus: 1, env: { A: '1' } })
    .rawSpec();
}

/** rj returns replicatedJob i of a spec (test fixtures always have it). */
const rj = (s: JobSetSpec, i: number) => s.replicatedJobs[i]!;
const pod = (s: JobSetSpec, i: number) => s.replicatedJobs[i]!.template!.template!;

describe('validateJobSet', () => {
  it('a valid spec has no issues, raw or defaulted', () => {
    expect(validateJobSet('train', validSpec())).toEqual([]);
    expect(validateJobSet('train', withDefaults(validSpec()))).toEqual([]);
  });

  it('a pod with an image needs no command', () => {
    const s = validSpec();
    pod(s, 0).image = 'localhost/busybox:test';
    pod(s, 0).command = [];
    expect(validateJobSet('train', s)).toEqual([]);
  });

  /** wantPaths must all be reported; absentPaths must not be (for the cases that are close to a rule but within it). */
  const cases: { name: string; jobset?: string; edit?: (s: JobSetSpec) => void; wantPaths: string[]; absentPaths?: string[] }[] = [
    { name: 'a name longer than 63 characters', jobset: 'a'.repeat(64), wantPaths: ['metadata.name'] },
    { name: 'an uppercase name', jobset: 'Train', wantPaths: ['metadata.name'] },
    { name: 'an empty name', jobset: '', wantPaths: ['metadata.name'] },
    {
      name: 'a JobSet name plus replicatedJob name over 62 characters',
      jobset: 'a'.repeat(56),
      wantPaths: ['spec.replicatedJobs[1].name'],
    },
    { name: 'no replicatedJobs', edit: (s) => void (s.replicatedJobs = []), wantPaths: ['spec.replicatedJobs'] },
    { name: 'a duplicate replicatedJob name', edit: (s) => void (rj(s, 1).name = 'leader'), wantPaths: ['spec.replicatedJobs[1].name'] },
    { name: 'a replicatedJob name with uppercase', edit: (s) => void (rj(s, 1).name = 'Workers'), wantPaths: ['spec.replicatedJobs[1].name'] },
    { name: 'replicas -1', edit: (s) => void (rj(s, 1).replicas = -1), wantPaths: ['spec.replicatedJobs[1].replicas'] },
    { name: 'replicas 2000', edit: (s) => void (rj(s, 1).replicas = 2000), wantPaths: ['spec.replicatedJobs[1].replicas'] },
    { name: 'parallelism 0', edit: (s) => void (rj(s, 1).template!.parallelism = 0), wantPaths: ['spec.replicatedJobs[1].template.parallelism'] },
    { name: 'completions different from parallelism', edit: (s) => void (rj(s, 1).template!.completions = 3), wantPaths: ['spec.replicatedJobs[1].template.completions'] },
    { name: 'an unknown completionMode', edit: (s) => void (rj(s, 1).template!.completionMode = 'Sequential'), wantPaths: ['spec.replicatedJobs[1].template.completionMode'] },
    { name: 'no template for a replicatedJob', edit: (s) => void (rj(s, 1).template = null), wantPaths: ['spec.replicatedJobs[1].template'] },
    {
      name: 'neither command nor image',
      edit: (s) => {
        pod(s, 1).command = [];
        pod(s, 1).image = '';
      },
      wantPaths: ['spec.replicatedJobs[1].template.template.command'],
    },
    { name: 'an empty program name', edit: (s) => void (pod(s, 0).command = ['  ', 'x']), wantPaths: ['spec.replicatedJobs[0].template.template.command[0]'] },
    {
      name: 'an env name starting with a digit',
      edit: (s) => void (pod(s, 1).env = [{ name: '1BAD', value: 'x' }]),
      wantPaths: ['spec.replicatedJobs[1].template.template.env[0].name'],
    },
    {
      name: 'the same env name twice (the second is named)',
      edit: (s) =>
        void (pod(s, 1).env = [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
          { name: 'A', value: '3' },
        ]),
      wantPaths: ['spec.replicatedJobs[1].template.template.env[2].name'],
    },
    {
      name: 'dependsOn a later replicatedJob',
      edit: (s) => void (rj(s, 0).dependsOn = [{ name: 'workers', status: 'Ready' }]),
      wantPaths: ['spec.replicatedJobs[0].dependsOn[0].name'],
    },
    {
      name: 'dependsOn an unknown replicatedJob',
      edit: (s) =>
        void (rj(s, 1).dependsOn = [
          { name: 'leader', status: 'Ready' },
          { name: 'ghost', status: 'Complete' },
        ]),
      wantPaths: ['spec.replicatedJobs[1].dependsOn[1].name'],
    },
    {
      name: 'dependsOn itself',
      edit: (s) => void (rj(s, 1).dependsOn = [{ name: 'workers', status: 'Ready' }]),
      wantPaths: ['spec.replicatedJobs[1].dependsOn[0].name'],
    },
    {
      name: 'a dependsOn status other than Ready or Complete',
      edit: (s) => void (rj(s, 1).dependsOn = [{ name: 'leader', status: 'Started' }]),
      wantPaths: ['spec.replicatedJobs[1].dependsOn[0].status'],
    },
    {
      name: 'a successPolicy operator other than All or Any',
      edit: (s) => void (s.successPolicy = { operator: 'Most', targetReplicatedJobs: [] }),
      wantPaths: ['spec.successPolicy.operator'],
    },
    {
      name: 'an unknown success target',
      edit: (s) => void (s.successPolicy = { operator: 'All', targetReplicatedJobs: ['workers', 'ghost'] }),
      wantPaths: ['spec.successPolicy.targetReplicatedJobs[1]'],
    },
    {
      name: 'a success policy whose only target has 0 replicas can never be met',
      edit: (s) => {
        rj(s, 1).replicas = 0;
        s.successPolicy = { operator: 'All', targetReplicatedJobs: ['workers'] };
      },
      wantPaths: ['spec.successPolicy.targetReplicatedJobs'],
    },
    {
      name: 'a success policy (Any) whose targets all have 0 replicas can never be met',
      edit: (s) => {
        rj(s, 0).replicas = 0;
        rj(s, 1).replicas = 0;
        s.successPolicy = { operator: 'Any', targetReplicatedJobs: ['leader', 'workers'] };
      },
      wantPaths: ['spec.successPolicy.targetReplicatedJobs'],
    },
    {
      name: 'a success policy without targets, every replicatedJob with 0 replicas',
      edit: (s) => {
        rj(s, 0).replicas = 0;
        rj(s, 1).replicas = 0;
        s.successPolicy = { operator: 'All', targetReplicatedJobs: [] };
      },
      wantPaths: ['spec.successPolicy.targetReplicatedJobs', 'spec.replicatedJobs'],
    },
    {
      name: 'a success target with replicas is enough even if another target has 0',
      edit: (s) => {
        rj(s, 0).replicas = 0;
        s.successPolicy = { operator: 'All', targetReplicatedJobs: ['leader', 'workers'] };
      },
      wantPaths: [],
      absentPaths: ['spec.successPolicy.targetReplicatedJobs'],
    },
    {
      name: 'a success policy without targets is fine while some replicatedJob has replicas',
      edit: (s) => {
        rj(s, 0).replicas = 0;
        s.successPolicy = { operator: 'Any', targetReplicatedJobs: [] };
      },
      wantPaths: [],
      absentPaths: ['spec.successPolicy.targetReplicatedJobs'],
    },
    {
      name: 'a 0-replica replicatedJob that is not a success target does not matter',
      edit: (s) => {
        rj(s, 0).replicas = 0;
        s.successPolicy = { operator: 'All', targetReplicatedJobs: ['workers'] };
      },
      wantPaths: [],
      absentPaths: ['spec.successPolicy.targetReplicatedJobs'],
    },
    {
      name: 'a pod template over the byte limit (one huge argument)',
      edit: (s) => void (pod(s, 1).args = ['x'.repeat(MAX_POD_TEMPLATE_BYTES)]),
      wantPaths: ['spec.replicatedJobs[1].template.template'],
      absentPaths: ['spec.replicatedJobs[0].template.template'],
    },
    {
      name: 'a pod template over the byte limit in env values (counted in UTF-8 bytes, not characters)',
      // 'é' is 2 bytes: about 0.6 × the limit in characters, 1.2 × in bytes.
      edit: (s) => void (pod(s, 0).env = Array.from({ length: 6 }, (_, i) => ({ name: `V${i}`, value: 'é'.repeat(Math.ceil(MAX_POD_TEMPLATE_BYTES / 10)) }))),
      wantPaths: ['spec.replicatedJobs[0].template.template'],
      absentPaths: ['spec.replicatedJobs[1].template.template'],
    },
    {
      name: 'a pod template just under the byte limit',
      edit: (s) => void (pod(s, 1).args = ['x'.repeat(MAX_POD_TEMPLATE_BYTES - 100)]),
      wantPaths: [],
      absentPaths: ['spec.replicatedJobs[1].template.template'],
    },
    {
      name: 'an unknown restartStrategy',
      edit: (s) => void (s.failurePolicy = { maxRestarts: 1, restartStrategy: 'Sometimes', rules: [] }),
      wantPaths: ['spec.failurePolicy.restartStrategy'],
    },
    {
      name: 'a failurePolicy rule with an unknown action, reason, target, a bad pattern and a bad name',
      edit: (s) =>
        void (s.failurePolicy = {
          maxRestarts: 1,
          restartStrategy: 'Recreate',
          rules: [{ name: '9lives', action: 'Retry', onJobFailureReasons: ['OOMKilled'], onJobFailureMessagePatterns: ['(unclosed'], targetReplicatedJobs: ['nope'] }],
        }),
      wantPaths: [
        'spec.failurePolicy.rules[0].name',
        'spec.failurePolicy.rules[0].action',
        'spec.failurePolicy.rules[0].onJobFailureReasons[0]',
        'spec.failurePolicy.rules[0].onJobFailureMessagePatterns[0]',
        'spec.failurePolicy.rules[0].targetReplicatedJobs[0]',
      ],
    },
    {
      name: 'two failurePolicy rules with the same name',
      edit: (s) => {
        const r = { name: 'same', action: 'FailJobSet', onJobFailureReasons: [], onJobFailureMessagePatterns: [], targetReplicatedJobs: [] };
        s.failurePolicy = { maxRestarts: 0, restartStrategy: '', rules: [r, { ...r }] };
      },
      wantPaths: ['spec.failurePolicy.rules[1].name'],
      absentPaths: ['spec.failurePolicy.rules[0].name'],
    },
    {
      name: 'podFailurePolicy rules: unknown action, In 0, no matcher, both matchers, FailIndex without backoffLimitPerIndex, an unknown pod condition',
      edit: (s) => {
        s.replicatedJobs[1]!.template!.podFailurePolicy = {
          rules: [
            { action: 'Restart', onExitCodes: { operator: 'In', values: [1] }, onPodConditions: [] },
            { action: 'FailJob', onExitCodes: { operator: 'In', values: [0, 1] }, onPodConditions: [] },
            { action: 'Ignore', onExitCodes: null, onPodConditions: [] },
            { action: 'Ignore', onExitCodes: { operator: 'NotIn', values: [1] }, onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
            { action: 'FailIndex', onExitCodes: { operator: 'In', values: [2] }, onPodConditions: [] },
            { action: 'Ignore', onExitCodes: null, onPodConditions: [{ type: 'Evicted', status: '' }] },
          ],
        };
      },
      wantPaths: [
        'spec.replicatedJobs[1].template.podFailurePolicy.rules[0].action',
        'spec.replicatedJobs[1].template.podFailurePolicy.rules[1].onExitCodes.values',
        'spec.replicatedJobs[1].template.podFailurePolicy.rules[2]',
        'spec.replicatedJobs[1].template.podFailurePolicy.rules[3]',
        'spec.replicatedJobs[1].template.podFailurePolicy.rules[4].action',
        'spec.replicatedJobs[1].template.podFailurePolicy.rules[5].onPodConditions[0].type',
      ],
    },
    {
      name: 'maxFailedIndexes without backoffLimitPerIndex, and over completions',
      edit: (s) => void (s.replicatedJobs[1]!.template!.maxFailedIndexes = 5),
      wantPaths: ['spec.replicatedJobs[1].template.maxFailedIndexes'],
    },
    {
      name: 'backoffLimitPerIndex on a NonIndexed Job',
      edit: (s) => {
        s.replicatedJobs[1]!.template!.completionMode = 'NonIndexed';
        s.replicatedJobs[1]!.template!.backoffLimitPerIndex = 1;
      },
      wantPaths: ['spec.replicatedJobs[1].template.backoffLimitPerIndex'],
    },
    {
      name: 'startupPolicy InOrder together with dependsOn',
      edit: (s) => {
        s.startupPolicy = { startupPolicyOrder: 'InOrder' };
        s.replicatedJobs[1]!.dependsOn = [{ name: 'leader', status: 'Ready' }];
      },
      wantPaths: ['spec.startupPolicy.startupPolicyOrder'],
    },
    {
      name: 'negative maxRestarts',
      edit: (s) => void (s.failurePolicy = { maxRestarts: -1, restartStrategy: 'Recreate', rules: [] }),
      wantPaths: ['spec.failurePolicy.maxRestarts'],
    },
    {
      name: 'a coordinator in a missing replicatedJob',
      edit: (s) => void (s.coordinator = { replicatedJob: 'ghost', jobIndex: 0, podIndex: 0 }),
      wantPaths: ['spec.coordinator.replicatedJob'],
    },
    {
      name: 'a coordinator job index past the replicas',
      edit: (s) => void (s.coordinator = { replicatedJob: 'workers', jobIndex: 2, podIndex: 0 }),
      wantPaths: ['spec.coordinator.jobIndex'],
    },
    {
      name: 'a coordinator pod index past the parallelism',
      edit: (s) => void (s.coordinator = { replicatedJob: 'workers', jobIndex: 1, podIndex: 2 }),
      wantPaths: ['spec.coordinator.podIndex'],
    },
    {
      name: 'a negative coordinator index',
      edit: (s) => void (s.coordinator = { replicatedJob: 'leader', jobIndex: -1, podIndex: 0 }),
      wantPaths: ['spec.coordinator.jobIndex'],
    },
    {
      name: 'more pods than one JobSet may have',
      edit: (s) => {
        rj(s, 1).replicas = MAX_REPLICAS;
        rj(s, 1).template!.parallelism = Math.ceil(MAX_PODS_PER_JOBSET / MAX_REPLICAS) + 1;
      },
      wantPaths: ['spec.replicatedJobs'],
    },
    {
      name: 'negative resources',
      edit: (s) => {
        pod(s, 1).resources!.cpuMillis = -1;
        pod(s, 1).resources!.gpus = -2;
      },
      wantPaths: ['spec.replicatedJobs[1].template.template.resources.cpu', 'spec.replicatedJobs[1].template.template.resources.gpus'],
    },
    {
      name: 'several problems at once are all reported',
      jobset: 'BAD',
      edit: (s) => {
        rj(s, 0).replicas = -1;
        s.successPolicy = { operator: 'Most', targetReplicatedJobs: [] };
      },
      wantPaths: ['metadata.name', 'spec.replicatedJobs[0].replicas', 'spec.successPolicy.operator'],
    },
  ];

  for (const c of cases) {
    it(`${c.name} → ${c.wantPaths.join(', ')}`, () => {
      const s = validSpec();
      c.edit?.(s);
      const issues = validateJobSet(c.jobset ?? 'train', s);
      const paths = issues.map((i) => i.path);
      for (const p of c.wantPaths) expect(paths, `issues: ${JSON.stringify(issues)}`).toContain(p);
      for (const p of c.absentPaths ?? []) expect(paths, `issues: ${JSON.stringify(issues)}`).not.toContain(p);
      if (c.wantPaths.length === 0) expect(issues).toEqual([]);
      for (const i of issues) expect(i.message.length).toBeGreaterThan(0);
    });
  }

  it('the too-many-pods message gives the limit and the count', () => {
    const s = validSpec();
    rj(s, 1).replicas = 1000;
    rj(s, 1).template!.parallelism = 11;
    const total = 1 + 1000 * 11;
    const issue = validateJobSet('train', s).find((i) => i.path === 'spec.replicatedJobs');
    expect(issue?.message).toContain(String(MAX_PODS_PER_JOBSET));
    expect(issue?.message).toContain(String(total));
  });

  describe('pod template size', () => {
    /** A spec whose only pod template is `command: ['true']` (4 bytes) and nothing else. */
    function minimal(): JobSetSpec {
      return makeJobSet('train').replicatedJob('w', { command: ['true'] }).rawSpec();
    }
    const PATH = 'spec.replicatedJobs[0].template.template';
    const base = 'true'.length;

    // Each counted field, filled so that the template totals `total` bytes.
    const fields: { name: string; fill: (s: JobSetSpec, n: number) => void }[] = [
      { name: 'command', fill: (s, n) => void pod(s, 0).command.push('c'.repeat(n)) },
      { name: 'args', fill: (s, n) => void (pod(s, 0).args = ['a'.repeat(n - 1), 'a']) },
      { name: 'env names', fill: (s, n) => void (pod(s, 0).env = [{ name: 'N'.repeat(n), value: '' }]) },
      { name: 'env values', fill: (s, n) => void (pod(s, 0).env = [{ name: 'V', value: 'v'.repeat(n - 1) }]) },
      { name: 'workingDir', fill: (s, n) => void (pod(s, 0).workingDir = `/${'d'.repeat(n - 1)}`) },
      { name: 'image', fill: (s, n) => void (pod(s, 0).image = 'i'.repeat(n)) },
      { name: 'user', fill: (s, n) => void (pod(s, 0).user = 'u'.repeat(n)) },
      {
        // image "i" (1 byte) + hostPath + containerPath (mounts need an image).
        name: 'mount paths',
        fill: (s, n) => {
          pod(s, 0).image = 'i';
          const host = Math.floor((n - 1) / 2);
          pod(s, 0).mounts = [{ hostPath: `/${'h'.repeat(host - 1)}`, containerPath: `/${'c'.repeat(n - 1 - host - 1)}`, readOnly: false }];
        },
      },
    ];
    for (const f of fields) {
      it(`${f.name} count: exactly ${MAX_POD_TEMPLATE_BYTES} bytes pass, one more byte is reported`, () => {
        const at = minimal();
        f.fill(at, MAX_POD_TEMPLATE_BYTES - base);
        expect(validateJobSet('train', at)).toEqual([]);
        const over = minimal();
        f.fill(over, MAX_POD_TEMPLATE_BYTES - base + 1);
        const issues = validateJobSet('train', over);
        expect(issues.map((i) => i.path)).toEqual([PATH]);
        expect(issues[0]!.message).toContain(String(MAX_POD_TEMPLATE_BYTES + 1));
        expect(issues[0]!.message).toContain(String(MAX_POD_TEMPLATE_BYTES));
      });
    }

    it('the fields add up: none is over the limit alone, together they are', () => {
      const s = minimal();
      const quarter = Math.ceil(MAX_POD_TEMPLATE_BYTES / 4);
      pod(s, 0).args = ['a'.repeat(quarter)];
      pod(s, 0).env = [{ name: 'E', value: 'e'.repeat(quarter) }];
      pod(s, 0).workingDir = 'w'.repeat(quarter);
      pod(s, 0).image = 'i'.repeat(quarter);
      expect(validateJobSet('train', s).map((i) => i.path)).toEqual([PATH]);
    });

    it('a mount without containerPath counts its hostPath twice (withDefaults fills it in), raw or defaulted', () => {
      const s = minimal();
      pod(s, 0).image = 'i';
      // Once: within the limit; twice: over it.
      const len = Math.floor((MAX_POD_TEMPLATE_BYTES - base - 1) / 2) + 1;
      pod(s, 0).mounts = [{ hostPath: `/${'h'.repeat(len - 1)}`, containerPath: '', readOnly: false }];
      expect(validateJobSet('train', s).map((i) => i.path)).toEqual([PATH]);
      expect(validateJobSet('train', withDefaults(s)).map((i) => i.path)).toEqual([PATH]);
    });

    it('each replicatedJob’s template is measured on its own', () => {
      const s = makeJobSet('train')
        .replicatedJob('a', { command: ['true'] })
        .replicatedJob('b', { command: ['true'] })
        .rawSpec();
      pod(s, 0).args = ['x'.repeat(MAX_POD_TEMPLATE_BYTES - base)];
      pod(s, 1).args = ['x'.repeat(MAX_POD_TEMPLATE_BYTES - base)];
      expect(validateJobSet('train', s)).toEqual([]);
    });
  });

  it('a missing spec is reported at spec', () => {
    expect(validateJobSet('train', null).map((i) => i.path)).toEqual(['spec']);
  });
});

describe('validateJobSet: imagePullPolicy, mounts and shared memory', () => {
  const P = 'spec.replicatedJobs[1].template.template';
  /** validSpec with an image on the workers' pods (mounts and shmSize need one). */
  function withImage(): JobSetSpec {
    const s = validSpec();
    pod(s, 1).image = 'localhost/busybox:test';
    return s;
  }
  const mount = (hostPath: string, containerPath = '', readOnly = false) => ({ hostPath, containerPath, readOnly });
  const paths = (s: JobSetSpec) => validateJobSet('train', s).map((i) => i.path);
  const messageAt = (s: JobSetSpec, path: string) => validateJobSet('train', s).find((i) => i.path === path)?.message;

  it('imagePullPolicy may be empty, IfNotPresent, Always or Never, nothing else', () => {
    for (const policy of ['', ...IMAGE_PULL_POLICIES]) {
      const s = withImage();
      pod(s, 1).imagePullPolicy = policy;
      expect(paths(s), policy).toEqual([]);
    }
    expect(IMAGE_PULL_POLICIES).toEqual(['IfNotPresent', 'Always', 'Never']);
    for (const bad of ['always', 'Sometimes', ' Always']) {
      const s = withImage();
      pod(s, 1).imagePullPolicy = bad;
      expect(paths(s), bad).toEqual([`${P}.imagePullPolicy`]);
      expect(messageAt(s, `${P}.imagePullPolicy`)).toBe('must be one of IfNotPresent, Always, Never');
    }
  });

  it('valid mounts have no issues, raw or defaulted', () => {
    const s = withImage();
    pod(s, 1).mounts = [mount('/data', '/mnt/data', true), mount('/scratch'), mount('/data', '/data2'), mount('/a..b/c.d')];
    expect(paths(s)).toEqual([]);
    expect(paths(withDefaults(s))).toEqual([]);
  });

  it('mounts need an image (a pod without one runs on the host)', () => {
    const s = validSpec();
    pod(s, 1).mounts = [mount('/data')];
    expect(paths(s)).toEqual([`${P}.mounts`]);
    expect(messageAt(s, `${P}.mounts`)).toContain('image');
    pod(s, 1).image = 'localhost/busybox:test';
    expect(paths(s)).toEqual([]);
  });

  const pathCases: { name: string; m: ReturnType<typeof mount>; want: string; message: string }[] = [
    { name: 'an empty hostPath', m: mount(''), want: 'hostPath', message: 'is required (an absolute path on the node)' },
    { name: 'an empty hostPath (with a containerPath)', m: mount('', '/data'), want: 'hostPath', message: 'is required (an absolute path on the node)' },
    { name: 'a relative hostPath', m: mount('data', '/data'), want: 'hostPath', message: 'must be an absolute path' },
    { name: 'a relative containerPath', m: mount('/data', 'data'), want: 'containerPath', message: 'must be an absolute path' },
    { name: 'a ".." in hostPath', m: mount('/data/../etc', '/data'), want: 'hostPath', message: 'must not contain a ".." component' },
    { name: 'a trailing ".." in hostPath', m: mount('/data/..', '/data'), want: 'hostPath', message: 'must not contain a ".." component' },
    { name: 'a ".." in containerPath', m: mount('/data', '/work/../etc'), want: 'containerPath', message: 'must not contain a ".." component' },
    { name: 'a NUL in hostPath', m: mount('/data\0x', '/data'), want: 'hostPath', message: 'must not contain a NUL character' },
    { name: 'a NUL in containerPath', m: mount('/data', '/data\0x'), want: 'containerPath', message: 'must not contain a NUL character' },
  ];
  for (const c of pathCases) {
    it(`${c.name} is reported at mounts[0].${c.want}`, () => {
      const s = withImage();
      pod(s, 1).mounts = [c.m];
      expect(paths(s)).toEqual([`${P}.mounts[0].${c.want}`]);
      expect(messageAt(s, `${P}.mounts[0].${c.want}`)).toBe(c.message);
    });
  }

  it(`at most ${MAX_MOUNTS} mounts`, () => {
    const s = withImage();
    pod(s, 1).mounts = Array.from({ length: MAX_MOUNTS }, (_, i) => mount(`/d${i}`));
    expect(paths(s)).toEqual([]);
    pod(s, 1).mounts.push(mount('/one-more'));
    expect(paths(s)).toEqual([`${P}.mounts`]);
    expect(messageAt(s, `${P}.mounts`)).toBe(`at most ${MAX_MOUNTS} mounts (has ${MAX_MOUNTS + 1})`);
  });

  it('two mounts at the same containerPath are reported at the second', () => {
    const s = withImage();
    pod(s, 1).mounts = [mount('/a', '/data'), mount('/b', '/x'), mount('/c', '/data')];
    expect(paths(s)).toEqual([`${P}.mounts[2].containerPath`]);
    expect(messageAt(s, `${P}.mounts[2].containerPath`)).toBe('mounts /data again (mounts[0] mounts it already)');
  });

  it('the same mount point is found through a defaulted containerPath and another spelling', () => {
    const s = withImage();
    // mounts[0] is at /data (its hostPath); mounts[1] spells /data differently; mounts[2] defaults to /data too.
    pod(s, 1).mounts = [mount('/data'), mount('/b', '//data/./'), mount('/data/')];
    expect(paths(s)).toEqual([`${P}.mounts[1].containerPath`, `${P}.mounts[2].hostPath`]);
    expect(paths(withDefaults(s))).toEqual([`${P}.mounts[1].containerPath`, `${P}.mounts[2].containerPath`]);
  });

  it('shmSize must be ≥ 0 and needs an image', () => {
    const s = withImage();
    pod(s, 1).shmSizeBytes = 2 ** 30;
    expect(paths(s)).toEqual([]);
    pod(s, 1).shmSizeBytes = -1;
    expect(paths(s)).toEqual([`${P}.shmSize`]);
    expect(messageAt(s, `${P}.shmSize`)).toBe('must be ≥ 0');
    const host = validSpec();
    pod(host, 1).shmSizeBytes = 0;
    expect(paths(host)).toEqual([]);
    pod(host, 1).shmSizeBytes = 2 ** 30;
    expect(paths(host)).toEqual([`${P}.shmSize`]);
    expect(messageAt(host, `${P}.shmSize`)).toContain('image');
  });
});

describe('withDefaults', () => {
  function raw(): JobSetSpec {
    return makeJobSet('train').replicatedJob('leader', { cpu: 1 }).replicatedJob('workers', { parallelism: 4, completionMode: 'NonIndexed' }).rawSpec();
  }

  it('fills replicas 1, completions = parallelism and completionMode Indexed', () => {
    const s = raw();
    expect(rj(s, 0).replicas).toBeUndefined();
    expect(rj(s, 1).template!.completions).toBeUndefined();
    const d = withDefaults(s);
    expect(rj(d, 0).replicas).toBe(1);
    expect(rj(d, 0).template!.parallelism).toBe(1);
    expect(rj(d, 0).template!.completions).toBe(1);
    expect(rj(d, 0).template!.completionMode).toBe('Indexed');
    expect(rj(d, 1).template!.parallelism).toBe(4);
    expect(rj(d, 1).template!.completions).toBe(4);
    expect(rj(d, 1).template!.completionMode).toBe('NonIndexed');
  });

  it('takes parallelism from completions when only completions is given', () => {
    const s = raw();
    delete rj(s, 1).template!.parallelism;
    rj(s, 1).template!.completions = 3;
    const d = withDefaults(s);
    expect(rj(d, 1).template!.parallelism).toBe(3);
    expect(rj(d, 1).template!.completions).toBe(3);
  });

  it('keeps explicit replicas', () => {
    const s = raw();
    rj(s, 1).replicas = 5;
    expect(rj(withDefaults(s), 1).replicas).toBe(5);
  });

  it('fills successPolicy All (all replicatedJobs), startupPolicy AnyOrder and backoffLimit 6, and invents no failurePolicy (none: a failed Job fails the JobSet)', () => {
    const d = withDefaults(raw());
    expect(d.successPolicy).toEqual({ operator: 'All', targetReplicatedJobs: [] });
    expect(d.failurePolicy).toBeNull();
    expect(d.startupPolicy).toEqual({ startupPolicyOrder: 'AnyOrder' });
    expect(d.replicatedJobs.map((r) => r.template!.backoffLimit)).toEqual([6, 6]);
  });

  it('makes backoffLimit unlimited when failures are counted per index, and keeps an explicit one', () => {
    const s = raw();
    rj(s, 0).template!.backoffLimitPerIndex = 1;
    rj(s, 1).template!.backoffLimit = 0;
    const d = withDefaults(s);
    expect(d.replicatedJobs.map((r) => r.template!.backoffLimit)).toEqual([2_147_483_647, 0]);
  });

  it('fills an empty operator and restartStrategy but keeps targets and maxRestarts', () => {
    const s = raw();
    s.successPolicy = { operator: '', targetReplicatedJobs: ['workers'] };
    s.failurePolicy = { maxRestarts: 3, restartStrategy: '', rules: [{ name: '', action: 'FailJobSet', onJobFailureReasons: [], onJobFailureMessagePatterns: [], targetReplicatedJobs: [] }] };
    const d = withDefaults(s);
    expect(d.successPolicy).toEqual({ operator: 'All', targetReplicatedJobs: ['workers'] });
    expect(d.failurePolicy).toMatchObject({ maxRestarts: 3, restartStrategy: 'Recreate' });
    expect(d.failurePolicy!.rules[0]!.name).toBe('failurePolicyRule0');
  });

  it('keeps explicit policies', () => {
    const s = raw();
    s.successPolicy = { operator: 'Any', targetReplicatedJobs: [] };
    s.failurePolicy = { maxRestarts: 2, restartStrategy: 'InPlace', rules: [] };
    const d = withDefaults(s);
    expect(d.successPolicy).toEqual(s.successPolicy);
    expect(d.failurePolicy).toEqual(s.failurePolicy);
  });

  it('the default coordinator is the first replicatedJob, job 0, pod 0', () => {
    const s = raw();
    expect(withDefaults(s).coordinator).toEqual({ replicatedJob: rj(s, 0).name, jobIndex: 0, podIndex: 0 });
  });

  it('an explicit coordinator is kept', () => {
    const s = raw();
    s.coordinator = { replicatedJob: 'workers', jobIndex: 0, podIndex: 3 };
    expect(withDefaults(s).coordinator).toEqual({ replicatedJob: 'workers', jobIndex: 0, podIndex: 3 });
  });

  it('a mount without containerPath mounts at its hostPath; an explicit containerPath is kept', () => {
    const s = raw();
    pod(s, 1).image = 'localhost/busybox:test';
    pod(s, 1).mounts = [
      { hostPath: '/data', containerPath: '', readOnly: true },
      { hostPath: '/scratch', containerPath: '/tmp/scratch', readOnly: false },
    ];
    expect(pod(withDefaults(s), 1).mounts).toEqual([
      { hostPath: '/data', containerPath: '/data', readOnly: true },
      { hostPath: '/scratch', containerPath: '/tmp/scratch', readOnly: false },
    ]);
    expect(pod(s, 1).mounts[0]!.containerPath).toBe('');
  });

  it('does not modify its input', () => {
    const s = raw();
    const before = structuredClone(s);
    withDefaults(s);
    expect(s).toEqual(before);
  });

  it('is idempotent', () => {
    const once = withDefaults(raw());
    expect(withDefaults(once)).toEqual(once);
  });
});
