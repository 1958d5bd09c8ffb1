/**
 * A restart through the queue (Recreate) may place a pod's new incarnation on
 * another node than the old one, which may still be stopping (a checkpoint on
 * SIGTERM). Two incarnations of one pod must never run at once: the new one
 * stays out of its node's desired document until the old one is reported gone,
 * and then that node is told at once.
 */
import { afterEach, expect, it } from 'vitest';
import type { PodAssignment } from '../../../shared/src/proto/types.js';
import { assignmentsOf, heartbeatOf, jobsetOf, podReport, registerTestNode, startTestScheduler, submitTestJobSet, type TestScheduler } from '../../../test/helpers/scheduler-context.js';
import { handleHeartbeat } from './heartbeats.js';

let s: TestScheduler;
afterEach(() => s?.close());

it('a new incarnation placed on another node waits until the old one stopping elsewhere is gone', () => {
  s = startTestScheduler();
  for (const n of ['n1', 'n2', 'n3']) registerTestNode(s, n, { cpu: 8, memory: '32Gi', gpus: 4 });
  submitTestJobSet(s, 'train', { w: { replicas: 2, gpus: 4 } }, { failurePolicy: { maxRestarts: 3, restartStrategy: 'Recreate' } });
  s.runCycle();
  const first = assignmentsOf(s, 'train');
  const nodeOf = new Map(jobsetOf(s, 'train').status!.pods.map((p) => [p.podId, p.node]));
  for (const a of first) handleHeartbeat(s.ctx, heartbeatOf(s, nodeOf.get(a.podId)!, [podReport(a, 'POD_PHASE_RUNNING')]));

  // One pod fails: the JobSet restarts through the queue; the other pod is still stopping where it ran.
  const [failed, survivor] = first as [PodAssignment, PodAssignment];
  handleHeartbeat(s.ctx, heartbeatOf(s, nodeOf.get(failed.podId)!, [podReport(failed, 'POD_PHASE_FAILED', { exitCode: 1 })]));
  expect(jobsetOf(s, 'train').status).toMatchObject({ phase: 'JOB_SET_PHASE_PENDING', restarts: 1 });
  const survivorNode = nodeOf.get(survivor.podId)!;
  handleHeartbeat(s.ctx, heartbeatOf(s, survivorNode, [podReport(survivor, 'POD_PHASE_RUNNING')]));

  s.runCycle();
  expect(jobsetOf(s, 'train').status!.phase).toBe('JOB_SET_PHASE_ADMITTED');
  const newNode = jobsetOf(s, 'train').status!.pods.find((p) => p.podId === survivor.podId)!.node;
  expect(newNode, 'its node still holds the old incarnation, so the new one lands elsewhere').not.toBe(survivorNode);
  const desiredOn = (node: string) => (s.out.lastDesired(node)?.pods ?? []).map((p) => `${p.podId}#${p.generation}`);
  expect(desiredOn(newNode)).not.toContain(`${survivor.podId}#1`);

  // The old incarnation is reported gone: the new one's node is told at once.
  handleHeartbeat(s.ctx, heartbeatOf(s, survivorNode, [podReport(survivor, 'POD_PHASE_FAILED', { reason: 'Stopped', exitCode: 143 })]));
  expect(desiredOn(newNode)).toContain(`${survivor.podId}#1`);
});
