/**
 * Choosing preemption victims, Kueue's classic algorithm (kueue-jobset.md
 * §3.3) extended to real placement: a pending JobSet that does not fit —
 * in quota, or on the nodes of its flavors — may evict running JobSets its
 * queue's `spec.preemption` allows, and only as many as it needs. Pure.
 *
 * Candidates:
 * - in the preemptor's own queue, by `withinQueue` (LowerPriority: lower
 *   priority; LowerOrNewerEqualPriority: lower, or equal and created later);
 * - in other queues of the same cohort tree that are borrowing (using more
 *   than their nominal quota somewhere), by `reclaimWithinCohort` (Any, or
 *   LowerPriority) — and, when `borrowWithinCohort` is LowerPriority, those
 *   of lower priority (at most maxPriorityThreshold) even if the preemptor
 *   must borrow itself;
 * - never a JobSet that has run less than its own queue's minRuntimeSeconds
 *   (Kueue #9876), nor one that holds nothing the preemptor asks for.
 *
 * Order: candidates in other (borrowing) queues first, then lowest priority,
 * then most recently admitted, then name. Attempts, in Kueue's order of
 * heuristics: when every candidate is in the preemptor's own queue, those,
 * the preemptor allowed to borrow; else with borrowWithinCohort, own-queue candidates and lower-priority
 * borrowers (within the threshold), the preemptor allowed to borrow; then
 * own-queue and reclaimable candidates, the preemptor within its nominal
 * (reclaiming); then own-queue candidates only, borrowing allowed. Each attempt takes candidates
 * greedily until the preemptor fits, then drops, walking back, every victim
 * whose release turns out not to be needed (the final minimisation), so no
 * victim can be spared.
 *
 * "Borrowing" is judged on the cycle's usage at the time of the search (what
 * the cycle admitted before counts), where Kueue uses the usage at the start
 * of its cycle: the same victims, one cycle sooner.
 *
 * With fair sharing on, queues of the cohort are chosen by share instead
 * (fairSharingVictims below); reclaimWithinCohort still says whose JobSets
 * may be taken.
 */
import { cohortRoot, isBorrowing, queueFlavors, type QuotaTree, type Usage } from './quota.js';
import type { AdmittedJobSet, FairSharingStrategy, PendingJobSet, PreemptionPolicy, PreemptionReason } from './types.js';

/** PreemptionSim is the cycle's state a search changes: releasing a victim and taking it back, and whether the preemptor fits. */
export interface PreemptionSim {
  /** release gives a victim's quota and node capacity back (its pods become stopping). */
  release(v: AdmittedJobSet): void;
  /** restore undoes release. */
  restore(v: AdmittedJobSet): void;
  /** fits says whether the preemptor fits now, in quota and on nodes; `borrows` when its quota goes above nominal. */
  fits(allowBorrow: boolean): { borrows: boolean } | undefined;
  /** shareOf is a queue's weighted share now (fair sharing), with the preemptor charged on top when `withPreemptor`. */
  shareOf?(queue: string, withPreemptor: boolean): number;
}

/** VictimSearch is what findVictims decides on. */
export interface VictimSearch {
  preemptor: PendingJobSet;
  queue: string;
  /** The preemptor's gang request in quota names (only resources > 0 count). */
  request: Readonly<Record<string, number>>;
  tree: QuotaTree;
  /** Usage before the search (which queues are borrowing). */
  usage: Usage;
  /** Every queue's policy (the preemptor's, and victims' minimum runtimes). */
  policies: Readonly<Record<string, PreemptionPolicy>>;
  /** Running JobSets not already chosen as victims in this cycle. */
  candidates: readonly AdmittedJobSet[];
  nowMs: number;
  /** Fair sharing's preemption strategies, when fair sharing is on (other queues are then chosen by share, §3.10). */
  fairSharing?: readonly FairSharingStrategy[];
}

/** Victim is one JobSet to preempt and why. */
export interface Victim {
  jobset: AdmittedJobSet;
  reason: PreemptionReason;
  /** Fair sharing: the shares that allowed it, in words. */
  detail?: string;
}

/** mayPreempt says whether a queue's policy lets its JobSets preempt at all. */
export function mayPreempt(p: PreemptionPolicy | undefined): p is PreemptionPolicy {
  return p !== undefined && (p.withinQueue !== 'Never' || p.reclaimWithinCohort !== 'Never' || p.borrowWithinCohort.policy !== 'Never');
}

interface Candidate {
  c: AdmittedJobSet;
  own: boolean;
  /** Allowed by reclaimWithinCohort (other queues). */
  reclaim: boolean;
  /** Allowed by borrowWithinCohort (other queues). */
  whileBorrowing: boolean;
}

/**
 * findVictims returns the smallest set (after minimisation) of candidates
 * whose release lets the preemptor fit, leaving the simulation with them
 * released; undefined (and the simulation unchanged) when no allowed set does.
 */
export function findVictims(s: VictimSearch, sim: PreemptionSim): Victim[] | undefined {
  const policy = s.policies[s.queue];
  if (!mayPreempt(policy)) return undefined;
  const p = s.preemptor.priority ?? 0;
  const root = cohortRoot(s.tree, s.queue);
  const wanted = Object.entries(s.request).filter(([, n]) => n > 0);
  const covered = queueFlavors(s.tree, s.queue);
  const neededResources = wanted.map(([r]) => r);
  // Whether another queue borrows what the preemptor asks for, under the search's usage *now* (victims
  // released so far count): a queue back within its nominal gives nothing more (Kueue re-checks per victim).
  const borrowsNeeded = (q: string): boolean => isBorrowing(s.tree, s.usage, q, neededResources);
  // A candidate helps only if it holds some requested resource in a flavor the preemptor's queue could use.
  const helps = (c: AdmittedJobSet): boolean => wanted.some(([r]) => (c.request[r] ?? 0) > 0 && covered.get(r)?.has(c.flavors[r] ?? '') === true);

  const cands: Candidate[] = [];
  for (const c of s.candidates) {
    if (c.name === s.preemptor.name || !helps(c)) continue;
    if (s.nowMs - c.admittedMs < (s.policies[c.queue]?.minRuntimeMs ?? 0)) continue;
    if (c.queue === s.queue) {
      const ok =
        (policy.withinQueue === 'LowerPriority' && c.priority < p) ||
        (policy.withinQueue === 'LowerOrNewerEqualPriority' && (c.priority < p || (c.priority === p && c.createdMs > s.preemptor.createdMs)));
      if (ok) cands.push({ c, own: true, reclaim: false, whileBorrowing: false });
      continue;
    }
    if (root === undefined || cohortRoot(s.tree, c.queue) !== root) continue;
    if (s.fairSharing) {
      // Fair sharing: reclaimWithinCohort still says whom; the strategies below say whether (by share, not by borrowing).
      const allowed = policy.reclaimWithinCohort === 'Any' || (policy.reclaimWithinCohort === 'LowerPriority' && c.priority < p);
      if (allowed) cands.push({ c, own: false, reclaim: true, whileBorrowing: false });
      continue;
    }
    if (!borrowsNeeded(c.queue)) continue;
    const reclaim = policy.reclaimWithinCohort === 'Any' || (policy.reclaimWithinCohort === 'LowerPriority' && c.priority < p);
    const thr = policy.borrowWithinCohort.maxPriorityThreshold;
    const whileBorrowing = policy.borrowWithinCohort.policy === 'LowerPriority' && c.priority < p && (thr === undefined || c.priority <= thr);
    if (reclaim || whileBorrowing) cands.push({ c, own: false, reclaim, whileBorrowing });
  }
  if (cands.length === 0) return undefined;
  cands.sort(
    (a, b) =>
      Number(a.own) - Number(b.own) ||
      a.c.priority - b.c.priority ||
      b.c.admittedMs - a.c.admittedMs ||
      (a.c.name < b.c.name ? -1 : a.c.name > b.c.name ? 1 : 0),
  );

  if (s.fairSharing && sim.shareOf) return fairSharingVictims(s, cands, s.fairSharing, sim as Required<PreemptionSim>, borrowsNeeded);

  const attempts: { list: Candidate[]; allowBorrow: boolean }[] = [];
  // Heuristic 1: when every candidate is in the preemptor's own queue, take them with borrowing allowed
  // (keeping the preemptor within its nominal would only evict more of its own queue).
  if (cands.every((x) => x.own)) attempts.push({ list: cands, allowBorrow: true });
  else if (policy.borrowWithinCohort.policy === 'LowerPriority') attempts.push({ list: cands.filter((x) => x.own || x.whileBorrowing), allowBorrow: true });
  if (!cands.every((x) => x.own)) {
    attempts.push({ list: cands.filter((x) => x.own || x.reclaim), allowBorrow: false });
    attempts.push({ list: cands.filter((x) => x.own), allowBorrow: true });
  }

  for (const { list, allowBorrow } of attempts) {
    if (list.length === 0) continue;
    const found = greedyThenMinimise(list, allowBorrow, sim, borrowsNeeded);
    if (!found) continue;
    return found.victims.map((x) => ({
      jobset: x.c,
      reason: x.own ? 'InQueue' : found.borrows ? 'InCohortReclaimWhileBorrowing' : 'InCohortReclamation',
    }));
  }
  return undefined;
}

/** greedyThenMinimise releases candidates in order until the preemptor fits, then restores each (last first) that is not needed. */
function greedyThenMinimise(list: readonly Candidate[], allowBorrow: boolean, sim: PreemptionSim, borrowsNeeded: (queue: string) => boolean): { victims: Candidate[]; borrows: boolean } | undefined {
  const taken: Candidate[] = [];
  let fit: { borrows: boolean } | undefined;
  for (const x of list) {
    if (!x.own && !borrowsNeeded(x.c.queue)) continue; // its queue is back within its nominal: nothing more to reclaim there
    sim.release(x.c);
    taken.push(x);
    fit = sim.fits(allowBorrow);
    if (fit) break;
  }
  if (!fit) {
    for (const x of taken.reverse()) sim.restore(x.c);
    return undefined;
  }
  const kept: Candidate[] = [];
  for (let i = taken.length - 1; i >= 0; i--) {
    const x = taken[i]!;
    sim.restore(x.c);
    const still = sim.fits(allowBorrow);
    if (still) fit = still;
    else {
      sim.release(x.c);
      kept.push(x);
    }
  }
  // The fit after minimisation (every kept victim released) decides whether the preemptor borrows.
  return { victims: kept.reverse(), borrows: sim.fits(allowBorrow)?.borrows ?? fit.borrows };
}

/**
 * fairSharingVictims is Kueue's fair-sharing preemption (§3.10): for each
 * strategy in turn, while the preemptor does not fit, take the queue with the
 * highest share among those with candidates left — another queue only while
 * it borrows what the preemptor needs (share > 0; a queue within its nominal
 * is never taken from, so two queues cannot take turns preempting each other);
 * an own-queue candidate is taken as withinQueue allows; another queue's only
 * when the strategy holds — LessThanOrEqualToFinalShare: the preemptor's
 * queue's share with it admitted ≤ that queue's share without the candidate;
 * LessThanInitialShare: < that queue's share before. A candidate the first
 * strategy refuses is tried again under the second. Then the final minimisation.
 */
function fairSharingVictims(
  s: VictimSearch,
  cands: readonly Candidate[],
  strategies: readonly FairSharingStrategy[],
  sim: Required<PreemptionSim>,
  borrowsNeeded: (queue: string) => boolean,
): Victim[] | undefined {
  const taken: { x: Candidate; detail?: string }[] = [];
  const fmt = (n: number): string => (Number.isFinite(n) ? String(Math.ceil(n)) : '∞');
  let fit = sim.fits(true);
  let pending: readonly Candidate[] = cands;
  for (const strategy of strategies) {
    if (fit) break;
    const retry: Candidate[] = [];
    const pools = new Map<string, Candidate[]>();
    for (const x of pending) (pools.get(x.c.queue) ?? pools.set(x.c.queue, []).get(x.c.queue)!).push(x);
    while (!fit && pools.size > 0) {
      let top: string | undefined;
      let topShare = Number.NEGATIVE_INFINITY;
      for (const q of [...pools.keys()].sort()) {
        // Another queue that no longer borrows what is needed yields nothing (now or later in this search).
        if (q !== s.queue && !borrowsNeeded(q)) {
          pools.delete(q);
          continue;
        }
        const sh = sim.shareOf(q, false);
        if (sh > topShare) [top, topShare] = [q, sh];
      }
      if (top === undefined) break;
      const pool = pools.get(top)!;
      const x = pool.shift()!;
      if (pool.length === 0) pools.delete(top);
      if (x.own) {
        sim.release(x.c);
        taken.push({ x });
      } else {
        const mine = sim.shareOf(s.queue, true);
        sim.release(x.c);
        const after = sim.shareOf(top, false);
        const ok = strategy === 'LessThanOrEqualToFinalShare' ? mine <= after : mine < topShare;
        if (!ok) {
          sim.restore(x.c);
          retry.push(x);
          continue;
        }
        const rule = strategy === 'LessThanOrEqualToFinalShare' ? `${fmt(mine)} ≤ ${fmt(after)} without this JobSet` : `${fmt(mine)} < ${fmt(topShare)}`;
        taken.push({ x, detail: `queue ${s.queue}'s share with ${s.preemptor.name} admitted vs queue ${top}'s: ${rule} (${strategy})` });
      }
      fit = sim.fits(true);
    }
    pending = retry;
  }
  if (!fit) {
    for (const t of [...taken].reverse()) sim.restore(t.x.c);
    return undefined;
  }
  const kept: typeof taken = [];
  for (let i = taken.length - 1; i >= 0; i--) {
    const t = taken[i]!;
    sim.restore(t.x.c);
    if (!sim.fits(true)) {
      sim.release(t.x.c);
      kept.push(t);
    }
  }
  return kept.reverse().map((t) => ({ jobset: t.x.c, reason: t.x.own ? 'InQueue' : 'InCohortFairSharing', ...(t.detail ? { detail: t.detail } : {}) }));
}
