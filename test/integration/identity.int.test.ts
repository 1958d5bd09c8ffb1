/**
 * Pods run as the person who submitted them, on a real local cluster: the
 * test creates a non-root user (with a supplementary group and a home) on
 * this host, submits a JobSet as that user, and the pod reports its uid,
 * groups, home and working directory; a JobSet from a user this host does
 * not know fails with UnknownUser. Needs root (to create users), as CI has.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseJobSetObject, toSubmitRequest } from '../../shared/src/spec/document.js';
import { envOf, startTestCluster, type TestCluster } from '../helpers/cluster.js';

const USER = `mtu${process.pid % 100000}`;
const GROUP = `mtg${process.pid % 100000}`;
let tc: TestCluster;
let homeRoot: string;

beforeAll(async () => {
  homeRoot = mkdtempSync(path.join(os.tmpdir(), 'muster-home-'));
  chmodSync(homeRoot, 0o755); // as /home is: the user must be able to enter its home
  execFileSync('groupadd', [GROUP]);
  execFileSync('useradd', ['-m', '-d', path.join(homeRoot, USER), '-s', '/bin/sh', '-U', '-G', GROUP, USER]);
  tc = await startTestCluster({ agents: 1 });
  // As /var/lib/muster is: others may enter the agent's state dir (the pods' own directories stay root's).
  chmodSync(tc.dir, 0o755);
  mkdirSync(path.join(tc.dir, 'closed'), { mode: 0o700 });
});
afterAll(async () => {
  await tc?.stop();
  try {
    execFileSync('userdel', ['-r', USER], { stdio: 'ignore' });
  } finally {
    execFileSync('groupdel', [GROUP], { stdio: 'ignore' });
    rmSync(homeRoot, { recursive: true, force: true });
  }
});

function submitAs(user: string, name: string, script: string, submitDir = '/nonexistent-submit-dir') {
  const doc = parseJobSetObject({
    apiVersion: 'muster.dev/v1', kind: 'JobSet', metadata: { name },
    // backoffLimit 0: a pod that cannot start fails its Job at once (no retries to wait for).
    spec: { replicatedJobs: [{ name: 'w', template: { backoffLimit: 0, template: { command: ['sh', '-c', script], resources: { cpu: '100m', memory: '32Mi' } } } }] },
  });
  return tc.api.submitJobSet(toSubmitRequest(doc, { user, submitDir }));
}

it('a pod runs as its submitter: uid, gid, supplementary groups, HOME and working directory', async () => {
  // Its submit directory exists but is closed to the user: the pod starts in the user's home instead.
  await submitAs(USER, 'mine', 'echo "UID=$(id -u)"; echo "GROUPS=$(id -Gn)"; echo "PWD=$(pwd)"; echo "HOMEVAR=$HOME"; echo "WHO=$USER"; touch written-by-pod; if ln -s /etc/shadow "$(dirname "$MUSTER_HOSTFILE")/planted" 2>/dev/null; then echo PLANT=yes; else echo PLANT=no; fi; echo "HOSTS=$(wc -l < "$MUSTER_HOSTFILE")"', path.join(tc.dir, 'closed'));
  await tc.waitForJobSet('mine', (js) => js.status!.phase === 'JOB_SET_PHASE_SUCCEEDED', 'Succeeded');
  const out = envOf(tc.podLog('mine/w/0/0'));
  const uid = execFileSync('id', ['-u', USER]).toString().trim();
  const home = path.join(homeRoot, USER);
  expect(out.UID).toBe(uid);
  expect(out.UID).not.toBe('0');
  expect(out.GROUPS!.split(' ').sort()).toEqual([USER, GROUP].sort());
  expect(out.PWD).toBe(home);
  expect(out.HOMEVAR).toBe(home);
  expect(out.WHO).toBe(USER);
  // The pod's directory (its logs, which the root agent reads and rotates) is not the user's: no link can be planted there.
  expect(out.PLANT).toBe('no');
  // ...yet it can read its hostfile there.
  expect(out.HOSTS).toBe('1');
  // The file it made in its home is the user's.
  expect(execFileSync('stat', ['-c', '%U', path.join(home, 'written-by-pod')]).toString().trim()).toBe(USER);
});

it('a JobSet from a user this host does not know fails with UnknownUser', async () => {
  await submitAs('nosuchuser-muster', 'ghost', 'true');
  const js = await tc.waitForJobSet('ghost', (j) => j.status!.phase === 'JOB_SET_PHASE_FAILED', 'Failed');
  expect(js.status!.pods[0]).toMatchObject({ phase: 'POD_PHASE_FAILED', reason: 'UnknownUser', message: 'user "nosuchuser-muster" (the JobSet\'s submitter) is not known on this host' });
});
