/**
 * Pods still stopping hold their capacity (Node.lingering) until their agent
 * reports them gone — across a scheduler restart too: the held pods are
 * persisted with the node, so a restarted scheduler neither gives their GPUs
 * away nor lets a new incarnation start beside an old one.
 */
import { afterEach, expect, it } from 'vitest';
import { deleteJobSet } from '../service/jobsets.js';
import { handleHeartbeat } from '../controller/heartbeats.js';
import { allocatedOf, assignmentsOf, heartbeatOf, jobsetOf, podReport, registerTestNode, startTestScheduler, submitTestJobSet, type TestScheduler } from '../../../test/helpers/scheduler-context.js';

let s: TestScheduler;
afterEach(() => s?.close());

it('a cancelled JobSet\'s pod that is still stopping keeps its GPUs held after a scheduler restart, until its agent reports it gone', () => {
  s = startTestScheduler({ db: 'file' });
  registerTestNode(s, 'n1', { cpu: 16, memory: '64Gi', gpus: 8 });
  submitTestJobSet(s, 'big', { w: { gpus: 8 } });
  s.runCycle();
  const [pod] = assignmentsOf(s, 'big');
  handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(pod!, 'POD_PHASE_RUNNING')]));
  deleteJobSet(s.ctx, 'big');
  expect(allocatedOf(s, 'n1').gpus).toBe(8);

  s = s.restart();
  expect(allocatedOf(s, 'n1').gpus, 'held after the restart').toBe(8);
  submitTestJobSet(s, 'next', { w: { gpus: 8 } });
  // The node heartbeats (same epoch) and still runs the old pod: nothing fits yet.
  handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(pod!, 'POD_PHASE_RUNNING')]));
  s.runCycle();
  expect(jobsetOf(s, 'next').status!.phase).toBe('JOB_SET_PHASE_PENDING');

  // Gone: the GPUs are free and the next JobSet is admitted.
  handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', []));
  expect(allocatedOf(s, 'n1').gpus).toBe(0);
  s.runCycle();
  expect(jobsetOf(s, 'next').status!.phase).toBe('JOB_SET_PHASE_ADMITTED');
});
