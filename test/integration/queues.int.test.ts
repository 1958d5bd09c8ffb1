/**
 * Quota on a real local cluster: two 8-GPU agents labelled gpu=h100, one queue
 * with a nominal 8 H100 GPUs. Of two 8-GPU JobSets naming the queue, one runs
 * and the other waits with WaitingForQuota although the cluster has GPUs
 * free; it runs once the first has finished. `muster queue` shows the use.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { musterCli } from '../helpers/cli.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

const H100 = path.resolve('deploy/hardware/h100-sxm-8gpu.json');
let tc: TestCluster;

beforeAll(async () => {
  tc = await startTestCluster({ agents: 2, hardware: [H100], agentArgs: ['--label', 'gpu=h100'] });
});
afterAll(async () => {
  await tc?.stop();
});

const muster = (args: string[], input?: string): ReturnType<typeof musterCli> => musterCli(tc, args, input);

const QUEUE = `apiVersion: muster.dev/v1
kind: ResourceFlavor
metadata: {name: h100}
spec: {nodeLabels: {gpu: h100}}
---
apiVersion: muster.dev/v1
kind: Queue
metadata: {name: team}
spec:
  resourceGroups:
    - coveredResources: [cpu, memory, gpus]
      flavors:
        - name: h100
          resources: [{name: cpu, nominalQuota: 64}, {name: memory, nominalQuota: 512Gi}, {name: gpus, nominalQuota: 8}]
`;

it('a queue\'s nominal quota holds back a second 8-GPU JobSet on a cluster with 16 free GPUs, until the first is done', async () => {
  const applied = await muster(['apply', '-f', '-'], QUEUE);
  expect(applied.code, applied.stderr).toBe(0);
  // The first runs until a file appears; the second would run at once.
  const gang = (name: string, cmd: string) => ({
    metadata: { name },
    spec: { queue: 'team', replicatedJobs: [{ name: 'w', template: { template: { command: ['sh', '-c', cmd], resources: { cpu: '1', memory: '1Gi', gpus: 8 } } } }] },
  });
  await tc.submit(gang('first', 'until [ -e first.go ]; do sleep 0.05; done'));
  await tc.waitForJobSet('first', (js) => js.status!.phase === 'JOB_SET_PHASE_RUNNING', 'running');
  await tc.submit(gang('second', 'true'));
  const waiting = await tc.waitForJobSet('second', (js) => js.status!.reason === 'WaitingForQuota', 'waiting for quota');
  expect(waiting.status!.message).toMatch(/queue team needs 8 gpus in flavor h100, 0 available/);

  const shown = await muster(['queue', 'team']);
  expect(shown.stdout).toMatch(/Pending:\s+1/);
  expect(shown.stdout).toMatch(/h100\s+gpus\s+8\s+8\s+-/);

  writeFileSync(path.join(tc.dir, 'first.go'), '');
  const second = await tc.waitForJobSet('second', (js) => js.status!.phase === 'JOB_SET_PHASE_SUCCEEDED', 'succeeded after the first');
  expect(second.status!.admission).toMatchObject({ queue: 'team', flavors: { gpus: 'h100' } });
});
