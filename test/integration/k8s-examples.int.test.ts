/**
 * The JobSet project's own example manifests (deploy/examples/jobset/, unmodified
 * jobset.x-k8s.io/v1alpha2) submitted with `muster submit -f` to a local
 * cluster whose agents run a pod's command on the host when it names an image
 * (`--image-policy host`: no container runtime here). Each behaves as JobSet
 * documents it: a FailJobSet rule fails the JobSet, a podFailurePolicy FailJob
 * triggers a restart, success of the targeted workers ends the JobSet and
 * stops the leader, dependsOn holds the launcher until the initializer
 * completed. Fields with no meaning off Kubernetes are named in one warning.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSet } from '../../shared/src/proto/types.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

const EXAMPLES = path.resolve('deploy/examples/jobset');
const H100 = path.resolve('deploy/hardware/h100-sxm-8gpu.json');
let tc: TestCluster;

beforeAll(async () => {
  tc = await startTestCluster({ agents: 2, hardware: [H100], agentArgs: ['--image-policy', 'host'] });
});
afterAll(async () => {
  await tc?.stop();
});

function submit(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.resolve('bin/muster.js'), '--scheduler', tc.schedulerAddress, 'submit', '-f', path.join(EXAMPLES, file)], { cwd: tc.dir, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? 1 : 0, stdout, stderr }),
    );
  });
}

const finished = (js: JobSet) => js.status!.phase === 'JOB_SET_PHASE_SUCCEEDED' || js.status!.phase === 'JOB_SET_PHASE_FAILED';

describe.concurrent('JobSet examples, unmodified', () => {
  it('failjobset-action: the leader fails and the FailJobSet rule fails the JobSet without a restart', async () => {
    const sub = await submit('failjobset-action.yaml');
    expect(sub.code, sub.stderr).toBe(0);
    expect(sub.stderr).not.toContain('warning'); // every field of this manifest means something here
    const js = await tc.waitForJobSet('failjobset-action-example', finished, 'finished', 60_000);
    expect(js.status).toMatchObject({ phase: 'JOB_SET_PHASE_FAILED', reason: 'FailJobSetFailurePolicyAction', restarts: 0, exitCode: 1 });
    expect(js.status!.failedPod).toBe('failjobset-action-example/leader/0/0');
  });

  it('pod-failure-policy: exit code 1 is NotIn [143], so FailJob fails the leader Job at once and the JobSet restarts', async () => {
    const sub = await submit('pod-failure-policy.yaml');
    expect(sub.code, sub.stderr).toBe(0);
    // One line names what only means something on Kubernetes (restartPolicy, the rule's containerName); nothing is fatal.
    const warnings = sub.stderr.split('\n').filter((l) => l.includes('warning: ignored'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('spec.replicatedJobs[0].template.spec.template.spec.restartPolicy');
    expect(warnings[0]).toContain('onExitCodes.containerName');
    const js = await tc.waitForJobSet('podfailurepolicy', (x) => x.status!.restarts >= 1, 'restarted', 60_000);
    const failed = js.status!.history.find((e) => e.type === 'JobFailed');
    expect(failed?.message).toContain('(PodFailurePolicy)');
    expect(js.status!.history.find((e) => e.type === 'JobSetRestarted')?.message).toContain('attempt 1');
    await tc.api.deleteJobSet('podfailurepolicy');
  });

  it('driver-worker-success-policy: the workers finishing completes the JobSet, and the leader still running is stopped', async () => {
    expect((await submit('driver-worker-success-policy.yaml')).code).toBe(0);
    const js = await tc.waitForJobSet('success-policy', finished, 'finished', 60_000);
    expect(js.status).toMatchObject({ phase: 'JOB_SET_PHASE_SUCCEEDED', terminalState: 'Completed' });
    const leader = await tc.waitForJobSet('success-policy', (x) => x.status!.pods.find((p) => p.podId === 'success-policy/leader/0/0')!.phase === 'POD_PHASE_FAILED', 'leader stopped');
    expect(leader.status!.pods.find((p) => p.podId === 'success-policy/leader/0/0')!.reason).toBe('Stopped');
  });

  it('depends-on: the launcher starts only once the initializer has completed', async () => {
    expect((await submit('depends-on.yaml')).code).toBe(0);
    const running = await tc.waitForJobSet('depends-on', (x) => x.status!.pods.some((p) => p.podId.startsWith('depends-on/launcher/') && p.startedMs > 0), 'launcher started', 60_000);
    const initializerEnd = running.status!.jobs.find((j) => j.replicatedJob === 'initializer')!;
    expect(initializerEnd.state).toBe('Succeeded');
    const launcherStart = running.status!.pods.find((p) => p.podId.startsWith('depends-on/launcher/'))!.startedMs;
    expect(launcherStart).toBeGreaterThanOrEqual(initializerEnd.finishedMs);
    // The workers wait for the launcher to be Ready; none started before it.
    const workers = running.status!.pods.filter((p) => p.podId.startsWith('depends-on/worker/'));
    expect(workers).toHaveLength(4);
    expect(workers.every((p) => p.startedMs === 0 || p.startedMs >= launcherStart)).toBe(true);
    await tc.api.deleteJobSet('depends-on');
  });
});
