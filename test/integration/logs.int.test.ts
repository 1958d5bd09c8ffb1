/**
 * `muster logs` on a real local cluster (two agents, real NATS request/reply):
 * each pod's stdout and stderr through the scheduler, a pod chosen by
 * replicatedJob and index, a tail, `-f` following a pod that writes over time
 * until it ends, finished pods' output still readable, and the errors a user
 * gets for a pod that does not exist or has not been placed.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitFor } from '../../cli/src/util/poll.js';
import { musterCli } from '../helpers/cli.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let tc: TestCluster;
beforeAll(async () => {
  tc = await startTestCluster({ agents: 2 });
});
afterAll(async () => {
  await tc?.stop();
});

const small = { cpu: '100m', memory: '32Mi' };
const pod = (script: string) => ({ template: { template: { command: ['sh', '-c', script], resources: small } } });

it('prints each pod\'s output through the scheduler, finished pods too', async () => {
  await tc.submit({
    metadata: { name: 'hello' },
    spec: {
      replicatedJobs: [
        { name: 'leader', ...pod('echo "leader says hi"; echo "leader warns" >&2') },
        { name: 'w', replicas: 2, ...pod('for i in 1 2 3; do echo "worker $MUSTER_JOB_INDEX line $i"; done') },
      ],
    },
  });
  await tc.waitForJobSet('hello', (js) => js.status!.phase === 'JOB_SET_PHASE_SUCCEEDED', 'Succeeded');

  const leader = await musterCli(tc, ['logs', 'hello']);
  expect(leader).toMatchObject({ code: 0, stdout: 'leader says hi\n' });
  expect((await musterCli(tc, ['logs', 'hello', '--stderr'])).stdout).toBe('leader warns\n');
  expect((await musterCli(tc, ['logs', 'hello', '--replicated-job', 'w', '--index', '1'])).stdout).toBe('worker 1 line 1\nworker 1 line 2\nworker 1 line 3\n');
  expect((await musterCli(tc, ['logs', 'hello', '--replicated-job', 'w', '--index', '1', '--tail', '7'])).stdout).toBe('line 3\n');
  expect(await musterCli(tc, ['logs', 'hello', '--tail', '0'])).toMatchObject({ code: 0, stdout: '' });
  const noRj = await musterCli(tc, ['logs', 'hello', '--index', '1']);
  expect([noRj.code, noRj.stderr]).toEqual([2, expect.stringContaining('--index and --pod-index need --replicated-job')]);

  const missing = await musterCli(tc, ['logs', 'hello', '--replicated-job', 'w', '--index', '9']);
  expect(missing.code).not.toBe(0);
  expect(missing.stderr).toContain("pod hello/w/9/0 not found; the JobSet's replicatedJobs: leader (1 job(s) × 1 pod(s)), w (2 job(s) × 1 pod(s))");
});

it('-f follows a running pod until it ends', async () => {
  await tc.submit({ metadata: { name: 'slow' }, spec: { replicatedJobs: [{ name: 'w', ...pod('echo first; until [ -e go ]; do sleep 0.05; done; echo second; echo third') }] } });
  await tc.waitForJobSet('slow', (js) => js.status!.phase === 'JOB_SET_PHASE_RUNNING', 'Running');
  const cli = spawn(process.execPath, [path.resolve('bin/muster.js'), '--scheduler', tc.schedulerAddress, 'logs', 'slow', '-f', '--poll', '100ms'], { cwd: tc.dir });
  let stdout = '';
  cli.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<number | null>((resolve) => cli.once('exit', resolve));
  try {
    // The follower has printed the first line while the pod still runs; only then is the rest written.
    await waitFor(() => stdout === 'first\n', { timeoutMs: 30_000, what: 'the follower printed the first line' });
    writeFileSync(path.join(tc.dir, 'go'), ''); // the pod waits for this file in its working directory
    expect(await exited).toBe(0);
    expect(stdout).toBe('first\nsecond\nthird\n');
  } finally {
    cli.kill();
  }
});

it('a JobSet that has not been placed: a clear error', async () => {
  await tc.submit({ metadata: { name: 'huge' }, spec: { replicatedJobs: [{ name: 'w', template: { template: { command: ['true'], resources: { cpu: '100000', memory: '32Mi' } } } }] } });
  await tc.waitForJobSet('huge', (js) => js.status!.reason === 'NoFit', 'NoFit');
  const r = await musterCli(tc, ['logs', 'huge']);
  expect(r.code).not.toBe(0);
  expect(r.stderr).toContain('pod huge/w/0/0 has not been placed on a node yet (the JobSet is pending: NoFit)');
  await musterCli(tc, ['cancel', 'huge']);
});
