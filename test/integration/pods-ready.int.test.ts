/**
 * waitForPodsReady on a real local cluster (scheduler flags: timeout 2s,
 * back-off 1s, requeue limit 1; a long node grace period). The only agent is
 * frozen (SIGSTOP) so the pods it is told to run never start while its node
 * still counts as Ready: the JobSet is admitted, evicted (PodsReadyTimeout),
 * requeued after the back-off and admitted again, evicted again, then
 * suspended with RequeuingLimitExceeded. Thawed and resumed, it runs to the end.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { musterCli } from '../helpers/cli.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let tc: TestCluster;

beforeAll(async () => {
  tc = await startTestCluster({
    agents: 1,
    schedulerArgs: ['--pods-ready-timeout', '2s', '--pods-ready-backoff-base', '1s', '--pods-ready-requeue-limit', '1', '--node-grace-period', '60s', '--node-lost-timeout', '120s'],
  });
});
afterAll(async () => {
  thaw();
  await tc?.stop();
});

function agentPid(): number {
  return tc.cluster.agents[0]!.process.pid;
}

function thaw(): void {
  try {
    if (tc) process.kill(agentPid(), 'SIGCONT');
  } catch {
    // already gone
  }
}

const QUEUE = `apiVersion: muster.dev/v1
kind: ResourceFlavor
metadata: {name: any}
---
apiVersion: muster.dev/v1
kind: Queue
metadata: {name: team}
spec:
  resourceGroups:
    - coveredResources: [cpu, memory]
      flavors: [{name: any, resources: [{name: cpu, nominalQuota: 8}, {name: memory, nominalQuota: 64Gi}]}]
`;

it('evicts and requeues a JobSet whose pods never start, then suspends it past the requeue limit; resumed, it runs', async () => {
  const applied = await musterCli(tc, ['apply', '-f', '-'], QUEUE);
  expect(applied.code, applied.stderr).toBe(0);
  process.kill(agentPid(), 'SIGSTOP');
  try {
    await tc.submit({ metadata: { name: 'stuck' }, spec: { queue: 'team', replicatedJobs: [{ name: 'w', template: { template: { command: ['true'], resources: { cpu: '1', memory: '256Mi' } } } }] } });
    const first = await tc.waitForJobSet('stuck', (js) => js.status!.reason === 'PodsReadyTimeout', 'evicted for PodsReadyTimeout', 30_000);
    expect(first.status!.requeueState).toMatchObject({ count: 1 });
    expect(first.status!.message).toContain('0 of 1 pods running or done 2s after admission');

    const suspended = await tc.waitForJobSet('stuck', (js) => js.status!.reason === 'RequeuingLimitExceeded', 'suspended past the requeue limit', 30_000);
    expect(suspended.spec!.suspend).toBe(true);
    expect(suspended.status!.requeueState).toMatchObject({ count: 2 });
    expect(suspended.status!.history.filter((h) => h.type === 'Admitted')).toHaveLength(2); // requeued and admitted again in between
  } finally {
    thaw();
  }
  const resumed = await musterCli(tc, ['resume', 'stuck']);
  expect(resumed.code, resumed.stderr).toBe(0);
  const done = await tc.waitForJobSet('stuck', (js) => js.status!.phase === 'JOB_SET_PHASE_SUCCEEDED', 'succeeded after resume', 30_000);
  expect(done.status!.requeueState).toBeNull();
});
