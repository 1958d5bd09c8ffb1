/**
 * The scheduler killed in the middle of a large admission cycle, at the two
 * moments that matter, hit exactly by failpoints (MUSTER_FAILPOINTS): a
 * backlog of 100 two-pod JobSets waits on drained nodes; one node opens and a
 * single cycle admits 68 of them at once.
 *
 * - Killed after deciding, before committing: the database holds none of the
 *   68 admissions (the cycle is one transaction), every JobSet is still there.
 * - Started again, killed after committing, before pushing the nodes'
 *   documents: the database holds the same kind of cycle whole — every
 *   admitted gang with all its pods placed, no node over-committed, no GPU
 *   bound twice — and no agent has been told anything yet.
 * - Started normally: the agents catch up (their heartbeats show they lag the
 *   committed revision), the backlog runs through both nodes, and every pod
 *   of every JobSet runs exactly once; no GPU is ever bound to two pods.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitFor } from '../../cli/src/util/poll.js';
import { nullLogger } from '../../shared/src/logger.js';
import { add, fits, toResources } from '../../shared/src/resources.js';
import { parseJobSetObject, toSubmitRequest } from '../../shared/src/spec/document.js';
import { openDatabase } from '../../scheduler/src/store/db.js';
import { Store } from '../../scheduler/src/store/store.js';
import { gpuClashes } from '../helpers/bindings.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

const DGX = path.resolve('deploy/hardware/h100-sxm-8gpu.json');
const CPU_GANGS = 64;
const GPU_GANGS = 36;
let tc: TestCluster;

beforeAll(async () => {
  tc = await startTestCluster({ agents: 2, hardware: [DGX] });
}, 120_000);
afterAll(async () => {
  // A test that failed half way must not leave an agent frozen.
  for (let i = 0; i < 2; i++) tc?.agent(i).process.kill('SIGCONT');
  await tc?.stop();
});

/** storeNow reads the scheduler's database file as a fresh scheduler would (the scheduler is not running). */
function storeNow(): Store {
  const db = openDatabase(path.join(tc.dir, 'scheduler.db'), nullLogger);
  const store = new Store(db, nullLogger);
  store.load(Date.now());
  db.close();
  return store;
}

/** placementProblems lists gangs placed in part, nodes whose admitted requests exceed what they offer, and GPUs bound twice. */
function placementProblems(store: Store): string[] {
  const problems: string[] = [];
  const used = new Map<string, ReturnType<typeof toResources>>();
  for (const rec of store.allJobSets()) {
    const st = rec.jobset.status!;
    if (st.phase !== 'JOB_SET_PHASE_ADMITTED' && st.phase !== 'JOB_SET_PHASE_RUNNING') continue;
    const placed = st.pods.filter((p) => p.node !== '');
    if (placed.length !== rec.gang.length || rec.placement?.pods.length !== rec.gang.length) problems.push(`${rec.jobset.metadata!.name}: ${placed.length} of ${rec.gang.length} pods placed`);
    for (const p of placed) used.set(p.node, add(used.get(p.node) ?? toResources(null), toResources(p.requests)));
  }
  for (const [node, u] of used) {
    const alloc = store.getNode(node)!.node.inventory!.allocatable;
    if (!fits(u, toResources(alloc))) problems.push(`${node} over-committed: ${JSON.stringify(u)} of ${JSON.stringify(alloc)}`);
  }
  return [...problems, ...gpuClashes(store.allJobSets().map((r) => r.jobset))];
}

function admitted(store: Store): string[] {
  return store.allJobSets().filter((r) => r.jobset.status!.phase !== 'JOB_SET_PHASE_PENDING').map((r) => r.jobset.metadata!.name);
}

async function schedulerKilledByFailpoint(name: string): Promise<void> {
  const exit = await waitFor(() => tc.scheduler().process.exitInfo(), { timeoutMs: 60_000, what: `the scheduler killed by failpoint ${name}` });
  expect(exit.signal, `scheduler exit: ${JSON.stringify(exit)}`).toBe('SIGKILL');
  expect(tc.daemonLog('scheduler')).toContain(`failpoint ${name}: SIGKILL`);
}

it('SIGKILL before and after committing a cycle that admits 68 JobSets: all or nothing, never a double booking; then every pod runs exactly once', async () => {
  const [a, b] = tc.cluster.nodeNames as [string, string];
  const runs = path.join(tc.dir, 'runs');
  mkdirSync(runs);
  for (const n of [a, b]) await tc.api.drainNode(n, 'test: hold the backlog', false);

  const user = os.userInfo().username;
  const record = `echo "$MUSTER_NODE $CUDA_VISIBLE_DEVICES" >> "runs/$MUSTER_JOBSET.$MUSTER_GLOBAL_RANK"; sleep 0.2`;
  const specs = [
    ...Array.from({ length: CPU_GANGS }, (_, i) => ({ name: `cpu-${i}`, resources: { cpu: '100m', memory: '16Mi' } })),
    ...Array.from({ length: GPU_GANGS }, (_, i) => ({ name: `gpu-${i}`, resources: { cpu: '100m', memory: '16Mi', gpus: 1 } })),
  ];
  await Promise.all(
    specs.map((s) =>
      tc.api.submitJobSet(
        toSubmitRequest(
          parseJobSetObject({ apiVersion: 'muster.dev/v1', kind: 'JobSet', metadata: { name: s.name }, spec: { replicatedJobs: [{ name: 'w', replicas: 2, template: { template: { command: ['sh', '-c', record], resources: s.resources } } }] } }),
          { user, submitDir: tc.dir },
        ),
      ),
    ),
  );
  expect((await tc.api.listJobSets('JOB_SET_PHASE_PENDING')).jobsets.length).toBe(CPU_GANGS + GPU_GANGS);

  // 1. Armed before the commit; opening node a lets one cycle admit every CPU gang and the 4 GPU gangs its 8 GPUs hold.
  await tc.killScheduler();
  await tc.restartScheduler({ MUSTER_FAILPOINTS: 'admit-before-commit' });
  await tc.api.undrainNode(a).catch(() => undefined); // the reply may or may not beat the kill
  await schedulerKilledByFailpoint('admit-before-commit');
  let store = storeNow();
  expect(store.allJobSets()).toHaveLength(CPU_GANGS + GPU_GANGS);
  expect(admitted(store)).toEqual([]);
  expect(store.getNode(a)!.node.drain).toBeNull();

  // 2. Armed after the commit: the same cycle again, committed whole, then killed before any node is told.
  const revisionsBefore = new Map([a, b].map((n) => [n, store.getNode(n)!.revision]));
  // Node a's agent is frozen across the restart, so the cycle (and the failpoint) waits for its next heartbeat,
  // after the restarted scheduler is serving: it cannot die while it is still being started.
  const agentA = tc.agent(tc.cluster.nodeNames.indexOf(a)).process;
  agentA.kill('SIGSTOP');
  try {
    await tc.restartScheduler({ MUSTER_FAILPOINTS: 'admit-after-commit' });
  } finally {
    agentA.kill('SIGCONT');
  }
  await schedulerKilledByFailpoint('admit-after-commit');
  store = storeNow();
  const first = admitted(store);
  expect(first.length).toBe(CPU_GANGS + 4);
  expect(first.filter((n) => n.startsWith('gpu-'))).toHaveLength(4);
  expect(placementProblems(store)).toEqual([]);
  expect(store.getNode(a)!.revision).toBeGreaterThan(revisionsBefore.get(a)!);
  expect(readdirSync(runs)).toEqual([]); // nothing was pushed, so nothing started

  // 3. Started normally: node a's agent catches up on the committed admissions, node b opens, the backlog runs through.
  await tc.restartScheduler();
  await waitFor(async () => {
    try {
      await tc.api.undrainNode(b);
      return true;
    } catch {
      return undefined; // still starting
    }
  }, { timeoutMs: 30_000, what: 'the restarted scheduler answering' });
  let gpusSeen = 0;
  await waitFor(async () => {
    const all = (await tc.api.listJobSets('', 0, false, true)).jobsets;
    expect(gpuClashes(all)).toEqual([]);
    gpusSeen = Math.max(gpusSeen, all.flatMap((js) => js.status!.pods).filter((p) => p.node && (p.binding?.gpuIndices.length ?? 0) > 0 && p.phase !== 'POD_PHASE_SUCCEEDED').length);
    const failed = all.filter((js) => js.status!.phase === 'JOB_SET_PHASE_FAILED').map((js) => `${js.metadata!.name}: ${js.status!.message}`);
    expect(failed).toEqual([]);
    return all.every((js) => js.status!.phase === 'JOB_SET_PHASE_SUCCEEDED') ? true : undefined;
  }, { timeoutMs: 240_000, intervalMs: 250, what: 'every JobSet Succeeded' });
  expect(gpusSeen).toBeGreaterThan(0);

  // Every pod ran once: one file per pod, one line in each, and the first cycle's gangs ran where it placed them.
  const files = readdirSync(runs).sort();
  expect(files).toHaveLength(2 * (CPU_GANGS + GPU_GANGS));
  const twice = files.filter((f) => readFileSync(path.join(runs, f), 'utf8').trim().split('\n').length !== 1);
  expect(twice).toEqual([]);
  for (const name of first) for (const rank of [0, 1]) expect(readFileSync(path.join(runs, `${name}.${rank}`), 'utf8').split(' ')[0]).toBe(a);
}, 420_000);
