/**
 * stopPolicy through a test scheduler: Hold admits nothing new (QueueStopped)
 * while running JobSets go on; HoldAndDrain also evicts them back to the
 * queue (pods stopped, quota back); None lets everything be admitted again.
 */
import { afterEach, expect, it } from 'vitest';
import { flavorYaml, queueingObjects, queueYaml } from '../../../test/helpers/queues.js';
import { assignmentsOf, heartbeatOf, jobsetOf, podReport, registerTestNode, startTestScheduler, submitTestJobSet, type TestScheduler } from '../../../test/helpers/scheduler-context.js';
import { handleHeartbeat } from './heartbeats.js';
import { drainStoppedQueues } from './queue-stop.js';

let s: TestScheduler;
afterEach(() => s?.close());

/** queue `team` with 16 GPUs and the given stopPolicy. */
function team(stopPolicy: string) {
  return queueingObjects(flavorYaml('any'), queueYaml('team', { gpus: 16, flavor: 'any', spec: [`stopPolicy: ${stopPolicy}`] }));
}

it('Hold stops admissions but not running JobSets; HoldAndDrain evicts them too; None admits again', () => {
  s = startTestScheduler();
  s.ctx.objects.apply(team('None'), s.clock.now());
  registerTestNode(s, 'n1', { cpu: 64, memory: '512Gi', gpus: 16 });
  submitTestJobSet(s, 'running', { w: { gpus: 8 } }, { queue: 'team' });
  s.runCycle();
  const [pod] = assignmentsOf(s, 'running');
  handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(pod!, 'POD_PHASE_RUNNING')]));

  s.ctx.objects.apply(team('Hold'), s.clock.now());
  submitTestJobSet(s, 'next', { w: { gpus: 8 } }, { queue: 'team' });
  s.runCycle();
  drainStoppedQueues(s.ctx);
  expect(jobsetOf(s, 'next').status).toMatchObject({ phase: 'JOB_SET_PHASE_PENDING', reason: 'QueueStopped', message: expect.stringContaining('stopPolicy Hold') });
  expect(jobsetOf(s, 'running').status!.phase).toBe('JOB_SET_PHASE_RUNNING');

  s.ctx.objects.apply(team('HoldAndDrain'), s.clock.now());
  drainStoppedQueues(s.ctx);
  const drained = jobsetOf(s, 'running').status!;
  expect(drained).toMatchObject({ phase: 'JOB_SET_PHASE_PENDING', reason: 'QueueStopped', admission: null });
  expect(drained.conditions.find((c) => c.type === 'Evicted')).toMatchObject({ status: 'True', reason: 'QueueStopped' });
  expect(s.ctx.store.assignmentsFor('n1')).toEqual([]);
  expect(s.ctx.metrics.evicted.get({ reason: 'QueueStopped' })).toBe(1);

  handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', []));
  s.ctx.objects.apply(team('None'), s.clock.now());
  s.runCycle();
  expect(jobsetOf(s, 'running').status!.phase).toBe('JOB_SET_PHASE_ADMITTED');
  expect(jobsetOf(s, 'next').status!.phase).toBe('JOB_SET_PHASE_ADMITTED');
});
