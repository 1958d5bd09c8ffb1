import { describe, expect, it } from 'vitest';
import type { PodAssignment, PodPhase } from '../../shared/src/proto/types.js';
import { reconcile, type LocalPod, type ReconcileAction } from './reconcile.js';

function want(podId: string, generation: number): PodAssignment {
  const [jobset = '', replicatedJob = '', j = '0', p = '0'] = podId.split('/');
  return {
    podId,
    jobset,
    replicatedJob,
    jobIndex: Number(j),
    podIndex: Number(p),
    generation,
    template: null,
    env: {},
    hosts: [],
    binding: null,
    submitDir: '',
    user: '',
  };
}

const PHASE: Record<string, PodPhase> = {
  pending: 'POD_PHASE_PENDING',
  running: 'POD_PHASE_RUNNING',
  succeeded: 'POD_PHASE_SUCCEEDED',
  failed: 'POD_PHASE_FAILED',
};

function have(podId: string, generation: number, phase: keyof typeof PHASE, stopping = false): LocalPod {
  return { podId, generation, phase: PHASE[phase]!, stopping };
}

/** Renders actions compactly: `start a/w/0/0@1`, `stop a/w/0/0@1 NotDesired`, `forget a/w/0/0@1`. */
function show(actions: ReconcileAction[]): string[] {
  return actions.map((a) =>
    a.kind === 'start'
      ? `start ${a.assignment.podId}@${a.assignment.generation}`
      : a.kind === 'stop'
        ? `stop ${a.podId}@${a.generation} ${a.reason}`
        : `forget ${a.podId}@${a.generation}`,
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
    expected: [`stop ${A}@1 Superseded`],
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
    expected: [`stop ${A}@2 Superseded`, `forget ${B}@2`, `start ${B}@3`],
  },
  {
    name: 'an older desired generation than the one running also waits: never two incarnations at once',
    desired: [want(A, 1)],
    local: [have(A, 2, 'running')],
    expected: [`stop ${A}@2 Superseded`],
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

  it('applying the actions reaches a fixed point (nothing more to do)', () => {
    const desired = [want(A, 2), want(B, 1)];
    let local: LocalPod[] = [have(A, 1, 'running'), have('gone/x/0/0', 5, 'failed')];
    // Simulate: stops finish (the pod fails as Stopped), forgets remove, starts add running pods.
    for (let round = 0; round < 5; round++) {
      const actions = reconcile(desired, local);
      if (actions.length === 0) break;
      for (const a of actions) {
        if (a.kind === 'stop') local = local.map((p) => (p.podId === a.podId && p.generation === a.generation ? { ...p, phase: 'POD_PHASE_FAILED' } : p));
        else if (a.kind === 'forget') local = local.filter((p) => !(p.podId === a.podId && p.generation === a.generation));
        else local.push(have(a.assignment.podId, a.assignment.generation, 'running'));
      }
    }
    expect(reconcile(desired, local)).toEqual([]);
    expect(local.map((p) => `${p.podId}@${p.generation} ${p.phase}`).sort()).toEqual([`${A}@2 POD_PHASE_RUNNING`, `${B}@1 POD_PHASE_RUNNING`]);
  });
});
