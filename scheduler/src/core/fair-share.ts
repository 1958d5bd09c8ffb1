/**
 * Fair sharing across a cohort by dominant resource share (kueue-jobset.md
 * §3.10, Kueue's `dominantResourceShare`), pure. For a queue in a cohort:
 *
 *   borrowed_r = Σ_flavors max(0, usage(f, r) + request(f, r) − nominal(f, r))
 *   lendable_r = Σ_flavors potentialAvailable(cohort, f, r)
 *   ratio_r    = borrowed_r · 1000 / lendable_r              (lendable_r > 0)
 *   share      = max_r ratio_r / weight                      (0 when borrowing nothing;
 *                                                             +∞ when borrowing with weight 0)
 *
 * So a queue within its nominal quota has share 0, and among borrowers the
 * one using the larger part of what the cohort can lend (of its dominant
 * resource), relative to its weight, has the larger share. Admission prefers
 * the lowest share; fair-sharing preemption takes from the highest.
 * Only queues' shares are computed (cohort-level weights are not used).
 */
import { formatAmount, potentialAvailable, usageAt, type QuotaTree, type Usage } from './quota.js';

/** ShareOf is a queue's weighted dominant resource share and what it comes from. */
export interface ShareOf {
  /** Weighted share, 0..1000·(1/weight); +∞ when borrowing with weight 0. */
  share: number;
  /** The dominant resource (largest ratio), when borrowing. */
  resource?: string;
  borrowed: number;
  lendable: number;
  weight: number;
}

/** ExtraCharge is a JobSet's request as it would be charged (its flavors), to compute a share "with" it. */
export interface ExtraCharge {
  flavors: Readonly<Record<string, string>>;
  request: Readonly<Record<string, number>>;
}

/** FairShares computes queues' shares in one tree, caching each cohort's lendable amounts (they depend on quotas only). */
export class FairShares {
  private readonly lendableCache = new Map<string, number>();
  /** Resource → every flavor any queue or cohort of the tree has quota of it in. */
  private readonly flavorsOf = new Map<string, Set<string>>();

  constructor(private readonly tree: QuotaTree) {
    for (const n of [...tree.queues.values(), ...tree.cohorts.values()])
      for (const [f, byR] of n.quotas) for (const r of byR.keys()) (this.flavorsOf.get(r) ?? this.flavorsOf.set(r, new Set()).get(r)!).add(f);
  }

  /** lendable is Σ over every flavor of the tree of what the cohort could give of `resource` (the same for every member). */
  lendable(cohort: string, resource: string): number {
    const key = `${cohort}\u0000${resource}`;
    let v = this.lendableCache.get(key);
    if (v === undefined) {
      v = 0;
      for (const f of this.flavorsOf.get(resource) ?? []) v += potentialAvailable(this.tree, cohort, f, resource);
      this.lendableCache.set(key, v);
    }
    return v;
  }

  /** shareOf is the queue's share under `usage`, with `extra` charged on top when given. */
  shareOf(usage: Usage, queue: string, extra?: ExtraCharge): ShareOf {
    const q = this.tree.queues.get(queue);
    const weight = q?.weight ?? 1;
    if (!q || q.cohort === undefined) return { share: 0, borrowed: 0, lendable: 0, weight };
    const borrowed = new Map<string, number>();
    for (const [f, byR] of q.quotas) {
      for (const [r, lim] of byR) {
        const add = extra && extra.flavors[r] === f ? (extra.request[r] ?? 0) : 0;
        const b = Math.max(0, usageAt(usage, queue, f, r) + add - lim.nominal);
        borrowed.set(r, (borrowed.get(r) ?? 0) + b);
      }
    }
    let best: ShareOf = { share: 0, borrowed: 0, lendable: 0, weight };
    for (const r of [...borrowed.keys()].sort()) {
      const b = borrowed.get(r)!;
      if (b <= 0) continue;
      const lendable = this.lendable(q.cohort, r);
      if (lendable <= 0) continue;
      const ratio = (b * 1000) / lendable;
      const share = weight > 0 ? ratio / weight : Number.POSITIVE_INFINITY;
      if (best.resource === undefined || share > best.share) best = { share, resource: r, borrowed: b, lendable, weight };
    }
    return best;
  }
}

/** describeShare explains a share in words: `share 500: borrows 8 of 16 gpus the cohort can lend (weight 1)`. */
export function describeShare(s: ShareOf): string {
  const shown = Number.isFinite(s.share) ? String(Math.ceil(s.share)) : '∞';
  if (s.resource === undefined) return `share 0: within its nominal quota (weight ${s.weight})`;
  return `share ${shown}: borrows ${formatAmount(s.resource, s.borrowed)} of ${formatAmount(s.resource, s.lendable)} ${s.resource} the cohort can lend (weight ${s.weight})`;
}
