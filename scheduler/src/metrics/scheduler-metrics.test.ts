/**
 * The scheduler's metrics through a test scheduler and the real HTTP endpoint:
 * an admission, a preemption and the queue gauges (pending, admitted, quota,
 * usage, share) appear in GET /metrics as Prometheus scrapes them.
 */
import { afterEach, expect, it } from 'vitest';
import { flavorYaml, priorityClassYaml, queueYaml, queueingObjects } from '../../../test/helpers/queues.js';
import { nullLogger } from '../../../shared/src/logger.js';
import { assignmentsOf, heartbeatOf, podReport, registerTestNode, startTestScheduler, submitTestJobSet, type TestScheduler } from '../../../test/helpers/scheduler-context.js';
import { handleHeartbeat } from '../controller/heartbeats.js';
import { startMetricsServer, type MetricsServer } from './http.js';
import { registerStateGauges } from './scheduler-metrics.js';

let s: TestScheduler;
let server: MetricsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  s?.close();
});

const OBJECTS = queueingObjects(flavorYaml('h100'), priorityClassYaml('high', 100), queueYaml('team', { gpus: 8, spec: ['preemption: {withinQueue: LowerPriority}'] }));

it('serves admissions, preemptions, cycle durations and queue state at GET /metrics', async () => {
  s = startTestScheduler();
  registerStateGauges(s.ctx.metrics, () => s.ctx);
  s.ctx.objects.apply(OBJECTS, s.clock.now());
  registerTestNode(s, 'n1', { cpu: 64, memory: '512Gi', gpus: 8 });
  submitTestJobSet(s, 'low', { w: { gpus: 8 } }, { queue: 'team' });
  s.clock.advance(2000);
  s.runCycle();
  const [pod] = assignmentsOf(s, 'low');
  handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(pod!, 'POD_PHASE_RUNNING')]));
  submitTestJobSet(s, 'high', { w: { gpus: 8 } }, { queue: 'team', priorityClass: 'high' });
  s.runCycle();

  server = await startMetricsServer('127.0.0.1:0', () => s.ctx.metrics.registry.render(), nullLogger);
  const res = await fetch(`http://${server.address}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
  const text = await res.text();
  expect(text).toContain('muster_admitted_jobsets_total{queue="team"} 1');
  expect(text).toContain('muster_admission_wait_time_seconds_bucket{le="5",queue="team"} 1'); // waited 2 s
  expect(text).toContain('muster_preempted_jobsets_total{reason="InQueue"} 1');
  expect(text).toContain('muster_evicted_jobsets_total{reason="Preempted"} 1');
  expect(text).toMatch(/muster_scheduling_cycle_duration_seconds_count 2\n/);
  expect(text).toContain('muster_pending_jobsets{queue="team"} 2'); // high waits for low's pod; low is back in the queue
  expect(text).toContain('muster_queue_nominal_quota{flavor="h100",queue="team",resource="gpus"} 8');
  expect(text).toContain('muster_queue_weighted_share{queue="team"} 0');
  expect(text).toContain('muster_nodes{state="READY"} 1');
  expect((await fetch(`http://${server.address}/healthz`)).status).toBe(200);
  expect((await fetch(`http://${server.address}/nope`)).status).toBe(404);
});
