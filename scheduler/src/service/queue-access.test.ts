/**
 * Who may submit to a queue (spec.users / spec.groups), the default queue,
 * and group resolution with the real `id` command of this host.
 */
import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { MusterError } from '../../../shared/src/errors.js';
import type { Queue } from '../../../shared/src/proto/types.js';
import { flavorYaml, queueingObjects, queueYaml } from '../../../test/helpers/queues.js';
import { jobsetOf, startTestScheduler, submitTestJobSet, type TestScheduler } from '../../../test/helpers/scheduler-context.js';
import { submitRefusal, systemGroups } from './queue-access.js';

const queue = (users: string[], groups: string[]): Queue => queueingObjects(queueYaml('research', { gpus: 8, spec: [`users: [${users.join(', ')}]`, `groups: [${groups.join(', ')}]`] }))[0]!.object as Queue;
const GROUPS: Record<string, string[]> = { carol: ['ml', 'staff'], dave: ['staff'] };
const groupsOf = (u: string): string[] | undefined => GROUPS[u];

describe('submitRefusal', () => {
  it.each([
    { name: 'no lists: everyone', q: queue([], []), user: 'anyone', refused: false },
    { name: 'a listed user', q: queue(['alice'], ['ml']), user: 'alice', refused: false },
    { name: 'a member of a listed group', q: queue(['alice'], ['ml']), user: 'carol', refused: false },
    { name: 'neither', q: queue(['alice'], ['ml']), user: 'dave', refused: true },
    { name: 'a user this host does not know, with only groups listed', q: queue([], ['ml']), user: 'ghost', refused: true },
  ])('$name', ({ q, user, refused }) => {
    expect(submitRefusal(q, user, groupsOf) !== undefined).toBe(refused);
  });

  it('says who may, and when the user is unknown here', () => {
    expect(submitRefusal(queue(['alice'], ['ml']), 'dave', groupsOf)).toBe('user dave may not submit to queue research: only users alice and members of ml may');
    expect(submitRefusal(queue([], ['ml']), 'ghost', groupsOf)).toContain("user ghost is unknown on the scheduler's host");
  });
});

describe('systemGroups (real id command)', () => {
  it("resolves this user's groups, including its primary group, and nothing for a user that does not exist", () => {
    const me = userInfo().username;
    const primary = execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim();
    const resolve = systemGroups();
    expect(resolve(me)).toContain(primary);
    expect(resolve('no-such-user-muster-test')).toBeUndefined();
  });
});

describe('submit', () => {
  let s: TestScheduler;
  afterEach(() => s?.close());

  it('refuses a submitter the queue does not list (PERMISSION_DENIED naming spec.queue) and accepts one it does', () => {
    s = startTestScheduler({ groupsOf });
    s.ctx.objects.apply(queueingObjects(flavorYaml('h100'), queueYaml('research', { gpus: 8, spec: ['users: [alice]', 'groups: [ml]'] })), s.clock.now());
    let err: unknown;
    try {
      submitTestJobSet(s, 'nope', { w: { gpus: 1 } }, { queue: 'research', user: 'dave' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MusterError);
    expect(err).toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringContaining('spec.queue: user dave may not submit to queue research') });
    expect(s.store.getJobSet('nope')).toBeUndefined();
    expect(submitTestJobSet(s, 'ok', { w: { gpus: 1 } }, { queue: 'research', user: 'carol' }).metadata!.user).toBe('carol');
  });

  it('puts a JobSet naming no queue in the default queue, which then decides who may submit', () => {
    s = startTestScheduler({ groupsOf, settings: { defaultQueue: 'research' } });
    s.ctx.objects.apply(queueingObjects(flavorYaml('h100'), queueYaml('research', { gpus: 8, spec: ['users: [alice]'] })), s.clock.now());
    submitTestJobSet(s, 'mine', { w: { gpus: 1 } }, { user: 'alice' });
    expect(jobsetOf(s, 'mine').spec!.queue).toBe('research');
    expect(() => submitTestJobSet(s, 'theirs', { w: { gpus: 1 } }, { user: 'dave' })).toThrow(/may not submit to queue research/);
  });
});
