import { describe, expect, it } from 'vitest';
import type { PodAssignment, PodPhase } from '../../shared/src/proto/types.js';
import { reconcile, type LocalPod, type ReconcileAction } from './reconcile.js';

/** The uid of the JobSet most cases use, and of one submitted again under the same name. */
const U = 'u1';
const U2 = 'u2';

function want(podId: string, generation: number, jobsetUid = U): PodAssignment {
  const [jobset = '', replicatedJob = '', j = '0', p = '0'] = podId.split('/');
  return {
    podId,
    jobset,
    jobsetUid,
    replicatedJob,
    jobIndex: Number(j),
    podIndex: Number(p),
    generation,
    template: null,
    env: {},
    binding: null,
    submitDir: '',
    user: '',
    requests: null,
  };
}

const PHASE: Record<string, PodPhase> = {
  pending: 'POD_PHASE_PENDING',
  running: 'POD_PHASE_RUNNING',
  succeeded: 'POD_PHASE_SUCCEEDED',
  failed: 'POD_PHASE_FAILED',
};

function have(podId: string, generation: number, phase: keyof typeof PHASE, stopping = false, jobsetUid = U): LocalPod {
  return { podId, jobsetUid, generation, phase: PHASE[phase]!, stopping };
}

/**
 * Renders actions compactly, the uid shown only when it is not U:
 * `start a/w/0/0@1`, `stop a/w/0/0@1 NotDesired`, `forget a/w/0/0@1`, `start a/w/0/0@u2@1`.
 */
function show(actions: ReconcileAction[]): string[] {
  const k = (p: { podId: string; jobsetUid: string; generation: number }) => `${p.podId}@${p.jobsetUid === U ? '' : p.jobsetUid + '@'}${p.generation}`;
  return actions.map((a) =>
    a.kind === 'start' ? `start ${k(a.assignment)}` : a.kind === 'stop' ? `stop ${k(a)} ${a.reason}${a.by ? ' by ' + k(a.by) : ''}` : `forget ${k(a)}`,
  );
}

const A = 'train/workers/0/0';
const B = 'train/workers/0/1';

interface Case {
  name: string;
  desired: PodAssignment[];
  local: LocalPod[];
  expected: string[];
}

const cases: Case[] = [
  { name: 'nothing desired and nothing local: nothing to do', desired: [], local: [], expected: [] },
  {
    name: 'a new desired pod is started',
    desired: [want(A, 1)],
    local: [],
    expected: [`start ${A}@1`],
  },
  {
    name: 'several new pods are started in podId order',
    desired: [want(B, 1), want(A, 1)],
    local: [],
    expected: [`start ${A}@1`, `start ${B}@1`],
  },
  {
    name: 'a desired pod that already runs is left alone',
    desired: [want(A, 1)],
    local: [have(A, 1, 'running')],
    expected: [],
  },
  {
    name: 'a desired pod that is still pending (being started) is left alone',
    desired: [want(A, 1)],
    local: [have(A, 1, 'pending')],
    expected: [],
  },
  {
    name: 'a desired pod that succeeded is never restarted and stays in the table',
    desired: [want(A, 1)],
    local: [have(A, 1, 'succeeded')],
    expected: [],
  },
  {
    name: 'a desired pod that failed is never restarted and stays in the table',
    desired: [want(A, 1)],
    local: [have(A, 1, 'failed')],
    expected: [],
  },
  {
    name: 'a running pod that is no longer desired is stopped',
    desired: [],
    local: [have(A, 1, 'running')],
    expected: [`stop ${A}@1 NotDesired`],
  },
  {
    name: 'a pending pod that is no longer desired is stopped',
    desired: [],
    local: [have(A, 1, 'pending')],
    expected: [`stop ${A}@1 NotDesired`],
  },
  {
    name: 'a pod already being stopped is not stopped twice',
    desired: [],
    local: [have(A, 1, 'running', true)],
    expected: [],
  },
  {
    name: 'a terminal pod that is no longer desired is forgotten',
    desired: [],
    local: [have(A, 1, 'failed'), have(B, 1, 'succeeded')],
    expected: [`forget ${A}@1`, `forget ${B}@1`],
  },
  {
    name: 'a newer generation waits: the running older one is stopped first, nothing started yet',
    desired: [want(A, 2)],
    local: [have(A, 1, 'running')],
    expected: [`stop ${A}@1 Superseded by ${A}@2`],
  },
  {
    name: 'a newer generation keeps waiting while the older one is stopping',
    desired: [want(A, 2)],
    local: [have(A, 1, 'running', true)],
    expected: [],
  },
  {
    name: 'a newer generation starts once the older one has exited (which is forgotten)',
    desired: [want(A, 2)],
    local: [have(A, 1, 'failed')],
    expected: [`forget ${A}@1`, `start ${A}@2`],
  },
  {
    name: 'a group restart: every pod moves to the new generation, only the finished ones start now',
    desired: [want(A, 3), want(B, 3)],
    local: [have(A, 2, 'running'), have(B, 2, 'succeeded')],
    expected: [`stop ${A}@2 Superseded by ${A}@3`, `forget ${B}@2`, `start ${B}@3`],
  },
  {
    name: 'an older desired generation than the one running also waits: never two incarnations at once',
    desired: [want(A, 1)],
    local: [have(A, 2, 'running')],
    expected: [`stop ${A}@2 Superseded by ${A}@1`],
  },
  // A JobSet cancelled and submitted again under the same name: same podId, same
  // generation, another uid. It is another pod, and never runs beside the old one.
  {
    name: 'same podId and generation, another JobSet uid: the old pod is stopped first, the new one not started yet',
    desired: [want(A, 0, U2)],
    local: [have(A, 0, 'running')],
    expected: [`stop ${A}@0 Superseded by ${A}@u2@0`],
  },
  {
    name: 'same podId, another JobSet uid: a pending (starting) old pod is stopped too',
    desired: [want(A, 0, U2)],
    local: [have(A, 0, 'pending')],
    expected: [`stop ${A}@0 Superseded by ${A}@u2@0`],
  },
  {
    name: 'same podId, another JobSet uid: the new pod keeps waiting while the old one is stopping',
    desired: [want(A, 0, U2)],
    local: [have(A, 0, 'running', true)],
    expected: [],
  },
  {
    name: 'same podId, another JobSet uid: the new pod starts once the old one has exited (which is forgotten)',
    desired: [want(A, 0, U2)],
    local: [have(A, 0, 'failed')],
    expected: [`forget ${A}@0`, `start ${A}@u2@0`],
  },
  {
    name: 'same podId, another JobSet uid: a finished old pod is not taken for the desired one',
    desired: [want(A, 0, U2)],
    local: [have(A, 0, 'succeeded')],
    expected: [`forget ${A}@0`, `start ${A}@u2@0`],
  },
  {
    name: 'the new JobSet\'s pod runs: the old one, finished, is forgotten and the new one left alone',
    desired: [want(A, 0, U2)],
    local: [have(A, 0, 'failed'), have(A, 0, 'running', false, U2)],
    expected: [`forget ${A}@0`],
  },
  {
    name: 'the old JobSet\'s pod is desired again (a stale document): the new one running is stopped, never both',
    desired: [want(A, 0)],
    local: [have(A, 0, 'running', false, U2)],
    expected: [`stop ${A}@u2@0 Superseded by ${A}@0`],
  },
  {
    name: 'a document naming one pod twice keeps the highest generation',
    desired: [want(A, 1), want(A, 2)],
    local: [],
    expected: [`start ${A}@2`],
  },
  {
    name: 'stops come first, then forgets, then starts',
    desired: [want(B, 1)],
    local: [have(A, 1, 'running'), have('other/x/0/0', 1, 'succeeded')],
    expected: [`stop ${A}@1 NotDesired`, 'forget other/x/0/0@1', `start ${B}@1`],
  },
  {
    name: 'a document naming one pod with two uids at one generation starts only one of them',
    desired: [want(A, 1, U2), want(A, 1)],
    local: [],
    expected: [`start ${A}@u2@1`],
  },
];

describe('reconcile', () => {
  it.each(cases)('$name', ({ desired, local, expected }) => {
    expect(show(reconcile(desired, local))).toEqual(expected);
  });

  it('start actions carry the desired assignment itself', () => {
    const a = want(A, 4);
    const [action] = reconcile([a], []);
    expect(action).toEqual({ kind: 'start', assignment: a });
  });

  it('applying the actions reaches a fixed point (nothing more to do), never running two incarnations of a podId', () => {
    const desired = [want(A, 2), want(B, 0, U2)];
    let local: LocalPod[] = [have(A, 1, 'running'), have(B, 0, 'running'), have('gone/x/0/0', 5, 'failed')];
    const same = (p: LocalPod, a: { podId: string; jobsetUid: string; generation: number }) => p.podId === a.podId && p.jobsetUid === a.jobsetUid && p.generation === a.generation;
    // Simulate: stops finish (the pod fails as Stopped), forgets remove, starts add running pods.
    for (let round = 0; round < 5; round++) {
      const actions = reconcile(desired, local);
      if (actions.length === 0) break;
      for (const a of actions) {
        if (a.kind === 'stop') local = local.map((p) => (same(p, a) ? { ...p, phase: 'POD_PHASE_FAILED' } : p));
        else if (a.kind === 'forget') local = local.filter((p) => !same(p, a));
        else local.push(have(a.assignment.podId, a.assignment.generation, 'running', false, a.assignment.jobsetUid));
      }
      for (const id of [A, B]) expect(local.filter((p) => p.podId === id && p.phase === 'POD_PHASE_RUNNING').length).toBeLessThanOrEqual(1);
    }
    expect(reconcile(desired, local)).toEqual([]);
    expect(local.map((p) => `${p.podId}@${p.jobsetUid}@${p.generation} ${p.phase}`).sort()).toEqual([
      `${A}@${U}@2 POD_PHASE_RUNNING`,
      `${B}@${U2}@0 POD_PHASE_RUNNING`,
    ]);
  });
});
