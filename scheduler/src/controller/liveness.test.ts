import { afterEach, describe, expect, it } from 'vitest';
import type { NodeState, PodAssignment } from '../../../shared/src/proto/types.js';
import {
  allocatedOf,
  assignmentsOf,
  heartbeatOf,
  jobsetOf,
  lingeringOf,
  persistedJobSet,
  podReport,
  registerRequest,
  registerTestNode,
  startTestScheduler,
  submitTestJobSet,
  type TestScheduler,
} from '../../../test/helpers/scheduler-context.js';
import { handleHeartbeat } from './heartbeats.js';
import { checkLiveness } from './liveness.js';
import { registerNode } from '../service/nodes.js';

let s: TestScheduler;
afterEach(() => s?.close());

const stateOf = (node: string): NodeState => s.store.getNode(node)!.node.state;

/** `train` runs one 2-GPU pod on each of n1 and n2 (every pod Running); n3 is idle. */
function trainRunningOnTwoNodes(failurePolicy?: unknown): PodAssignment[] {
  s = startTestScheduler();
  for (const n of ['n1', 'n2', 'n3']) registerTestNode(s, n, { cpu: 8, gpus: 2 });
  submitTestJobSet(s, 'train', { workers: { replicas: 2, gpus: 2 } }, failurePolicy === undefined ? {} : { failurePolicy });
  s.runCycle();
  const a = assignmentsOf(s, 'train');
  handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(a[0]!, 'POD_PHASE_RUNNING')]));
  handleHeartbeat(s.ctx, heartbeatOf(s, 'n2', [podReport(a[1]!, 'POD_PHASE_RUNNING')]));
  expect(jobsetOf(s, 'train').status!.phase).toBe('JOB_SET_PHASE_RUNNING');
  return a;
}

/** keepAlive has every node but `silent` heartbeat now, listing the pod of `train` it runs as Running. */
function keepAlive(a: PodAssignment[], silent: string): void {
  const runs: Record<string, PodAssignment[]> = { n1: [a[0]!], n2: [a[1]!], n3: [] };
  for (const n of ['n1', 'n2', 'n3'].filter((x) => x !== silent))
    handleHeartbeat(s.ctx, heartbeatOf(s, n, (runs[n] ?? []).map((p) => podReport(p, 'POD_PHASE_RUNNING'))));
}

describe('node liveness by heartbeat age (grace 3 s, lost after 30 s)', () => {
  it.each([
    { silentMs: 0, want: 'NODE_STATE_READY' },
    { silentMs: 3000, want: 'NODE_STATE_READY' },
    { silentMs: 3001, want: 'NODE_STATE_NOT_READY' },
    { silentMs: 30_000, want: 'NODE_STATE_NOT_READY' },
    { silentMs: 30_001, want: 'NODE_STATE_LOST' },
  ] as const)('a node silent for $silentMs ms is $want', ({ silentMs, want }) => {
    s = startTestScheduler();
    registerTestNode(s, 'n1');
    s.clock.advance(silentMs);

    checkLiveness(s.ctx, true);

    expect(stateOf('n1')).toBe(want);
  });

  it('goes Ready → NotReady → Lost as heartbeats stay away, and stays Lost', () => {
    s = startTestScheduler();
    registerTestNode(s, 'n1');
    const seen: NodeState[] = [];
    for (let t = 0; t <= 40_000; t += 500) {
      checkLiveness(s.ctx, true);
      if (seen.at(-1) !== stateOf('n1')) seen.push(stateOf('n1'));
      s.clock.advance(500);
    }
    expect(seen).toEqual(['NODE_STATE_READY', 'NODE_STATE_NOT_READY', 'NODE_STATE_LOST']);
  });

  it('a NotReady node takes no new pods, but keeps the ones it runs', () => {
    trainRunningOnTwoNodes();
    s.clock.advance(3001);
    handleHeartbeat(s.ctx, heartbeatOf(s, 'n2', [podReport(assignmentsOf(s, 'train')[1]!, 'POD_PHASE_RUNNING')]));
    handleHeartbeat(s.ctx, heartbeatOf(s, 'n3'));
    checkLiveness(s.ctx, true);
    expect(stateOf('n1')).toBe('NODE_STATE_NOT_READY');

    submitTestJobSet(s, 'more', { workers: { replicas: 2, gpus: 2 } });
    s.runCycle();

    expect(jobsetOf(s, 'train').status!.phase).toBe('JOB_SET_PHASE_RUNNING');
    expect(jobsetOf(s, 'more').status).toMatchObject({ phase: 'JOB_SET_PHASE_PENDING', reason: 'NoFit' });
  });

  it('pods on a Lost node fail with reason NodeLost; a JobSet without a failurePolicy is requeued (like Slurm) and placed again once its other pods are gone', () => {
    const a = trainRunningOnTwoNodes();
    s.out.clear();
    for (let t = 0; t < 31; t++) {
      s.clock.advance(1000);
      keepAlive(a, 'n1');
      checkLiveness(s.ctx, true);
    }

    expect(stateOf('n1')).toBe('NODE_STATE_LOST');
    const st = jobsetOf(s, 'train').status!;
    expect(st).toMatchObject({ phase: 'JOB_SET_PHASE_PENDING', reason: 'Requeued' });
    expect(st.message).toContain('its node was lost; the JobSet has no failurePolicy, so it is placed again');
    expect(st.pods.every((p) => p.generation === 1 && p.node === '')).toBe(true);
    expect(st.jobs.every((j) => j.failures === 0)).toBe(true);
    // n2 stops its pod; once n2 reports it gone the gang fits on n2 and n3.
    expect(s.out.lastDesired('n2')!.pods).toEqual([]);
    handleHeartbeat(s.ctx, heartbeatOf(s, 'n2', []));
    s.runCycle();
    const again = jobsetOf(s, 'train').status!;
    expect(again.phase).toBe('JOB_SET_PHASE_ADMITTED');
    expect(again.pods.map((p) => p.node).sort()).toEqual(['n2', 'n3']);
  });

  it('a node back from Lost registers a new epoch; the old pods it still runs are not kept, are not desired, and hold their GPUs until it reports them gone', () => {
    const a = trainRunningOnTwoNodes();
    for (let t = 0; t < 31; t++) {
      s.clock.advance(1000);
      keepAlive(a, 'n1');
      checkLiveness(s.ctx, true);
    }
    expect(stateOf('n1')).toBe('NODE_STATE_LOST');
    handleHeartbeat(s.ctx, heartbeatOf(s, 'n2', []));
    const epoch = s.store.getNode('n1')!.node.epoch;

    // The agent comes back (SIGCONT) still running its old pod, and registers with its pod table.
    registerNode(s.ctx, registerRequest('n1', { cpu: 8, gpus: 2, pods: [podReport(a[0]!, 'POD_PHASE_RUNNING', { node: 'n1' })] }));

    expect(s.store.getNode('n1')!.node).toMatchObject({ state: 'NODE_STATE_READY', epoch: epoch + 1 });
    // Fenced: the old incarnation is not adopted (it was failed as NodeLost) and n1 is told to stop it…
    expect(jobsetOf(s, 'train').status!.pods.every((p) => p.generation === 1)).toBe(true);
    expect(s.out.lastDesired('n1')!.pods.filter((p) => p.generation === 0)).toEqual([]);
    // …and until it has, its GPUs are held: the requeued gang cannot be placed on n1 yet.
    expect(lingeringOf(s, 'n1').gpus).toBe(2);
    s.runCycle();
    expect(jobsetOf(s, 'train').status!.pods.map((p) => p.node).filter((n) => n === 'n1')).toEqual([]);

    handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', []));
    expect(lingeringOf(s, 'n1').gpus).toBe(0);
  });

  it('with a failurePolicy that allows no restart, pods on a Lost node fail with NodeLost, the JobSet fails, and the other nodes drop its pods', () => {
    const a = trainRunningOnTwoNodes({ maxRestarts: 0 });
    s.out.clear();
    for (let t = 0; t < 31; t++) {
      s.clock.advance(1000);
      keepAlive(a, 'n1');
      checkLiveness(s.ctx, true);
    }

    expect(stateOf('n1')).toBe('NODE_STATE_LOST');
    expect(stateOf('n2')).toBe('NODE_STATE_READY');
    const st = jobsetOf(s, 'train').status!;
    expect(st.phase).toBe('JOB_SET_PHASE_FAILED');
    expect(st.failedPod).toBe(a[0]!.podId);
    expect(st.message).toContain('NodeLost');
    const lost = st.pods.find((p) => p.podId === a[0]!.podId)!;
    expect(lost).toMatchObject({ phase: 'POD_PHASE_FAILED', reason: 'NodeLost', node: 'n1' });
    expect(persistedJobSet(s.db, 'train')!.phase).toBe('JOB_SET_PHASE_FAILED');
    expect(s.out.lastDesired('n2')!.pods).toEqual([]);
    expect(s.out.eventsOf('train').map((e) => e.phase)).toEqual(['JOB_SET_PHASE_FAILED']);
    // The Lost node holds nothing any more (it must register again); n2's pod holds its GPUs until n2 reports it gone.
    expect(allocatedOf(s, 'n1')).toEqual({ cpuMillis: 0, memoryBytes: 0, gpus: 0, rdma: 0 });
    expect(lingeringOf(s, 'n2').gpus).toBe(2);
  });

  it('judges nobody while its own transport is down, and judges silent nodes again once it is back', () => {
    const a = trainRunningOnTwoNodes();
    s.out.clear();
    const writes = s.writes();

    for (let t = 0; t < 120; t++) {
      s.clock.advance(1000);
      checkLiveness(s.ctx, false);
    }

    expect(['n1', 'n2', 'n3'].map(stateOf)).toEqual(['NODE_STATE_READY', 'NODE_STATE_READY', 'NODE_STATE_READY']);
    expect(jobsetOf(s, 'train').status!.phase).toBe('JOB_SET_PHASE_RUNNING');
    expect(s.writes()).toBe(writes);
    expect(s.out.desired).toEqual([]);
    expect(s.out.events).toEqual([]);

    // Back up: a node that stays silent for a grace period from now on is judged again.
    for (let t = 0; t < 4; t++) {
      s.clock.advance(1000);
      keepAlive(a, 'n1');
      checkLiveness(s.ctx, true);
    }
    expect(stateOf('n1')).toBe('NODE_STATE_NOT_READY');
    expect(stateOf('n2')).toBe('NODE_STATE_READY');
  });

  // Suspected bug (fails today): during the outage lastHeartbeatMs is clamped to exactly `now - grace`,
  // so the first check after the transport is back (≤ 500 ms later in the daemon) finds every node that
  // has not happened to heartbeat in that instant older than the grace period: all nodes flap NotReady
  // although their silence lies inside the scheduler's own outage.
  it('after its transport is back, a node that heartbeats within one heartbeat interval is never judged NotReady', () => {
    s = startTestScheduler();
    registerTestNode(s, 'n1');
    for (let t = 0; t < 20; t++) {
      s.clock.advance(500);
      checkLiveness(s.ctx, false);
    }

    s.clock.advance(500); // the daemon's next liveness tick, the transport now up; n1 heartbeats every 1000 ms
    checkLiveness(s.ctx, true);

    expect(stateOf('n1')).toBe('NODE_STATE_READY');
  });
});
