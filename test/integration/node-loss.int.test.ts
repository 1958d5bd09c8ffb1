/**
 * A node lost for real, and fenced when it comes back: an agent frozen with
 * SIGSTOP stops heartbeating, its node goes NotReady then Lost (lost timeout
 * 8 s here, so NotReady lasts 5 s), the JobSet — no failurePolicy — is requeued and runs on the
 * other node; SIGCONT wakes the agent, which must register again (a new
 * epoch): its old pod is not adopted but stopped, and the node is Ready for
 * new work. The pod never runs twice at the end.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isAlive } from '../../cli/src/local/processes.js';
import { waitFor } from '../../cli/src/util/poll.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { readInt } from '../helpers/files.js';

let tc: TestCluster;
beforeAll(async () => {
  tc = await startTestCluster({ agents: 2, schedulerArgs: ['--node-lost-timeout', '8s'] });
});
afterAll(async () => {
  // A test that failed half way must not leave an agent frozen.
  for (let i = 0; i < 2; i++) {
    try {
      process.kill(tc.agent(i).process.pid, 'SIGCONT');
    } catch {
      // gone
    }
  }
  await tc?.stop();
});

async function nodeState(name: string): Promise<{ state: string; epoch: number } | undefined> {
  const n = (await tc.api.nodes()).find((x) => x.name === name);
  return n ? { state: n.state, epoch: n.epoch } : undefined;
}

it('SIGSTOP an agent: its node goes NotReady, then Lost; the JobSet is requeued onto the other node; SIGCONT: the node registers a new epoch and its old pod is stopped', async () => {
  // Each incarnation appends its generation and node, records its process group, and waits for lost.go.
  const script = 'echo "$MUSTER_NODE" >> lost.runs; cut -d" " -f5 /proc/$$/stat > "lost.$MUSTER_NODE.pgid"; while [ ! -f lost.go ]; do sleep 0.05; done';
  await tc.submit({ metadata: { name: 'lost' }, spec: { replicatedJobs: [{ name: 'w', template: { template: { command: ['sh', '-c', script], resources: { cpu: '100m', memory: '32Mi' } } } }] } });
  const first = await tc.waitForJobSet('lost', (j) => j.status!.pods[0]?.phase === 'POD_PHASE_RUNNING', 'running');
  const lostNode = first.status!.pods[0]!.node;
  const other = tc.cluster.nodeNames.find((n) => n !== lostNode)!;
  const oldPgid = await waitFor(() => readInt(path.join(tc.dir, `lost.${lostNode}.pgid`)), { timeoutMs: 30_000, what: 'first pod started' });
  const epoch = (await nodeState(lostNode))!.epoch;
  const agent = tc.agent(tc.cluster.nodeNames.indexOf(lostNode));

  process.kill(agent.process.pid, 'SIGSTOP');
  await waitFor(async () => ((await nodeState(lostNode))?.state === 'NODE_STATE_NOT_READY' ? true : undefined), { timeoutMs: 30_000, what: `${lostNode} NotReady` });
  await waitFor(async () => ((await nodeState(lostNode))?.state === 'NODE_STATE_LOST' ? true : undefined), { timeoutMs: 30_000, what: `${lostNode} Lost` });

  // Requeued (no failurePolicy): the gang runs again on the other node, a new generation, nothing counted.
  const moved = await tc.waitForJobSet('lost', (j) => j.status!.pods[0]?.phase === 'POD_PHASE_RUNNING' && j.status!.pods[0]!.node === other, `running on ${other}`);
  expect(moved.status!.pods[0]!.generation).toBeGreaterThan(first.status!.pods[0]!.generation);
  expect(moved.status!.jobs[0]!.failures).toBe(0);
  expect(moved.status!.history.some((e) => e.type === 'Requeued')).toBe(true);
  // The frozen agent's pod still runs: only the agent was stopped.
  expect(isAlive(oldPgid)).toBe(true);

  process.kill(agent.process.pid, 'SIGCONT');
  await waitFor(async () => {
    const st = await nodeState(lostNode);
    return st && st.state === 'NODE_STATE_READY' && st.epoch > epoch ? true : undefined;
  }, { timeoutMs: 30_000, what: `${lostNode} registered again, Ready` });
  await waitFor(() => !isAlive(oldPgid), { timeoutMs: 30_000, what: 'the old pod stopped by its agent' });

  writeFileSync(path.join(tc.dir, 'lost.go'), '');
  const done = await tc.waitForJobSet('lost', (j) => j.status!.phase === 'JOB_SET_PHASE_SUCCEEDED', 'Succeeded');
  expect(done.status!.pods[0]!.node).toBe(other);
  expect(readFileSync(path.join(tc.dir, 'lost.runs'), 'utf8').trim().split('\n')).toEqual([lostNode, other]);
});
