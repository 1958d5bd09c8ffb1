/**
 * Admission fair sharing's state through a test scheduler with a real SQLite
 * file: an admission charges its entry penalty at once, a sample turns what a
 * user holds into decayed usage, and a restarted scheduler still has it.
 */
import { afterEach, expect, it } from 'vitest';
import { flavorYaml, queueingObjects, queueYaml } from '../../test/helpers/queues.js';
import { registerTestNode, startTestScheduler, submitTestJobSet, type TestScheduler } from '../../test/helpers/scheduler-context.js';
import { afsKey } from './core/admission-fair-sharing.js';
import { deleteJobSet } from './service/jobsets.js';

let s: TestScheduler | undefined;
afterEach(() => s?.close());

const HOUR = 3_600_000;
const AFS = { halfLifeMs: HOUR, samplingMs: HOUR, weights: { gpus: 1 } };
const OBJECTS = queueingObjects(flavorYaml('any'), queueYaml('shared', { gpus: 16, flavor: 'any', spec: ['admissionScope: {admissionMode: UsageBasedAdmissionFairSharing}'] }));

it('charges the entry penalty at admission, samples held GPUs into usage, and keeps it across a restart', () => {
  s = startTestScheduler({ db: 'file', afs: AFS });
  s.ctx.objects.apply(OBJECTS, s.clock.now());
  registerTestNode(s, 'n1', { cpu: 64, memory: '512Gi', gpus: 8 });
  submitTestJobSet(s, 'a', { w: { gpus: 8 } }, { queue: 'shared', user: 'alice' });
  s.runCycle();
  const queues = s.ctx.objects.list('Queue');
  // 8 GPUs × alpha(1h sampling, 1h half-life) = 4, until the next sample.
  expect(s.ctx.afs.snapshot(queues)!.usage[afsKey('shared', 'alice')]).toBe(4);

  s.ctx.afs.sample(s.store.allJobSets(), queues, s.clock.now());
  expect(s.ctx.afs.consumedOf('shared', 'alice')).toEqual({ gpus: 8, cpu: 1, memory: 1 });
  expect(s.ctx.afs.snapshot(queues)!.usage[afsKey('shared', 'alice')]).toBe(8);

  // The JobSet goes; the scheduler restarts. An hour (one half-life) later alice's usage is half: the history was kept.
  deleteJobSet(s.ctx, 'a');
  s = s.restart({ afs: AFS });
  expect(s.ctx.afs.consumedOf('shared', 'alice').gpus).toBe(8);
  s.clock.advance(HOUR);
  s.ctx.afs.sample(s.store.allJobSets(), s.ctx.objects.list('Queue'), s.clock.now());
  expect(s.ctx.afs.consumedOf('shared', 'alice').gpus).toBeCloseTo(4);
});
