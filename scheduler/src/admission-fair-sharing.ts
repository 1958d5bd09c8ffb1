/**
 * Admission fair sharing's state (core/admission-fair-sharing.ts has the
 * formulas): each (queue, user)'s decayed usage, sampled every interval from
 * what the user's admitted JobSets hold in queues that use it, persisted in
 * SQLite (table afs_usage) so a restart keeps the history; and the entry
 * penalties of admissions since the last sample, in memory.
 */
import type { Queue } from '../../shared/src/proto/types.js';
import { afsAmounts, afsKey, alpha, entryPenalty, sampleUsage, weightedUsage, type AfsEntry, type AfsResources, type AfsSettings } from './core/admission-fair-sharing.js';
import { gangRequest } from './core/decide-cycle.js';
import type { AfsSnapshot } from './core/types.js';
import type { SqliteDb } from './store/db.js';
import { isActive, type JobSetRecord } from './store/store.js';

/** AFS_MODE is the admissionMode that turns admission fair sharing on in a queue. */
export const AFS_MODE = 'UsageBasedAdmissionFairSharing';

/** afsQueues names the queues using admission fair sharing. */
export function afsQueues(queues: readonly Queue[]): string[] {
  return queues.filter((q) => q.spec?.admissionScope?.admissionMode === AFS_MODE).map((q) => q.metadata!.name);
}

/** AdmissionFairSharing keeps usage per (queue, user). */
export class AdmissionFairSharing {
  private entries = new Map<string, AfsEntry>();
  private readonly penalties = new Map<string, Record<string, number>>();
  private lastSampleMs = 0;
  private readonly upsert;
  private readonly clear;

  constructor(
    private readonly db: SqliteDb,
    readonly settings: AfsSettings,
  ) {
    this.upsert = db.prepare('INSERT INTO afs_usage (queue, user, consumed, updated_ms) VALUES (?, ?, ?, ?) ON CONFLICT(queue, user) DO UPDATE SET consumed = excluded.consumed, updated_ms = excluded.updated_ms');
    this.clear = db.prepare('DELETE FROM afs_usage');
  }

  /** load reads the persisted usage. */
  load(): number {
    const rows = this.db.prepare('SELECT queue, user, consumed, updated_ms FROM afs_usage').all() as { queue: string; user: string; consumed: string; updated_ms: number }[];
    for (const r of rows) this.entries.set(afsKey(r.queue, r.user), { consumed: JSON.parse(r.consumed) as AfsResources, updatedMs: r.updated_ms });
    return rows.length;
  }

  /** due says whether a sample is due at `now`. */
  due(now: number): boolean {
    return now - this.lastSampleMs >= this.settings.samplingMs;
  }

  /** sample decays every entry toward what admitted JobSets hold now, clears penalties and persists. */
  sample(jobsets: readonly JobSetRecord[], queues: readonly Queue[], now: number): void {
    const using = new Set(afsQueues(queues));
    const current = new Map<string, Record<string, number>>();
    for (const r of jobsets) {
      const queue = r.jobset.status!.admission?.queue;
      if (!queue || !using.has(queue) || !isActive(r.jobset)) continue;
      const key = afsKey(queue, r.jobset.metadata!.user);
      const cur = current.get(key) ?? {};
      for (const [res, n] of Object.entries(afsAmounts(gangRequest({ pods: r.gang })))) cur[res] = (cur[res] ?? 0) + n;
      current.set(key, cur);
    }
    this.entries = sampleUsage(this.entries, current, now, this.settings.halfLifeMs);
    this.penalties.clear();
    this.lastSampleMs = now;
    this.db.transaction(() => {
      this.clear.run();
      for (const [key, e] of this.entries) {
        const [queue = '', user = ''] = key.split('\u0000');
        this.upsert.run(queue, user, JSON.stringify(e.consumed), e.updatedMs);
      }
    })();
  }

  /** admitted charges an admission's entry penalty to its submitter until the next sample. */
  admitted(queue: string, user: string, request: Readonly<Record<string, number>>): void {
    const key = afsKey(queue, user);
    const p = this.penalties.get(key) ?? {};
    for (const [r, n] of Object.entries(entryPenalty(afsAmounts(request), this.settings))) p[r] = (p[r] ?? 0) + n;
    this.penalties.set(key, p);
  }

  /** consumedOf is a (queue, user)'s decayed usage as of the last sample, for display. */
  consumedOf(queue: string, user: string): AfsResources {
    return this.entries.get(afsKey(queue, user))?.consumed ?? {};
  }

  /** snapshot is what the cycle orders by, or undefined when no queue uses admission fair sharing. */
  snapshot(queues: readonly Queue[]): AfsSnapshot | undefined {
    const using = afsQueues(queues);
    if (using.length === 0) return undefined;
    const usage: Record<string, number> = {};
    for (const key of new Set([...this.entries.keys(), ...this.penalties.keys()])) usage[key] = weightedUsage(this.entries.get(key)?.consumed, this.penalties.get(key), this.settings.weights);
    return { queues: using, usage, weights: this.settings.weights, penaltyFactor: alpha(this.settings.samplingMs, this.settings.halfLifeMs) };
  }
}
