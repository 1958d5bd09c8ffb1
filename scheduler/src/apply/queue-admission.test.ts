/**
 * Quota on the whole path through a test scheduler: objects applied, a JobSet
 * naming its queue is admitted with the flavor it is charged to (recorded in
 * its status, placed on that flavor's nodes), the next waits with
 * WaitingForQuota and a message with numbers, and is admitted once the first
 * finished and gave its quota back.
 */
import { afterEach, expect, it } from 'vitest';
import { flavorYaml, queueYaml, queueingObjects } from '../../../test/helpers/queues.js';
import { handleHeartbeat } from '../controller/heartbeats.js';
import { assignmentsOf, heartbeatOf, jobsetOf, podReport, registerTestNode, startTestScheduler, submitTestJobSet, type TestScheduler } from '../../../test/helpers/scheduler-context.js';

let s: TestScheduler;
afterEach(() => s?.close());

const OBJECTS = queueingObjects(flavorYaml('h100', { gpu: 'h100' }), queueYaml('team', { gpus: 8 }));

it('admits within quota on the flavor\'s nodes, holds the next JobSet with WaitingForQuota, and admits it once quota is back', () => {
  s = startTestScheduler();
  s.ctx.objects.apply(OBJECTS, s.clock.now());
  registerTestNode(s, 'plain', { cpu: 64, memory: '512Gi', gpus: 8 });
  registerTestNode(s, 'gpu1', { cpu: 64, memory: '512Gi', gpus: 8, labels: { gpu: 'h100' } });
  submitTestJobSet(s, 'first', { w: { gpus: 8 } }, { queue: 'team' });
  submitTestJobSet(s, 'second', { w: { gpus: 4 } }, { queue: 'team' });
  s.runCycle();

  const first = jobsetOf(s, 'first').status!;
  expect(first).toMatchObject({ phase: 'JOB_SET_PHASE_ADMITTED', admission: { queue: 'team', flavors: { gpus: 'h100' } } });
  expect(first.message).toContain('queue team, flavor h100');
  expect(first.pods[0]!.node).toBe('gpu1'); // never the unlabelled node, though it has 8 free GPUs
  const second = jobsetOf(s, 'second').status!;
  expect(second).toMatchObject({ phase: 'JOB_SET_PHASE_PENDING', reason: 'WaitingForQuota' });
  expect(second.message).toMatch(/queue team needs 4 gpus in flavor h100, 0 available/);

  // The first JobSet ends: its quota comes back and the second is admitted.
  const [pod] = assignmentsOf(s, 'first');
  handleHeartbeat(s.ctx, heartbeatOf(s, 'gpu1', [podReport(pod!, 'POD_PHASE_SUCCEEDED', { exitCode: 0 })]));
  expect(jobsetOf(s, 'first').status!.phase).toBe('JOB_SET_PHASE_SUCCEEDED');
  handleHeartbeat(s.ctx, heartbeatOf(s, 'gpu1', []));
  s.runCycle();
  expect(jobsetOf(s, 'second').status).toMatchObject({ phase: 'JOB_SET_PHASE_ADMITTED', admission: { queue: 'team' } });
});
