/**
 * Where a pod's files live on the agent's host:
 * `<stateDir>/pods/<jobset>/<replicatedJob>-<jobIndex>-<podIndex>/g<generation>/`
 * holds stdout.log, stderr.log and the hostfile.
 */
import path from 'node:path';
import { InvalidArgumentError, type FieldIssue } from '../../shared/src/errors.js';
import { nameProblem } from '../../shared/src/ids.js';
import type { PodAssignment } from '../../shared/src/proto/types.js';

/** PodPaths are the files of one pod incarnation. */
export interface PodPaths {
  /** The pod's own directory (one per generation). */
  dir: string;
  stdout: string;
  stderr: string;
  /** MPI-style hostfile: assignment.hosts, one per line. */
  hostfile: string;
}

/**
 * podPaths computes the files of a pod. The names come from the network, so
 * they are checked to be DNS labels (no "/" or "..") before they become path
 * components; throws InvalidArgumentError otherwise.
 */
export function podPaths(stateDir: string, a: Pick<PodAssignment, 'jobset' | 'replicatedJob' | 'jobIndex' | 'podIndex' | 'generation'>): PodPaths {
  const issues: FieldIssue[] = [];
  const js = nameProblem(a.jobset);
  if (js) issues.push({ path: 'jobset', message: js });
  const rj = nameProblem(a.replicatedJob);
  if (rj) issues.push({ path: 'replicatedJob', message: rj });
  for (const k of ['jobIndex', 'podIndex', 'generation'] as const)
    if (!Number.isInteger(a[k]) || a[k] < 0) issues.push({ path: k, message: 'must be a non-negative integer' });
  if (issues.length > 0) throw new InvalidArgumentError(issues, 'pod assignment');
  const dir = path.join(path.resolve(stateDir), 'pods', a.jobset, `${a.replicatedJob}-${a.jobIndex}-${a.podIndex}`, `g${a.generation}`);
  return { dir, stdout: path.join(dir, 'stdout.log'), stderr: path.join(dir, 'stderr.log'), hostfile: path.join(dir, 'hostfile') };
}
