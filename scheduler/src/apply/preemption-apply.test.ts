/**
 * Preemption on the whole path through a test scheduler (real SQLite store):
 * a high-priority JobSet evicts a running low-priority one of its queue; the
 * victim goes back to its queue (Pending, reason Preempted, a Preempted
 * condition naming the rule, its quota given back, persisted); its pods leave
 * the node's desired document but hold their GPUs until the agent reports
 * them gone; nothing is preempted twice while they stop; then the preemptor
 * is admitted on the freed GPUs.
 */
import { afterEach, expect, it } from 'vitest';
import { flavorYaml, priorityClassYaml, queueYaml, queueingObjects } from '../../../test/helpers/queues.js';
import { handleHeartbeat } from '../controller/heartbeats.js';
import {
  assignmentsOf,
  heartbeatOf,
  jobsetOf,
  lingeringOf,
  persistedJobSet,
  podReport,
  registerTestNode,
  startTestScheduler,
  submitTestJobSet,
  type TestScheduler,
} from '../../../test/helpers/scheduler-context.js';

let s: TestScheduler;
afterEach(() => s?.close());

const OBJECTS = queueingObjects(flavorYaml('h100', { gpu: 'h100' }), priorityClassYaml('low', 1), priorityClassYaml('high', 100), queueYaml('team', { gpus: 8, spec: ['preemption: {withinQueue: LowerPriority}'] }));

it('evicts the lower-priority JobSet back to its queue, holds its GPUs until its pods are gone, then admits the preemptor', () => {
  s = startTestScheduler();
  s.ctx.objects.apply(OBJECTS, s.clock.now());
  registerTestNode(s, 'gpu1', { cpu: 64, memory: '512Gi', gpus: 8, labels: { gpu: 'h100' } });
  submitTestJobSet(s, 'low', { w: { gpus: 8 } }, { queue: 'team', priorityClass: 'low' });
  s.runCycle();
  const [lowPod] = assignmentsOf(s, 'low');
  handleHeartbeat(s.ctx, heartbeatOf(s, 'gpu1', [podReport(lowPod!, 'POD_PHASE_RUNNING')]));
  expect(jobsetOf(s, 'low').status!.phase).toBe('JOB_SET_PHASE_RUNNING');

  submitTestJobSet(s, 'high', { w: { gpus: 8 } }, { queue: 'team', priorityClass: 'high' });
  s.runCycle();
  const low = jobsetOf(s, 'low').status!;
  expect(low).toMatchObject({ phase: 'JOB_SET_PHASE_PENDING', reason: 'Preempted', admission: null });
  expect(low.message).toContain('preempted by high (priority 100) of queue team');
  expect(low.conditions.find((c) => c.type === 'Preempted')).toMatchObject({ status: 'True', reason: 'InQueue' });
  expect(low.conditions.find((c) => c.type === 'Admitted')).toMatchObject({ status: 'False', reason: 'Preempted' });
  expect(low.history.map((h) => h.type)).toContain('Preempted');
  expect(low.pods[0]!.generation).toBeGreaterThan(lowPod!.generation); // its next run is a new incarnation
  expect(JSON.parse(persistedJobSet(s.db, 'low')!.doc).status.reason).toBe('Preempted');
  expect(jobsetOf(s, 'high').status).toMatchObject({ phase: 'JOB_SET_PHASE_PENDING', reason: 'WaitingForPreemption' });
  // The node is told to stop low's pod; its GPUs stay held until the agent says it is gone.
  expect(s.ctx.store.assignmentsFor('gpu1')).toEqual([]);
  expect(lingeringOf(s, 'gpu1').gpus).toBe(8);

  // Cycles while the pod stops: nothing more is preempted, nothing is admitted on GPUs still in use.
  s.runCycle();
  expect(jobsetOf(s, 'high').status!.reason).toBe('WaitingForPreemption');
  expect(jobsetOf(s, 'low').status!.phase).toBe('JOB_SET_PHASE_PENDING');

  // The agent reports the pod gone: the preemptor gets the GPUs; the victim waits in its queue.
  handleHeartbeat(s.ctx, heartbeatOf(s, 'gpu1', []));
  s.runCycle();
  expect(jobsetOf(s, 'high').status).toMatchObject({ phase: 'JOB_SET_PHASE_ADMITTED', admission: { queue: 'team' } });
  expect(jobsetOf(s, 'low').status).toMatchObject({ phase: 'JOB_SET_PHASE_PENDING', reason: 'WaitingForQuota' });
});
