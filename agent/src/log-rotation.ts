/**
 * Keeping pods' output files bounded. A pod writes straight into its
 * stdout.log / stderr.log (the agent holds no pipe, so a pod's output
 * survives an agent restart); when a running pod's file passes the cap, it
 * is copied to `<file>.1` (replacing the previous copy) and truncated in
 * place — logrotate's copytruncate: the pod's descriptor is opened for
 * append, so it goes on writing at the new end. Bytes written between the
 * copy and the truncation can be lost; that is the price of not owning the
 * pod's descriptors. Each rotation counts in `<file>.rotations`: a
 * `muster logs -f` follower that sees the count grow reads the rest of
 * `.1` before going on with the truncated file.
 */
import { constants } from 'node:fs';
import { open, readFile, rm, writeFile } from 'node:fs/promises';
import { errorFields, type Logger } from '../../shared/src/logger.js';
import type { PodStatus } from '../../shared/src/proto/types.js';
import { parsePodId } from '../../shared/src/ids.js';
import { podPaths } from './pod-paths.js';

/**
 * rotateIfLarge rotates `file` when it is larger than `maxBytes`; says whether
 * it did. Never throws. It never follows a link (the source is opened
 * O_NOFOLLOW and must be a regular file; `.1` is removed and created
 * O_EXCL), so a link planted in a pod's directory cannot make the agent
 * (root) read, overwrite or truncate anything else.
 */
export async function rotateIfLarge(file: string, maxBytes: number, log: Logger): Promise<boolean> {
  let src;
  try {
    src = await open(file, constants.O_RDWR | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') log.warn('cannot rotate a pod log', { file, ...errorFields(e) });
    return false;
  }
  try {
    const st = await src.stat();
    if (!st.isFile() || st.size <= maxBytes) return false;
    await rm(`${file}.1`, { force: true });
    const dst = await open(`${file}.1`, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    try {
      const buf = Buffer.alloc(1 << 20);
      for (let pos = 0; pos < st.size; ) {
        const { bytesRead } = await src.read(buf, 0, Math.min(buf.length, st.size - pos), pos);
        if (bytesRead === 0) break;
        await dst.write(buf, 0, bytesRead);
        pos += bytesRead;
      }
    } finally {
      await dst.close();
    }
    await src.truncate(0);
    await writeFile(`${file}.rotations`, String((await rotationsOf(file)) + 1), { flag: constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, mode: 0o640 });
    log.info('pod log rotated', { file, maxBytes });
    return true;
  } catch (e) {
    log.warn('cannot rotate a pod log', { file, ...errorFields(e) });
    return false;
  } finally {
    await src.close();
  }
}

/** rotationsOf is how often `file` was rotated (its `<file>.rotations` counter; 0 when none). */
export async function rotationsOf(file: string): Promise<number> {
  try {
    const n = Number((await readFile(`${file}.rotations`, { encoding: 'utf8', flag: constants.O_RDONLY | constants.O_NOFOLLOW })).trim());
    return Number.isInteger(n) && n >= 0 ? n : 0;
  } catch {
    return 0;
  }
}

/** rotatePodLogs checks the output files of the pods that still run and rotates those past `maxBytes`. */
export async function rotatePodLogs(stateDir: string, pods: readonly PodStatus[], maxBytes: number, log: Logger): Promise<number> {
  let rotated = 0;
  for (const p of pods) {
    if (p.phase !== 'POD_PHASE_RUNNING') continue;
    const ref = parsePodId(p.podId);
    if (!ref) continue;
    let paths;
    try {
      paths = podPaths(stateDir, { ...ref, jobsetUid: p.jobsetUid, generation: Number(p.generation) });
    } catch {
      continue; // not a pod this agent could have written files for
    }
    for (const f of [paths.stdout, paths.stderr]) if (await rotateIfLarge(f, maxBytes, log)) rotated++;
  }
  return rotated;
}
