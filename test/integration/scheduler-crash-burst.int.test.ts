/**
 * The scheduler is killed with SIGKILL in the middle of a burst of 200
 * submissions (1-GPU JobSets onto two recorded 8-GPU hosts): started again on
 * the same database, every submission it acknowledged is there, and no GPU is
 * ever bound to two unfinished pods — checked after the restart and again
 * once the cluster has worked through the backlog for a while.
 */
import path from 'node:path';
import os from 'node:os';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitFor } from '../../cli/src/util/poll.js';
import type { JobSet } from '../../shared/src/proto/types.js';
import { parseJobSetObject, toSubmitRequest } from '../../shared/src/spec/document.js';
import { gpuClashes } from '../helpers/bindings.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

const DGX = path.resolve('deploy/hardware/h100-sxm-8gpu.json');
const BURST = 200;
const KILL_AFTER_ACKS = 60;
let tc: TestCluster;

beforeAll(async () => {
  tc = await startTestCluster({ agents: 2, hardware: [DGX] });
});
afterAll(async () => {
  await tc?.stop();
});

async function allJobSets(): Promise<JobSet[]> {
  return (await tc.api.listJobSets('', 0, false, true)).jobsets;
}

it('SIGKILL during a burst of 200 submissions: every acknowledged JobSet survives, no GPU is bound to two pods', async () => {
  const acked: string[] = [];
  let killed: Promise<void> | undefined;
  const submissions = Array.from({ length: BURST }, async (_, i) => {
    const name = `burst-${i}`;
    const doc = parseJobSetObject({
      apiVersion: 'muster.dev/v1',
      kind: 'JobSet',
      metadata: { name },
      spec: { replicatedJobs: [{ name: 'w', template: { template: { command: ['sh', '-c', 'sleep 0.2'], resources: { cpu: '100m', memory: '16Mi', gpus: 1 } } } }] },
    });
    await tc.api.submitJobSet(toSubmitRequest(doc, { user: os.userInfo().username, submitDir: tc.dir }));
    acked.push(name);
    if (acked.length === KILL_AFTER_ACKS) killed = tc.killScheduler();
  });
  const outcomes = await Promise.allSettled(submissions);
  await killed;
  expect(acked.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
  // The kill cut the burst short: the rest were refused (UNAVAILABLE), not silently lost.
  expect(outcomes.filter((o) => o.status === 'rejected').length).toBe(BURST - acked.length);

  await tc.restartScheduler();
  const after = await waitFor(async () => {
    try {
      return await allJobSets();
    } catch {
      return undefined; // still starting
    }
  }, { timeoutMs: 30_000, what: 'the restarted scheduler answering' });
  const names = new Set(after.map((js) => js.metadata!.name));
  expect(acked.filter((n) => !names.has(n))).toEqual([]);
  expect(gpuClashes(after)).toEqual([]);

  // The backlog runs through 16 GPUs; at every look no GPU has two pods (and GPUs were seen bound: the check is not empty).
  let boundSeen = 0;
  await waitFor(async () => {
    const now = await allJobSets();
    expect(gpuClashes(now)).toEqual([]);
    boundSeen = Math.max(boundSeen, now.flatMap((js) => js.status!.pods).filter((p) => p.node && (p.binding?.gpuIndices.length ?? 0) > 0).length);
    const done = now.filter((js) => js.status!.phase === 'JOB_SET_PHASE_SUCCEEDED').length;
    return done >= Math.min(acked.length, 40) ? true : undefined;
  }, { timeoutMs: 90_000, intervalMs: 200, what: 'forty JobSets of the burst done' });
  expect(boundSeen).toBeGreaterThan(0);
}, 180_000);
