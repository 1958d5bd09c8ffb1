/**
 * Who a pod runs as: the rules (fake lookups), the host's real user database
 * (`getent`, `id`), and a real process switched to another user by the
 * process driver (this machine's agent runs as root, as on a cluster node).
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nullLogger } from '../../../shared/src/logger.js';
import { canEnter, IdentityResolver, lookupSystemUser, setprivArgv, type PodIdentity } from './identity.js';
import { ProcessDriver } from './process-driver.js';

const alice: PodIdentity = { user: 'alice', uid: 1001, gid: 1001, groups: [1001, 27], home: '/home/alice' };
const root: PodIdentity = { user: 'root', uid: 0, gid: 0, groups: [0], home: '/root' };

function resolver(over: Partial<ConstructorParameters<typeof IdentityResolver>[0]> = {}, users: PodIdentity[] = [alice, root]) {
  let lookups = 0;
  const r = new IdentityResolver({
    runPodsAs: 'submitter', allowRootPods: false, agentUid: 0,
    lookup: async (u) => {
      lookups++;
      return users.find((x) => x.user === u);
    },
    ...over,
  });
  return { r, lookups: () => lookups };
}

describe('IdentityResolver', () => {
  it('a root agent runs a pod as its submitter; unknown users and root are refused with a reason', async () => {
    const { r } = resolver();
    expect(await r.resolve('alice')).toEqual({ identity: alice });
    expect(await r.resolve('mallory')).toEqual({ refused: { reason: 'UnknownUser', message: 'user "mallory" (the JobSet\'s submitter) is not known on this host' } });
    expect(await r.resolve('root')).toEqual({ refused: { reason: 'UserNotAllowed', message: 'user "root" is root: pods run as root only when the agent\'s config sets allowRootPods' } });
    expect(await resolver({ allowRootPods: true }).r.resolve('root')).toEqual({ identity: undefined });
  });

  it('system accounts below minPodUid are refused (an unauthenticated submitter must not become postgres)', async () => {
    const postgres: PodIdentity = { user: 'postgres', uid: 105, gid: 111, groups: [111], home: '/var/lib/postgresql' };
    const { r } = resolver({}, [alice, postgres]);
    expect(await r.resolve('postgres')).toEqual({ refused: { reason: 'UserNotAllowed', message: 'user "postgres" (uid 105) is a system account: pods run as uids from 1000 (the agent\'s minPodUid)' } });
    expect(await resolver({ minUid: 100 }, [postgres]).r.resolve('postgres')).toEqual({ identity: postgres });
  });

  it('an agent that is not root runs only its own user\'s pods', async () => {
    const { r } = resolver({ agentUid: 1001 });
    expect(await r.resolve('alice')).toEqual({ identity: undefined });
    const bob = await resolver({ agentUid: 1002 }).r.resolve('alice');
    expect(bob).toEqual({ refused: { reason: 'UserNotAllowed', message: 'the agent runs as uid 1002, not root: it cannot run pods as "alice" (uid 1001)' } });
  });

  it('runPodsAs agent: no lookup; a root agent needs allowRootPods', async () => {
    const { r, lookups } = resolver({ runPodsAs: 'agent', allowRootPods: true });
    expect(await r.resolve('anyone')).toEqual({ identity: undefined });
    expect(lookups()).toBe(0);
    expect(await resolver({ runPodsAs: 'agent' }).r.resolve('anyone')).toMatchObject({ refused: { reason: 'UserNotAllowed' } });
  });

  it('a lookup that fails (NSS down) is not "unknown user" and is not cached', async () => {
    let fail = true;
    const r = new IdentityResolver({ runPodsAs: 'submitter', allowRootPods: false, agentUid: 0, lookup: async () => {
      if (fail) throw new Error('cannot resolve user "alice": getent passwd failed (exit 1)');
      return alice;
    } });
    await expect(r.resolve('alice')).rejects.toThrow('getent passwd failed');
    fail = false;
    expect(await r.resolve('alice')).toEqual({ identity: alice });
  });

  it('caches lookups for a while', async () => {
    let t = 0;
    const { r, lookups } = resolver({ now: () => t, cacheMs: 1000 });
    await r.resolve('alice');
    await r.resolve('alice');
    expect(lookups()).toBe(1);
    t = 2000;
    await r.resolve('alice');
    expect(lookups()).toBe(2);
  });
});

describe('canEnter (the working directory as the user would see it)', () => {
  const tree: Record<string, { uid: number; gid: number; mode: number; dir?: boolean }> = {
    '/': { uid: 0, gid: 0, mode: 0o755 },
    '/home': { uid: 0, gid: 0, mode: 0o755 },
    '/home/alice': { uid: 1001, gid: 1001, mode: 0o700 },
    '/home/bob': { uid: 1002, gid: 1002, mode: 0o700 },
    '/proj': { uid: 0, gid: 27, mode: 0o750 },
    '/secret': { uid: 0, gid: 0, mode: 0o700 },
    '/secret/open': { uid: 0, gid: 0, mode: 0o777 },
    '/file': { uid: 1001, gid: 1001, mode: 0o755, dir: false },
  };
  const statOf = (p: string) => {
    const e = tree[p];
    if (!e) throw new Error('ENOENT');
    return { uid: e.uid, gid: e.gid, mode: e.mode, isDirectory: () => e.dir !== false };
  };
  it('by owner, group or other search bits, every parent included', () => {
    expect(canEnter('/home/alice', alice, statOf)).toBe(true);
    expect(canEnter('/home/bob', alice, statOf)).toBe(false);
    expect(canEnter('/proj', alice, statOf)).toBe(true); // group 27 is one of alice's groups
    expect(canEnter('/secret/open', alice, statOf)).toBe(false); // its parent is closed
    expect(canEnter('/file', alice, statOf)).toBe(false);
    expect(canEnter('/nope', alice, statOf)).toBe(false);
  });
});

describe('lookupSystemUser (this host\'s user database)', () => {
  it('resolves root and nobody; an unknown or malformed name is unknown', async () => {
    expect(await lookupSystemUser('root')).toMatchObject({ user: 'root', uid: 0, gid: 0, home: '/root' });
    expect(await lookupSystemUser('nobody')).toMatchObject({ user: 'nobody', uid: 65534, groups: [65534] });
    expect(await lookupSystemUser('no-such-user-muster')).toBeUndefined();
    expect(await lookupSystemUser('../etc')).toBeUndefined();
    // All digits would be read as a uid by getent ("0" is root): never a user name here.
    expect(await lookupSystemUser('0')).toBeUndefined();
    expect(await lookupSystemUser('-x')).toBeUndefined();
    expect((await lookupSystemUser('root'))!.shell).toMatch(/sh$/);
  });
});

describe('a pod switched to its user by the process driver', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'muster-identity-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs with the user\'s uid, gid and groups (setpriv), in the process group started', async () => {
    const nobody = (await lookupSystemUser('nobody'))!;
    const driver = new ProcessDriver({ logger: nullLogger });
    const start = await driver.start({
      podId: 'js/w/0/0', jobsetUid: 'cafe0000-0000', generation: 1, image: '', command: ['sh', '-c', 'echo "$(id -u) $(id -g) $(id -G) $(cut -d" " -f5 /proc/$$/stat)"'], args: [],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, workingDir: dir, podDir: path.join(dir, 'pod'), stdoutPath: path.join(dir, 'out'), stderrPath: path.join(dir, 'err'), user: 'nobody', identity: nobody,
    });
    if (start.kind !== 'running') throw new Error(start.exit.message);
    expect((await start.exited).reason).toBe('Completed');
    expect(readFileSync(path.join(dir, 'out'), 'utf8')).toBe(`65534 ${nobody.gid} ${nobody.groups.join(' ')} ${start.pid}\n`);
  });

  it('nothing of the pod\'s environment reaches the root side: a PATH shadowing mv and an LD_PRELOAD run only as the user', async () => {
    const nobody = (await lookupSystemUser('nobody'))!;
    const evil = path.join(dir, 'evil');
    mkdirSync(evil, { mode: 0o755 });
    chmodSync(dir, 0o755);
    const marker = path.join(dir, 'evil-ran-as');
    writeFileSync(path.join(evil, 'mv'), `#!/bin/sh\nid -u >> ${marker}\n`, { mode: 0o755 });
    const driver = new ProcessDriver({ logger: nullLogger });
    const podDir = path.join(dir, 'pod');
    const start = await driver.start({
      podId: 'js/w/0/0', jobsetUid: 'cafe0000-0000', generation: 2, image: '', command: ['sh', '-c', 'echo "PATH=$PATH"; echo "PRELOAD=$LD_PRELOAD"; exit 4'], args: [],
      env: { PATH: `${evil}:/usr/bin:/bin`, LD_PRELOAD: '/nonexistent/evil.so' }, workingDir: dir, podDir, stdoutPath: path.join(dir, 'out2'), stderrPath: path.join(dir, 'err2'), user: 'nobody', identity: nobody,
    });
    if (start.kind !== 'running') throw new Error(start.exit.message);
    expect(await start.exited).toMatchObject({ reason: 'Error', exitCode: 4 });
    // The command got its environment; the root shim's mv was the system's (the exit status is recorded), not the pod's.
    expect(readFileSync(path.join(dir, 'out2'), 'utf8')).toBe(`PATH=${evil}:/usr/bin:/bin\nPRELOAD=/nonexistent/evil.so\n`);
    expect(existsSync(marker)).toBe(false);
    expect(readFileSync(path.join(podDir, 'exit-code'), 'utf8')).toBe('4\n');
  });

  it('setpriv argv: ids, groups (or cleared), then the command', () => {
    expect(setprivArgv('/usr/bin/setpriv', alice, ['python', 'train.py'])).toEqual(['/usr/bin/setpriv', '--reuid=1001', '--regid=1001', '--groups=1001,27', '--', 'python', 'train.py']);
    expect(setprivArgv('/usr/bin/setpriv', { ...alice, groups: [] }, ['x'])).toEqual(['/usr/bin/setpriv', '--reuid=1001', '--regid=1001', '--clear-groups', '--', 'x']);
  });
});
