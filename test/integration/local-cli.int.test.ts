/**
 * The `muster` CLI as users run it: `local up --detach` starts a private
 * cluster and returns once every node is Ready; submit/watch/get/describe/
 * ls/nodes/suspend/resume/cancel work against it; the example leader-workers JobSet succeeds; `local
 * down` stops every process it started (and their pods).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isAlive } from '../../cli/src/local/processes.js';
import { waitFor } from '../../cli/src/util/poll.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let dir: string;
let env: NodeJS.ProcessEnv;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function muster(args: string[], opts: { cwd?: string; input?: string } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [path.join(repo, 'bin/muster.js'), ...args], { cwd: opts.cwd ?? repo, env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'muster-cli-'));
  // The scheduler `local up` starts retries failed pods after 100 ms (doubling), not batch/v1's 10 s.
  env = { ...process.env, MUSTER_SCHEDULER: '', MUSTER_POD_RETRY_BACKOFF_MS: '100ms' };
});
afterAll(async () => {
  await muster(['local', 'down', '--dir', dir]);
  rmSync(dir, { recursive: true, force: true });
});

it('local up --detach, the example JobSet, every read command, cancel, and local down', async () => {
  const up = await muster(['local', 'up', '--detach', '--agents', '2', '--hardware', 'deploy/hardware/h100-sxm-8gpu.json', '--dir', dir]);
  expect(up.code, up.stderr).toBe(0);
  const address = readFileSync(path.join(dir, 'scheduler.addr'), 'utf8').trim();
  expect(up.stdout).toContain(address);
  env.MUSTER_SCHEDULER = address;
  const record = JSON.parse(readFileSync(path.join(dir, 'run', 'cluster.json'), 'utf8')) as { processes: { pid: number; role: string }[] };
  const pids = record.processes.map((p) => p.pid);
  // podman is installed (make test installs it): `local up` started a podman API service for the cluster's containers.
  expect(record.processes.map((p) => p.role).sort()).toEqual(['agent', 'agent', 'engine', 'nats', 'scheduler']);
  expect(up.stdout).toMatch(/containers\s+\S+podman\.sock \(podman API service started for this cluster\)/);

  const nodes = JSON.parse((await muster(['nodes', '-o', 'json'])).stdout) as { nodes?: { state: string }[] } | { state: string }[];
  const list = Array.isArray(nodes) ? nodes : (nodes.nodes ?? []);
  expect(list.map((n) => n.state)).toEqual(['NODE_STATE_READY', 'NODE_STATE_READY']);
  expect((await muster(['nodes'])).stdout).toMatch(/local-1\s+Ready/);

  const submit = await muster(['submit', '-f', 'deploy/examples/leader-workers.yaml', '--watch']);
  expect(submit.code, submit.stdout + submit.stderr).toBe(0);
  expect(submit.stdout).toMatch(/Succeeded/);
  const got = JSON.parse((await muster(['get', 'leader-workers', '-o', 'json'])).stdout) as { status: { phase: string; pods: unknown[] } };
  expect(got.status.phase).toBe('JOB_SET_PHASE_SUCCEEDED');
  expect(got.status.pods).toHaveLength(5);
  // 4 workers × 4 GPUs need both 8-GPU nodes: the gang spans the two agents.
  expect(new Set((got.status.pods as { node: string }[]).map((p) => p.node)).size).toBe(2);
  expect((await muster(['ls'])).stdout).toMatch(/leader-workers\s+Succeeded/);
  expect((await muster(['get', 'leader-workers', '-o', 'yaml'])).stdout).toContain('phase: JOB_SET_PHASE_SUCCEEDED');

  // A failing JobSet: watch exits 1 and names the pod.
  const failing = `apiVersion: muster.dev/v1
kind: JobSet
metadata: {name: fails}
spec:
  replicatedJobs:
    - name: w
      template: {template: {command: ["sh", "-c", "exit 7"]}}
`;
  expect((await muster(['submit', '-f', '-'], { input: failing })).code).toBe(0);
  const watch = await muster(['watch', 'fails']);
  expect(watch.code).toBe(1);
  expect(watch.stdout + watch.stderr).toContain('fails/w/0/0');
  // describe tells the story: six retries on the same node (backoffLimit 6), then the Job and the JobSet failed.
  const described = await muster(['describe', 'fails']);
  expect(described.code, described.stderr).toBe(0);
  expect(described.stdout).toMatch(/Jobs:\n.*\n\s*w\/0\s+Failed\s+7\b.*BackoffLimitExceeded/);
  expect(described.stdout.match(/PodRetried/g)).toHaveLength(6);
  expect(described.stdout).toMatch(/JobSetFailed/);

  // Invalid input: exit 2 with the field path.
  const bad = await muster(['submit', '-f', '-'], { input: failing.replace('name: w', 'name: W_bad') });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('spec.replicatedJobs[0].name');

  // Cancel a running JobSet: its pod process goes away.
  const sleeper = failing.replace('name: fails', 'name: sleeper').replace('exit 7', () => 'echo $$ > sleeper.pid; exec sleep 300');
  expect((await muster(['submit', '-f', '-'], { input: sleeper, cwd: dir })).code).toBe(0);
  const pidFile = path.join(dir, 'sleeper.pid');
  const readPid = (): number | undefined => {
    try {
      return Number(readFileSync(pidFile, 'utf8')) || undefined;
    } catch {
      return undefined;
    }
  };
  const pid = await waitFor(readPid, { timeoutMs: 30_000, what: 'sleeper started' }).catch(async (err: Error) => {
    throw new Error(`${err.message}\n${(await muster(['get', 'sleeper'])).stdout}`);
  });
  // Suspend stops the pod and keeps the JobSet; resume starts it again (a new process).
  const suspend = await muster(['suspend', 'sleeper']);
  expect(suspend.code, suspend.stderr).toBe(0);
  await waitFor(() => !isAlive(pid), { timeoutMs: 30_000, what: 'suspended pod stopped' });
  expect((await muster(['ls'])).stdout).toMatch(/sleeper\s+Pending\s+\S+\s+\S+\s+Suspended/);
  rmSync(pidFile, { force: true });
  expect((await muster(['resume', 'sleeper'])).code).toBe(0);
  const resumedPid = await waitFor(readPid, { timeoutMs: 30_000, what: 'resumed sleeper started' });
  expect(resumedPid).not.toBe(pid);
  expect((await muster(['describe', 'sleeper'])).stdout).toMatch(/Suspended[\s\S]*Resumed/);
  const cancel = await muster(['cancel', 'sleeper']);
  expect(cancel.code).toBe(0);
  expect(cancel.stdout).toContain('cancelled (1 pod stopped)');
  await waitFor(() => !isAlive(resumedPid), { timeoutMs: 30_000, what: 'cancelled pod stopped' });
  expect((await muster(['get', 'sleeper'])).code).toBe(1);

  // Queueing objects: applied whole, listed, and a bad file changes nothing.
  const applied = await muster(['apply', '-f', 'deploy/examples/queues.yaml']);
  expect(applied.code, applied.stderr).toBe(0);
  expect(applied.stdout).toContain('queue/nlp created');
  expect((await muster(['apply', '-f', 'deploy/examples/queues.yaml'])).stdout).toContain('queue/nlp unchanged');
  expect((await muster(['queues'])).stdout).toMatch(/nlp\s+research\s+BestEffortFIFO\s+0\s+0\s+h100: cpu=256/);
  expect((await muster(['queue', 'vision'])).stdout).toMatch(/Queueing strategy:\s+StrictFIFO/);
  expect((await muster(['flavors'])).stdout).toMatch(/a100\s+gpu=a100/);
  expect((await muster(['cohorts'])).stdout).toMatch(/research\s+-\s+nlp,vision/);
  expect((await muster(['priorityclasses'])).stdout).toMatch(/normal\s+100\s+yes/);
  const badQueue = 'apiVersion: muster.dev/v1\nkind: Queue\nmetadata: {name: broken}\nspec:\n  resourceGroups:\n    - coveredResources: [gpus]\n      flavors: [{name: nowhere, resources: [{name: gpus, nominalQuota: 8}]}]\n';
  const rejected = await muster(['apply', '-f', '-'], { input: badQueue });
  expect(rejected.code).toBe(2);
  expect(rejected.stderr).toContain('spec.resourceGroups[0].flavors[0].name');
  expect((await muster(['queues'])).stdout).not.toContain('broken');

  const down = await muster(['local', 'down', '--dir', dir]);
  expect(down.code, down.stderr).toBe(0);
  expect(pids.filter(isAlive)).toEqual([]);
  const again = await muster(['local', 'down', '--dir', dir]);
  expect(again.code).toBe(0);
});
