/**
 * MIG devices on a real local cluster: one agent playing the recorded H100 in
 * MIG mode (deploy/hardware/h100-mig.json; profiles and UUIDs from a real
 * `nvidia-smi -L`). A pod asking for two 1g.10gb devices gets the two there
 * are and sees them by UUID in CUDA_VISIBLE_DEVICES; a second such JobSet
 * waits (NoFit naming the profile) until the first is done; `muster
 * describe` shows the MIG devices.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitFor } from '../../cli/src/util/poll.js';
import { musterCli } from '../helpers/cli.js';
import { envOf, startTestCluster, type TestCluster } from '../helpers/cluster.js';

let tc: TestCluster;
beforeAll(async () => {
  tc = await startTestCluster({ agents: 1, hardware: [path.resolve('deploy/hardware/h100-mig.json')] });
});
afterAll(async () => {
  await tc?.stop();
});

const migPod = (name: string) => ({
  metadata: { name },
  spec: { replicatedJobs: [{ name: 'w', template: { template: { command: ['sh', '-c', `env; until [ -e ${name}.stop ]; do sleep 0.05; done`], migProfile: '1g.10gb', resources: { cpu: '500m', memory: '256Mi', gpus: 2 } } } }] },
});

it('a pod gets MIG devices of the profile it asks for, by UUID; the next waits for them', async () => {
  await tc.submit(migPod('first'));
  const first = await tc.waitForJobSet('first', (js) => js.status!.phase === 'JOB_SET_PHASE_RUNNING', 'running');
  const uuids = ['MIG-00000002-0000-0000-0000-000000000002', 'MIG-00000003-0000-0000-0000-000000000003'];
  expect(first.status!.pods[0]!.binding).toMatchObject({ gpuIndices: [0], gpuUuids: uuids });
  await waitFor(() => envOf(tc.podLog('first/w/0/0')).CUDA_VISIBLE_DEVICES !== undefined, { timeoutMs: 30_000, what: 'the first pod printed its environment' });
  expect(envOf(tc.podLog('first/w/0/0')).CUDA_VISIBLE_DEVICES).toBe(uuids.join(','));

  await tc.submit(migPod('second'));
  const waiting = await tc.waitForJobSet('second', (js) => js.status!.reason === 'NoFit', 'NoFit');
  expect(waiting.status!.message).toContain('MIG device(s) of profile 1g.10gb');
  const described = await musterCli(tc, ['describe', 'first']);
  expect(described.stdout).toMatch(/first\/w\/0\/0\s+local-1\s+0 \(2 MIG\)\s/);

  writeFileSync(path.join(tc.dir, 'first.stop'), '');
  const second = await tc.waitForJobSet('second', (js) => js.status!.phase === 'JOB_SET_PHASE_RUNNING', 'running once the first is done');
  expect(second.status!.pods[0]!.binding!.gpuUuids).toEqual(uuids);
  writeFileSync(path.join(tc.dir, 'second.stop'), '');
  await tc.waitForJobSet('second', (js) => js.status!.phase === 'JOB_SET_PHASE_SUCCEEDED', 'succeeded');
});
