import { describe, expect, it } from 'vitest';
import { applyPodStatus, classifyPodReport, successMet, type PodUpdateResult } from './jobset-status.js';
import { evaluateJobSet } from './lifecycle.js';
import type { JobSet, JobSetPhase, PodPhase, PodStatus } from '../../../shared/src/proto/types.js';
import { admittedJobSet, gangOf, jobSetUid, makeJobSet, podStatus } from '../../../test/helpers/builders.js';

const NOW = 1_000_000;

/** foldStatus is the status the lifecycle gives a JobSet's pods (no failure policy: a failed Job fails the JobSet). */
function foldStatus(js: JobSet, now: number): JobSet['status'] & object {
  return evaluateJobSet(js, { now }).status;
}

/** leaderWorkers: leader (1 job × 1 pod) + workers (2 jobs × 2 pods), no retries (backoffLimit 0); pods on n1 (leader) and n2 (workers). */
function leaderWorkers(configure: (b: ReturnType<typeof makeJobSet>) => void = () => {}): JobSet {
  const b = makeJobSet('train').replicatedJob('leader', { cpu: 1, backoffLimit: 0 }).replicatedJob('workers', { replicas: 2, parallelism: 2, cpu: 1, backoffLimit: 0 });
  configure(b);
  return admittedJobSet(b.build(), (p) => (p.replicatedJob === 'leader' ? 'n1' : 'n2'));
}

/** setPods sets the phase (and extra fields) of pods by id on a copy of the JobSet. */
function withPods(js: JobSet, phases: Record<string, PodPhase | Partial<PodStatus>>, rest?: PodPhase): JobSet {
  const out = structuredClone(js);
  out.status!.pods = out.status!.pods.map((p) => {
    const v = phases[p.podId];
    if (v === undefined) return rest ? { ...p, phase: rest } : p;
    return typeof v === 'string' ? { ...p, phase: v } : { ...p, ...v };
  });
  return out;
}

const LEADER = 'train/leader/0/0';
const W00 = 'train/workers/0/0';
const W01 = 'train/workers/0/1';
const W10 = 'train/workers/1/0';
const W11 = 'train/workers/1/1';

describe('foldStatus', () => {
  const cases: {
    name: string;
    jobset: JobSet;
    wantPhase: JobSetPhase;
    wantFailedPod?: string;
    wantExitCode?: number;
    wantMessageParts?: string[];
  }[] = [
    {
      name: 'admitted stays admitted while one pod is still pending',
      jobset: withPods(leaderWorkers(), { [W11]: 'POD_PHASE_PENDING' }, 'POD_PHASE_RUNNING'),
      wantPhase: 'JOB_SET_PHASE_ADMITTED',
    },
    {
      name: 'admitted becomes running when every pod started',
      jobset: withPods(leaderWorkers(), {}, 'POD_PHASE_RUNNING'),
      wantPhase: 'JOB_SET_PHASE_RUNNING',
    },
    {
      name: 'a pod that already succeeded counts as started',
      jobset: withPods(leaderWorkers(), { [W00]: 'POD_PHASE_SUCCEEDED' }, 'POD_PHASE_RUNNING'),
      wantPhase: 'JOB_SET_PHASE_RUNNING',
    },
    {
      name: 'one failed pod fails the JobSet, naming the pod and its exit code',
      jobset: withPods(leaderWorkers(), { [W10]: { phase: 'POD_PHASE_FAILED', exitCode: 3, finishedMs: 500 } }, 'POD_PHASE_RUNNING'),
      wantPhase: 'JOB_SET_PHASE_FAILED',
      wantFailedPod: W10,
      wantExitCode: 3,
      wantMessageParts: [W10, 'exit code 3'],
    },
    {
      name: 'of two failed pods the one that failed first is named, whatever their rank',
      jobset: withPods(
        leaderWorkers(),
        {
          [W00]: { phase: 'POD_PHASE_FAILED', exitCode: 2, finishedMs: 900 },
          [W11]: { phase: 'POD_PHASE_FAILED', exitCode: 137, finishedMs: 400 },
        },
        'POD_PHASE_RUNNING',
      ),
      wantPhase: 'JOB_SET_PHASE_FAILED',
      wantFailedPod: W11,
      wantExitCode: 137,
      wantMessageParts: [W11, 'exit code 137'],
    },
    {
      name: 'a failure wins over success in the same fold',
      jobset: withPods(leaderWorkers(), { [LEADER]: { phase: 'POD_PHASE_FAILED', exitCode: 1, finishedMs: 10 } }, 'POD_PHASE_SUCCEEDED'),
      wantPhase: 'JOB_SET_PHASE_FAILED',
      wantFailedPod: LEADER,
      wantExitCode: 1,
    },
    {
      // The pod ran (startedMs > 0) before its node was lost; one lost before it started is requeued (below).
      name: 'a pod failed without an exit code (node lost) names the reason instead (a failurePolicy allowing no restart)',
      jobset: withPods(leaderWorkers((b) => b.failurePolicy('Recreate', 0)), { [W01]: { phase: 'POD_PHASE_FAILED', reason: 'NodeLost', startedMs: 5, finishedMs: 10 } }, 'POD_PHASE_RUNNING'),
      wantPhase: 'JOB_SET_PHASE_FAILED',
      wantFailedPod: W01,
      wantMessageParts: [W01, 'NodeLost'],
    },
    {
      name: 'every pod succeeded: succeeded',
      jobset: withPods(leaderWorkers(), {}, 'POD_PHASE_SUCCEEDED'),
      wantPhase: 'JOB_SET_PHASE_SUCCEEDED',
    },
    {
      name: 'running with success policy met on the target workers: succeeded while the leader still runs',
      jobset: withPods(leaderWorkers((b) => b.successPolicy('All', ['workers'])), { [LEADER]: 'POD_PHASE_RUNNING' }, 'POD_PHASE_SUCCEEDED'),
      wantPhase: 'JOB_SET_PHASE_SUCCEEDED',
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const before = structuredClone(c.jobset);
      const next = foldStatus(c.jobset, NOW);
      expect(next.phase).toBe(c.wantPhase);
      expect(c.jobset, 'the input JobSet is not modified').toEqual(before);
      const pods = c.jobset.status!.pods;
      // Counts per replicatedJob follow the pods.
      for (const rj of next.replicatedJobs) {
        const mine = pods.filter((p) => p.podId.split('/')[1] === rj.name);
        expect(rj.pods, rj.name).toBe(mine.length);
        expect(rj.running, rj.name).toBe(mine.filter((p) => p.phase === 'POD_PHASE_RUNNING').length);
        expect(rj.succeeded, rj.name).toBe(mine.filter((p) => p.phase === 'POD_PHASE_SUCCEEDED').length);
        expect(rj.failed, rj.name).toBe(mine.filter((p) => p.phase === 'POD_PHASE_FAILED').length);
      }
      if (c.wantPhase === 'JOB_SET_PHASE_FAILED') {
        expect(next.failedPod).toBe(c.wantFailedPod);
        expect(next.exitCode).toBe(c.wantExitCode);
        expect(next.finishedMs).toBe(NOW);
        expect(next.conditions.find((x) => x.type === 'Failed')?.status).toBe('True');
      }
      if (c.wantPhase === 'JOB_SET_PHASE_SUCCEEDED') {
        expect(next.finishedMs).toBe(NOW);
        expect(next.conditions.find((x) => x.type === 'Completed')?.status).toBe('True');
      }
      if (c.wantPhase === 'JOB_SET_PHASE_RUNNING') {
        expect(next.startedMs).toBe(NOW);
        expect(next.conditions.find((x) => x.type === 'Running')?.status).toBe('True');
      }
      for (const part of c.wantMessageParts ?? []) expect(next.message).toContain(part);
    });
  }

  it('a pod whose node was lost before it started did not fail: the JobSet goes back to the queue (PENDING), nothing failed or counted', () => {
    const js = withPods(leaderWorkers(), { [W01]: { phase: 'POD_PHASE_FAILED', reason: 'NodeLost', startedMs: 0, finishedMs: 10 } }, 'POD_PHASE_RUNNING');
    const before = structuredClone(js);
    const next = foldStatus(js, NOW);
    expect(js, 'the input JobSet is not modified').toEqual(before);
    expect(next).toMatchObject({ phase: 'JOB_SET_PHASE_PENDING', reason: 'Requeued', restarts: 0, finishedMs: 0, terminalState: '', failedPod: '' });
    expect(next.message).toContain(W01);
    expect(next.conditions.find((x) => x.type === 'Failed')).toBeUndefined();
    expect(next.jobs.map((j) => [j.state, j.failures, j.failureReason])).toEqual([
      ['Active', 0, ''],
      ['Active', 0, ''],
      ['Active', 0, ''],
    ]);
    // Every pod is to be placed again: no node, pending, a new generation.
    for (const p of next.pods) expect(p, p.podId).toMatchObject({ phase: 'POD_PHASE_PENDING', node: '', generation: 1 });
    for (const rj of next.replicatedJobs) expect(rj, rj.name).toMatchObject({ pending: rj.pods, running: 0, failed: 0 });
  });

  it('a finished JobSet is returned as it is, even if a pod report would fail it', () => {
    const js = withPods(leaderWorkers(), { [W00]: { phase: 'POD_PHASE_FAILED', exitCode: 9, finishedMs: 5 } }, 'POD_PHASE_SUCCEEDED');
    js.status!.phase = 'JOB_SET_PHASE_SUCCEEDED';
    expect(foldStatus(js, NOW)).toBe(js.status);
  });

  it('a running JobSet stays running, and keeps its startedMs, on the next fold', () => {
    const js = withPods(leaderWorkers(), {}, 'POD_PHASE_RUNNING');
    js.status = foldStatus(js, 100);
    const again = foldStatus(js, 200);
    expect(again.phase).toBe('JOB_SET_PHASE_RUNNING');
    expect(again.startedMs).toBe(100);
  });

  it('folding again when no pod changed gives an equal status and does not move updatedMs', () => {
    const js = leaderWorkers();
    js.status = foldStatus(js, 100);
    const status = structuredClone(js.status);
    expect(foldStatus(js, 200)).toEqual(status);
  });
});

describe('successMet', () => {
  const cases: {
    name: string;
    jobset: JobSet;
    want: boolean;
  }[] = [
    { name: 'All, no targets: every pod of every Job succeeded', jobset: withPods(leaderWorkers(), {}, 'POD_PHASE_SUCCEEDED'), want: true },
    {
      name: 'All, no targets: one Job of workers still has a running pod',
      jobset: withPods(leaderWorkers(), { [W11]: 'POD_PHASE_RUNNING' }, 'POD_PHASE_SUCCEEDED'),
      want: false,
    },
    {
      name: 'All, no targets: the leader did not finish',
      jobset: withPods(leaderWorkers(), { [LEADER]: 'POD_PHASE_RUNNING' }, 'POD_PHASE_SUCCEEDED'),
      want: false,
    },
    { name: 'All, before any pod exists', jobset: makeJobSet('train').replicatedJob('w', { replicas: 2 }).build(), want: false },
    {
      name: 'Any: one whole Job (both pods of workers/1) succeeded',
      jobset: withPods(leaderWorkers((b) => b.successPolicy('Any')), { [W10]: 'POD_PHASE_SUCCEEDED', [W11]: 'POD_PHASE_SUCCEEDED' }, 'POD_PHASE_RUNNING'),
      want: true,
    },
    {
      name: 'Any: one pod of each workers Job succeeded, but no Job is complete',
      jobset: withPods(leaderWorkers((b) => b.successPolicy('Any', ['workers'])), { [W00]: 'POD_PHASE_SUCCEEDED', [W10]: 'POD_PHASE_SUCCEEDED' }, 'POD_PHASE_RUNNING'),
      want: false,
    },
    {
      name: 'targets [workers], All: both workers Jobs succeeded while the leader runs',
      jobset: withPods(leaderWorkers((b) => b.successPolicy('All', ['workers'])), { [LEADER]: 'POD_PHASE_RUNNING' }, 'POD_PHASE_SUCCEEDED'),
      want: true,
    },
    {
      name: 'targets [workers], All: only workers/0 succeeded',
      jobset: withPods(leaderWorkers((b) => b.successPolicy('All', ['workers'])), { [W00]: 'POD_PHASE_SUCCEEDED', [W01]: 'POD_PHASE_SUCCEEDED' }, 'POD_PHASE_RUNNING'),
      want: false,
    },
    {
      name: 'targets [workers], All: the leader succeeding does not count',
      jobset: withPods(leaderWorkers((b) => b.successPolicy('All', ['workers'])), { [LEADER]: 'POD_PHASE_SUCCEEDED' }, 'POD_PHASE_RUNNING'),
      want: false,
    },
    {
      name: 'targets [workers], Any: the leader succeeding does not count',
      jobset: withPods(leaderWorkers((b) => b.successPolicy('Any', ['workers'])), { [LEADER]: 'POD_PHASE_SUCCEEDED' }, 'POD_PHASE_RUNNING'),
      want: false,
    },
  ];
  for (const c of cases) it(c.name, () => expect(successMet(c.jobset)).toBe(c.want));
});

describe('applyPodStatus', () => {
  /** A running JobSet at generation 2 whose pod W00 on n2 has applied seq 5. */
  function base(): JobSet {
    const js = withPods(leaderWorkers((b) => b.restarts(2)), {}, 'POD_PHASE_RUNNING');
    js.status!.phase = 'JOB_SET_PHASE_RUNNING';
    js.status!.pods = js.status!.pods.map((p) => (p.podId === W00 ? { ...p, seq: 5, binding: { gpuIndices: [3], gpuUuids: [], cpuset: '', numaNode: 0, nics: [] } } : p));
    return js;
  }
  const report = (over: Partial<PodStatus> = {}): PodStatus =>
    podStatus(W00, { generation: 2, node: 'n2', phase: 'POD_PHASE_SUCCEEDED', exitCode: 0, seq: 6, finishedMs: 77, ...over });

  const rejected: { name: string; jobset: () => JobSet; node: string; report: PodStatus; want: PodUpdateResult }[] = [
    { name: 'an older seq is stale', jobset: base, node: 'n2', report: report({ seq: 4 }), want: 'stale' },
    { name: 'the same seq again is stale', jobset: base, node: 'n2', report: report({ seq: 5 }), want: 'stale' },
    { name: 'an older generation is dropped', jobset: base, node: 'n2', report: report({ generation: 1 }), want: 'old-generation' },
    { name: 'a report from another node than the pod was placed on is dropped', jobset: base, node: 'n1', report: report(), want: 'wrong-node' },
    { name: 'a pod the JobSet does not have is dropped', jobset: base, node: 'n2', report: report({ podId: 'train/workers/7/0' }), want: 'unknown-pod' },
    {
      name: 'a report of an earlier JobSet of the same name (another uid) is dropped',
      jobset: base,
      node: 'n2',
      report: report({ jobsetUid: 'uid-train-deleted' }),
      want: 'other-incarnation',
    },
    {
      name: 'a report of another incarnation is dropped as such even when its node, generation and seq are off too',
      jobset: base,
      node: 'n1',
      report: report({ jobsetUid: 'uid-train-deleted', generation: 0, seq: 1 }),
      want: 'other-incarnation',
    },
    {
      name: 'a report for the resubmitted JobSet from a pod of the deleted one is dropped although it looks newer',
      jobset: () => {
        const js = base();
        js.metadata!.uid = 'uid-train-resubmitted';
        return js;
      },
      node: 'n2',
      // Built for `train`, so it carries the uid the first `train` had.
      report: report({ seq: 1000 }),
      want: 'other-incarnation',
    },
  ];
  for (const c of rejected) {
    it(c.name, () => {
      const js = c.jobset();
      const before = structuredClone(js);
      expect(classifyPodReport(js, c.node, c.report), 'classifyPodReport').toBe(c.want);
      expect(js, 'classifyPodReport changes nothing').toEqual(before);
      expect(applyPodStatus(js, c.node, c.report)).toBe(c.want);
      expect(js).toEqual(before);
    });
  }

  it('the reports built for a JobSet carry its uid (the fixtures above differ from it only where a case says so)', () => {
    expect(base().metadata!.uid).toBe(jobSetUid('train'));
    expect(report().jobsetUid).toBe(base().metadata!.uid);
    expect(base().status!.pods.every((p) => p.jobsetUid === jobSetUid('train'))).toBe(true);
  });

  it('a report of the current incarnation is applied after the JobSet was resubmitted', () => {
    const js = base();
    js.metadata!.uid = 'uid-train-resubmitted';
    expect(applyPodStatus(js, 'n2', report({ jobsetUid: 'uid-train' }))).toBe('other-incarnation');
    expect(applyPodStatus(js, 'n2', report({ jobsetUid: 'uid-train-resubmitted' }))).toBe('applied');
    expect(js.status!.pods.find((p) => p.podId === W00)).toMatchObject({ phase: 'POD_PHASE_SUCCEEDED', seq: 6, jobsetUid: 'uid-train-resubmitted' });
  });

  it('an applied report keeps the requests the pod was placed with, whatever the agent reports', () => {
    const placedWith = base().status!.pods.find((p) => p.podId === W00)!.requests;
    expect(placedWith).toEqual({ cpuMillis: 1000, memoryBytes: 0, gpus: 0, rdma: 0 });
    for (const requests of [null, { cpuMillis: 64_000, memoryBytes: 2 ** 40, gpus: 8, rdma: 4 }]) {
      const js = base();
      const r = report({ requests, binding: { gpuIndices: [0, 1], gpuUuids: [], cpuset: '0-3', numaNode: 1, nics: [] } });
      expect(applyPodStatus(js, 'n2', r)).toBe('applied');
      const pod = js.status!.pods.find((p) => p.podId === W00)!;
      expect(pod.requests, JSON.stringify(requests)).toEqual(placedWith);
      expect(pod.binding?.gpuIndices).toEqual([3]);
      expect(pod.phase).toBe('POD_PHASE_SUCCEEDED');
      expect(pod.jobsetUid).toBe(jobSetUid('train'));
    }
  });

  it('a newer report is applied, keeping the node and the binding the scheduler chose', () => {
    const js = base();
    const r = report({ node: 'whatever-the-agent-says', binding: { gpuIndices: [0, 1], gpuUuids: [], cpuset: '0-3', numaNode: 1, nics: [] } });
    expect(applyPodStatus(js, 'n2', r)).toBe('applied');
    const pod = js.status!.pods.find((p) => p.podId === W00)!;
    expect(pod.phase).toBe('POD_PHASE_SUCCEEDED');
    expect(pod.seq).toBe(6);
    expect(pod.exitCode).toBe(0);
    expect(pod.finishedMs).toBe(77);
    expect(pod.node).toBe('n2');
    expect(pod.binding?.gpuIndices).toEqual([3]);
    expect(pod.requests).toEqual(base().status!.pods.find((p) => p.podId === W00)!.requests);
    // The other pods are untouched.
    expect(js.status!.pods.filter((p) => p.podId !== W00)).toEqual(base().status!.pods.filter((p) => p.podId !== W00));
  });

  it('applying the same report twice changes nothing the second time', () => {
    const js = base();
    expect(applyPodStatus(js, 'n2', report())).toBe('applied');
    const once = structuredClone(js);
    expect(applyPodStatus(js, 'n2', report())).toBe('stale');
    expect(js).toEqual(once);
  });

  for (const phase of ['JOB_SET_PHASE_SUCCEEDED', 'JOB_SET_PHASE_FAILED'] as const) {
    it(`after the JobSet finished (${phase}) a pod's report is recorded but the JobSet's phase does not move`, () => {
      const js = base();
      js.status!.phase = phase;
      const stopped = report({ phase: 'POD_PHASE_FAILED', exitCode: 143, signal: 'SIGTERM', reason: 'Stopped' });
      expect(applyPodStatus(js, 'n2', stopped)).toBe('applied');
      expect(js.status!.pods.find((p) => p.podId === W00)).toMatchObject({ phase: 'POD_PHASE_FAILED', exitCode: 143 });
      const folded = foldStatus(js, NOW);
      expect(folded.phase).toBe(phase);
      expect(folded.failedPod).toBe(js.status!.failedPod);
      // Old generations, other nodes and stale seqs stay dropped after the end as well.
      expect(applyPodStatus(js, 'n2', stopped)).toBe('stale');
      expect(applyPodStatus(js, 'n1', report({ seq: 99 }))).toBe('wrong-node');
    });
  }

  it('works on an admitted JobSet too (the first report)', () => {
    const js = leaderWorkers();
    const first = gangOf(js)[0]!.podId;
    expect(applyPodStatus(js, 'n1', podStatus(first, { node: 'n1', phase: 'POD_PHASE_RUNNING', seq: 1 }))).toBe('applied');
    expect(js.status!.pods[0]!.phase).toBe('POD_PHASE_RUNNING');
  });
});
