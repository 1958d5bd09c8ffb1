/**
 * Fencing that keeps pods from running twice or sharing GPUs: a JobSet
 * cancelled and submitted again under the same name is a new JobSet whose
 * pods really run; the GPUs of a cancelled JobSet stay held until its pods
 * have exited (stop grace included); a second host using a live node's name
 * is refused; an agent that registers again without knowing the pods of its
 * old epoch (its pod table lost) stops them, they fail with NodeRestarted
 * and, within backoffLimit, the scheduler replaces them. (An agent that keeps
 * its pod table adopts them instead: adoption.int.test.ts.)
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../cli/src/local/processes.js';
import { waitFor } from '../../cli/src/util/poll.js';
import { loadGrpc } from '../../shared/src/proto/load.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { readInt } from '../helpers/files.js';

const DGX = path.resolve('deploy/hardware/h100-sxm-8gpu.json');
let tc: TestCluster;

beforeAll(async () => {
  // One 8-GPU node, and a stop grace long enough to observe a pod that is stopping.
  tc = await startTestCluster({ agents: 1, hardware: [DGX], agentArgs: ['--stop-grace-period', '20s'] });
});
afterAll(async () => {
  await tc?.stop();
});

/** A pod that records its pid, then on SIGTERM takes `stopMs` to exit (a checkpoint). */
function slowStopper(tag: string, stopMs: number): string[] {
  return ['sh', '-c', `echo $$ > ${tag}.pid; trap 'sleep ${stopMs / 1000}; echo stopped >> ${tag}.log; exit 0' TERM; echo started >> ${tag}.log; while :; do sleep 0.05; done`];
}

describe('fencing', () => {
  it('holds the GPUs of a cancelled JobSet until its pods have exited', async () => {
    await tc.submit({ metadata: { name: 'gpu-a' }, spec: { replicatedJobs: [{ name: 'w', template: { template: { command: slowStopper('a', 1500), resources: { gpus: 8 } } } }] } });
    const pidA = await waitFor(() => readInt(path.join(tc.dir, 'a.pid')), { timeoutMs: 30_000, what: 'gpu-a started' });
    await tc.waitForJobSet('gpu-a', (j) => j.status!.phase === 'JOB_SET_PHASE_RUNNING', 'Running');
    await tc.api.deleteJobSet('gpu-a');
    // B records whether A's process still ran when B started (a zombie waiting to be reaped by init holds nothing).
    await tc.submit({
      metadata: { name: 'gpu-b' },
      spec: { replicatedJobs: [{ name: 'w', template: { template: { command: ['sh', '-c', `if [ -e /proc/${pidA} ] && ! grep -q '^State:.Z' /proc/${pidA}/status 2>/dev/null; then echo overlap > b.out; else echo alone > b.out; fi`], resources: { gpus: 8 } } } }] },
    });
    const done = await tc.waitForJobSet('gpu-b', (j) => j.status!.phase === 'JOB_SET_PHASE_SUCCEEDED', 'Succeeded once gpu-a is gone');
    expect(readFileSync(path.join(tc.dir, 'b.out'), 'utf8').trim()).toBe('alone');
    expect(readFileSync(path.join(tc.dir, 'a.log'), 'utf8')).toContain('stopped');
    expect(isAlive(pidA)).toBe(false);
    expect(done.status!.pods[0]!.binding?.gpuIndices).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('runs the pods of a JobSet resubmitted under the name of one still stopping', async () => {
    const spec = { replicatedJobs: [{ name: 'w', template: { template: { command: ['sh', '-c', `echo run-$MUSTER_JOBSET >> runs.log; ${slowStopper('same', 1500).slice(2).join(' ')}`], resources: { cpu: '1' } } } }] };
    await tc.submit({ metadata: { name: 'same' }, spec });
    const first = await tc.waitForJobSet('same', (j) => j.status!.phase === 'JOB_SET_PHASE_RUNNING', 'first Running');
    const pid1 = await waitFor(() => readInt(path.join(tc.dir, 'same.pid')), { timeoutMs: 30_000, what: 'first pod started' });
    await tc.api.deleteJobSet('same');
    await tc.submit({ metadata: { name: 'same' }, spec });
    const second = await tc.waitForJobSet('same', (j) => j.status!.phase === 'JOB_SET_PHASE_RUNNING' && j.status!.pods[0]!.pid > 0 && j.status!.pods[0]!.pid !== pid1, 'second incarnation running its own pod');
    expect(second.metadata!.uid).not.toBe(first.metadata!.uid);
    expect(second.status!.pods[0]!.jobsetUid).toBe(second.metadata!.uid);
    await waitFor(() => !isAlive(pid1), { timeoutMs: 30_000, what: 'first incarnation stopped' });
    const runs = (): string[] => (existsSync(path.join(tc.dir, 'runs.log')) ? readFileSync(path.join(tc.dir, 'runs.log'), 'utf8').trim().split('\n') : []);
    await waitFor(() => runs().length >= 2, { timeoutMs: 30_000, what: 'the second incarnation ran its command' });
    expect(runs()).toEqual(['run-same', 'run-same']);
    await tc.api.deleteJobSet('same');
  });

  it('refuses a Register for a live node from another agent instance', async () => {
    const node = (await tc.api.nodes())[0]!;
    const agent = new (loadGrpc().muster.v1.AgentService)(tc.schedulerAddress, grpc.credentials.createInsecure());
    const err = await new Promise<grpc.ServiceError | null>((resolve) =>
      agent.Register({ nodeName: node.name, address: '127.0.0.2', instanceId: 'another-host', inventory: node.inventory, agentVersion: 'test' }, (e) => resolve(e)),
    );
    agent.close();
    expect(err?.code).toBe(grpc.status.ALREADY_EXISTS);
    expect(err?.details).toContain(node.name);
    const after = (await tc.api.nodes())[0]!;
    expect(after.epoch).toBe(node.epoch);
    expect(after.address).toBe(node.address);
  });

  it('stops the pods of the old epoch when the agent is killed and starts again without its pod table, and replaces them (a retry counted against backoffLimit)', async () => {
    await tc.submit({ metadata: { name: 'orphan' }, spec: { replicatedJobs: [{ name: 'w', template: { template: { command: ['sh', '-c', 'echo $$ > orphan.pid; exec sleep 300'], resources: { cpu: '1' } } } }] } });
    const pid = await waitFor(() => readInt(path.join(tc.dir, 'orphan.pid')), { timeoutMs: 30_000, what: 'orphan started' });
    await tc.waitForJobSet('orphan', (j) => j.status!.phase === 'JOB_SET_PHASE_RUNNING', 'Running');
    const agent = tc.cluster.agents[0]!;
    agent.process.kill('SIGKILL');
    await agent.process.exited;
    expect(isAlive(pid)).toBe(true); // the pod outlived the agent…
    rmSync(path.join(agent.stateDir, 'pod-table'), { recursive: true, force: true }); // …which forgot it
    await tc.restartAgent(0);
    await waitFor(() => !isAlive(pid), { timeoutMs: 30_000, what: 'restarted agent stopped the orphan' }); // …until it came back
    // The old epoch's pod failed with NodeRestarted; batch/v1's default backoffLimit (6) replaces it on the restarted agent.
    const replaced = await tc.waitForJobSet('orphan', (j) => j.status!.pods[0]!.generation === 1 && j.status!.pods[0]!.phase === 'POD_PHASE_RUNNING', 'replacement running');
    expect(replaced.status!.jobs[0]).toMatchObject({ failures: 1, state: 'Active' });
    const newPid = await waitFor(() => {
      const p = readInt(path.join(tc.dir, 'orphan.pid'));
      return p !== undefined && p !== pid ? p : undefined;
    }, { timeoutMs: 30_000, what: 'replacement pid' });
    expect(isAlive(newPid)).toBe(true);
    await tc.api.deleteJobSet('orphan');
    await waitFor(() => !isAlive(newPid), { timeoutMs: 30_000, what: 'replacement stopped after cancel' });
  });
});
