/**
 * Pods with an image run as real podman containers on a local cluster (a
 * podman API service started for the test cluster, a busybox image built
 * from the host's busybox-static): a JobSet of image pods succeeds with each
 * pod's output in `muster logs`, a failing container's exit code reaches the
 * JobSet's status, a missing image fails the pod with ErrImagePull (or
 * ErrImageNeverPull), pods run as their non-root submitter, host mounts are
 * limited to the agent's allowed paths, and an agent killed with SIGKILL
 * adopts its running container when it starts again: same container, no
 * second copy, the JobSet completes.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { findPodman } from '../../cli/src/local/container-engine.js';
import { waitFor } from '../../cli/src/util/poll.js';
import { parseJobSetObject, toSubmitRequest } from '../../shared/src/spec/document.js';
import { ensureBusyboxImage } from '../../cli/src/local/busybox-image.js';
import { musterCli } from '../helpers/cli.js';
import { envOf, startTestCluster, type TestCluster } from '../helpers/cluster.js';

const USER = `mcu${process.pid % 100000}`;
let tc: TestCluster;
let image: string;
let shared: string;

beforeAll(async () => {
  image = ensureBusyboxImage();
  execFileSync('useradd', ['-M', '-s', '/bin/sh', '-U', USER]);
  // The agent may mount only what its admin allowed: this directory.
  shared = mkdtempSync(path.join(os.tmpdir(), 'muster-shared-'));
  chmodSync(shared, 0o777);
  tc = await startTestCluster({ agents: 1, containers: true, agentArgs: ['--allow-host-path', shared] });
}, 120_000);
afterAll(async () => {
  await tc?.stop();
  try {
    execFileSync('userdel', [USER], { stdio: 'ignore' });
  } finally {
    if (shared) rmSync(shared, { recursive: true, force: true });
  }
});

const small = { cpu: '100m', memory: '64Mi' };

function submit(name: string, template: Record<string, unknown>, opts: { user?: string; replicas?: number } = {}) {
  const doc = parseJobSetObject({
    apiVersion: 'muster.dev/v1',
    kind: 'JobSet',
    metadata: { name },
    spec: { replicatedJobs: [{ name: 'w', replicas: opts.replicas ?? 1, template: { backoffLimit: 0, template: { image, resources: small, ...template } } }] },
  });
  return tc.api.submitJobSet(toSubmitRequest(doc, { user: opts.user ?? 'root', submitDir: tc.dir }));
}

/** containersOf lists the podman containers of a pod (any state). */
function containersOf(podId: string): string[] {
  return execFileSync(findPodman()!, ['ps', '-aq', '--filter', `label=io.muster.pod-id=${podId}`]).toString().split('\n').filter((x) => x !== '');
}

it('a JobSet of image pods runs to Succeeded; each pod\'s output is in muster logs; the containers are removed', async () => {
  await submit('boxes', { command: ['sh', '-c', 'echo "hello from rank $RANK of $WORLD_SIZE"; echo "to stderr" >&2; echo "HOSTS=$(cat "$MUSTER_HOSTFILE" | wc -l)"; echo "NVIDIA=$NVIDIA_VISIBLE_DEVICES"'] }, { replicas: 2 });
  const js = await tc.waitForJobSet('boxes', (j) => j.status!.phase === 'JOB_SET_PHASE_SUCCEEDED', 'Succeeded', 90_000);
  expect(js.status!.pods.map((p) => p.reason)).toEqual(['Completed', 'Completed']);
  const r0 = await musterCli(tc, ['logs', 'boxes']);
  expect(r0.stdout).toContain('hello from rank 0 of 2');
  const r1 = await musterCli(tc, ['logs', 'boxes', '--replicated-job', 'w', '--index', '1']);
  expect(r1.stdout).toContain('hello from rank 1 of 2');
  // The hostfile names one host per pod: both pods run on local-1.
  expect(envOf(r1.stdout)).toMatchObject({ HOSTS: '2', NVIDIA: 'void' });
  expect((await musterCli(tc, ['logs', 'boxes', '--stderr'])).stdout).toBe('to stderr\n');
  await waitFor(() => containersOf('boxes/w/0/0').length === 0 && containersOf('boxes/w/1/0').length === 0, { timeoutMs: 30_000, what: 'containers removed' });
});

it('a container asking a whole CPU runs on the cpuset of its binding', async () => {
  await submit('pinned', { command: ['sh', '-c', 'grep Cpus_allowed_list /proc/self/status | tr -d "\\t" | tr ":" "="'], resources: { cpu: '1', memory: '64Mi' } });
  const js = await tc.waitForJobSet('pinned', (j) => j.status!.phase === 'JOB_SET_PHASE_SUCCEEDED', 'Succeeded', 90_000);
  const cpuset = js.status!.pods[0]!.binding!.cpuset;
  expect(cpuset).not.toBe('');
  expect(envOf(tc.podLog('pinned/w/0/0')).Cpus_allowed_list).toBe(cpuset);
});

it('a failing container\'s exit code reaches the JobSet status', async () => {
  await submit('fails', { command: ['sh', '-c', 'echo about to fail; exit 7'] });
  const js = await tc.waitForJobSet('fails', (j) => j.status!.phase === 'JOB_SET_PHASE_FAILED', 'Failed', 90_000);
  expect(js.status!.pods[0]).toMatchObject({ phase: 'POD_PHASE_FAILED', reason: 'Error', exitCode: 7 });
  expect(tc.podLog('fails/w/0/0')).toBe('about to fail\n');
});

it('a missing image fails the pod with ErrImagePull naming the image; with pull policy Never, ErrImageNeverPull', async () => {
  await submit('noimage', { image: 'localhost/muster-no-such-image:1', command: ['true'] });
  const js = await tc.waitForJobSet('noimage', (j) => j.status!.phase === 'JOB_SET_PHASE_FAILED', 'Failed', 90_000);
  expect(js.status!.pods[0]).toMatchObject({ phase: 'POD_PHASE_FAILED', reason: 'ErrImagePull' });
  expect(js.status!.pods[0]!.message).toContain('localhost/muster-no-such-image:1');

  await submit('never', { image: 'localhost/muster-no-such-image:1', imagePullPolicy: 'Never', command: ['true'] });
  const never = await tc.waitForJobSet('never', (j) => j.status!.phase === 'JOB_SET_PHASE_FAILED', 'Failed', 90_000);
  expect(never.status!.pods[0]).toMatchObject({ reason: 'ErrImageNeverPull', message: expect.stringContaining('pull policy is Never') });
});

it('an image pod runs as its non-root submitter (uid, gid, no capabilities, no new privileges), with an allowed host directory mounted', async () => {
  const uid = execFileSync('id', ['-u', USER]).toString().trim();
  const gid = execFileSync('id', ['-g', USER]).toString().trim();
  writeFileSync(path.join(shared, 'input.txt'), 'from the host\n');
  await submit('mine', { command: ['sh', '-c', 'echo "UID=$(id -u)"; echo "GID=$(id -g)"; echo "IN=$(cat /data/input.txt)"; echo written > /data/by-pod.txt; grep -E "^(CapEff|NoNewPrivs)" /proc/self/status | tr -d "\\t" | tr ":" "="'], mounts: [{ hostPath: shared, containerPath: '/data' }] }, { user: USER });
  await tc.waitForJobSet('mine', (j) => j.status!.phase === 'JOB_SET_PHASE_SUCCEEDED', 'Succeeded', 90_000);
  const out = envOf(tc.podLog('mine/w/0/0'));
  expect(out).toMatchObject({ UID: uid, GID: gid, IN: 'from the host' });
  // No capabilities and no new privileges: a setuid binary in the image would gain nothing.
  expect(out).toMatchObject({ CapEff: '0000000000000000', NoNewPrivs: '1' });
  expect(out.UID).not.toBe('0');
  // The file the container wrote is the user's on the host.
  expect(execFileSync('stat', ['-c', '%u', path.join(shared, 'by-pod.txt')]).toString().trim()).toBe(uid);
});

it('a mount outside the agent\'s allowed host paths fails the pod with MountNotAllowed', async () => {
  await submit('escape', { command: ['true'], mounts: [{ hostPath: '/etc', containerPath: '/host-etc', readOnly: true }] });
  const js = await tc.waitForJobSet('escape', (j) => j.status!.phase === 'JOB_SET_PHASE_FAILED', 'Failed', 90_000);
  expect(js.status!.pods[0]).toMatchObject({ reason: 'MountNotAllowed', message: expect.stringContaining('/etc') });
});

it('an agent killed with SIGKILL adopts its running container when it starts again: same container, no second copy, the JobSet completes', async () => {
  const go = path.join(shared, 'go');
  await submit('adopt', { command: ['sh', '-c', 'echo started; while [ ! -f /data/go ]; do sleep 0.1; done; echo finished'], mounts: [{ hostPath: shared, containerPath: '/data' }] });
  const running = await tc.waitForJobSet('adopt', (j) => j.status!.pods[0]?.phase === 'POD_PHASE_RUNNING', 'Running', 90_000);
  const pid = running.status!.pods[0]!.pid;
  const [container] = containersOf('adopt/w/0/0');
  expect(container).toBeDefined();
  // Its first line is copied (and the copy position saved) before the agent dies.
  const posFile = path.join(path.dirname(tc.podLogPath('adopt/w/0/0')), 'container-log.pos');
  await waitFor(() => existsSync(posFile) && (JSON.parse(readFileSync(posFile, 'utf8')) as { stdout: number }).stdout > 0, { timeoutMs: 30_000, what: 'first output copied' });
  const epoch = (await tc.api.nodes())[0]!.epoch;

  const agent = tc.agent(0);
  agent.process.kill('SIGKILL');
  await agent.process.exited;
  await tc.restartAgent(0);
  await waitFor(async () => ((await tc.api.nodes())[0]!.epoch > epoch ? true : undefined), { timeoutMs: 30_000, what: 'agent registered again' });

  const after = await tc.api.getJobSet('adopt');
  expect(after.status!.pods[0]).toMatchObject({ phase: 'POD_PHASE_RUNNING', generation: 0, pid });
  expect(containersOf('adopt/w/0/0')).toEqual([container]);
  writeFileSync(go, '');
  const done = await tc.waitForJobSet('adopt', (j) => j.status!.phase === 'JOB_SET_PHASE_SUCCEEDED', 'Succeeded', 90_000);
  expect(done.status!.pods[0]).toMatchObject({ reason: 'Completed', generation: 0 });
  expect(tc.podLog('adopt/w/0/0')).toBe('started\nfinished\n');
});
