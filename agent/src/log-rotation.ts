/**
 * Keeping pods' output files bounded. A pod writes straight into its
 * stdout.log / stderr.log (the agent holds no pipe, so a pod's output
 * survives an agent restart); when a running pod's file passes the cap, it
 * is copied to `<file>.1` (replacing the previous copy) and truncated in
 * place — logrotate's copytruncate: the pod's descriptor is opened for
 * append, so it goes on writing at the new end. Bytes written between the
 * copy and the truncation can be lost; that is the price of not owning the
 * pod's descriptors. `muster logs` reads the current file (a follower
 * notices the truncation and starts over).
 */
import { copyFile, stat, truncate } from 'node:fs/promises';
import { errorFields, type Logger } from '../../shared/src/logger.js';
import type { PodStatus } from '../../shared/src/proto/types.js';
import { podPaths } from './pod-paths.js';

/** rotateIfLarge rotates `file` when it is larger than `maxBytes`; says whether it did. Never throws. */
export async function rotateIfLarge(file: string, maxBytes: number, log: Logger): Promise<boolean> {
  try {
    if ((await stat(file)).size <= maxBytes) return false;
    await copyFile(file, `${file}.1`);
    await truncate(file, 0);
    log.info('pod log rotated', { file, maxBytes });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') log.warn('cannot rotate a pod log', { file, ...errorFields(e) });
    return false;
  }
}

/** rotatePodLogs checks the output files of the pods that still run and rotates those past `maxBytes`. */
export async function rotatePodLogs(stateDir: string, pods: readonly PodStatus[], maxBytes: number, log: Logger): Promise<number> {
  let rotated = 0;
  for (const p of pods) {
    if (p.phase !== 'POD_PHASE_RUNNING') continue;
    const [jobset = '', replicatedJob = '', jobIndex = '', podIndex = ''] = p.podId.split('/');
    let paths;
    try {
      paths = podPaths(stateDir, { jobset, jobsetUid: p.jobsetUid, replicatedJob, jobIndex: Number(jobIndex), podIndex: Number(podIndex), generation: Number(p.generation) });
    } catch {
      continue; // not a pod this agent could have written files for
    }
    for (const f of [paths.stdout, paths.stderr]) if (await rotateIfLarge(f, maxBytes, log)) rotated++;
  }
  return rotated;
}
