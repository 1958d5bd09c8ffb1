import { describe, expect, it } from 'vitest';
import type { JobSet, JobStatus, PodStatus } from '../../../shared/src/proto/types.js';
import { admittedJobSet, makeJobSet } from '../../../test/helpers/builders.js';
import { describeFull } from './describe.js';
import { newJobStatus } from '../../../scheduler/src/core/lifecycle.js';

const NOW = 1_800_000_000_000;
const MIN = 60_000;

const SETUP = 'train/setup/0/0';
const W00 = 'train/workers/0/0';
const W01 = 'train/workers/0/1';
const W10 = 'train/workers/1/0';
const W11 = 'train/workers/1/1';

function jobStatus(replicatedJob: string, jobIndex: number, over: Partial<JobStatus> = {}): JobStatus {
  return { ...newJobStatus(replicatedJob, jobIndex), ...over };
}

/**
 * train, ADMITTED: setup (1 × 1, cpu 1, 1Gi) Running on n1; workers (2 Jobs ×
 * 2 pods, 4 GPUs each, after setup is Complete, with retry rules and a
 * deadline) placed on n2 and n3 but waiting. A Recreate failurePolicy (3
 * restarts, one rule), 2 restarts so far (1 counted), a coordinator port,
 * Jobs, conditions and three events.
 */
function train(): JobSet {
  const b = makeJobSet('train')
    .replicatedJob('setup', { cpu: 1, memory: '1Gi' })
    .replicatedJob('workers', {
      replicas: 2,
      parallelism: 2,
      cpu: 8,
      memory: '64Gi',
      gpus: 4,
      backoffLimit: 3,
      backoffLimitPerIndex: 1,
      maxFailedIndexes: 2,
      dependsOn: [{ name: 'setup', status: 'Complete' }],
      podFailurePolicy: {
        rules: [
          { action: 'Ignore', onExitCodes: { operator: 'In', values: [137, 143] }, onPodConditions: [] },
          { action: 'FailJob', onExitCodes: null, onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
        ],
      },
    })
    .failurePolicy('Recreate', 3, [
      { name: 'fatal', action: 'FailJobSet', onJobFailureReasons: ['PodFailurePolicy'], onJobFailureMessagePatterns: ['OOM.*'], targetReplicatedJobs: ['workers'] },
    ])
    .coordinator('workers', 0, 0)
    .createdAt(NOW - 10 * MIN);
  const js = admittedJobSet(b.build(), (p) => (p.replicatedJob === 'setup' ? 'n1' : p.jobIndex === 0 ? 'n2' : 'n3'));
  js.spec!.replicatedJobs[1]!.template!.activeDeadlineSeconds = 3600;
  js.metadata!.user = 'alice';
  js.metadata!.userVerified = true;
  const s = js.status!;
  Object.assign(s, {
    phase: 'JOB_SET_PHASE_ADMITTED',
    reason: 'Admitted',
    message: 'all 5 pods placed on 3 node(s)',
    admittedMs: NOW - 5 * MIN,
    startedMs: 0,
    restarts: 2,
    restartsCountTowardsMax: 1,
    coordinatorPort: 29500,
    startedReplicatedJobs: ['setup'],
  });
  const pod = (id: string, over: Partial<PodStatus>): PodStatus => ({ ...s.pods.find((p) => p.podId === id)!, generation: 3, ...over });
  s.pods = [
    pod(SETUP, { phase: 'POD_PHASE_RUNNING', startedMs: NOW - 4 * MIN, seq: 2, binding: { gpuIndices: [], gpuUuids: [], cpuset: '', numaNode: 0, nics: [] } }),
    pod(W00, { binding: { gpuIndices: [0, 1, 2, 3], gpuUuids: [], cpuset: '', numaNode: 0, nics: [] } }),
    pod(W01, { phase: 'POD_PHASE_FAILED', exitCode: 137, reason: 'OOMKilled', startedMs: NOW - 3 * MIN, binding: { gpuIndices: [4, 5, 6, 7], gpuUuids: [], cpuset: '52-67', numaNode: 1, nics: ['mlx5_2', 'mlx5_3'] } }),
    pod(W10, { phase: 'POD_PHASE_FAILED', signal: 'SIGTERM', reason: 'Stopped', binding: { gpuIndices: [0, 1, 2, 3], gpuUuids: [], cpuset: '', numaNode: 0, nics: [] } }),
    pod(W11, { generation: 4, binding: { gpuIndices: [4, 5, 6, 7], gpuUuids: [], cpuset: '', numaNode: 0, nics: [] } }),
  ];
  s.replicatedJobs = [
    { name: 'setup', pods: 1, pending: 0, running: 1, succeeded: 0, failed: 0, readyJobs: 1, activeJobs: 1, succeededJobs: 0, failedJobs: 0, suspendedJobs: 0 },
    { name: 'workers', pods: 4, pending: 2, running: 0, succeeded: 0, failed: 2, readyJobs: 0, activeJobs: 2, succeededJobs: 0, failedJobs: 0, suspendedJobs: 0 },
  ];
  s.jobs = [
    jobStatus('setup', 0, { startedMs: NOW - 4 * MIN }),
    jobStatus('workers', 0, { failures: 1, ignoredFailures: 2, failedIndexes: [1] }),
    jobStatus('workers', 1),
  ];
  s.conditions = [{ type: 'Admitted', status: 'True', reason: 'Admitted', message: 'all 5 pods placed on 3 node(s)', lastTransitionMs: NOW - 5 * MIN }];
  s.history = [
    { timeMs: NOW - 10 * MIN, type: 'Submitted', message: 'submitted by alice' },
    { timeMs: NOW - 5 * MIN, type: 'Admitted', message: 'all 5 pods placed on 3 node(s)' },
    { timeMs: NOW - 3 * MIN, type: 'PodFailureIgnored', message: 'pod train/workers/0/1 exited with code 137; a podFailurePolicy Ignore rule matched' },
  ];
  return js;
}

// ---------------------------------------------------------------------------
// Reading the output
// ---------------------------------------------------------------------------

/** sections splits the output into its blank-line separated parts, keyed by their title line (`Pods:`); the fields come first as ''. */
function sections(out: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const part of out.split('\n\n')) {
    const lines = part.split('\n');
    if (/^[A-Z][a-z ]+:$/.test(lines[0]!)) m.set(lines[0]!.slice(0, -1), lines.slice(1));
    else m.set('', lines);
  }
  return m;
}

/** fields reads the `Label:  value` lines at the top. */
function fields(out: string): Map<string, string> {
  return new Map(
    (sections(out).get('') ?? []).map((l) => {
      const i = l.indexOf(':');
      return [l.slice(0, i), l.slice(i + 1).trim()];
    }),
  );
}

/** table reads a section's table as header → cell maps (columns located by the header's positions). */
function table(out: string, title: string): Record<string, string>[] {
  const lines = sections(out).get(title);
  if (!lines) throw new Error(`no ${title} section in:\n${out}`);
  const [header, ...rows] = lines as [string, ...string[]];
  const cols = [...header.matchAll(/\S+(?: \S+)*/g)].map((m) => ({ name: m[0], at: m.index }));
  return rows.map((r) => Object.fromEntries(cols.map((c, i) => [c.name, r.slice(c.at, cols[i + 1]?.at ?? r.length).trim()])));
}

/** row finds a table row by its first column. */
function row(out: string, title: string, first: string): Record<string, string> {
  const rows = table(out, title);
  const r = rows.find((x) => Object.values(x)[0] === first);
  if (!r) throw new Error(`no row ${first} in ${title}: ${JSON.stringify(rows)}`);
  return r;
}

// ---------------------------------------------------------------------------

describe('describeFull', () => {
  it('renders the sections in order: fields, replicated jobs, Jobs, pods, conditions, events', () => {
    const out = describeFull(train(), NOW);
    expect([...sections(out).keys()]).toEqual(['', 'Replicated jobs', 'Jobs', 'Pods', 'Conditions', 'Events']);
    expect(out.endsWith('\n')).toBe(false);
    for (const line of out.split('\n')) expect(line, 'no trailing spaces').toBe(line.trimEnd());
  });

  it('the fields: phase, reason, times, restarts counted toward the maximum, coordinator, policies', () => {
    const f = fields(describeFull(train(), NOW));
    expect(Object.fromEntries(f)).toEqual({
      Name: 'train',
      Phase: 'Admitted',
      Reason: 'Admitted',
      Message: 'all 5 pods placed on 3 node(s)',
      User: 'alice',
      Created: '10m ago',
      Admitted: '5m ago',
      Started: '-',
      Finished: '-',
      Restarts: '2 (1 counted toward maxRestarts 3)',
      'Coordinator port': '29500',
      'Success policy': 'All of all replicatedJobs',
      'Failure policy': 'Recreate, maxRestarts 3; fatal: PodFailurePolicy /OOM.*/ workers → FailJobSet',
      Coordinator: 'workers/0/0',
    });
  });

  it('policies in other shapes: no failurePolicy, one without rules, a targeted success policy, suspended, TTL', () => {
    const none = train();
    none.spec!.failurePolicy = null;
    none.spec!.successPolicy = { operator: 'Any', targetReplicatedJobs: ['workers'] };
    let f = fields(describeFull(none, NOW));
    expect(f.get('Failure policy')).toBe('none (a failed Job fails the JobSet; losing a node requeues it, up to the scheduler’s node-loss requeue limit)');
    expect(f.get('Success policy')).toBe('Any of workers');
    expect(f.get('Restarts')).toBe('2 (1 counted toward maxRestarts)');
    expect(f.has('Requeued after node loss')).toBe(false);
    none.status!.lostRequeues = 2;
    expect(fields(describeFull(none, NOW)).get('Requeued after node loss')).toBe('2 time(s)');
    expect(f.has('Suspended')).toBe(false);
    expect(f.has('TTL after finished')).toBe(false);

    const bare = train();
    bare.spec!.failurePolicy = { restartStrategy: 'InPlace', maxRestarts: 5, rules: [] };
    bare.spec!.suspend = true;
    bare.spec!.ttlSecondsAfterFinished = 600;
    f = fields(describeFull(bare, NOW));
    expect(f.get('Failure policy')).toBe('InPlace, maxRestarts 5; no rules (a failed Job restarts the JobSet)');
    expect(f.get('Suspended')).toBe('yes');
    expect(f.get('TTL after finished')).toBe('600s');
  });

  it('the replicated jobs table: shape, when each starts (started / waiting), retries, Job and pod counts', () => {
    const out = describeFull(train(), NOW);
    expect(table(out, 'Replicated jobs').map((r) => r.NAME)).toEqual(['setup', 'workers']);
    expect(row(out, 'Replicated jobs', 'setup')).toEqual({
      NAME: 'setup',
      SHAPE: '1 job(s) × 1 pod(s), cpu=1 mem=1Gi each',
      STARTS: 'at admission (started)',
      RETRIES: 'backoffLimit 6',
      'JOBS READY/ACTIVE/SUCCEEDED/FAILED': '1/1/0/0',
      'PODS RUN/DONE/FAILED/PENDING': '1/0/0/0',
    });
    expect(row(out, 'Replicated jobs', 'workers')).toEqual({
      NAME: 'workers',
      SHAPE: '2 job(s) × 2 pod(s), cpu=8 mem=64Gi gpu=4 each',
      STARTS: 'after setup is Complete (waiting)',
      RETRIES: 'backoffLimit 3; per index 1; maxFailedIndexes 2; exit In 137,143 → Ignore; DisruptionTarget → FailJob; deadline 3600s',
      'JOBS READY/ACTIVE/SUCCEEDED/FAILED': '0/2/0/0',
      'PODS RUN/DONE/FAILED/PENDING': '0/0/2/2',
    });
  });

  it('STARTS: several dependsOn read joined by "and"; once started, "(started)"', () => {
    const js = train();
    js.spec!.replicatedJobs.push({ ...structuredClone(js.spec!.replicatedJobs[0]!), name: 'eval', dependsOn: [{ name: 'setup', status: 'Complete' }, { name: 'workers', status: 'Ready' }] });
    js.status!.startedReplicatedJobs = ['setup', 'workers'];
    const out = describeFull(js, NOW);
    expect(row(out, 'Replicated jobs', 'workers').STARTS).toBe('after setup is Complete (started)');
    expect(row(out, 'Replicated jobs', 'eval').STARTS).toBe('after setup is Complete and workers is Ready (waiting)');
    // No counts known for eval yet.
    expect(row(out, 'Replicated jobs', 'eval')['JOBS READY/ACTIVE/SUCCEEDED/FAILED']).toBe('-');
  });

  it('STARTS under InOrder: each after the previous is Ready', () => {
    const js = train();
    js.spec!.replicatedJobs[1]!.dependsOn = [];
    js.spec!.startupPolicy = { startupPolicyOrder: 'InOrder' };
    const out = describeFull(js, NOW);
    expect(row(out, 'Replicated jobs', 'setup').STARTS).toBe('at admission (started)');
    expect(row(out, 'Replicated jobs', 'workers').STARTS).toBe('after setup is Ready (InOrder) (waiting)');
  });

  it('STARTS says nothing of started/waiting without a start order, or while the JobSet is Pending', () => {
    const free = train();
    free.spec!.replicatedJobs[1]!.dependsOn = [];
    expect(table(describeFull(free, NOW), 'Replicated jobs').map((r) => r.STARTS)).toEqual(['at admission', 'at admission']);

    const pending = train();
    pending.status!.phase = 'JOB_SET_PHASE_PENDING';
    pending.status!.startedReplicatedJobs = [];
    expect(table(describeFull(pending, NOW), 'Replicated jobs').map((r) => r.STARTS)).toEqual(['at admission', 'after setup is Complete']);
  });

  it('a replicatedJob without resource requests reads "no requests"', () => {
    const js = makeJobSet('tiny').replicatedJob('main').build();
    expect(row(describeFull(js, NOW), 'Replicated jobs', 'main').SHAPE).toBe('1 job(s) × 1 pod(s), no requests each');
  });

  it('the Jobs table lists only Jobs with something to say: failures, a state, restarts, a start', () => {
    const js = train();
    js.status!.jobs.push(jobStatus('workers', 2, { state: 'Failed', failureReason: 'DeadlineExceeded', failureMessage: 'past its activeDeadlineSeconds (3600)', restarts: 1, startedMs: NOW - 65 * MIN }));
    const out = describeFull(js, NOW);
    expect(table(out, 'Jobs').map((r) => r.JOB)).toEqual(['setup/0', 'workers/0', 'workers/2']);
    expect(row(out, 'Jobs', 'setup/0')).toMatchObject({ STATE: 'Active', FAILURES: '0', 'FAILED INDEXES': '-', RESTARTS: '0', STARTED: '4m', WHY: '' });
    expect(row(out, 'Jobs', 'workers/0')).toMatchObject({ STATE: 'Active', FAILURES: '1 (+2 ignored)', 'FAILED INDEXES': '1', STARTED: '-' });
    expect(row(out, 'Jobs', 'workers/2')).toMatchObject({ STATE: 'Failed', RESTARTS: '1', STARTED: '1h', WHY: 'DeadlineExceeded: past its activeDeadlineSeconds (3600)' });
  });

  it('no Jobs table when no Job has anything to say', () => {
    const js = train();
    js.status!.jobs = [jobStatus('setup', 0), jobStatus('workers', 0), jobStatus('workers', 1)];
    expect(sections(describeFull(js, NOW)).has('Jobs')).toBe(false);
  });

  it('the pods: node, GPUs and CPUs with their NUMA node and NICs, generation, phase, exit (code or signal), reason, age', () => {
    const out = describeFull(train(), NOW);
    expect(table(out, 'Pods').map((r) => r.POD)).toEqual([SETUP, W00, W01, W10, W11]);
    expect(row(out, 'Pods', SETUP)).toEqual({ POD: SETUP, NODE: 'n1', GPUS: '-', CPUS: '-', NUMA: '-', NICS: '-', GEN: '3', PHASE: 'Running', EXIT: '-', REASON: '', STARTED: '4m' });
    expect(row(out, 'Pods', W00)).toEqual({ POD: W00, NODE: 'n2', GPUS: '0,1,2,3', CPUS: '-', NUMA: '0', NICS: '-', GEN: '3', PHASE: 'Pending', EXIT: '-', REASON: '', STARTED: '-' });
    expect(row(out, 'Pods', W01)).toEqual({ POD: W01, NODE: 'n2', GPUS: '4,5,6,7', CPUS: '52-67', NUMA: '1', NICS: 'mlx5_2,mlx5_3', GEN: '3', PHASE: 'Failed', EXIT: '137', REASON: 'OOMKilled', STARTED: '3m' });
    expect(row(out, 'Pods', W10)).toMatchObject({ NODE: 'n3', EXIT: 'SIGTERM', REASON: 'Stopped' });
    expect(row(out, 'Pods', W11)).toMatchObject({ GEN: '4' });
  });

  it('a pod back in the queue (no node, no binding) reads "-"', () => {
    const js = train();
    js.status!.pods = js.status!.pods.map((p) => ({ ...p, node: '', binding: null }));
    expect(row(describeFull(js, NOW), 'Pods', W00)).toMatchObject({ NODE: '-', GPUS: '-' });
  });

  it('the conditions and the event history', () => {
    const out = describeFull(train(), NOW);
    expect(table(out, 'Conditions')).toEqual([{ TYPE: 'Admitted', STATUS: 'True', REASON: 'Admitted', AGE: '5m', MESSAGE: 'all 5 pods placed on 3 node(s)' }]);
    expect(table(out, 'Events')).toEqual([
      { AGE: '10m', TYPE: 'Submitted', MESSAGE: 'submitted by alice' },
      { AGE: '5m', TYPE: 'Admitted', MESSAGE: 'all 5 pods placed on 3 node(s)' },
      { AGE: '3m', TYPE: 'PodFailureIgnored', MESSAGE: 'pod train/workers/0/1 exited with code 137; a podFailurePolicy Ignore rule matched' },
    ]);
  });

  it('a finished JobSet shows when it started and finished', () => {
    const js = train();
    Object.assign(js.status!, { phase: 'JOB_SET_PHASE_FAILED', reason: 'FailedJobs', startedMs: NOW - 4 * MIN, finishedMs: NOW - 2 * MIN, coordinatorPort: 0 });
    const f = fields(describeFull(js, NOW));
    expect(f.get('Phase')).toBe('Failed');
    expect(f.get('Started')).toBe('4m ago');
    expect(f.get('Finished')).toBe('2m ago');
    expect(f.has('Coordinator port')).toBe(false);
  });

  it('a JobSet just submitted (empty status) renders its spec, and no Jobs, pods, conditions or events', () => {
    const js = makeJobSet('fresh').replicatedJob('workers', { replicas: 2, gpus: 1, cpu: 2 }).createdAt(NOW - 5000).build();
    const out = describeFull(js, NOW);
    expect([...sections(out).keys()]).toEqual(['', 'Replicated jobs']);
    const f = fields(out);
    expect(f.get('Phase')).toBe('Pending');
    expect(f.get('Reason')).toBe('Queued');
    expect(f.has('Message')).toBe(false);
    expect(f.get('Created')).toBe('5s ago');
    expect(f.get('Restarts')).toBe('0 (0 counted toward maxRestarts)');
    expect(row(out, 'Replicated jobs', 'workers')).toMatchObject({ STARTS: 'at admission', 'JOBS READY/ACTIVE/SUCCEEDED/FAILED': '-', 'PODS RUN/DONE/FAILED/PENDING': '-' });
  });

  it('a JobSet without spec or status renders its name and an Unknown phase without crashing', () => {
    const out = describeFull({ metadata: { name: 'ghost', labels: {}, uid: '', createdMs: 0, user: '', userVerified: false, submitDir: '' }, spec: null, status: null }, NOW);
    const f = fields(out);
    expect(f.get('Name')).toBe('ghost');
    expect(f.get('Phase')).toBe('Unknown');
    expect(f.get('Created')).toBe('-');
    expect(f.get('Restarts')).toBe('0 (0 counted toward maxRestarts)');
    expect([...sections(out).keys()]).toEqual(['']);
  });
});

describe('describeFull with a queue', () => {
  it('names the queue, the priority class and the flavors the quota is charged to', () => {
    const js = admittedJobSet(makeJobSet('q').replicatedJob('w', { gpus: 1 }).build());
    js.spec!.queue = 'nlp';
    js.spec!.priorityClass = 'high';
    js.status!.admission = { queue: 'nlp', flavors: { gpus: 'h100', cpu: 'h100' } };
    const out = describeFull(js, 0);
    expect(out).toMatch(/Queue:\s+nlp/);
    expect(out).toMatch(/Priority class:\s+high/);
    expect(out).toMatch(/Quota:\s+queue nlp, gpus in h100, cpu in h100/);
  });
});
