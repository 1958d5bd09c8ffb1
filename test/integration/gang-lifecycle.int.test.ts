/**
 * A gang JobSet on two real agents: admitted whole, every pod sees the
 * environment of DESIGN §7, the JobSet ends Succeeded; a pod exiting 3 fails
 * the JobSet naming the pod and exit code and stops the other pods; a JobSet
 * larger than the cluster stays Pending with a reason.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../cli/src/local/processes.js';
import { waitFor } from '../../cli/src/util/poll.js';
import { envOf, startTestCluster, type TestCluster } from '../helpers/cluster.js';

let tc: TestCluster;

beforeAll(async () => {
  tc = await startTestCluster({ agents: 2 });
});
afterAll(async () => {
  await tc?.stop();
});

const small = { cpu: '100m', memory: '32Mi' };

describe('a gang JobSet on two agents', () => {
  it('runs every pod with its rank, the coordinator and a hostfile, and succeeds', async () => {
    await tc.submit({
      metadata: { name: 'envcheck' },
      spec: {
        replicatedJobs: [
          { name: 'leader', template: { template: { command: ['sh', '-c', 'env; echo HOSTFILE; cat "$MUSTER_HOSTFILE"'], resources: small } } },
          { name: 'workers', replicas: 2, template: { parallelism: 2, template: { command: ['sh', '-c', 'env; echo HOSTFILE; cat "$MUSTER_HOSTFILE"'], env: [{ name: 'MY_VAR', value: 'hello' }], resources: small } } },
        ],
      },
    });
    const done = await tc.waitForJobSet('envcheck', (js) => js.status!.phase === 'JOB_SET_PHASE_SUCCEEDED', 'Succeeded');
    expect(done.status!.pods).toHaveLength(5);
    expect(done.status!.pods.every((p) => p.phase === 'POD_PHASE_SUCCEEDED' && p.exitCode === 0)).toBe(true);
    expect(done.status!.replicatedJobs.map((r) => [r.name, r.succeeded])).toEqual([['leader', 1], ['workers', 4]]);

    const ids = ['envcheck/leader/0/0', 'envcheck/workers/0/0', 'envcheck/workers/0/1', 'envcheck/workers/1/0', 'envcheck/workers/1/1'];
    const envs = ids.map((id) => envOf(tc.podLog(id)));
    const port = String(done.status!.coordinatorPort);
    expect(Number(port)).toBeGreaterThanOrEqual(29500);
    ids.forEach((id, rank) => {
      const e = envs[rank]!;
      const [, rj, j, p] = id.split('/');
      expect(e.MUSTER_JOBSET).toBe('envcheck');
      expect(e.MUSTER_REPLICATED_JOB).toBe(rj);
      expect(e.MUSTER_JOB_INDEX).toBe(j);
      expect(e.MUSTER_POD_INDEX).toBe(p);
      expect(e.JOB_COMPLETION_INDEX).toBe(p);
      expect(e.RANK).toBe(String(rank));
      expect(e.MUSTER_GLOBAL_RANK).toBe(String(rank));
      expect(e.WORLD_SIZE).toBe('5');
      expect(e.MUSTER_WORLD_SIZE).toBe('5');
      expect(e.MASTER_ADDR).toBe('127.0.0.1');
      expect(e.MASTER_PORT).toBe(port);
      expect(e.MUSTER_COORDINATOR).toBe(`127.0.0.1:${port}`);
      expect(e.MUSTER_RESTART_ATTEMPT).toBe('0');
      const pod = done.status!.pods.find((x) => x.podId === id)!;
      expect(e.MUSTER_NODE).toBe(pod.node);
      expect(e.PATH).toBeTruthy();
    });
    expect(envs[1]!.MY_VAR).toBe('hello');
    expect(envs[0]!.MY_VAR).toBeUndefined();
    // LOCAL_RANK counts this JobSet's pods per node; NODE_RANK orders nodes by first appearance.
    const perNode = new Map<string, number>();
    const nodeOrder: string[] = [];
    ids.forEach((id, rank) => {
      const node = done.status!.pods.find((x) => x.podId === id)!.node;
      if (!nodeOrder.includes(node)) nodeOrder.push(node);
      const local = perNode.get(node) ?? 0;
      perNode.set(node, local + 1);
      expect(envs[rank]!.LOCAL_RANK).toBe(String(local));
      expect(envs[rank]!.NODE_RANK).toBe(String(nodeOrder.indexOf(node)));
    });
    const hostfile = tc.podLog(ids[0]!).split('HOSTFILE\n')[1]!.trim().split('\n');
    expect(hostfile).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1', '127.0.0.1', '127.0.0.1']);
  });

  it('fails the JobSet when a pod exits 3, names the pod, and stops the others', async () => {
    await tc.submit({
      metadata: { name: 'exit3' },
      spec: {
        replicatedJobs: [
          { name: 'sleepers', replicas: 1, template: { parallelism: 2, template: { command: ['sh', '-c', 'echo $$ > sleeper-$MUSTER_POD_INDEX.pid; exec sleep 300'], resources: small } } },
          { name: 'bad', template: { backoffLimit: 0, template: { command: ['sh', '-c', 'until [ -s sleeper-0.pid ] && [ -s sleeper-1.pid ]; do sleep 0.1; done; exit 3'], resources: small } } },
        ],
      },
    });
    const failed = await tc.waitForJobSet('exit3', (js) => js.status!.phase === 'JOB_SET_PHASE_FAILED', 'Failed');
    expect(failed.status!.failedPod).toBe('exit3/bad/0/0');
    expect(failed.status!.exitCode).toBe(3);
    expect(failed.status!.reason).toBe('FailedJobs');
    expect(failed.status!.message).toContain('exit3/bad/0/0');
    expect(failed.status!.message).toContain('exit code 3');
    // The sleepers are stopped by their agents once the JobSet failed.
    const sleeperPids = [0, 1].map((i) => Number(readFileSync(path.join(tc.dir, `sleeper-${i}.pid`), 'utf8')));
    expect(sleeperPids.every((pid) => pid > 0)).toBe(true);
    await waitFor(() => sleeperPids.every((pid) => !isAlive(pid)), { timeoutMs: 30_000, what: 'sleeper pods stopped' });
    const sleepers = (await tc.api.getJobSet('exit3')).status!.pods.filter((p) => p.podId.includes('sleepers'));
    expect(sleepers.every((p) => p.phase === 'POD_PHASE_RUNNING' || p.phase === 'POD_PHASE_FAILED')).toBe(true);
  });

  it('keeps a JobSet larger than the cluster Pending with a reason, and admits smaller work meanwhile', async () => {
    const nodes = await tc.api.nodes();
    const totalCpu = nodes.reduce((n, x) => n + (x.inventory?.allocatable?.cpuMillis ?? 0), 0);
    await tc.submit({
      metadata: { name: 'too-big' },
      spec: { replicatedJobs: [{ name: 'w', replicas: 3, template: { template: { command: ['true'], resources: { cpu: `${Math.ceil(totalCpu / 2)}m` } } } }] },
    });
    const pending = await tc.waitForJobSet('too-big', (js) => js.status!.reason === 'NoFit', 'Pending with NoFit');
    expect(pending.status!.phase).toBe('JOB_SET_PHASE_PENDING');
    expect(pending.status!.message).toMatch(/needs 3 pods/);
    expect(pending.status!.pods).toHaveLength(0);
    await tc.submit({ metadata: { name: 'small-after' }, spec: { replicatedJobs: [{ name: 'w', template: { template: { command: ['true'], resources: small } } }] } });
    await tc.waitForJobSet('small-after', (js) => js.status!.phase === 'JOB_SET_PHASE_SUCCEEDED', 'Succeeded behind a JobSet that does not fit');
    expect((await tc.api.getJobSet('too-big')).status!.phase).toBe('JOB_SET_PHASE_PENDING');
    const del = await tc.api.deleteJobSet('too-big');
    expect(del.stoppedPods).toBe(0);
  });

  it('removes a finished JobSet once its ttlSecondsAfterFinished has passed', async () => {
    await tc.submit({ metadata: { name: 'short-lived' }, spec: { ttlSecondsAfterFinished: 1, replicatedJobs: [{ name: 'w', template: { template: { command: ['true'], resources: small } } }] } });
    await tc.waitForJobSet('short-lived', (js) => js.status!.phase === 'JOB_SET_PHASE_SUCCEEDED', 'Succeeded');
    await waitFor(
      async () => {
        try {
          await tc.api.getJobSet('short-lived');
          return false;
        } catch (err) {
          return (err as { code?: string }).code === 'NOT_FOUND';
        }
      },
      { timeoutMs: 30_000, what: 'short-lived removed after its TTL' },
    );
    expect((await tc.api.listJobSets()).jobsets.map((j) => j.metadata!.name)).not.toContain('short-lived');
  });
});
