/**
 * When finished JobSets go away, pure: JobSet's ttlSecondsAfterFinished when
 * set (0 = at once), else the cluster-wide retention, so the store and every
 * listing stay bounded (Slurm's MinJobAge plays the same role).
 */
import type { JobSet } from '../../../shared/src/proto/types.js';
import { isTerminalJobSet } from '../../../shared/src/phases.js';

/** expiredJobSets names the finished JobSets whose time is up at `now`. */
export function expiredJobSets(jobsets: readonly JobSet[], now: number, defaultRetentionMs: number): string[] {
  const out: string[] = [];
  for (const js of jobsets) {
    const s = js.status!;
    if (!isTerminalJobSet(s.phase) || s.finishedMs <= 0) continue;
    const ttlSeconds = js.spec!.ttlSecondsAfterFinished;
    const ttlMs = ttlSeconds !== undefined ? ttlSeconds * 1000 : defaultRetentionMs;
    if (now >= s.finishedMs + ttlMs) out.push(js.metadata!.name);
  }
  return out;
}
