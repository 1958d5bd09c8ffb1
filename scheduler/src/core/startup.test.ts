import { afterEach, describe, expect, it } from 'vitest';
import type { JobSet, JobStatus, PodAssignment, PodPhase, PodStatus } from '../../../shared/src/proto/types.js';
import { parseJobSetObject } from '../../../shared/src/spec/document.js';
import { handleHeartbeat } from '../controller/heartbeats.js';
import { submitJobSet } from '../service/jobsets.js';
import { admittedJobSet, makeJobSet, type JobSetBuilder } from '../../../test/helpers/builders.js';
import {
  assignmentsOf,
  heartbeatOf,
  jobsetOf,
  podReport,
  registerTestNode,
  startTestScheduler,
  type TestScheduler,
} from '../../../test/helpers/scheduler-context.js';
import { newJobStatus } from './lifecycle.js';
import { dependenciesOf, hasStartOrder, openReplicatedJobs, reached, withStartupConditions } from './startup.js';

// ---------------------------------------------------------------------------
// Fixtures (pure)
// ---------------------------------------------------------------------------

const SETUP = 'pipe/setup/0/0';
const W00 = 'pipe/workers/0/0';
const W01 = 'pipe/workers/0/1';
const W10 = 'pipe/workers/1/0';
const W11 = 'pipe/workers/1/1';
const EVAL = 'pipe/eval/0/0';

/**
 * pipe is an ADMITTED JobSet (every pod Pending): setup (1 Job × 1 pod),
 * workers (2 Jobs × 2 pods) after setup is `workersWait`, eval (1 × 1) after
 * workers is Complete. `configure` may change the builder (e.g. drop dependsOn).
 */
function pipe(workersWait: 'Ready' | 'Complete' = 'Ready', configure?: (b: JobSetBuilder) => void): JobSet {
  const b = makeJobSet('pipe')
    .replicatedJob('setup', { cpu: 1 })
    .replicatedJob('workers', { replicas: 2, parallelism: 2, cpu: 1, dependsOn: [{ name: 'setup', status: workersWait }] })
    .replicatedJob('eval', { cpu: 1, dependsOn: [{ name: 'workers', status: 'Complete' }] });
  configure?.(b);
  return admittedJobSet(b.build());
}

/** chain is an ADMITTED JobSet a → b → c under startupPolicy InOrder, one pod each (b has 2 Jobs × 2 pods). */
function chain(): JobSet {
  const js = admittedJobSet(makeJobSet('chain').replicatedJob('a', { cpu: 1 }).replicatedJob('b', { replicas: 2, parallelism: 2, cpu: 1 }).replicatedJob('c', { cpu: 1 }).build());
  js.spec!.startupPolicy = { startupPolicyOrder: 'InOrder' };
  return js;
}

/** withPods returns a copy whose pods (by id) have the given phase. */
function withPods(js: JobSet, phases: Record<string, PodPhase>): JobSet {
  const out = structuredClone(js);
  out.status!.pods = out.status!.pods.map((p): PodStatus => (phases[p.podId] ? { ...p, phase: phases[p.podId]! } : p));
  return out;
}

/** withJobs returns a copy whose status.jobs holds the given Job states (`rj/index` → state). */
function withJobs(js: JobSet, states: Record<string, string>): JobSet {
  const out = structuredClone(js);
  out.status!.jobs = Object.entries(states).map(([key, state]): JobStatus => {
    const [rj, i] = key.split('/');
    return { ...newJobStatus(rj!, Number(i)), state };
  });
  return out;
}

/** started returns a copy with status.startedReplicatedJobs set. */
function started(js: JobSet, ...names: string[]): JobSet {
  const out = structuredClone(js);
  out.status!.startedReplicatedJobs = names;
  return out;
}

const RUNNING: PodPhase = 'POD_PHASE_RUNNING';
const SUCCEEDED: PodPhase = 'POD_PHASE_SUCCEEDED';
const PENDING: PodPhase = 'POD_PHASE_PENDING';
const FAILED: PodPhase = 'POD_PHASE_FAILED';

// ---------------------------------------------------------------------------
// dependenciesOf / hasStartOrder
// ---------------------------------------------------------------------------

describe('dependenciesOf', () => {
  it('lists each replicatedJob\'s dependsOn, with its status, in spec order', () => {
    const deps = dependenciesOf(pipe('Complete').spec!);
    expect([...deps.entries()]).toEqual([
      ['setup', []],
      ['workers', [{ name: 'setup', status: 'Complete' }]],
      ['eval', [{ name: 'workers', status: 'Complete' }]],
    ]);
  });

  it('keeps several dependencies of one replicatedJob', () => {
    const js = makeJobSet('x')
      .replicatedJob('data', { cpu: 1 })
      .replicatedJob('ps', { cpu: 1 })
      .replicatedJob('workers', { cpu: 1, dependsOn: [{ name: 'data', status: 'Complete' }, { name: 'ps', status: 'Ready' }] })
      .build();
    expect(dependenciesOf(js.spec!).get('workers')).toEqual([
      { name: 'data', status: 'Complete' },
      { name: 'ps', status: 'Ready' },
    ]);
  });

  it('under InOrder, each replicatedJob waits for the one before it to be Ready; the first for nothing', () => {
    expect([...dependenciesOf(chain().spec!).entries()]).toEqual([
      ['a', []],
      ['b', [{ name: 'a', status: 'Ready' }]],
      ['c', [{ name: 'b', status: 'Ready' }]],
    ]);
  });

  it('a JobSet without dependsOn (AnyOrder) waits for nothing', () => {
    const js = makeJobSet('x').replicatedJob('leader', { cpu: 1 }).replicatedJob('workers', { replicas: 2, cpu: 1 }).build();
    expect([...dependenciesOf(js.spec!).values()]).toEqual([[], []]);
  });
});

describe('hasStartOrder', () => {
  const cases: { name: string; jobset: () => JobSet; want: boolean }[] = [
    { name: 'no dependsOn, AnyOrder', jobset: () => makeJobSet('x').replicatedJob('a', { cpu: 1 }).replicatedJob('b', { cpu: 1 }).build(), want: false },
    { name: 'dependsOn', jobset: () => pipe(), want: true },
    { name: 'InOrder with several replicatedJobs', jobset: chain, want: true },
    {
      name: 'InOrder with a single replicatedJob (nothing to wait for)',
      jobset: () => {
        const js = makeJobSet('x').replicatedJob('a', { cpu: 1 }).build();
        js.spec!.startupPolicy = { startupPolicyOrder: 'InOrder' };
        return js;
      },
      want: false,
    },
  ];
  it.each(cases)('$name → $want', ({ jobset, want }) => {
    expect(hasStartOrder(jobset().spec!)).toBe(want);
  });
});

// ---------------------------------------------------------------------------
// reached
// ---------------------------------------------------------------------------

describe('reached', () => {
  describe('Ready: every Job of the replicatedJob has all its pods Running or Succeeded, or has finished', () => {
    const cases: { name: string; jobset: JobSet; want: boolean }[] = [
      { name: 'every pod still Pending', jobset: pipe(), want: false },
      { name: 'one Job ready, the other with a pod still Pending', jobset: withPods(pipe(), { [W00]: RUNNING, [W01]: RUNNING, [W10]: RUNNING }), want: false },
      { name: 'every pod Running', jobset: withPods(pipe(), { [W00]: RUNNING, [W01]: RUNNING, [W10]: RUNNING, [W11]: RUNNING }), want: true },
      { name: 'pods Running or Succeeded', jobset: withPods(pipe(), { [W00]: SUCCEEDED, [W01]: RUNNING, [W10]: RUNNING, [W11]: SUCCEEDED }), want: true },
      { name: 'a pod Failed (being retried) in an Active Job', jobset: withPods(pipe(), { [W00]: RUNNING, [W01]: FAILED, [W10]: RUNNING, [W11]: RUNNING }), want: false },
      {
        name: 'a Job Succeeded (its pods no matter), the other Running',
        jobset: withJobs(withPods(pipe(), { [W00]: SUCCEEDED, [W01]: PENDING, [W10]: RUNNING, [W11]: RUNNING }), { 'workers/0': 'Succeeded' }),
        want: true,
      },
      {
        name: 'a Job Failed counts as finished',
        jobset: withJobs(withPods(pipe(), { [W00]: FAILED, [W01]: FAILED, [W10]: RUNNING, [W11]: RUNNING }), { 'workers/0': 'Failed' }),
        want: true,
      },
      { name: 'pods of another replicatedJob Running do not count', jobset: withPods(pipe(), { [SETUP]: RUNNING, [EVAL]: RUNNING }), want: false },
    ];
    it.each(cases)('$name → $want', ({ jobset, want }) => {
      expect(reached(jobset, 'workers', 'Ready')).toBe(want);
    });
  });

  describe('Complete: every Job of the replicatedJob Succeeded', () => {
    const allSucceeded = withPods(pipe(), { [W00]: SUCCEEDED, [W01]: SUCCEEDED, [W10]: SUCCEEDED, [W11]: SUCCEEDED });
    const cases: { name: string; jobset: JobSet; want: boolean }[] = [
      { name: 'every pod Running', jobset: withPods(pipe(), { [W00]: RUNNING, [W01]: RUNNING, [W10]: RUNNING, [W11]: RUNNING }), want: false },
      { name: 'one Job Succeeded, the other Active', jobset: withJobs(allSucceeded, { 'workers/0': 'Succeeded', 'workers/1': 'Active' }), want: false },
      { name: 'one Job Succeeded, the other Failed', jobset: withJobs(allSucceeded, { 'workers/0': 'Succeeded', 'workers/1': 'Failed' }), want: false },
      { name: 'every Job Succeeded', jobset: withJobs(allSucceeded, { 'workers/0': 'Succeeded', 'workers/1': 'Succeeded' }), want: true },
    ];
    it.each(cases)('$name → $want', ({ jobset, want }) => {
      expect(reached(jobset, 'workers', 'Complete')).toBe(want);
    });
  });

  it('a replicatedJob the spec does not have is never reached', () => {
    const js = withJobs(withPods(pipe(), { [SETUP]: SUCCEEDED }), { 'setup/0': 'Succeeded' });
    expect(reached(js, 'ghost', 'Ready')).toBe(false);
    expect(reached(js, 'ghost', 'Complete')).toBe(false);
  });
});

// ---------------------------------------------------------------------------
// openReplicatedJobs
// ---------------------------------------------------------------------------

describe('openReplicatedJobs', () => {
  it('at admission, the replicatedJobs that depend on nothing are open', () => {
    expect(openReplicatedJobs(pipe())).toEqual(['setup']);
    expect(openReplicatedJobs(chain())).toEqual(['a']);
  });

  it('without a start order every replicatedJob is open at admission', () => {
    const js = admittedJobSet(makeJobSet('x').replicatedJob('leader', { cpu: 1 }).replicatedJob('workers', { replicas: 2, cpu: 1 }).build());
    expect(openReplicatedJobs(js)).toEqual(['leader', 'workers']);
  });

  it('dependsOn Ready: opens once every pod of the dependency runs, not before', () => {
    const js = started(pipe('Ready'), 'setup');
    expect(openReplicatedJobs(js)).toEqual(['setup']);
    expect(openReplicatedJobs(withPods(js, { [SETUP]: RUNNING }))).toEqual(['setup', 'workers']);
  });

  it('dependsOn Complete: a Running dependency is not enough; its Jobs must have Succeeded', () => {
    const js = started(pipe('Complete'), 'setup');
    expect(openReplicatedJobs(withPods(js, { [SETUP]: RUNNING }))).toEqual(['setup']);
    // The pod succeeded but the lifecycle has not yet marked the Job Succeeded: not yet.
    expect(openReplicatedJobs(withPods(js, { [SETUP]: SUCCEEDED }))).toEqual(['setup']);
    expect(openReplicatedJobs(withJobs(withPods(js, { [SETUP]: SUCCEEDED }), { 'setup/0': 'Succeeded' }))).toEqual(['setup', 'workers']);
  });

  it('a dependency that is not started itself does not open what depends on it', () => {
    // setup is not in startedReplicatedJobs (say, a stale status): workers stay closed even though setup's pod runs.
    const js = withPods(pipe('Ready', (b) => b.replicatedJob('extra', { cpu: 1, dependsOn: [{ name: 'eval', status: 'Ready' }] })), { [EVAL]: RUNNING });
    expect(openReplicatedJobs(js)).not.toContain('extra');
  });

  it('InOrder opens the chain progressively, one link each time the last opened one is Ready', () => {
    let js = chain();
    expect(openReplicatedJobs(js)).toEqual(['a']);
    js = started(withPods(js, { 'chain/a/0/0': RUNNING }), 'a');
    expect(openReplicatedJobs(js)).toEqual(['a', 'b']);
    js = started(js, 'a', 'b');
    // b has 2 Jobs: one ready is not enough.
    js = withPods(js, { 'chain/b/0/0': RUNNING, 'chain/b/0/1': RUNNING });
    expect(openReplicatedJobs(js)).toEqual(['a', 'b']);
    js = withPods(js, { 'chain/b/1/0': RUNNING, 'chain/b/1/1': RUNNING });
    expect(openReplicatedJobs(js)).toEqual(['a', 'b', 'c']);
  });

  it('a dependsOn chain opens link by link: eval waits for workers to Complete even after workers started', () => {
    let js = started(withPods(pipe('Ready'), { [SETUP]: RUNNING }), 'setup');
    expect(openReplicatedJobs(js)).toEqual(['setup', 'workers']);
    js = started(withPods(js, { [W00]: RUNNING, [W01]: RUNNING, [W10]: RUNNING, [W11]: RUNNING }), 'setup', 'workers');
    expect(openReplicatedJobs(js)).toEqual(['setup', 'workers']);
    js = withJobs(withPods(js, { [W00]: SUCCEEDED, [W01]: SUCCEEDED, [W10]: SUCCEEDED, [W11]: SUCCEEDED }), { 'workers/0': 'Succeeded', 'workers/1': 'Succeeded' });
    expect(openReplicatedJobs(js)).toEqual(['setup', 'workers', 'eval']);
  });

  it('a replicatedJob already started stays started when its dependency regresses (a pod retried → Pending)', () => {
    const js = started(withPods(pipe('Ready'), { [SETUP]: PENDING }), 'setup', 'workers');
    expect(reached(js, 'setup', 'Ready')).toBe(false);
    expect(openReplicatedJobs(js)).toEqual(['setup', 'workers']);
  });

  it('the result is in spec order, whatever the order of startedReplicatedJobs', () => {
    const js = started(pipe('Ready'), 'workers', 'setup');
    expect(openReplicatedJobs(js)).toEqual(['setup', 'workers']);
  });

  it('a replicatedJob that depends on a name the spec does not have never opens', () => {
    const js = admittedJobSet(makeJobSet('x').replicatedJob('a', { cpu: 1 }).replicatedJob('b', { cpu: 1, dependsOn: [{ name: 'ghost', status: 'Ready' }] }).build());
    const all = withJobs(withPods(js, { 'x/a/0/0': SUCCEEDED }), { 'a/0': 'Succeeded' });
    expect(openReplicatedJobs(all)).toEqual(['a']);
    expect(openReplicatedJobs(started(all, 'a', 'ghost'))).toEqual(['a']);
  });

  it('does not modify the JobSet', () => {
    const js = started(withPods(pipe('Ready'), { [SETUP]: RUNNING }), 'setup');
    const before = structuredClone(js);
    openReplicatedJobs(js);
    expect(js).toEqual(before);
  });
});

// ---------------------------------------------------------------------------
// Through a real scheduler: only started replicatedJobs reach the nodes
// ---------------------------------------------------------------------------

describe('start order through the scheduler', () => {
  let s: TestScheduler;
  afterEach(() => s?.close());

  /**
   * Two 4-GPU nodes; `pipe`: setup (1 pod, 1 CPU) then workers (2 Jobs × 1 pod,
   * 4 GPUs each, so one per node) after setup is Complete; admitted.
   */
  function admittedPipe(): { setup: PodAssignment; workers: PodAssignment[]; nodeOf: Map<string, string> } {
    s = startTestScheduler();
    registerTestNode(s, 'n1', { cpu: 16, gpus: 4 });
    registerTestNode(s, 'n2', { cpu: 16, gpus: 4 });
    const doc = parseJobSetObject({
      apiVersion: 'muster.dev/v1',
      kind: 'JobSet',
      metadata: { name: 'pipe' },
      spec: {
        replicatedJobs: [
          { name: 'setup', template: { backoffLimit: 0, template: { command: ['prepare'], resources: { cpu: 1, memory: '1Gi' } } } },
          {
            name: 'workers',
            replicas: 2,
            dependsOn: [{ name: 'setup', status: 'Complete' }],
            template: { backoffLimit: 0, template: { command: ['train'], resources: { cpu: 1, memory: '1Gi', gpus: 4 } } },
          },
        ],
      },
    });
    submitJobSet(s.ctx, { metadata: { name: doc.name, labels: {}, uid: '', createdMs: 0, user: 'alice', userVerified: false, submitDir: '/home/alice' }, spec: doc.spec });
    s.runCycle();
    expect(jobsetOf(s, 'pipe').status!.phase).toBe('JOB_SET_PHASE_ADMITTED');
    const all = assignmentsOf(s, 'pipe');
    const nodeOf = new Map(jobsetOf(s, 'pipe').status!.pods.map((p) => [p.podId, p.node]));
    return { setup: all.find((a) => a.replicatedJob === 'setup')!, workers: all.filter((a) => a.replicatedJob === 'workers'), nodeOf };
  }

  const podsIn = (node: string): string[] => s.out.lastDesired(node)?.pods.map((p) => p.podId) ?? [];

  it('after admission only setup\'s pod is in the desired documents; workers are placed but wait', () => {
    const { nodeOf } = admittedPipe();
    expect(jobsetOf(s, 'pipe').status!.startedReplicatedJobs).toEqual(['setup']);
    expect([...podsIn('n1'), ...podsIn('n2')]).toEqual([SETUP]);
    // Placed all the same: the gang was checked against real capacity at admission.
    expect(nodeOf.get(W00)).not.toBe(nodeOf.get(W10));
    expect(new Set([nodeOf.get(W00), nodeOf.get(W10)])).toEqual(new Set(['n1', 'n2']));
    expect(jobsetOf(s, 'pipe').status!.history.map((h) => h.type)).toEqual(['Submitted', 'Admitted']);
  });

  it('workers\' pods join their nodes\' desired documents once setup\'s pod reports Succeeded', () => {
    const { setup, workers, nodeOf } = admittedPipe();
    const setupNode = nodeOf.get(SETUP)!;
    const revisions = { n1: s.store.getNode('n1')!.revision, n2: s.store.getNode('n2')!.revision };
    s.out.clear();

    // Running is not Complete: nothing new for the nodes.
    handleHeartbeat(s.ctx, heartbeatOf(s, setupNode, [podReport(setup, 'POD_PHASE_RUNNING')]));
    expect(s.out.desired).toEqual([]);
    expect(jobsetOf(s, 'pipe').status!.startedReplicatedJobs).toEqual(['setup']);

    s.clock.advance(1000);
    handleHeartbeat(s.ctx, heartbeatOf(s, setupNode, [podReport(setup, 'POD_PHASE_SUCCEEDED')]));

    const st = jobsetOf(s, 'pipe').status!;
    expect(st.startedReplicatedJobs).toEqual(['setup', 'workers']);
    expect(st.jobs.find((j) => j.replicatedJob === 'setup')!.state).toBe('Succeeded');
    expect(st.history.at(-1)).toMatchObject({ type: 'ReplicatedJobStarted', timeMs: s.clock.now() });
    expect(st.history.at(-1)!.message).toContain('setup is Complete');
    for (const node of ['n1', 'n2'] as const) {
      const doc = s.out.lastDesired(node)!;
      expect(doc.revision, node).toBe(revisions[node] + 1);
      const mine = workers.filter((w) => nodeOf.get(w.podId) === node).map((w) => w.podId);
      expect(mine).toHaveLength(1);
      expect(doc.pods.map((p) => p.podId), node).toEqual(expect.arrayContaining(mine));
    }
    expect([...podsIn('n1'), ...podsIn('n2')].filter((p) => p.includes('/workers/')).sort()).toEqual([W00, W10]);

    // The workers run: the JobSet is Running.
    for (const w of workers) handleHeartbeat(s.ctx, heartbeatOf(s, nodeOf.get(w.podId)!, [podReport(w, 'POD_PHASE_RUNNING')]));
    expect(jobsetOf(s, 'pipe').status!.phase).toBe('JOB_SET_PHASE_RUNNING');
  });
});

describe('withStartupConditions (InOrder)', () => {
  const inOrder = makeJobSet('seq').replicatedJob('a').replicatedJob('b').replicatedJob('c').build().spec!;
  inOrder.startupPolicy = { startupPolicyOrder: 'InOrder' };

  it('is StartupPolicyInProgress while some replicatedJobs wait, naming them', () => {
    const conds = withStartupConditions(inOrder, ['a'], [], 10);
    expect(conds).toEqual([expect.objectContaining({ type: 'StartupPolicyInProgress', status: 'True', reason: 'InOrderStartupPolicyInProgress', lastTransitionMs: 10 })]);
    expect(conds[0]!.message).toContain('waiting: b, c');
    // Progress keeps the transition time of the condition.
    expect(withStartupConditions(inOrder, ['a', 'b'], conds, 20)[0]).toMatchObject({ status: 'True', lastTransitionMs: 10 });
  });

  it('is StartupPolicyCompleted once all started, and InProgress turns False', () => {
    const conds = withStartupConditions(inOrder, ['a', 'b', 'c'], withStartupConditions(inOrder, ['a'], [], 10), 30);
    expect(conds.find((c) => c.type === 'StartupPolicyCompleted')).toMatchObject({ status: 'True', reason: 'InOrderStartupPolicyCompleted', lastTransitionMs: 30 });
    expect(conds.find((c) => c.type === 'StartupPolicyInProgress')).toMatchObject({ status: 'False' });
  });

  it('leaves the conditions of a JobSet without InOrder alone', () => {
    const anyOrder = makeJobSet('any').replicatedJob('a').replicatedJob('b').build().spec!;
    const conds = [{ type: 'Running', status: 'True', reason: 'AllPodsRunning', message: '', lastTransitionMs: 1 }];
    expect(withStartupConditions(anyOrder, ['a'], conds, 5)).toBe(conds);
  });
});
