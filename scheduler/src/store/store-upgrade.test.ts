/**
 * A database written by an earlier version: JobSet documents without the
 * fields added since (history, per-Job status, started replicatedJobs, failure
 * policy rules) load with their defaults, and the scheduler admits, fails and
 * restarts them as it does new ones.
 */
import { afterEach, expect, it } from 'vitest';
import { handleHeartbeat } from '../controller/heartbeats.js';
import { assignmentsOf, heartbeatOf, jobsetOf, podReport, registerTestNode, startTestScheduler, submitTestJobSet, type TestScheduler } from '../../../test/helpers/scheduler-context.js';

let s: TestScheduler;
afterEach(() => s?.close());

/** asWrittenBefore strips from every stored JobSet document what the earlier version did not write. */
function asWrittenBefore(t: TestScheduler): void {
  const rows = t.db.prepare('SELECT name, doc FROM jobsets').all() as { name: string; doc: string }[];
  for (const r of rows) {
    const doc = JSON.parse(r.doc) as { spec: { failurePolicy?: Record<string, unknown> | null }; status: Record<string, unknown> };
    for (const k of ['history', 'jobs', 'startedReplicatedJobs', 'restartsCountTowardsMax', 'terminalState']) delete doc.status[k];
    doc.spec.failurePolicy = { maxRestarts: 1, restartStrategy: 'Recreate' }; // the earlier defaults, no rules
    t.db.prepare('UPDATE jobsets SET doc = ? WHERE name = ?').run(JSON.stringify(doc), r.name);
  }
}

it('loads old JobSet documents with defaults, then admits, fails and restarts them', () => {
  s = startTestScheduler({ db: 'file' });
  registerTestNode(s, 'n1', { cpu: 8, memory: '32Gi', gpus: 2 });
  submitTestJobSet(s, 'old', { w: { gpus: 1 } });
  asWrittenBefore(s);
  s = s.restart();
  registerTestNode(s, 'n1', { cpu: 8, memory: '32Gi', gpus: 2 });
  const loaded = jobsetOf(s, 'old');
  expect(loaded.status).toMatchObject({ history: [], jobs: [], startedReplicatedJobs: [], restartsCountTowardsMax: 0 });
  expect(loaded.spec!.failurePolicy!.rules).toEqual([]);

  s.runCycle();
  expect(jobsetOf(s, 'old').status!.phase).toBe('JOB_SET_PHASE_ADMITTED');
  const [pod] = assignmentsOf(s, 'old');
  handleHeartbeat(s.ctx, heartbeatOf(s, 'n1', [podReport(pod!, 'POD_PHASE_FAILED', { exitCode: 1 })]));
  // backoffLimit 0 (test default): the Job failed; no rule matched: the JobSet restarts (maxRestarts 1).
  expect(jobsetOf(s, 'old').status).toMatchObject({ phase: 'JOB_SET_PHASE_PENDING', reason: 'Restarting', restarts: 1 });
});
