/**
 * Which GPUs of a host a pod gets, pure: the set with the best interconnect
 * among the free ones, from the discovered `nvidia-smi topo -m` link scores
 * (NV# 100 per NVLink > PIX 50 > PXB 40 > PHB 30 > NODE 20 > SYS 10; see
 * agent/src/discovery/topo-matrix.ts). Compared in this order:
 *
 *   1. the weakest link inside the set, highest (a collective runs at the
 *      speed of its slowest hop);
 *   2. fewest NUMA nodes spanned (CPUs and memory close to every GPU);
 *   3. the sum of link scores inside the set, highest;
 *   4. what is left free: the best weakest link a set of the same size (at
 *      least a pair) can still have among the remaining free GPUs, highest,
 *      so the next pod finds a good set (a 1-GPU pod does not break up a
 *      PIX pair when a lone GPU is free);
 *   5. lowest indices (deterministic).
 *
 * Sets are enumerated exhaustively while that is cheap (C(free, count) ≤
 * MAX_EXACT); beyond, a greedy build from each seed GPU. Without topology the
 * lowest free indices are taken, as before.
 */

/** GpuTopology is what a host's discovery says about its GPUs (healthy or not). */
export interface GpuTopology {
  /** GPU index → NUMA node (-1 unknown). */
  numa: Readonly<Record<number, number>>;
  /** GPU index → peer index → link score (symmetric). */
  links: Readonly<Record<number, Readonly<Record<number, number>>>>;
}

/** MAX_EXACT bounds the sets compared exhaustively. */
export const MAX_EXACT = 5000;

function combinations(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return Math.round(c);
}

interface SetScore {
  weakest: number;
  numaNodes: number;
  sum: number;
  /** Computed only when the first three criteria tie (it is the costly one). */
  leftWeakest: () => number;
  set: number[];
}

/** better says whether a beats b in the order of the module comment. */
function better(a: SetScore, b: SetScore): boolean {
  if (a.weakest !== b.weakest) return a.weakest > b.weakest;
  if (a.numaNodes !== b.numaNodes) return a.numaNodes < b.numaNodes;
  if (a.sum !== b.sum) return a.sum > b.sum;
  const [la, lb] = [a.leftWeakest(), b.leftWeakest()];
  if (la !== lb) return la > lb;
  for (let i = 0; i < a.set.length; i++) if (a.set[i] !== b.set[i]) return a.set[i]! < b.set[i]!;
  return false;
}

/** chooseGpus picks `count` of the `free` GPU indices (ascending) for one pod. */
export function chooseGpus(free: readonly number[], count: number, topo?: GpuTopology): number[] {
  const sorted = [...free].sort((a, b) => a - b);
  if (count <= 0) return [];
  if (!topo || count >= sorted.length) return sorted.slice(0, count);
  const score = (a: number, b: number): number => topo.links[a]?.[b] ?? topo.links[b]?.[a] ?? 0;
  const weakestOf = (set: readonly number[]): number => {
    let w = Number.POSITIVE_INFINITY;
    for (let i = 0; i < set.length; i++) for (let j = i + 1; j < set.length; j++) w = Math.min(w, score(set[i]!, set[j]!));
    return w === Number.POSITIVE_INFINITY ? 0 : w;
  };
  // When every free pair is linked alike, what a choice leaves behind is alike too: that criterion is skipped.
  const uniform = weakestOf(sorted) === strongestOf(sorted, score);
  const evaluate = (set: number[]): SetScore => {
    let sum = 0;
    for (let i = 0; i < set.length; i++) for (let j = i + 1; j < set.length; j++) sum += score(set[i]!, set[j]!);
    const numaNodes = new Set(set.map((g) => topo.numa[g] ?? -1)).size;
    let left: number | undefined;
    // How good a set of the same size is still possible among what is left (its best weakest link, greedily).
    const leftWeakest = (): number => {
      if (uniform) return 0;
      if (left === undefined) {
        const chosen = new Set(set);
        const rest = sorted.filter((g) => !chosen.has(g));
        const keep = Math.max(count, 2); // a 1-GPU pod should not break up a close pair
        left = rest.length >= keep ? greedySet(rest, keep, score, topo).weakest : 0;
      }
      return left;
    };
    return { weakest: weakestOf(set), numaNodes, sum, leftWeakest, set };
  };
  let best: SetScore | undefined;
  if (combinations(sorted.length, count) <= MAX_EXACT) {
    const pick: number[] = [];
    const walk = (from: number): void => {
      if (pick.length === count) {
        const s = evaluate([...pick]);
        if (!best || better(s, best)) best = s;
        return;
      }
      for (let i = from; i <= sorted.length - (count - pick.length); i++) {
        pick.push(sorted[i]!);
        walk(i + 1);
        pick.pop();
      }
    };
    walk(0);
  } else {
    for (const seed of sorted) {
      const s = evaluate(greedyFrom(seed, sorted, count, score, topo));
      if (!best || better(s, best)) best = s;
    }
  }
  return best!.set;
}

function strongestOf(set: readonly number[], score: (a: number, b: number) => number): number {
  let s = 0;
  for (let i = 0; i < set.length; i++) for (let j = i + 1; j < set.length; j++) s = Math.max(s, score(set[i]!, set[j]!));
  return s;
}

/** greedyFrom grows a set from `seed`, adding the GPU whose weakest link to the set is strongest (same NUMA, then sum, then index on ties). */
function greedyFrom(seed: number, pool: readonly number[], count: number, score: (a: number, b: number) => number, topo: GpuTopology): number[] {
  const set = [seed];
  while (set.length < count) {
    let pick: { g: number; weakest: number; sameNuma: boolean; sum: number } | undefined;
    for (const g of pool) {
      if (set.includes(g)) continue;
      let weakest = Number.POSITIVE_INFINITY;
      let sum = 0;
      for (const s of set) {
        const v = score(g, s);
        weakest = Math.min(weakest, v);
        sum += v;
      }
      const sameNuma = (topo.numa[g] ?? -1) === (topo.numa[seed] ?? -1);
      const cand = { g, weakest, sameNuma, sum };
      if (!pick || cand.weakest > pick.weakest || (cand.weakest === pick.weakest && (cand.sameNuma > pick.sameNuma || (cand.sameNuma === pick.sameNuma && cand.sum > pick.sum)))) pick = cand;
    }
    set.push(pick!.g);
  }
  return set.sort((a, b) => a - b);
}

/** greedySet is the best greedy set of `count` from `pool` by weakest link (used to judge what a choice leaves behind). */
function greedySet(pool: readonly number[], count: number, score: (a: number, b: number) => number, topo: GpuTopology): { weakest: number } {
  let best = -1;
  for (const seed of pool) {
    const set = greedyFrom(seed, pool, count, score, topo);
    let w = Number.POSITIVE_INFINITY;
    for (let i = 0; i < set.length; i++) for (let j = i + 1; j < set.length; j++) w = Math.min(w, score(set[i]!, set[j]!));
    best = Math.max(best, w === Number.POSITIVE_INFINITY ? 0 : w);
  }
  return { weakest: best };
}

/** GpuTopologySource is the part of a node's inventory GPU topology comes from. */
export interface GpuTopologySource {
  gpus: readonly { index: number; numaNode: number; links: readonly { peerIndex: number; score: number }[] }[];
}

/** gpuTopologyOf reads a host's GPU topology from its inventory; undefined when discovery recorded no links. */
export function gpuTopologyOf(inv: GpuTopologySource | null | undefined): GpuTopology | undefined {
  if (!inv || !inv.gpus.some((g) => g.links.length > 0)) return undefined;
  const numa: Record<number, number> = {};
  const links: Record<number, Record<number, number>> = {};
  for (const g of inv.gpus) {
    numa[g.index] = g.numaNode;
    links[g.index] = Object.fromEntries(g.links.map((l) => [l.peerIndex, l.score]));
  }
  return { numa, links };
}
