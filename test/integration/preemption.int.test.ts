/**
 * Borrowing, reclaim and preemption on a real local cluster: two 8-GPU agents
 * (recorded H100 hardware, labelled gpu=h100), queues nlp and vision with 8
 * H100 GPUs each in cohort research. Vision borrows nlp's idle GPUs; nlp's
 * JobSet reclaims them (the borrowing JobSet's pod is really stopped and the
 * JobSet goes back to its queue, Preempted/InCohortReclamation); once nlp's
 * JobSet is done the victim runs again. Then a high-priority vision JobSet
 * preempts a lower one of its own queue (InQueue).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { JobSet } from '../../shared/src/proto/types.js';
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

const queue = (name: string, preemption: string): string => `apiVersion: muster.dev/v1
kind: Queue
metadata: {name: ${name}}
spec:
  cohort: research
  preemption: ${preemption}
  resourceGroups:
    - coveredResources: [cpu, memory, gpus]
      flavors:
        - name: h100
          resources: [{name: cpu, nominalQuota: 64}, {name: memory, nominalQuota: 512Gi}, {name: gpus, nominalQuota: 8}]
---`;

const OBJECTS = `apiVersion: muster.dev/v1
kind: ResourceFlavor
metadata: {name: h100}
spec: {nodeLabels: {gpu: h100}}
---
apiVersion: muster.dev/v1
kind: PriorityClass
metadata: {name: urgent}
spec: {value: 1000}
---
${queue('nlp', '{reclaimWithinCohort: Any}')}
${queue('vision', '{withinQueue: LowerPriority}')}
`;

/** gang is one 8-GPU pod in `queue` that runs until the file `<name>.stop` exists, counting its runs in `<name>.runs`. */
function gang(name: string, queueName: string, priorityClass?: string): { metadata: { name: string }; spec: unknown } {
  const cmd = `echo run >> ${name}.runs; until [ -e ${name}.stop ]; do sleep 0.05; done`;
  return {
    metadata: { name },
    spec: { queue: queueName, ...(priorityClass ? { priorityClass } : {}), replicatedJobs: [{ name: 'w', template: { template: { command: ['sh', '-c', cmd], resources: { cpu: '1', memory: '1Gi', gpus: 8 } } } }] },
  };
}

const running = (js: JobSet): boolean => js.status!.phase === 'JOB_SET_PHASE_RUNNING';
const stop = (name: string): void => writeFileSync(path.join(tc.dir, `${name}.stop`), '');
const runs = (name: string): number => {
  const f = path.join(tc.dir, `${name}.runs`);
  return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean).length : 0;
};

it('vision borrows nlp\'s idle GPUs; nlp reclaims them by preemption; the victim runs again afterwards', async () => {
  const applied = await musterCli(tc, ['apply', '-f', '-'], OBJECTS);
  expect(applied.code, applied.stderr).toBe(0);

  await tc.submit(gang('v1', 'vision'));
  await tc.waitForJobSet('v1', running, 'running');
  await tc.submit(gang('v2', 'vision')); // borrows nlp's 8
  await tc.waitForJobSet('v2', running, 'running (borrowing)');

  await tc.submit(gang('n1', 'nlp'));
  // Polled on the Preempted condition: status.reason moves on to WaitingForQuota at the next cycle.
  const victim = await tc.waitForJobSet('v2', (js) => js.status!.phase === 'JOB_SET_PHASE_PENDING' && js.status!.conditions.some((c) => c.type === 'Preempted' && c.status === 'True'), 'preempted');
  const preempted = victim.status!.conditions.find((c) => c.type === 'Preempted');
  expect(preempted).toMatchObject({ status: 'True', reason: 'InCohortReclamation' });
  expect(preempted!.message).toContain('reclaims its nominal quota');
  await tc.waitForJobSet('n1', running, 'running on the reclaimed GPUs');
  expect((await tc.api.getJobSet('v1')).status!.phase).toBe('JOB_SET_PHASE_RUNNING');

  // The scheduler's /metrics counts it (the local cluster's scheduler serves it on a port of its own).
  const metricsAddress = readFileSync(path.join(tc.dir, 'metrics.addr'), 'utf8').trim();
  const metrics = await (await fetch(`http://${metricsAddress}/metrics`)).text();
  expect(metrics).toContain('muster_preempted_jobsets_total{reason="InCohortReclamation"} 1');
  expect(metrics).toMatch(/muster_queue_resource_usage\{flavor="h100",queue="nlp",resource="gpus"\} 8\n/);

  stop('n1');
  await tc.waitForJobSet('n1', (js) => js.status!.phase === 'JOB_SET_PHASE_SUCCEEDED', 'succeeded');
  await tc.waitForJobSet('v2', running, 'running again after n1');
  expect(runs('v2')).toBe(2);
});

it('a higher-priority JobSet preempts a lower one of its own queue', async () => {
  await tc.submit(gang('v-urgent', 'vision', 'urgent'));
  // The Preempted condition stays; status.reason moves on (WaitingForQuota) at the next cycle, so it is not what is polled.
  const inQueue = (js: JobSet) => js.status!.conditions.find((c) => c.type === 'Preempted' && c.status === 'True' && c.reason === 'InQueue');
  const victim = await tc.waitForJobSet('v2', (js) => js.status!.phase === 'JOB_SET_PHASE_PENDING' && inQueue(js) !== undefined, 'preempted in queue');
  expect(inQueue(victim)!.message).toContain('v-urgent (priority 1000) of queue vision');
  await tc.waitForJobSet('v-urgent', running, 'running');
  for (const n of ['v1', 'v2', 'v-urgent']) stop(n);
  for (const n of ['v1', 'v2', 'v-urgent']) await tc.waitForJobSet(n, (js) => js.status!.phase === 'JOB_SET_PHASE_SUCCEEDED', 'succeeded');
});
