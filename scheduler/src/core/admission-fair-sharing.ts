/**
 * Admission fair sharing (kueue-jobset.md §3.11, Kueue's AFS), pure: within a
 * queue whose admissionScope.admissionMode is UsageBasedAdmissionFairSharing,
 * JobSets of the submitter who has used the least lately go first; ties fall
 * through to priority, then creation. Kueue keeps usage per LocalQueue;
 * Muster has no LocalQueues, so it keeps it per (queue, submitting user).
 *
 *   alpha(Δt)    = 1 − 0.5^(Δt / halfLife)                      (1 when halfLife is 0: no memory)
 *   consumed'    = consumed·(1 − alpha(Δt)) + current·alpha(Δt)   (per resource, sampled every interval)
 *   entryPenalty = request · alpha(samplingInterval)            (added at admission, until the next sample)
 *   usage        = Σ_r weight_r · (consumed_r + penalty_r)
 *
 * Resources are counted in GPUs, CPU cores and memory GiB (so weights read
 * naturally); by default only GPUs weigh (weight 1), as GPU-hours are what a
 * GPU cluster shares.
 */
/** AfsResources are amounts per resource: gpus, cpu (cores), memory (GiB), rdma. */
export type AfsResources = Readonly<Record<string, number>>;

/** AfsSettings configure admission fair sharing. */
export interface AfsSettings {
  halfLifeMs: number;
  samplingMs: number;
  /** Resource → weight; absent = 0. */
  weights: AfsResources;
}

/** DEFAULT_AFS_WEIGHTS count GPUs only. */
export const DEFAULT_AFS_WEIGHTS: AfsResources = Object.freeze({ gpus: 1 });

/** AfsEntry is one (queue, user)'s decayed usage and when it was last sampled. */
export interface AfsEntry {
  consumed: AfsResources;
  updatedMs: number;
}

/** afsKey names one (queue, user). */
export function afsKey(queue: string, user: string): string {
  return `${queue}\u0000${user}`;
}

/** alpha is the weight of the latest sample after Δt: 1 − 0.5^(Δt / halfLife); 1 with a zero half-life. */
export function alpha(dtMs: number, halfLifeMs: number): number {
  if (halfLifeMs <= 0) return 1;
  if (dtMs <= 0) return 0;
  return 1 - 0.5 ** (dtMs / halfLifeMs);
}

/** afsAmounts converts a quota request (cpu millicores, memory bytes, gpus, rdma) to AFS units. */
export function afsAmounts(request: Readonly<Record<string, number>>): Record<string, number> {
  return { gpus: request.gpus ?? 0, cpu: (request.cpu ?? 0) / 1000, memory: (request.memory ?? 0) / 2 ** 30, rdma: request.rdma ?? 0 };
}

/**
 * sampleUsage moves every entry to `now`: consumed decays toward what the
 * (queue, user) holds now (`current`, absent = nothing). Entries whose usage
 * has decayed to (almost) nothing and who hold nothing are dropped.
 */
export function sampleUsage(prev: ReadonlyMap<string, AfsEntry>, current: ReadonlyMap<string, AfsResources>, now: number, halfLifeMs: number): Map<string, AfsEntry> {
  const out = new Map<string, AfsEntry>();
  for (const key of new Set([...prev.keys(), ...current.keys()])) {
    const before = prev.get(key);
    const cur = current.get(key) ?? {};
    const a = before ? alpha(now - before.updatedMs, halfLifeMs) : 1;
    const consumed: Record<string, number> = {};
    for (const r of new Set([...Object.keys(before?.consumed ?? {}), ...Object.keys(cur)])) {
      const v = (before?.consumed[r] ?? 0) * (1 - a) + (cur[r] ?? 0) * a;
      if (v > 1e-9) consumed[r] = v;
    }
    if (Object.keys(consumed).length > 0 || Object.keys(cur).length > 0) out.set(key, { consumed, updatedMs: now });
  }
  return out;
}

/** entryPenalty is what admitting `amounts` adds to its submitter's usage until the next sample. */
export function entryPenalty(amounts: AfsResources, s: Pick<AfsSettings, 'halfLifeMs' | 'samplingMs'>): Record<string, number> {
  const a = alpha(s.samplingMs, s.halfLifeMs);
  return Object.fromEntries(Object.entries(amounts).map(([r, n]) => [r, n * a]));
}

/** weightedUsage is Σ_r weight_r · (consumed_r + penalty_r). */
export function weightedUsage(consumed: AfsResources | undefined, penalty: AfsResources | undefined, weights: AfsResources): number {
  let sum = 0;
  for (const [r, w] of Object.entries(weights)) sum += w * ((consumed?.[r] ?? 0) + (penalty?.[r] ?? 0));
  return sum;
}
