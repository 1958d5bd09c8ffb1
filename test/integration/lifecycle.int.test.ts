/**
 * The JobSet lifecycle on a real local cluster (two agents playing 8-GPU H100
 * hosts): Job-level retries, podFailurePolicy, failurePolicy rules and
 * restarts (InPlace, Recreate, BlockingRecreate), maxRestarts, and success
 * policy Any — each asserted as the user sees it: phase, reason, restarts,
 * and what the pods themselves observed (MUSTER_RESTART_ATTEMPT, their node
 * and GPUs, when they ran).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSet } from '../../shared/src/proto/types.js';
import { envOf, startTestCluster, type TestCluster } from '../helpers/cluster.js';

const H100 = path.resolve('deploy/hardware/h100-sxm-8gpu.json');
let tc: TestCluster;

beforeAll(async () => {
  tc = await startTestCluster({ agents: 2, hardware: [H100] });
});
afterAll(async () => {
  await tc?.stop();
});

const small = { cpu: '100m', memory: '32Mi' };
const done = (js: JobSet) => js.status!.phase === 'JOB_SET_PHASE_SUCCEEDED' || js.status!.phase === 'JOB_SET_PHASE_FAILED';

/** A pod command: `script` with the pod's attempt and names in the environment. */
function sh(script: string): string[] {
  return ['sh', '-c', script];
}

async function finished(name: string): Promise<JobSet> {
  return tc.waitForJobSet(name, done, 'finished');
}

describe('Job-level retries', () => {
  it('replaces a failed pod on the same node after the retry back-off, until backoffLimit; the Job succeeds on its second try', async () => {
    // The first run leaves a marker and fails; the retry finds it and succeeds.
    await tc.submit({
      metadata: { name: 'retry' },
      spec: {
        replicatedJobs: [
          {
            name: 'w',
            template: {
              backoffLimit: 2,
              template: { command: sh('date +%s%N >> retry.runs; echo "$MUSTER_NODE" >> retry.nodes; if [ -e retry.mark ]; then exit 0; fi; touch retry.mark; exit 1'), resources: small },
            },
          },
        ],
      },
    });
    const js = await finished('retry');
    expect(js.status!.phase).toBe('JOB_SET_PHASE_SUCCEEDED');
    expect(js.status!.restarts).toBe(0); // a retry is not a JobSet restart
    expect(js.status!.jobs[0]).toMatchObject({ failures: 1, state: 'Succeeded' });
    expect(js.status!.pods[0]!.generation).toBe(1);
    const runs = readFileSync(path.join(tc.dir, 'retry.runs'), 'utf8').trim().split('\n').map(Number);
    expect(runs).toHaveLength(2);
    // The test cluster's back-off is 200 ms: the retry did not start before it.
    expect(runs[1]! - runs[0]!).toBeGreaterThanOrEqual(200e6);
    const nodes = readFileSync(path.join(tc.dir, 'retry.nodes'), 'utf8').trim().split('\n');
    expect(nodes[1]).toBe(nodes[0]); // same node
  });

  it('fails the Job with BackoffLimitExceeded after backoffLimit + 1 failures', async () => {
    await tc.submit({
      metadata: { name: 'exhaust' },
      spec: { replicatedJobs: [{ name: 'w', template: { backoffLimit: 1, template: { command: sh('echo run >> exhaust.runs; exit 7'), resources: small } } }] },
    });
    const js = await finished('exhaust');
    expect(js.status).toMatchObject({ phase: 'JOB_SET_PHASE_FAILED', reason: 'FailedJobs', exitCode: 7, terminalState: 'Failed' });
    expect(js.status!.jobs[0]).toMatchObject({ state: 'Failed', failureReason: 'BackoffLimitExceeded', failures: 2 });
    expect(readFileSync(path.join(tc.dir, 'exhaust.runs'), 'utf8').trim().split('\n')).toHaveLength(2);
  });
});

describe('podFailurePolicy', () => {
  it('Ignore: a pod exiting with an ignored code is replaced without counting against backoffLimit 0', async () => {
    await tc.submit({
      metadata: { name: 'ignore' },
      spec: {
        replicatedJobs: [
          {
            name: 'w',
            template: {
              backoffLimit: 0,
              podFailurePolicy: { rules: [{ action: 'Ignore', onExitCodes: { operator: 'In', values: [75] } }] },
              template: { command: sh('if [ -e ignore.mark ]; then exit 0; fi; touch ignore.mark; exit 75'), resources: small },
            },
          },
        ],
      },
    });
    const js = await finished('ignore');
    expect(js.status!.phase).toBe('JOB_SET_PHASE_SUCCEEDED');
    expect(js.status!.jobs[0]).toMatchObject({ failures: 0, ignoredFailures: 1 });
  });

  it('FailJob by exit code fails the Job at once, and a FailJobSet rule on reason PodFailurePolicy fails the JobSet without restarting', async () => {
    await tc.submit({
      metadata: { name: 'failjob' },
      spec: {
        failurePolicy: {
          maxRestarts: 5,
          rules: [{ name: 'badInput', action: 'FailJobSet', onJobFailureReasons: ['PodFailurePolicy'] }],
        },
        replicatedJobs: [
          {
            name: 'w',
            template: {
              backoffLimit: 6,
              podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }] },
              template: { command: sh('echo run >> failjob.runs; exit 42'), resources: small },
            },
          },
        ],
      },
    });
    const js = await finished('failjob');
    expect(js.status).toMatchObject({ phase: 'JOB_SET_PHASE_FAILED', reason: 'FailJobSetFailurePolicyAction', restarts: 0, exitCode: 42 });
    expect(js.status!.jobs[0]).toMatchObject({ failureReason: 'PodFailurePolicy' });
    expect(readFileSync(path.join(tc.dir, 'failjob.runs'), 'utf8').trim().split('\n')).toHaveLength(1);
  });
});

describe('failurePolicy restarts', () => {
  it('RestartJobSet: attempt 0 fails, attempt 1 (MUSTER_RESTART_ATTEMPT=1) succeeds', async () => {
    await tc.submit({
      metadata: { name: 'attempts' },
      spec: {
        failurePolicy: { maxRestarts: 3 },
        replicatedJobs: [
          {
            name: 'w',
            replicas: 2,
            template: { backoffLimit: 0, template: { command: sh('echo "$MUSTER_RESTART_ATTEMPT" >> attempts.$MUSTER_JOB_INDEX; [ "$MUSTER_RESTART_ATTEMPT" = 1 ] || exit 1'), resources: small } },
          },
        ],
      },
    });
    const js = await finished('attempts');
    expect(js.status).toMatchObject({ phase: 'JOB_SET_PHASE_SUCCEEDED', restarts: 1, restartsCountTowardsMax: 1 });
    expect(js.status!.conditions.find((c) => c.type === 'RestartingJobSet')).toMatchObject({ status: 'False' });
    // Both Jobs ran attempt 0 (or were stopped during it) and then attempt 1.
    for (const j of [0, 1]) expect(readFileSync(path.join(tc.dir, `attempts.${j}`), 'utf8').trim().split('\n').at(-1)).toBe('1');
  });

  it('fails with ReachedMaxRestarts once maxRestarts restarts are used', async () => {
    await tc.submit({
      metadata: { name: 'maxed' },
      spec: {
        failurePolicy: { maxRestarts: 2 },
        replicatedJobs: [{ name: 'w', template: { backoffLimit: 0, template: { command: sh('echo "$MUSTER_RESTART_ATTEMPT" >> maxed.runs; exit 1'), resources: small } } }],
      },
    });
    const js = await finished('maxed');
    expect(js.status).toMatchObject({ phase: 'JOB_SET_PHASE_FAILED', reason: 'ReachedMaxRestarts', restarts: 2 });
    expect(readFileSync(path.join(tc.dir, 'maxed.runs'), 'utf8').trim().split('\n')).toEqual(['0', '1', '2']);
  });

  it('InPlace: the restarted pods run on the same nodes and the same GPUs', async () => {
    // 2 Jobs × 2 pods × 4 GPUs: the gang needs both 8-GPU hosts.
    await tc.submit({
      metadata: { name: 'inplace' },
      spec: {
        failurePolicy: { maxRestarts: 1, restartStrategy: 'InPlace' },
        replicatedJobs: [
          {
            name: 'w',
            replicas: 2,
            template: {
              parallelism: 2,
              backoffLimit: 0,
              template: {
                // Rank 3 fails attempt 0 once every rank has started it (on a loaded machine a pod superseded
                // before it started never runs that attempt).
                command: sh(
                  'env > inplace.$MUSTER_GLOBAL_RANK.$MUSTER_RESTART_ATTEMPT.env; [ "$MUSTER_RESTART_ATTEMPT" = 1 ] && exit 0; ' +
                    '[ "$MUSTER_GLOBAL_RANK" = 3 ] && { while [ "$(ls inplace.*.0.env | wc -l)" -lt 4 ]; do sleep 0.05; done; exit 1; }; exec sleep 300',
                ),
                resources: { ...small, gpus: 4 },
              },
            },
          },
        ],
      },
    });
    const js = await finished('inplace');
    expect(js.status).toMatchObject({ phase: 'JOB_SET_PHASE_SUCCEEDED', restarts: 1 });
    // The old pods' reports (Stopped, at the old generation) arrived after the restart and were ignored:
    // with backoffLimit 0 and maxRestarts 1, one counted as a failure of the new attempt would have failed the JobSet.
    expect(js.status!.jobs.every((j) => j.failures === 0 && j.state === 'Succeeded')).toBe(true);
    expect(js.status!.pods.every((p) => p.generation === 1)).toBe(true);
    for (let rank = 0; rank < 4; rank++) {
      const before = envOf(readFileSync(path.join(tc.dir, `inplace.${rank}.0.env`), 'utf8'));
      const after = envOf(readFileSync(path.join(tc.dir, `inplace.${rank}.1.env`), 'utf8'));
      expect(after.MUSTER_NODE, `rank ${rank} node`).toBe(before.MUSTER_NODE);
      expect(after.CUDA_VISIBLE_DEVICES, `rank ${rank} GPUs`).toBe(before.CUDA_VISIBLE_DEVICES);
    }
  });

  it('BlockingRecreate: no pod of attempt 1 starts before every pod of attempt 0 has exited', async () => {
    // Pods of attempt 0 take ~1 s to stop (a checkpoint on SIGTERM); each run logs start and end times.
    const body = [
      'log=blocking.log',
      // The checkpoint trap is set before the pod says it started, so a SIGTERM never finds it missing.
      '[ "$MUSTER_RESTART_ATTEMPT" = 0 ] && [ "$MUSTER_GLOBAL_RANK" != 0 ] && trap \'sleep 1; echo "end 0 $(date +%s%N)" >> $log; exit 0\' TERM',
      'echo "start $MUSTER_RESTART_ATTEMPT $(date +%s%N)" >> $log',
      'if [ "$MUSTER_RESTART_ATTEMPT" = 1 ]; then echo "end 1 $(date +%s%N)" >> $log; exit 0; fi',
      // Rank 0 fails once every rank has started attempt 0.
      '[ "$MUSTER_GLOBAL_RANK" = 0 ] && { while [ "$(grep -c "^start 0" $log)" -lt 3 ]; do sleep 0.05; done; echo "end 0 $(date +%s%N)" >> $log; exit 1; }',
      'while :; do sleep 0.05; done',
    ].join('\n');
    await tc.submit({
      metadata: { name: 'blocking' },
      spec: {
        failurePolicy: { maxRestarts: 1, restartStrategy: 'BlockingRecreate' },
        replicatedJobs: [{ name: 'w', replicas: 3, template: { backoffLimit: 0, template: { command: sh(body), resources: small } } }],
      },
    });
    const js = await finished('blocking');
    expect(js.status).toMatchObject({ phase: 'JOB_SET_PHASE_SUCCEEDED', restarts: 1 });
    const lines = readFileSync(path.join(tc.dir, 'blocking.log'), 'utf8').trim().split('\n').map((l) => l.split(' '));
    const lastEnd0 = Math.max(...lines.filter(([k, a]) => k === 'end' && a === '0').map(([, , t]) => Number(t)));
    const firstStart1 = Math.min(...lines.filter(([k, a]) => k === 'start' && a === '1').map(([, , t]) => Number(t)));
    expect(lines.filter(([k, a]) => k === 'end' && a === '0')).toHaveLength(3);
    expect(firstStart1).toBeGreaterThan(lastEnd0);
  });
});

describe('successPolicy', () => {
  it('Any on a target replicatedJob: the JobSet succeeds when one of its Jobs does, and the pods still running are stopped', async () => {
    await tc.submit({
      metadata: { name: 'anyof' },
      spec: {
        successPolicy: { operator: 'Any', targetReplicatedJobs: ['driver'] },
        replicatedJobs: [
          { name: 'driver', template: { template: { command: sh('until [ -s anyof.server.pid ]; do sleep 0.05; done; exit 0'), resources: small } } },
          { name: 'server', template: { template: { command: sh('echo $$ > anyof.server.pid; exec sleep 300'), resources: small } } },
        ],
      },
    });
    const js = await finished('anyof');
    expect(js.status).toMatchObject({ phase: 'JOB_SET_PHASE_SUCCEEDED', reason: 'AllJobsCompleted', terminalState: 'Completed' });
    const server = await tc.waitForJobSet('anyof', (x) => x.status!.pods.find((p) => p.podId === 'anyof/server/0/0')!.phase === 'POD_PHASE_FAILED', 'server pod stopped');
    expect(server.status!.pods.find((p) => p.podId === 'anyof/server/0/0')!.reason).toBe('Stopped');
    expect(existsSync(path.join(tc.dir, 'anyof.server.pid'))).toBe(true);
  });
});

describe('start order, deadlines, suspend', () => {
  it('dependsOn Complete: the workers start only after the setup Job completed', async () => {
    await tc.submit({
      metadata: { name: 'order' },
      spec: {
        replicatedJobs: [
          { name: 'setup', template: { template: { command: sh('sleep 0.3; date +%s%N > order.setup.end'), resources: small } } },
          { name: 'workers', replicas: 2, dependsOn: [{ name: 'setup', status: 'Complete' }], template: { template: { command: sh('date +%s%N > order.worker.$MUSTER_JOB_INDEX.start'), resources: small } } },
        ],
      },
    });
    const js = await finished('order');
    expect(js.status!.phase).toBe('JOB_SET_PHASE_SUCCEEDED');
    const setupEnd = Number(readFileSync(path.join(tc.dir, 'order.setup.end'), 'utf8'));
    for (const j of [0, 1]) expect(Number(readFileSync(path.join(tc.dir, `order.worker.${j}.start`), 'utf8'))).toBeGreaterThan(setupEnd);
    expect(js.status!.history.map((e) => e.type)).toContain('ReplicatedJobStarted');
  });

  it('activeDeadlineSeconds: a Job still running past its deadline fails with DeadlineExceeded', async () => {
    await tc.submit({
      metadata: { name: 'deadline' },
      spec: { replicatedJobs: [{ name: 'w', template: { activeDeadlineSeconds: 1, template: { command: sh('exec sleep 300'), resources: small } } }] },
    });
    const js = await finished('deadline');
    expect(js.status).toMatchObject({ phase: 'JOB_SET_PHASE_FAILED', reason: 'FailedJobs' });
    expect(js.status!.jobs[0]).toMatchObject({ state: 'Failed', failureReason: 'DeadlineExceeded' });
    expect(js.status!.message).toContain('activeDeadlineSeconds');
  });

  it('suspend stops the pods and releases the nodes; resume admits the JobSet again and it runs to the end', async () => {
    await tc.submit({
      metadata: { name: 'pausable' },
      spec: {
        replicatedJobs: [
          {
            name: 'w',
            replicas: 2,
            template: { template: { command: sh('echo "$MUSTER_NODE $$" >> pausable.$MUSTER_JOB_INDEX; [ -e pausable.go ] && exit 0; exec sleep 300'), resources: { ...small, gpus: 8 } } },
          },
        ],
      },
    });
    await tc.waitForJobSet('pausable', (js) => js.status!.phase === 'JOB_SET_PHASE_RUNNING', 'running');
    await tc.api.suspendJobSet('pausable');
    const suspended = await tc.waitForJobSet('pausable', (js) => js.status!.reason === 'Suspended', 'suspended');
    expect(suspended.status!.phase).toBe('JOB_SET_PHASE_PENDING');
    expect(suspended.status!.conditions.find((c) => c.type === 'Suspended')).toMatchObject({ status: 'True' });
    // Both 8-GPU hosts are free again: another JobSet needing all 16 GPUs runs meanwhile.
    await tc.submit({ metadata: { name: 'meanwhile' }, spec: { replicatedJobs: [{ name: 'w', replicas: 2, template: { template: { command: ['true'], resources: { ...small, gpus: 8 } } } }] } });
    expect((await finished('meanwhile')).status!.phase).toBe('JOB_SET_PHASE_SUCCEEDED');
    expect((await tc.api.getJobSet('pausable')).status!.phase).toBe('JOB_SET_PHASE_PENDING');

    writeFileSync(path.join(tc.dir, 'pausable.go'), '');
    await tc.api.resumeJobSet('pausable');
    const js = await finished('pausable');
    expect(js.status!.phase).toBe('JOB_SET_PHASE_SUCCEEDED');
    expect(js.status!.conditions.find((c) => c.type === 'Suspended')).toMatchObject({ status: 'False', reason: 'JobSetResumed' });
    expect(js.status!.history.map((e) => e.type)).toEqual(expect.arrayContaining(['Submitted', 'Admitted', 'Suspended', 'Resumed']));
    for (const j of [0, 1]) expect(readFileSync(path.join(tc.dir, `pausable.${j}`), 'utf8').trim().split('\n')).toHaveLength(2);
  });
});
