/**
 * Who may submit to a queue (spec.users, spec.groups; both empty = everyone),
 * checked at submit. Groups are the submitting user's as this host resolves
 * them (`id -Gn`, so LDAP/SSSD users count as on every node of an HPC
 * cluster), cached for a minute. Until authentication exists the user name is
 * what the CLI reports (metadata.userVerified false): this check keeps honest
 * people in their lanes; it is not a security boundary yet.
 */
import { execFileSync } from 'node:child_process';
import type { Queue } from '../../../shared/src/proto/types.js';

/** GroupResolver returns a user's group names, undefined when the user is unknown here. */
export type GroupResolver = (user: string) => readonly string[] | undefined;

const GROUP_CACHE_MS = 60_000;

/** GROUP_CACHE_MAX bounds the cache (user names come from clients, unverified): past it, the oldest half is dropped. */
const GROUP_CACHE_MAX = 4096;

/** systemGroups resolves groups with `id -Gn -- USER` (cached per user for a minute). */
export function systemGroups(now: () => number = Date.now): GroupResolver {
  const cache = new Map<string, { at: number; groups: readonly string[] | undefined }>();
  return (user) => {
    const hit = cache.get(user);
    if (hit && now() - hit.at < GROUP_CACHE_MS) return hit.groups;
    let groups: readonly string[] | undefined;
    try {
      // Synchronous and on the submit path: bounded to 1 s, and only for queues that list groups.
      groups = execFileSync('id', ['-Gn', '--', user], { encoding: 'utf8', timeout: 1000, stdio: ['ignore', 'pipe', 'ignore'] }).trim().split(/\s+/).filter(Boolean);
    } catch {
      groups = undefined;
    }
    if (cache.size >= GROUP_CACHE_MAX) for (const k of [...cache.keys()].slice(0, GROUP_CACHE_MAX / 2)) cache.delete(k);
    cache.set(user, { at: now(), groups });
    return groups;
  };
}

/** submitRefusal says why `user` may not submit to `queue` (undefined = allowed; an unknown queue is left to the queue's own checks). */
export function submitRefusal(queue: Queue | undefined, user: string, groupsOf: GroupResolver): string | undefined {
  const users = queue?.spec?.users ?? [];
  const groups = queue?.spec?.groups ?? [];
  if (!queue || (users.length === 0 && groups.length === 0)) return undefined;
  if (users.includes(user)) return undefined;
  const mine = groups.length > 0 ? groupsOf(user) : undefined;
  if (mine && groups.some((g) => mine.includes(g))) return undefined;
  const allowed = [users.length > 0 ? `users ${users.join(', ')}` : '', groups.length > 0 ? `members of ${groups.join(', ')}` : ''].filter(Boolean).join(' and ');
  const known = groups.length > 0 && mine === undefined ? ` (user ${user} is unknown on the scheduler's host, so its groups are too)` : '';
  return `user ${user} may not submit to queue ${queue.metadata!.name}: only ${allowed} may${known}`;
}
