/**
 * An agent restart is harmless to process pods (DESIGN §6): killed with
 * SIGKILL, or stopped with SIGTERM under podsOnExit keep, the agent leaves its
 * pods running; the new agent process loads its pod table, finds the process
 * groups again (pid and start time), registers with them, and the scheduler
 * keeps their incarnations — same pid, same generation, no second copy, the
 * JobSet completes. A pod that ended while no agent was running is reported
 * with the exit code its supervisor recorded.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isAlive } from '../../cli/src/local/processes.js';
import { readProcStat } from '../../agent/src/runtime/proc.js';
import { waitFor } from '../../cli/src/util/poll.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { readInt } from '../helpers/files.js';

let tc: TestCluster;
beforeAll(async () => {
  // As systemd runs it: an agent stopped on purpose (SIGTERM) leaves its pods for the next one.
  tc = await startTestCluster({ agents: 1, agentArgs: ['--pods-on-exit', 'keep'] });
});
afterAll(async () => {
  await tc?.stop();
});

const small = { cpu: '100m', memory: '32Mi' };

/** A pod that records its pid, prints `started`, waits for `<tag>.go`, prints `finished` and exits with `code`. */
function waiter(tag: string, code = 0): string[] {
  return ['sh', '-c', `echo $$ > ${tag}.pid; echo started; while [ ! -f ${tag}.go ]; do sleep 0.05; done; echo finished; exit ${code}`];
}

/** groupsRunning counts the process groups with a live process whose command line mentions `needle` (a second copy of a pod would be another group). */
function groupsRunning(needle: string): number {
  const groups = new Set<number>();
  for (const pid of readdirNumeric('/proc')) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const st = readProcStat(pid);
      if (cmd.includes(needle) && st && st.state !== 'Z') groups.add(st.pgrp);
    } catch {
      // gone
    }
  }
  return groups.size;
}

function readdirNumeric(dir: string): number[] {
  return readdirSync(dir).filter((d) => /^\d+$/.test(d)).map(Number);
}

async function killAndRestartAgent(): Promise<void> {
  const epoch = (await tc.api.nodes())[0]!.epoch;
  const agent = tc.agent(0);
  agent.process.kill('SIGKILL');
  await agent.process.exited;
  return restartAndWait(epoch);
}

async function restartAndWait(epoch: number): Promise<void> {
  await tc.restartAgent(0);
  await waitFor(async () => ((await tc.api.nodes())[0]!.epoch > epoch ? true : undefined), { timeoutMs: 30_000, what: 'the agent registered again' });
}

it('an agent killed with SIGKILL adopts its running pod when it starts again: same pid, no second copy, the JobSet completes', async () => {
  await tc.submit({ metadata: { name: 'survive' }, spec: { replicatedJobs: [{ name: 'w', template: { backoffLimit: 0, template: { command: waiter('survive'), resources: small } } }] } });
  const pid = await waitFor(() => readInt(path.join(tc.dir, 'survive.pid')), { timeoutMs: 30_000, what: 'pod started' });
  const running = await tc.waitForJobSet('survive', (j) => j.status!.pods[0]?.phase === 'POD_PHASE_RUNNING', 'Running');
  const leader = running.status!.pods[0]!.pid;

  await killAndRestartAgent();

  const after = await tc.api.getJobSet('survive');
  expect(after.status!.pods[0]).toMatchObject({ phase: 'POD_PHASE_RUNNING', generation: 0, pid: leader });
  expect(isAlive(pid)).toBe(true);
  expect(groupsRunning('survive.go')).toBe(1);
  writeFileSync(path.join(tc.dir, 'survive.go'), '');
  const done = await tc.waitForJobSet('survive', (j) => j.status!.phase === 'JOB_SET_PHASE_SUCCEEDED', 'Succeeded');
  expect(done.status!.pods[0]).toMatchObject({ reason: 'Completed', exitCode: 0, generation: 0 });
  expect(tc.podLog('survive/w/0/0')).toBe('started\nfinished\n');
});

it('a pod that ends while its agent is down is reported with the exit code it ended with', async () => {
  await tc.submit({ metadata: { name: 'meanwhile' }, spec: { replicatedJobs: [{ name: 'w', template: { backoffLimit: 0, template: { command: waiter('meanwhile', 3), resources: small } } }] } });
  const pid = await waitFor(() => readInt(path.join(tc.dir, 'meanwhile.pid')), { timeoutMs: 30_000, what: 'pod started' });
  await tc.waitForJobSet('meanwhile', (j) => j.status!.pods[0]?.phase === 'POD_PHASE_RUNNING', 'Running');
  const epoch = (await tc.api.nodes())[0]!.epoch;
  const agent = tc.agent(0);
  agent.process.kill('SIGKILL');
  await agent.process.exited;
  writeFileSync(path.join(tc.dir, 'meanwhile.go'), '');
  await waitFor(() => !isAlive(pid), { timeoutMs: 30_000, what: 'the pod ended while no agent ran' });

  await restartAndWait(epoch);

  const js = await tc.waitForJobSet('meanwhile', (j) => j.status!.phase === 'JOB_SET_PHASE_FAILED', 'Failed');
  expect(js.status!.pods[0]).toMatchObject({ phase: 'POD_PHASE_FAILED', reason: 'Error', exitCode: 3, generation: 0 });
  expect(tc.podLog('meanwhile/w/0/0')).toBe('started\nfinished\n');
});

it('an agent restarted on purpose (SIGTERM, podsOnExit keep — systemctl restart) leaves its pod running and adopts it', async () => {
  await tc.submit({ metadata: { name: 'restarted' }, spec: { replicatedJobs: [{ name: 'w', template: { backoffLimit: 0, template: { command: waiter('restarted'), resources: small } } }] } });
  const pid = await waitFor(() => readInt(path.join(tc.dir, 'restarted.pid')), { timeoutMs: 30_000, what: 'pod started' });
  const running = await tc.waitForJobSet('restarted', (j) => j.status!.pods[0]?.phase === 'POD_PHASE_RUNNING', 'Running');
  const epoch = (await tc.api.nodes())[0]!.epoch;
  const agent = tc.agent(0);
  agent.process.kill('SIGTERM');
  const exit = await agent.process.exited;
  expect(exit.code).toBe(0);
  expect(isAlive(pid)).toBe(true);

  await restartAndWait(epoch);

  expect((await tc.api.getJobSet('restarted')).status!.pods[0]).toMatchObject({ phase: 'POD_PHASE_RUNNING', generation: 0, pid: running.status!.pods[0]!.pid });
  writeFileSync(path.join(tc.dir, 'restarted.go'), '');
  await tc.waitForJobSet('restarted', (j) => j.status!.phase === 'JOB_SET_PHASE_SUCCEEDED', 'Succeeded');
  expect(groupsRunning('restarted.go')).toBe(0);
});

it('under load: 16 pods, the agent SIGKILLed while half of them end — after the restart 8 are adopted, 8 reported ended, none runs twice, the JobSet succeeds', async () => {
  // Pod j ends once `load.go.<j % 2>` exists: the even half is released while the agent is down, the odd half after.
  const script = 'cut -d" " -f5 /proc/$$/stat > "load.$MUSTER_JOB_INDEX.pgid"; h=$((MUSTER_JOB_INDEX % 2)); while [ ! -f "load.go.$h" ]; do sleep 0.05; done; echo "done $MUSTER_JOB_INDEX"';
  await tc.submit({ metadata: { name: 'load' }, spec: { replicatedJobs: [{ name: 'w', replicas: 16, template: { backoffLimit: 0, template: { command: ['sh', '-c', script], resources: { cpu: '10m', memory: '8Mi' } } } }] } });
  const pgids = await waitFor(() => {
    const all = Array.from({ length: 16 }, (_, j) => readInt(path.join(tc.dir, `load.${j}.pgid`)));
    return all.every((x) => x !== undefined) ? (all as number[]) : undefined;
  }, { timeoutMs: 60_000, what: 'all 16 pods started' });
  await tc.waitForJobSet('load', (j) => j.status!.pods.length === 16 && j.status!.pods.every((p) => p.phase === 'POD_PHASE_RUNNING'), 'all 16 running');
  const epoch = (await tc.api.nodes())[0]!.epoch;

  const agent = tc.agent(0);
  agent.process.kill('SIGKILL');
  await agent.process.exited;
  writeFileSync(path.join(tc.dir, 'load.go.0'), '');
  await waitFor(() => pgids.filter((_, j) => j % 2 === 0).every((g) => !isAlive(g)), { timeoutMs: 30_000, what: 'the even pods ended while the agent was down' });
  await restartAndWait(epoch);

  // The even half is reported ended, the odd half adopted (the same groups, still running): nothing started again.
  const mid = await tc.api.getJobSet('load');
  for (const p of mid.status!.pods) {
    const j = Number(p.podId.split('/')[2]);
    expect([p.podId, p.generation, p.phase]).toEqual([p.podId, 0, j % 2 === 0 ? 'POD_PHASE_SUCCEEDED' : 'POD_PHASE_RUNNING']);
  }
  expect(pgids.filter((_, j) => j % 2 === 1).every((g) => isAlive(g))).toBe(true);
  expect(groupsRunning('load.go.')).toBe(8);
  writeFileSync(path.join(tc.dir, 'load.go.1'), '');
  const done = await tc.waitForJobSet('load', (j) => j.status!.phase === 'JOB_SET_PHASE_SUCCEEDED', 'Succeeded', 60_000);
  for (const p of done.status!.pods) {
    const j = Number(p.podId.split('/')[2]);
    expect([p.podId, p.reason, p.exitCode, p.generation]).toEqual([p.podId, 'Completed', 0, 0]);
    expect(tc.podLog(p.podId)).toBe(`done ${j}\n`);
  }
});
