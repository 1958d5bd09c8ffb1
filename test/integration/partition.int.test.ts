/**
 * A network partition, for real: one agent lives on a host of its own (a
 * network namespace with its own address, joined by a veth link) and the
 * link is cut while its pod runs. Unlike a frozen agent, the cut-off one
 * keeps running and keeps trying: the scheduler sees silence, marks the node
 * NotReady then Lost (lost timeout 8 s here) and requeues the JobSet — no
 * failurePolicy — onto the node it can still reach. The island's pod keeps
 * running meanwhile (nothing can tell it otherwise), so when the link comes
 * back the agent must learn it was fenced: it registers a new epoch, stops the
 * old pod rather than adopting it, and takes new work. The JobSet finishes
 * where it was moved, each incarnation having run once.
 *
 * With self-fencing on (`--fence-pods-after 3s`, below the 8 s lost timeout)
 * the island's agent stops its pod itself once the scheduler has acknowledged
 * no heartbeat for 3 s, so the pod never runs in two places: its last sign of
 * life comes before the first of the copy started elsewhere. An agent
 * SIGKILLed and started again inside the partition adopts its pod, cannot
 * register, and fences it all the same.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitForNodesReady } from '../../cli/src/local/cluster.js';
import { startAgent, type AgentHandle } from '../../cli/src/local/daemons.js';
import { isAlive } from '../../cli/src/local/processes.js';
import { waitFor } from '../../cli/src/util/poll.js';
import type { JobSet } from '../../shared/src/proto/types.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { readInt } from '../helpers/files.js';
import { createNetnsHost, type NetnsHost } from '../helpers/netns.js';

const ISLAND = 'island';
let host: NetnsHost;
let tc: TestCluster;
let island: AgentHandle;

/** startIsland starts the island's agent in the namespace (with `extraArgs`) and, unless told not to, waits until its node is Ready. */
async function startIsland(extraArgs: string[] = [], waitReady = true): Promise<void> {
  island = await startAgent({
    dir: tc.dir,
    nodeName: ISLAND,
    address: host.nsIp,
    schedulerAddress: tc.schedulerAddress,
    natsUrl: tc.cluster.natsUrl,
    commandPrefix: host.commandPrefix,
    extraArgs: ['--stop-grace-period', '2s', '--log-level', 'debug', ...extraArgs],
  });
  if (!waitReady) return;
  await waitForNodesReady(tc.schedulerAddress, [ISLAND], { timeoutMs: 45_000, processes: [island.process], logs: () => [island.process.logFile] });
}

beforeAll(async () => {
  host = createNetnsHost();
  // nats-server and the scheduler listen on the link's address, which the local agent reaches too.
  tc = await startTestCluster({ agents: 1, listenHost: host.hostIp, schedulerArgs: ['--node-lost-timeout', '8s'] });
  await startIsland();
}, 120_000);

afterAll(async () => {
  try {
    host?.heal();
    await island?.stop(5000).catch(() => undefined);
    await tc?.stop();
  } finally {
    host?.remove();
  }
});

/**
 * runOnIsland submits a one-pod JobSet `name` running `script` (which writes
 * its process group to `<name>.<node>.pgid`), keeping the local node drained
 * until the pod runs on the island; returns the JobSet then and the pod's group.
 */
async function runOnIsland(name: string, script: string): Promise<{ first: JobSet; pgid: number }> {
  const local = tc.cluster.nodeNames[0]!;
  await tc.api.drainNode(local, 'test: place the first pod on the island', false);
  await tc.submit({ metadata: { name }, spec: { replicatedJobs: [{ name: 'w', template: { template: { command: ['sh', '-c', script], resources: { cpu: '100m', memory: '32Mi' } } } }] } });
  const first = await tc.waitForJobSet(name, (j) => j.status!.pods[0]?.phase === 'POD_PHASE_RUNNING', 'running on the island');
  expect(first.status!.pods[0]!.node).toBe(ISLAND);
  const pgid = await waitFor(() => readInt(path.join(tc.dir, `${name}.${ISLAND}.pgid`)), { timeoutMs: 30_000, what: `${name}'s first pod started` });
  await tc.api.undrainNode(local);
  return { first, pgid };
}

async function nodeState(name: string): Promise<{ state: string; epoch: number } | undefined> {
  const n = (await tc.api.nodes()).find((x) => x.name === name);
  return n ? { state: n.state, epoch: n.epoch } : undefined;
}

it('cut one host off: NotReady, Lost, the JobSet requeued on the reachable node; healed: the island registers a new epoch and stops its old pod', async () => {
  const local = tc.cluster.nodeNames[0]!;
  const island0 = (await nodeState(ISLAND))!;
  expect(island0.state).toBe('NODE_STATE_READY');
  expect((await tc.api.nodes()).find((n) => n.name === ISLAND)!.address).toBe(host.nsIp);

  // The first incarnation must land on the island.
  const { first, pgid: oldPgid } = await runOnIsland('part', 'echo "$MUSTER_NODE" >> part.runs; cut -d" " -f5 /proc/$$/stat > "part.$MUSTER_NODE.pgid"; while [ ! -f part.go ]; do sleep 0.05; done');

  host.cut();
  await waitFor(async () => ((await nodeState(ISLAND))?.state === 'NODE_STATE_NOT_READY' ? true : undefined), { timeoutMs: 30_000, what: `${ISLAND} NotReady` });
  await waitFor(async () => ((await nodeState(ISLAND))?.state === 'NODE_STATE_LOST' ? true : undefined), { timeoutMs: 30_000, what: `${ISLAND} Lost` });
  const moved = await tc.waitForJobSet('part', (j) => j.status!.pods[0]?.phase === 'POD_PHASE_RUNNING' && j.status!.pods[0]!.node === local, `running on ${local}`);
  expect(moved.status!.pods[0]!.generation).toBeGreaterThan(first.status!.pods[0]!.generation);
  expect(moved.status!.jobs[0]!.failures).toBe(0);
  expect(moved.status!.history.some((e) => e.type === 'Requeued')).toBe(true);
  // The island's agent is alive and cannot hear anyone: its pod still runs.
  expect(island.process.running()).toBe(true);
  expect(isAlive(oldPgid)).toBe(true);

  host.heal();
  await waitFor(async () => {
    const st = await nodeState(ISLAND);
    return st && st.state === 'NODE_STATE_READY' && st.epoch > island0.epoch ? true : undefined;
  }, { timeoutMs: 60_000, what: `${ISLAND} registered again with a new epoch, Ready` });
  await waitFor(() => !isAlive(oldPgid), { timeoutMs: 30_000, what: 'the fenced pod stopped by its agent' });
  // The same agent process did all this: it was never restarted.
  expect(island.process.running()).toBe(true);

  writeFileSync(path.join(tc.dir, 'part.go'), '');
  const done = await tc.waitForJobSet('part', (j) => j.status!.phase === 'JOB_SET_PHASE_SUCCEEDED', 'Succeeded');
  expect(done.status!.pods[0]!.node).toBe(local);
  expect(readFileSync(path.join(tc.dir, 'part.runs'), 'utf8').trim().split('\n')).toEqual([ISLAND, local]);

  // Healed and fenced, the island takes new work.
  await tc.api.drainNode(local, 'test: the next pod must use the island', false);
  await tc.submit({ metadata: { name: 'after' }, spec: { replicatedJobs: [{ name: 'w', template: { template: { command: ['true'], resources: { cpu: '100m', memory: '32Mi' } } } }] } });
  const after = await tc.waitForJobSet('after', (j) => j.status!.phase === 'JOB_SET_PHASE_SUCCEEDED', 'Succeeded on the island');
  expect(after.status!.pods[0]!.node).toBe(ISLAND);
});

/** ticks reads the nanosecond timestamps a pod appended to `file` (none when it never ran there). */
function ticks(file: string): bigint[] {
  const f = path.join(tc.dir, file);
  return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter((l) => /^\d+$/.test(l)).map((l) => BigInt(l)) : [];
}

it('self-fencing: cut off, the island stops its own pod before the scheduler runs the gang elsewhere — never two copies at once', async () => {
  const local = tc.cluster.nodeNames[0]!;
  // The same island, now with self-fencing: a new agent process (a new epoch).
  await island.stop(5000);
  await startIsland(['--fence-pods-after', '3s']);
  const epoch = (await nodeState(ISLAND))!.epoch;

  // Every 50 ms the pod appends the time (ns) to fenced.ticks.<node>, until fenced.go exists.
  const { pgid: oldPgid } = await runOnIsland('fenced', 'cut -d" " -f5 /proc/$$/stat > "fenced.$MUSTER_NODE.pgid"; while [ ! -f fenced.go ]; do date +%s%N >> "fenced.ticks.$MUSTER_NODE"; sleep 0.05; done');
  // Acknowledged heartbeats flow: the pod is still running well past the 3 s fence while the link is up.
  await waitFor(() => ticks(`fenced.ticks.${ISLAND}`).length >= 80, { timeoutMs: 30_000, what: '4 s of the island pod running' });
  expect(isAlive(oldPgid)).toBe(true);

  host.cut();
  // The island's agent, alive but deaf, stops its pod itself.
  await waitFor(() => !isAlive(oldPgid), { timeoutMs: 30_000, what: 'the island pod stopped by its own agent' });
  expect(island.process.running()).toBe(true);
  await waitFor(async () => ((await nodeState(ISLAND))?.state === 'NODE_STATE_LOST' ? true : undefined), { timeoutMs: 30_000, what: `${ISLAND} Lost` });
  await tc.waitForJobSet('fenced', (j) => j.status!.pods[0]?.phase === 'POD_PHASE_RUNNING' && j.status!.pods[0]!.node === local, `running on ${local}`);
  await waitFor(() => ticks(`fenced.ticks.${local}`).length > 0, { timeoutMs: 30_000, what: 'the copy on the reachable node ticking' });

  // Never two copies at once: the island's last tick precedes the first tick elsewhere.
  const islandTicks = ticks(`fenced.ticks.${ISLAND}`);
  const localTicks = ticks(`fenced.ticks.${local}`);
  expect(islandTicks[islandTicks.length - 1]! < localTicks[0]!).toBe(true);

  host.heal();
  await waitFor(async () => {
    const st = await nodeState(ISLAND);
    return st && st.state === 'NODE_STATE_READY' && st.epoch > epoch ? true : undefined;
  }, { timeoutMs: 60_000, what: `${ISLAND} registered again, Ready` });
  writeFileSync(path.join(tc.dir, 'fenced.go'), '');
  const done = await tc.waitForJobSet('fenced', (j) => j.status!.phase === 'JOB_SET_PHASE_SUCCEEDED', 'Succeeded');
  expect(done.status!.pods[0]!.node).toBe(local);
  expect(tc.daemonLog(ISLAND)).toContain('stopping every pod: the scheduler has not acknowledged a heartbeat in time');
});

it('self-fencing survives an agent restart inside the partition: the new process adopts the pod, cannot register, and stops it', async () => {
  const local = tc.cluster.nodeNames[0]!;
  const { pgid } = await runOnIsland('adopted', 'cut -d" " -f5 /proc/$$/stat > "adopted.$MUSTER_NODE.pgid"; while [ ! -f adopted.go ]; do sleep 0.05; done');

  host.cut();
  // Killed at once, well before its 3 s fence, and started again on the cut-off host: the pod outlives it (adopted).
  island.process.kill('SIGKILL');
  await island.process.exited;
  expect(isAlive(pgid)).toBe(true);
  // A stop grace of 5 s: 3 + 1 + 5 s is not below the 8 s lost timeout, which the agent warns of once it registers.
  await startIsland(['--fence-pods-after', '3s', '--stop-grace-period', '5s'], false);
  await waitFor(() => !isAlive(pgid), { timeoutMs: 30_000, what: 'the adopted pod fenced by the new agent process' });
  expect(island.process.running()).toBe(true);
  expect(tc.daemonLog(ISLAND)).toContain('pod adopted');

  await tc.waitForJobSet('adopted', (j) => j.status!.pods[0]?.phase === 'POD_PHASE_RUNNING' && j.status!.pods[0]!.node === local, `running on ${local}`);
  host.heal();
  await waitForNodesReady(tc.schedulerAddress, [ISLAND], { timeoutMs: 60_000, processes: [island.process], logs: () => [island.process.logFile] });
  writeFileSync(path.join(tc.dir, 'adopted.go'), '');
  const done = await tc.waitForJobSet('adopted', (j) => j.status!.phase === 'JOB_SET_PHASE_SUCCEEDED', 'Succeeded');
  expect(done.status!.pods[0]!.node).toBe(local);
  expect(tc.daemonLog(ISLAND)).toContain('self-fencing may end pods after the scheduler has already placed them elsewhere');
});
