/**
 * The scheduler is killed with SIGKILL while a JobSet runs and another waits;
 * started again on the same database, every JobSet and its status is still
 * there, the running pods were not disturbed (same processes, never
 * restarted), and the running JobSet then finishes normally.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isAlive } from '../../cli/src/local/processes.js';
import { waitFor } from '../../cli/src/util/poll.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let tc: TestCluster;

beforeAll(async () => {
  tc = await startTestCluster({ agents: 2 });
});
afterAll(async () => {
  await tc?.stop();
});

it('keeps every JobSet and its status across a SIGKILL, without disturbing running pods', async () => {
  // Pods run until a file appears, so they are running for sure when the scheduler dies.
  await tc.submit({
    metadata: { name: 'survivor' },
    spec: {
      replicatedJobs: [
        { name: 'w', replicas: 2, template: { parallelism: 1, template: { command: ['sh', '-c', 'cut -d" " -f5 /proc/$$/stat > pid-$MUSTER_JOB_INDEX; until [ -e release ]; do sleep 0.1; done; echo released'], resources: { cpu: '100m' } } } },
      ],
    },
  });
  const running = await tc.waitForJobSet('survivor', (js) => js.status!.phase === 'JOB_SET_PHASE_RUNNING', 'Running');
  const nodes = await tc.api.nodes();
  // Two pods of a whole node each: they fit only once the survivor's pods are gone.
  const nodeCpu = Math.min(...nodes.map((x) => x.inventory?.allocatable?.cpuMillis ?? 0));
  await tc.submit({ metadata: { name: 'waiter' }, spec: { replicatedJobs: [{ name: 'w', replicas: 2, template: { template: { command: ['true'], resources: { cpu: `${nodeCpu}m` } } } }] } });
  await tc.waitForJobSet('waiter', (js) => js.status!.reason === 'NoFit', 'Pending with NoFit');
  // Each pod's process group (its leader is the pid the pod reports).
  const pids = [0, 1].map((j) => Number(readFileSync(path.join(tc.dir, `pid-${j}`), 'utf8')));
  const before = await tc.api.listJobSets();

  await tc.killScheduler();
  expect(pids.every(isAlive)).toBe(true);
  await tc.restartScheduler();

  const after = await tc.api.listJobSets();
  expect(after.jobsets.map((j) => j.metadata!.name).sort()).toEqual(before.jobsets.map((j) => j.metadata!.name).sort());
  expect(after.jobsets.every((j) => j.status!.pods.length === 0)).toBe(true); // lists carry counts, not pods
  const survivor = await tc.api.getJobSet('survivor');
  expect(survivor.status!.phase).toBe('JOB_SET_PHASE_RUNNING');
  expect(survivor.metadata!.uid).toBe(running.metadata!.uid);
  expect(survivor.status!.pods.map((p) => [p.podId, p.node, p.phase])).toEqual(running.status!.pods.map((p) => [p.podId, p.node, p.phase]));
  const waiter = after.jobsets.find((j) => j.metadata!.name === 'waiter')!;
  expect(waiter.status!.phase).toBe('JOB_SET_PHASE_PENDING');
  expect(waiter.status!.reason).toBe('NoFit');

  // Nodes come back Ready from heartbeats alone (same epoch: no re-registration).
  await waitFor(async () => (await tc.api.nodes()).every((n) => n.state === 'NODE_STATE_READY'), { timeoutMs: 30_000, what: 'nodes Ready after restart', retryOnError: true });
  expect((await tc.api.nodes()).map((n) => n.epoch)).toEqual(nodes.map((n) => n.epoch));
  expect(pids.every(isAlive)).toBe(true);

  writeFileSync(path.join(tc.dir, 'release'), 'go\n');
  const done = await tc.waitForJobSet('survivor', (js) => js.status!.phase === 'JOB_SET_PHASE_SUCCEEDED', 'Succeeded after restart');
  expect(done.status!.pods.map((p) => p.pid).sort()).toEqual([...pids].sort());
  for (const p of done.status!.pods) expect(tc.podLog(p.podId)).toContain('released');
  // The capacity it freed admits the waiter.
  await tc.waitForJobSet('waiter', (js) => js.status!.phase === 'JOB_SET_PHASE_SUCCEEDED', 'waiter admitted after the survivor ended');
});
