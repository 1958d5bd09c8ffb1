/**
 * Where a pod's files live on the agent's host:
 * `<stateDir>/pods/<jobset>/<uid8>/<replicatedJob>-<jobIndex>-<podIndex>/g<generation>/`
 * holds stdout.log, stderr.log and the hostfile. `uid8` is the first 8
 * characters of the JobSet's uid, so a JobSet cancelled and submitted again
 * under the same name (a new uid) never writes into the old one's files.
 */
import path from 'node:path';
import { InvalidArgumentError, type FieldIssue } from '../../shared/src/errors.js';
import { nameProblem } from '../../shared/src/ids.js';
import type { PodAssignment } from '../../shared/src/proto/types.js';

/** JOBSET_UID_PATTERN is what a JobSet uid must look like before it becomes part of a path: hex and "-", starting with 8 hex digits (a UUID does). */
export const JOBSET_UID_PATTERN = /^[0-9a-fA-F]{8}[0-9a-fA-F-]{0,56}$/;

/** jobsetUidProblem says what is wrong with a JobSet uid, or undefined when it is fine. */
export function jobsetUidProblem(uid: string): string | undefined {
  if (uid.length === 0) return 'is required';
  if (!JOBSET_UID_PATTERN.test(uid)) return 'must be hex digits and "-" (at most 64), starting with 8 hex digits';
  return undefined;
}

/** PodPaths are the files of one pod incarnation. */
export interface PodPaths {
  /** The pod's own directory (one per JobSet incarnation and generation). */
  dir: string;
  stdout: string;
  stderr: string;
  /** MPI-style hostfile: the JobSet's hosts (NodeDesired.hostfiles), one per line. */
  hostfile: string;
}

/**
 * podPaths computes the files of a pod. The names and the uid come from the
 * network, so they are checked (DNS labels, hex uid: no "/" or "..") before
 * they become path components; throws InvalidArgumentError otherwise.
 */
export function podPaths(
  stateDir: string,
  a: Pick<PodAssignment, 'jobset' | 'jobsetUid' | 'replicatedJob' | 'jobIndex' | 'podIndex' | 'generation'>,
): PodPaths {
  const issues: FieldIssue[] = [];
  const js = nameProblem(a.jobset);
  if (js) issues.push({ path: 'jobset', message: js });
  const uid = jobsetUidProblem(a.jobsetUid);
  if (uid) issues.push({ path: 'jobsetUid', message: uid });
  const rj = nameProblem(a.replicatedJob);
  if (rj) issues.push({ path: 'replicatedJob', message: rj });
  for (const k of ['jobIndex', 'podIndex', 'generation'] as const)
    if (!Number.isInteger(a[k]) || a[k] < 0) issues.push({ path: k, message: 'must be a non-negative integer' });
  if (issues.length > 0) throw new InvalidArgumentError(issues, 'pod assignment');
  const dir = path.join(path.resolve(stateDir), 'pods', a.jobset, a.jobsetUid.slice(0, 8), `${a.replicatedJob}-${a.jobIndex}-${a.podIndex}`, `g${a.generation}`);
  return { dir, stdout: path.join(dir, 'stdout.log'), stderr: path.join(dir, 'stderr.log'), hostfile: path.join(dir, 'hostfile') };
}
