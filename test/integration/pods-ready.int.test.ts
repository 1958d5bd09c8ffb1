/**
 * waitForPodsReady on a real local cluster (scheduler flags: timeout 2s,
 * back-off 1s, requeue limit 1). A queued JobSet whose `workers` depend on a
 * `setup` Job that never completes can never have every pod running: it is
 * evicted (its running setup pod really stopped), requeued after the back-off,
 * admitted and started again, evicted again, and then suspended with
 * RequeuingLimitExceeded. `muster resume` gives it a fresh start.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { musterCli } from '../helpers/cli.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let tc: TestCluster;

beforeAll(async () => {
  tc = await startTestCluster({ agents: 1, schedulerArgs: ['--pods-ready-timeout', '2s', '--pods-ready-backoff-base', '1s', '--pods-ready-requeue-limit', '1'] });
});
afterAll(async () => {
  await tc?.stop();
});

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

it('evicts and requeues a JobSet whose pods never all run, then suspends it past the requeue limit', async () => {
  const applied = await musterCli(tc, ['apply', '-f', '-'], QUEUE);
  expect(applied.code, applied.stderr).toBe(0);
  const small = { cpu: '1', memory: '256Mi' };
  await tc.submit({
    metadata: { name: 'stuck' },
    spec: {
      queue: 'team',
      replicatedJobs: [
        { name: 'setup', template: { template: { command: ['sh', '-c', 'echo run >> setup.runs; exec sleep 600'], resources: small } } },
        { name: 'workers', dependsOn: [{ name: 'setup', status: 'Complete' }], template: { template: { command: ['true'], resources: small } } },
      ],
    },
  });
  const first = await tc.waitForJobSet('stuck', (js) => js.status!.reason === 'PodsReadyTimeout', 'evicted for PodsReadyTimeout', 30_000);
  expect(first.status!.requeueState).toMatchObject({ count: 1 });
  expect(first.status!.message).toContain('1 of 2 pods running 2s after admission');

  const suspended = await tc.waitForJobSet('stuck', (js) => js.status!.reason === 'RequeuingLimitExceeded', 'suspended past the requeue limit', 30_000);
  expect(suspended.spec!.suspend).toBe(true);
  expect(suspended.status!.requeueState).toMatchObject({ count: 2 });
  // Admitted twice, so the setup pod ran twice; both runs were stopped.
  const runs = path.join(tc.dir, 'setup.runs');
  expect(existsSync(runs) ? readFileSync(runs, 'utf8').trim().split('\n') : []).toHaveLength(2);

  const resumed = await musterCli(tc, ['resume', 'stuck']);
  expect(resumed.code, resumed.stderr).toBe(0);
  const again = await tc.waitForJobSet('stuck', (js) => js.status!.phase === 'JOB_SET_PHASE_ADMITTED', 'admitted after resume', 30_000);
  expect(again.status!.requeueState).toBeNull();
  const del = await musterCli(tc, ['cancel', 'stuck']);
  expect(del.code, del.stderr).toBe(0);
});
