/**
 * Draining a node on a real local cluster, through the CLI as an admin uses
 * it: `muster drain NODE --reason` keeps new pods off the node while its
 * running pod finishes (Draining, then Drained, the reason in `muster
 * nodes`); `muster undrain` opens it again; `--evict` stops the pods now and
 * the JobSet's failure policy restarts them on another node. A JobSet with
 * no failurePolicy evicted that way is requeued — once, under
 * `--node-loss-requeue-limit 1`; evicted again, it fails with NodeLost.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isAlive } from '../../cli/src/local/processes.js';
import { waitFor } from '../../cli/src/util/poll.js';
import { musterCli } from '../helpers/cli.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { readInt } from '../helpers/files.js';

let tc: TestCluster;
beforeAll(async () => {
  // One requeue after a node loss, so the test can reach the limit.
  tc = await startTestCluster({ agents: 2, schedulerArgs: ['--node-loss-requeue-limit', '1'] });
});
afterAll(async () => {
  await tc?.stop();
});

const small = { cpu: '100m', memory: '32Mi' };

/** A pod that writes its process group, then waits for `<tag>.go`. */
function waiter(tag: string): string[] {
  return ['sh', '-c', `cut -d" " -f5 /proc/$$/stat > ${tag}.pgid; while [ ! -f ${tag}.go ]; do sleep 0.05; done`];
}

/** nodesTable returns `muster nodes` rows keyed by node name: [state, reason]. */
async function nodesTable(): Promise<Map<string, { state: string; reason: string }>> {
  const r = await musterCli(tc, ['nodes']);
  expect(r.code, r.stderr).toBe(0);
  const rows = new Map<string, { state: string; reason: string }>();
  for (const line of r.stdout.trim().split('\n').slice(1)) {
    const cols = line.split(/\s{2,}/);
    rows.set(cols[0]!, { state: cols[1]!, reason: cols.length > 9 ? cols.slice(9).join('  ') : '' });
  }
  return rows;
}

async function nodeOf(jobset: string): Promise<string> {
  const js = await tc.waitForJobSet(jobset, (j) => (j.status!.pods[0]?.node ?? '') !== '' && j.status!.pods[0]!.phase === 'POD_PHASE_RUNNING', `${jobset} running`);
  return js.status!.pods[0]!.node;
}

it('drain keeps new pods off the node while its pod finishes (Draining → Drained, reason shown); undrain opens it again', async () => {
  await tc.submit({ metadata: { name: 'long' }, spec: { replicatedJobs: [{ name: 'w', template: { template: { command: waiter('long'), resources: small } } }] } });
  const busy = await nodeOf('long');
  const other = tc.cluster.nodeNames.find((n) => n !== busy)!;

  const drained = await musterCli(tc, ['drain', busy, '--reason', 'DIMM errors: replace Tuesday']);
  expect(drained.code, drained.stderr).toBe(0);
  expect(drained.stdout).toContain(`node/${busy} Draining`);
  expect((await nodesTable()).get(busy)).toEqual({ state: 'Draining', reason: 'DIMM errors: replace Tuesday' });

  // New work goes to the other node; the running pod is untouched.
  for (const name of ['next-a', 'next-b']) await tc.submit({ metadata: { name }, spec: { replicatedJobs: [{ name: 'w', template: { template: { command: ['true'], resources: small } } }] } });
  for (const name of ['next-a', 'next-b']) {
    const js = await tc.waitForJobSet(name, (j) => j.status!.phase === 'JOB_SET_PHASE_SUCCEEDED', `${name} Succeeded`);
    expect(js.status!.pods[0]!.node).toBe(other);
  }
  expect((await tc.api.getJobSet('long')).status!.pods[0]!.phase).toBe('POD_PHASE_RUNNING');

  writeFileSync(path.join(tc.dir, 'long.go'), '');
  await tc.waitForJobSet('long', (j) => j.status!.phase === 'JOB_SET_PHASE_SUCCEEDED', 'long Succeeded');
  await waitFor(async () => ((await nodesTable()).get(busy)?.state === 'Drained' ? true : undefined), { timeoutMs: 30_000, what: `${busy} Drained` });

  const undrained = await musterCli(tc, ['undrain', busy]);
  expect(undrained.code, undrained.stderr).toBe(0);
  expect((await nodesTable()).get(busy)).toEqual({ state: 'Ready', reason: '' });
});

it('drain --evict stops the pods on the node now; the JobSet\'s failure policy restarts them on another node', async () => {
  await tc.submit({
    metadata: { name: 'moved' },
    spec: { failurePolicy: { maxRestarts: 2 }, replicatedJobs: [{ name: 'w', template: { backoffLimit: 0, template: { command: waiter('moved'), resources: small } } }] },
  });
  const first = await nodeOf('moved');
  const pgid = await waitFor(() => readInt(path.join(tc.dir, 'moved.pgid')), { timeoutMs: 30_000, what: 'pod started' });

  const r = await musterCli(tc, ['drain', first, '--reason', 'bad GPU', '--evict']);
  expect(r.code, r.stderr).toBe(0);

  await waitFor(() => !isAlive(pgid), { timeoutMs: 30_000, what: 'the evicted pod stopped' });
  const js = await tc.waitForJobSet('moved', (j) => j.status!.restarts === 1 && j.status!.pods[0]!.phase === 'POD_PHASE_RUNNING', 'restarted and running');
  expect(js.status!.pods[0]!.node).not.toBe(first);
  expect((await nodesTable()).get(first)).toEqual({ state: 'Drained', reason: 'bad GPU' });
  writeFileSync(path.join(tc.dir, 'moved.go'), '');
  await tc.waitForJobSet('moved', (j) => j.status!.phase === 'JOB_SET_PHASE_SUCCEEDED', 'moved Succeeded');
  await musterCli(tc, ['undrain', first]);
});

it('without a failurePolicy an evicted JobSet is requeued elsewhere, up to --node-loss-requeue-limit; the next eviction fails it (NodeLost)', async () => {
  await tc.submit({ metadata: { name: 'hops' }, spec: { replicatedJobs: [{ name: 'w', template: { template: { command: waiter('hops'), resources: small } } }] } });
  const first = await nodeOf('hops');
  expect((await musterCli(tc, ['drain', first, '--reason', 'first eviction', '--evict'])).code).toBe(0);
  const moved = await tc.waitForJobSet('hops', (j) => j.status!.pods[0]!.phase === 'POD_PHASE_RUNNING' && j.status!.pods[0]!.node !== first, 'requeued and running elsewhere');
  expect(moved.status!.lostRequeues).toBe(1);
  expect(moved.status!.history.some((e) => e.type === 'Requeued' && e.message.includes('1 of at most 1'))).toBe(true);
  await musterCli(tc, ['undrain', first]);

  const second = moved.status!.pods[0]!.node;
  expect((await musterCli(tc, ['drain', second, '--reason', 'second eviction', '--evict'])).code).toBe(0);
  const failed = await tc.waitForJobSet('hops', (j) => j.status!.phase === 'JOB_SET_PHASE_FAILED', 'Failed past the requeue limit');
  expect(failed.status!.lostRequeues).toBe(1);
  expect(failed.status!.jobs[0]!.failureReason).toBe('NodeLost');
  expect(failed.status!.jobs[0]!.failureMessage).toContain('nodeLossRequeueLimit (1)');
  await musterCli(tc, ['undrain', second]);
});

it('drain names what is wrong: no reason, an unknown node', async () => {
  const noReason = await musterCli(tc, ['drain', tc.cluster.nodeNames[0]!]);
  expect(noReason.code).toBe(2);
  expect(noReason.stderr).toContain('--reason');
  const unknown = await musterCli(tc, ['drain', 'no-such-node', '--reason', 'x']);
  expect(unknown.code).not.toBe(0);
  expect(unknown.stderr).toContain('no-such-node');
});
