/**
 * Who a pod runs as. By default (`runPodsAs: submitter`) a pod runs as the
 * person who submitted its JobSet: that user's uid, primary gid and
 * supplementary groups as this host resolves them (NSS: `getent passwd`,
 * `id -G`, so LDAP/SSSD users work as on a Slurm node), with the user's home
 * as HOME. The agent (root) switches with util-linux `setpriv` right before
 * the command runs (same pid, after the cpuset is applied). `runPodsAs:
 * agent` runs every pod as the agent's own user.
 *
 * Refused, with a reason the pod's status carries: a user this host does not
 * know (UnknownUser); uid 0 unless the admin set `allowRootPods`, and system
 * accounts below `minPodUid` (daemon, postgres…; UserNotAllowed); a user
 * other than the agent's own when the agent is not root and cannot switch
 * (UserNotAllowed).
 *
 * The submitting user is not yet authenticated (the CLI sends its OS user,
 * marked unverified): sites that cannot trust that run with `runPodsAs: agent`
 * until authentication exists.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { execFileRunner } from '../discovery/command-runner.js';

/** RUN_PODS_AS are the accepted values of the agent's runPodsAs setting. */
export const RUN_PODS_AS = ['submitter', 'agent'] as const;

/** RunPodsAs says whose identity pods take. */
export type RunPodsAs = (typeof RUN_PODS_AS)[number];

/** PodIdentity is a user as this host resolves it. */
export interface PodIdentity {
  user: string;
  uid: number;
  gid: number;
  /** Supplementary group ids (the primary gid included, as `id -G` lists it). */
  groups: number[];
  home: string;
  /** Login shell (passwd), for SHELL; '' when none. */
  shell?: string;
}

/** IdentityRefusal is why a pod may not run as the user it names (PodStatus.reason). */
export interface IdentityRefusal {
  reason: 'UnknownUser' | 'UserNotAllowed';
  message: string;
}

/** UserLookup resolves a user name on this host (undefined: unknown). */
export type UserLookup = (user: string) => Promise<PodIdentity | undefined>;

/** USER_NAME bounds what may be looked up (POSIX portable names, and the usual extensions: "." "@" for realms); never all digits (getent would read a uid). */
const USER_NAME = /^(?!\d+$)[A-Za-z0-9_][A-Za-z0-9_.@-]{0,63}\$?$/;

/** LOOKUP_TIMEOUT_MS bounds one getent or id call (NSS may be remote). */
const LOOKUP_TIMEOUT_MS = 5000;

const run = (cmd: string, args: string[]) => execFileRunner(cmd, args, { timeoutMs: LOOKUP_TIMEOUT_MS });

/**
 * lookupSystemUser resolves a user with `getent passwd` and `id -G`; undefined
 * when the host does not know it (getent's exit code 2). Any other failure (a
 * timeout, an NSS outage) throws: the pod fails to start and is retried, and
 * nothing is cached.
 */
export const lookupSystemUser: UserLookup = async (user) => {
  if (!USER_NAME.test(user)) return undefined;
  const pw = await run('getent', ['passwd', user]);
  if (pw.code === 2) return undefined;
  if (pw.code !== 0) throw new Error(`cannot resolve user "${user}": getent passwd failed (${pw.timedOut ? 'timed out' : pw.error?.message ?? `exit ${pw.code}`})`);
  const [name, , uid, gid, , home, shell] = pw.stdout.trim().split('\n')[0]!.split(':');
  if (name === undefined || !/^\d+$/.test(uid ?? '') || !/^\d+$/.test(gid ?? '')) return undefined;
  const ids = await run('id', ['-G', user]);
  const groups = ids.code === 0 ? ids.stdout.trim().split(/\s+/).filter((g) => /^\d+$/.test(g)).map(Number) : [Number(gid)];
  return { user: name, uid: Number(uid), gid: Number(gid), groups, home: home ?? '/', shell: shell ?? '' };
};

/** IdentityResolverOptions configure an IdentityResolver. */
export interface IdentityResolverOptions {
  runPodsAs: RunPodsAs;
  allowRootPods: boolean;
  /** The lowest uid a pod may run as besides root (system accounts below it are refused); default 1000. */
  minUid?: number;
  /** The agent's own uid (process.getuid()). */
  agentUid: number;
  lookup?: UserLookup;
  /** How long a lookup is reused (default 60 s). */
  cacheMs?: number;
  now?: () => number;
}

/** IdentityResolver decides who each pod runs as. */
export class IdentityResolver {
  private readonly cache = new Map<string, { at: number; identity: PodIdentity | undefined }>();
  private readonly lookup: UserLookup;

  constructor(private readonly opts: IdentityResolverOptions) {
    this.lookup = opts.lookup ?? lookupSystemUser;
  }

  /**
   * resolve says who a pod of `user` runs as: an identity to switch to, the
   * agent itself (`undefined`), or a refusal.
   */
  async resolve(user: string): Promise<{ identity: PodIdentity | undefined } | { refused: IdentityRefusal }> {
    const { runPodsAs, allowRootPods, agentUid } = this.opts;
    if (runPodsAs === 'agent') {
      if (agentUid === 0 && !allowRootPods) return { refused: { reason: 'UserNotAllowed', message: 'pods would run as root (runPodsAs: agent, and the agent is root); the agent needs allowRootPods for that' } };
      return { identity: undefined };
    }
    const who = await this.cached(user);
    if (!who) return { refused: { reason: 'UnknownUser', message: `user "${user}" (the JobSet's submitter) is not known on this host` } };
    if (who.uid === 0 && !allowRootPods) return { refused: { reason: 'UserNotAllowed', message: `user "${who.user}" is root: pods run as root only when the agent's config sets allowRootPods` } };
    const minUid = this.opts.minUid ?? 1000;
    if (who.uid !== 0 && who.uid < minUid) return { refused: { reason: 'UserNotAllowed', message: `user "${who.user}" (uid ${who.uid}) is a system account: pods run as uids from ${minUid} (the agent's minPodUid)` } };
    if (who.uid === agentUid) return { identity: undefined }; // already that user: nothing to switch
    if (agentUid !== 0) return { refused: { reason: 'UserNotAllowed', message: `the agent runs as uid ${agentUid}, not root: it cannot run pods as "${who.user}" (uid ${who.uid})` } };
    return { identity: who };
  }

  private async cached(user: string): Promise<PodIdentity | undefined> {
    const now = (this.opts.now ?? Date.now)();
    const hit = this.cache.get(user);
    if (hit && now - hit.at < (this.opts.cacheMs ?? 60_000)) return hit.identity;
    const identity = await this.lookup(user);
    if (this.cache.size > 1000) this.cache.clear();
    this.cache.set(user, { at: now, identity });
    return identity;
  }
}

/**
 * canEnter says whether `id` may enter directory `dir`: it and every parent
 * searchable (x) for that uid, its groups or others, by the mode bits (the
 * agent checks as root, which may enter anything). ACLs are not read.
 */
export function canEnter(dir: string, id: PodIdentity, statOf: (p: string) => { uid: number; gid: number; mode: number; isDirectory(): boolean } = statSync): boolean {
  let p = path.resolve(dir);
  for (let first = true; ; first = false) {
    let st;
    try {
      st = statOf(p);
    } catch {
      return false;
    }
    if (first && !st.isDirectory()) return false;
    const bit = st.uid === id.uid ? 0o100 : id.groups.includes(st.gid) || st.gid === id.gid ? 0o010 : 0o001;
    if ((st.mode & bit) === 0) return false;
    const parent = path.dirname(p);
    if (parent === p) return true;
    p = parent;
  }
}

/** setprivArgv is how `argv` starts as `id`: util-linux setpriv sets uid, gid and groups, then execs it (same pid). */
export function setprivArgv(setpriv: string, id: PodIdentity, argv: readonly string[]): string[] {
  const groups = id.groups.length > 0 ? [`--groups=${id.groups.join(',')}`] : ['--clear-groups'];
  return [setpriv, `--reuid=${id.uid}`, `--regid=${id.gid}`, ...groups, '--', ...argv];
}
