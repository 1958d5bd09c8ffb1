/**
 * A NATS outage for real: nats-server is killed while pods run, the pods
 * finish during the outage, and the outage lasts 10 s, well past the node
 * lost timeout (4 s here). The scheduler, which knows it cannot hear anyone, declares no
 * node Lost; the agents keep their pods' exits; once nats-server is back on
 * its port, every exit reaches the JobSet's status, no node registered again.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isAlive } from '../../cli/src/local/processes.js';
import { waitFor } from '../../cli/src/util/poll.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { readInt } from '../helpers/files.js';

const LOST_TIMEOUT_MS = 4000;
const OUTAGE_MS = 10_000;
let tc: TestCluster;
beforeAll(async () => {
  tc = await startTestCluster({ agents: 2, schedulerArgs: ['--node-lost-timeout', `${LOST_TIMEOUT_MS}ms`] });
});
afterAll(async () => {
  await tc?.stop();
});

it('pods that finish while nats-server is down: no node is declared Lost, and every exit reaches the status once it is back', async () => {
  const script = 'cut -d" " -f5 /proc/$$/stat > "out.$MUSTER_JOB_INDEX.pgid"; while [ ! -f out.go ]; do sleep 0.05; done; echo "done $MUSTER_JOB_INDEX"';
  await tc.submit({ metadata: { name: 'through' }, spec: { replicatedJobs: [{ name: 'w', replicas: 4, template: { template: { command: ['sh', '-c', script], resources: { cpu: '100m', memory: '32Mi' } } } }] } });
  await tc.waitForJobSet('through', (j) => j.status!.pods.length === 4 && j.status!.pods.every((p) => p.phase === 'POD_PHASE_RUNNING'), 'all running');
  const pgids = await waitFor(() => {
    const all = [0, 1, 2, 3].map((j) => readInt(path.join(tc.dir, `out.${j}.pgid`)));
    return all.every((x) => x !== undefined) ? (all as number[]) : undefined;
  }, { timeoutMs: 30_000, what: 'every pod started' });
  const epochs = new Map((await tc.api.nodes()).map((n) => [n.name, n.epoch]));

  await tc.killNats();
  const downAt = Date.now();
  writeFileSync(path.join(tc.dir, 'out.go'), '');
  await waitFor(() => pgids.every((g) => !isAlive(g)), { timeoutMs: 30_000, what: 'every pod ended during the outage' });
  // The fault lasts 10 s, more than twice the lost timeout (this holds the outage; it waits for no result).
  await waitFor(() => Date.now() - downAt >= OUTAGE_MS, { timeoutMs: 30_000, intervalMs: 100, what: 'a 10 s outage' });
  // The scheduler (still answering gRPC) has judged nobody.
  expect((await tc.api.nodes()).map((n) => n.state).filter((s) => s === 'NODE_STATE_LOST')).toEqual([]);

  await tc.restartNats();
  const done = await tc.waitForJobSet('through', (j) => j.status!.phase === 'JOB_SET_PHASE_SUCCEEDED', 'Succeeded after the outage', 60_000);
  expect(done.status!.pods.map((p) => [p.podId, p.phase, p.reason, p.exitCode])).toEqual(
    [0, 1, 2, 3].map((j) => [`through/w/${j}/0`, 'POD_PHASE_SUCCEEDED', 'Completed', 0]),
  );
  // Every pod ran once, and no node had to register again.
  expect(done.status!.pods.every((p) => p.generation === 0)).toBe(true);
  const after = await tc.api.nodes();
  for (const n of after) expect(n.epoch).toBe(epochs.get(n.name));
  for (const j of [0, 1, 2, 3]) expect(tc.podLog(`through/w/${j}/0`)).toBe(`done ${j}\n`);
});
