/**
 * Quota accounting for admission, Kueue's ClusterQueue/Cohort model on
 * Muster's own objects (reference kueue-jobset.md §3.2 ClusterQueue, §3.5
 * hierarchical cohorts). Pure: no I/O, no clocks, no randomness.
 *
 * A queue has quotas per (flavor, resource): `nominalQuota`, an optional
 * `borrowingLimit` (how far above nominal it may go by borrowing) and an
 * optional `lendingLimit` (how much of its nominal others may borrow; it keeps
 * `nominal − lendingLimit` to itself). Queues join a cohort; cohorts form a
 * tree through `parent`, and a cohort's own quota is a shared pool on top of
 * its members', lent to its parent within the cohort's own limits (§3.5).
 *
 * Flavors here are quota only: placing the pods on real nodes of the chosen
 * flavor is the placement module's job; choosing preemption victims is
 * core/preemption.ts's, with the helpers at the end of this file.
 */
import type { Cohort, Queue, ResourceGroup } from '../../../shared/src/proto/types.js';
import { formatCpu, formatMemory } from '../../../shared/src/resources.js';

/** QuotaLimits is one resource's quota in one flavor of a queue or cohort (canonical numbers, §3.2). */
export interface QuotaLimits {
  readonly nominal: number;
  /** Unset = unlimited. Only meaningful with a parent (a queue's cohort, a cohort's parent). */
  readonly borrowingLimit?: number;
  /** Unset = lend all. Only meaningful with a parent. */
  readonly lendingLimit?: number;
}

/** FlavorQuotaMap is flavor → resource → limits. */
export type FlavorQuotaMap = ReadonlyMap<string, ReadonlyMap<string, QuotaLimits>>;

/** WhenCanBorrow is flavorFungibility.whenCanBorrow (§3.2); anything but TryNextFlavor means MayStopSearch. */
export type WhenCanBorrow = 'MayStopSearch' | 'TryNextFlavor';

/** QuotaGroup is a resource group: covered resources and its flavors in order of preference (§3.2). */
export interface QuotaGroup {
  readonly resources: readonly string[];
  readonly flavors: readonly string[];
}

/** QuotaQueue is a queue (Kueue ClusterQueue) as the quota tree sees it. */
export interface QuotaQueue {
  readonly name: string;
  /** The cohort it belongs to; undefined = stands alone (no borrowing, no lending). */
  readonly cohort: string | undefined;
  readonly groups: readonly QuotaGroup[];
  readonly quotas: FlavorQuotaMap;
  readonly whenCanBorrow: WhenCanBorrow;
  /** spec.fairSharingWeight (default 1): a larger weight earns a larger share of what the cohort lends (§3.10). */
  readonly weight: number;
}

/** QuotaCohort is a node of the cohort tree (§3.5). */
export interface QuotaCohort {
  readonly name: string;
  /** Undefined = a root. A named parent without a Cohort object is an implicit root. */
  readonly parent: string | undefined;
  /** False for a cohort only named by queues or as a parent: no quota, no limits. */
  readonly explicit: boolean;
  readonly quotas: FlavorQuotaMap;
  /** Member queues and child cohorts, sorted by name. */
  readonly queues: readonly string[];
  readonly cohorts: readonly string[];
}

/** QuotaTree is the queues and cohorts admission reasons about, built by buildQuotaTree. */
export interface QuotaTree {
  /** Valid queues only. */
  readonly queues: ReadonlyMap<string, QuotaQueue>;
  /** Valid cohorts only (explicit and implicit). */
  readonly cohorts: ReadonlyMap<string, QuotaCohort>;
  /** Queues that cannot admit, with why (a cohort cycle above them, §3.5). */
  readonly invalidQueues: ReadonlyMap<string, string>;
  /** Cohorts in a cycle, or below one, with why. */
  readonly invalidCohorts: ReadonlyMap<string, string>;
}

/** Usage is what admitted JobSets hold: queue → flavor → resource → amount. Never mutated; see addUsage. */
export type Usage = Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, number>>>>>>;

/** QuotaRequest is the whole gang's need: resource → amount (amounts ≤ 0 are ignored). */
export type QuotaRequest = Readonly<Record<string, number>>;

/** FlavorAssignment is assignFlavors' answer. */
export type FlavorAssignment =
  | {
      readonly ok: true;
      /** resource → flavor that quota is charged to. */
      readonly flavors: Readonly<Record<string, string>>;
      /** Whether some resource goes above the queue's nominal (ordering: fits under nominal first, §3.8). */
      readonly borrows: boolean;
    }
  | {
      readonly ok: false;
      /** WaitingForQuota: not enough quota now. QueueInactive: the queue is unknown or disabled (cohort cycle). */
      /** WaitingForQuota: not enough quota now. NoMatchingFlavor: the queue covers no flavor of a requested resource (waiting will not help). QueueInactive: unknown or disabled queue. */
      readonly reason: 'WaitingForQuota' | 'NoMatchingFlavor' | 'QueueInactive';
      readonly message: string;
    };

/** QuotaViolation is a broken invariant found by withinLimits. */
export interface QuotaViolation {
  readonly kind: 'queue' | 'cohort';
  readonly name: string;
  readonly flavor: string;
  readonly resource: string;
  readonly message: string;
}

const EMPTY_QUOTAS: FlavorQuotaMap = new Map();

function quotasOf(groups: readonly ResourceGroup[]): FlavorQuotaMap {
  const out = new Map<string, Map<string, QuotaLimits>>();
  for (const g of groups) {
    for (const f of g.flavors) {
      const byResource = out.get(f.name) ?? new Map<string, QuotaLimits>();
      out.set(f.name, byResource);
      for (const rq of f.resources) {
        const limits: { nominal: number; borrowingLimit?: number; lendingLimit?: number } = { nominal: Number(rq.nominalQuota) };
        if (rq.borrowingLimit !== undefined && rq.borrowingLimit !== null) limits.borrowingLimit = Number(rq.borrowingLimit);
        if (rq.lendingLimit !== undefined && rq.lendingLimit !== null) limits.lendingLimit = Number(rq.lendingLimit);
        byResource.set(rq.name, limits);
      }
    }
  }
  return out;
}

/**
 * buildQuotaTree builds the tree from queues and cohorts (§3.5): a queue with
 * an empty cohort stands alone; a cohort named by a queue (or as a parent) but
 * without a Cohort object is an implicit root with no quota; a cohort whose
 * parent chain loops is invalid, and so are every cohort and queue below it
 * (they do not admit until the cycle is removed). On duplicate names the last
 * object wins.
 */
export function buildQuotaTree(queues: readonly Queue[], cohorts: readonly Cohort[]): QuotaTree {
  const explicit = new Map<string, { parent: string | undefined; quotas: FlavorQuotaMap }>();
  for (const c of cohorts) {
    const name = c.metadata?.name ?? '';
    if (name === '') continue;
    const parent = c.spec?.parent ?? '';
    explicit.set(name, { parent: parent === '' ? undefined : parent, quotas: quotasOf(c.spec?.resourceGroups ?? []) });
  }
  const parentOf = (name: string): string | undefined => explicit.get(name)?.parent;

  // Every cohort named anywhere: explicit ones, their parents, queues' cohorts.
  const names = new Set<string>(explicit.keys());
  for (const c of explicit.values()) if (c.parent !== undefined) names.add(c.parent);
  for (const q of queues) if ((q.spec?.cohort ?? '') !== '') names.add(q.spec!.cohort);

  // Cycle detection: walk each parent chain; a chain that revisits a node on itself is a cycle.
  const invalidCohorts = new Map<string, string>();
  const done = new Set<string>();
  for (const start of [...names].sort()) {
    const path: string[] = [];
    const onPath = new Set<string>();
    let cur: string | undefined = start;
    while (cur !== undefined && !done.has(cur) && !onPath.has(cur)) {
      path.push(cur);
      onPath.add(cur);
      cur = parentOf(cur);
    }
    if (cur !== undefined && onPath.has(cur)) {
      const loop = path.slice(path.indexOf(cur));
      const text = `cohort cycle ${[...loop, cur].join(' → ')}`;
      for (const n of loop) invalidCohorts.set(n, text);
      for (const n of path.slice(0, path.indexOf(cur))) invalidCohorts.set(n, `parent chain reaches ${text}`);
    } else if (cur !== undefined && invalidCohorts.has(cur)) {
      const why = invalidCohorts.get(cur)!;
      const text = why.startsWith('parent chain reaches ') ? why : `parent chain reaches ${why}`;
      for (const n of path) invalidCohorts.set(n, text);
    }
    for (const n of path) done.add(n);
  }

  const outQueues = new Map<string, QuotaQueue>();
  const invalidQueues = new Map<string, string>();
  const members = new Map<string, string[]>();
  const childCohorts = new Map<string, string[]>();
  for (const q of queues) {
    const name = q.metadata?.name ?? '';
    if (name === '') continue;
    const cohortName = q.spec?.cohort ?? '';
    const cohort = cohortName === '' ? undefined : cohortName;
    const why = cohort === undefined ? undefined : invalidCohorts.get(cohort);
    if (why !== undefined) {
      invalidQueues.set(name, why);
      outQueues.delete(name);
      continue;
    }
    invalidQueues.delete(name);
    const groups = (q.spec?.resourceGroups ?? []).map((g) => ({ resources: [...g.coveredResources], flavors: g.flavors.map((f) => f.name) }));
    const whenCanBorrow: WhenCanBorrow = q.spec?.flavorFungibility?.whenCanBorrow === 'TryNextFlavor' ? 'TryNextFlavor' : 'MayStopSearch';
    const weight = q.spec?.fairSharingWeight ?? 1;
    outQueues.set(name, { name, cohort, groups, quotas: quotasOf(q.spec?.resourceGroups ?? []), whenCanBorrow, weight });
  }
  for (const q of outQueues.values()) {
    if (q.cohort === undefined) continue;
    const list = members.get(q.cohort) ?? [];
    list.push(q.name);
    members.set(q.cohort, list);
  }
  for (const n of names) {
    const p = parentOf(n);
    if (invalidCohorts.has(n) || p === undefined) continue;
    const list = childCohorts.get(p) ?? [];
    list.push(n);
    childCohorts.set(p, list);
  }
  const outCohorts = new Map<string, QuotaCohort>();
  for (const n of [...names].sort()) {
    if (invalidCohorts.has(n)) continue;
    const e = explicit.get(n);
    outCohorts.set(n, {
      name: n,
      parent: e?.parent,
      explicit: e !== undefined,
      quotas: e?.quotas ?? EMPTY_QUOTAS,
      queues: [...(members.get(n) ?? [])].sort(),
      cohorts: [...(childCohorts.get(n) ?? [])].sort(),
    });
  }
  return { queues: outQueues, cohorts: outCohorts, invalidQueues, invalidCohorts };
}

// ---- The per-(flavor, resource) arithmetic of §3.2/§3.5 on a node of the tree.

type QuotaNode = { readonly kind: 'queue'; readonly node: QuotaQueue } | { readonly kind: 'cohort'; readonly node: QuotaCohort };

function limitsOf(n: QuotaNode, flavor: string, resource: string): QuotaLimits | undefined {
  return n.node.quotas.get(flavor)?.get(resource);
}

function parentNode(tree: QuotaTree, n: QuotaNode): QuotaCohort | undefined {
  const p = n.kind === 'queue' ? n.node.cohort : n.node.parent;
  return p === undefined ? undefined : tree.cohorts.get(p);
}

function childrenOf(tree: QuotaTree, c: QuotaCohort): QuotaNode[] {
  const out: QuotaNode[] = [];
  for (const q of c.queues) {
    const node = tree.queues.get(q);
    if (node) out.push({ kind: 'queue', node });
  }
  for (const k of c.cohorts) {
    const node = tree.cohorts.get(k);
    if (node) out.push({ kind: 'cohort', node });
  }
  return out;
}

/** usageAt reads usage[queue][flavor][resource], 0 when absent. */
export function usageAt(usage: Usage, queue: string, flavor: string, resource: string): number {
  const byFlavor = Object.hasOwn(usage, queue) ? usage[queue] : undefined;
  const byResource = byFlavor !== undefined && Object.hasOwn(byFlavor, flavor) ? byFlavor[flavor] : undefined;
  const v = byResource !== undefined && Object.hasOwn(byResource, resource) ? byResource[resource] : undefined;
  return v ?? 0;
}

/** subtree: a queue's nominal; a cohort's own nominal plus each child's lendable part. */
function subtree(tree: QuotaTree, n: QuotaNode, f: string, r: string): number {
  const own = limitsOf(n, f, r)?.nominal ?? 0;
  if (n.kind === 'queue') return own;
  let sum = own;
  for (const k of childrenOf(tree, n.node)) sum += subtree(tree, k, f, r) - guaranteed(tree, k, f, r);
  return sum;
}

/** guaranteed: the part of a node's subtree quota it keeps from its parent (subtree − lendingLimit), 0 without a parent or lendingLimit. */
function guaranteed(tree: QuotaTree, n: QuotaNode, f: string, r: string): number {
  const ll = limitsOf(n, f, r)?.lendingLimit;
  if (ll === undefined || parentNode(tree, n) === undefined) return 0;
  return Math.max(0, subtree(tree, n, f, r) - ll);
}

/** used: a queue's usage; a cohort's is what its children use beyond what they keep for themselves. */
function used(tree: QuotaTree, usage: Usage, n: QuotaNode, f: string, r: string): number {
  if (n.kind === 'queue') return usageAt(usage, n.node.name, f, r);
  let sum = 0;
  for (const k of childrenOf(tree, n.node)) sum += Math.max(0, used(tree, usage, k, f, r) - guaranteed(tree, k, f, r));
  return sum;
}

/** rawAvailable is avail(x) of the formula documented on `available` (may be negative when overcommitted). */
function rawAvailable(tree: QuotaTree, usage: Usage, n: QuotaNode, f: string, r: string): number {
  const parent = parentNode(tree, n);
  const st = subtree(tree, n, f, r);
  const u = used(tree, usage, n, f, r);
  if (parent === undefined) return st - u;
  const g = guaranteed(tree, n, f, r);
  const local = Math.max(0, g - u);
  let fromParent = rawAvailable(tree, usage, { kind: 'cohort', node: parent }, f, r);
  const bl = limitsOf(n, f, r)?.borrowingLimit;
  if (bl !== undefined) fromParent = Math.min(fromParent, st - g - Math.max(0, u - g) + bl);
  return local + fromParent;
}

/**
 * available is how much more of `resource` in `flavor` the queue can get now:
 * its own unused quota plus what it may borrow up the cohort tree (§3.2, §3.5;
 * the same arithmetic as Kueue's hierarchical resource nodes). For a node x
 * (queue or cohort) and one (flavor, resource):
 *
 *   subtree(q)    = nominal(q)                                                  (queue)
 *   subtree(c)    = nominal(c) + Σ_{child k of c} (subtree(k) − guaranteed(k))  (cohort: own pool + children's lendable)
 *   guaranteed(x) = max(0, subtree(x) − lendingLimit(x))  if x has a parent and a lendingLimit, else 0
 *   used(q)       = usage[q][flavor][resource]
 *   used(c)       = Σ_{child k} max(0, used(k) − guaranteed(k))
 *   avail(x)      = subtree(x) − used(x)                                        if x has no parent
 *   avail(x)      = max(0, guaranteed(x) − used(x))
 *                 + min(avail(parent(x)),
 *                       subtree(x) − guaranteed(x) − max(0, used(x) − guaranteed(x)) + borrowingLimit(x))
 *                   (the second term of min only when x has a borrowingLimit)
 *   available(q)  = max(0, avail(q))
 *
 * So a sibling lends min(lendingLimit ?? nominal, nominal) minus what it uses
 * beyond its reserved share nominal − lendingLimit; a cohort adds its own
 * quota; each level is capped by that node's borrowingLimit (usage ≤ subtree +
 * borrowingLimit). A standalone queue gets nominal − used. A queue that is
 * unknown, invalid, or lists no quota for (flavor, resource) gets 0.
 * Admitting r to q keeps every limit iff r ≤ available(q) (checked by the
 * property test against withinLimits).
 */
export function available(tree: QuotaTree, usage: Usage, queue: string, flavor: string, resource: string): number {
  const q = tree.queues.get(queue);
  if (!q || q.quotas.get(flavor)?.get(resource) === undefined) return 0;
  return Math.max(0, rawAvailable(tree, usage, { kind: 'queue', node: q }, flavor, resource));
}

/** formatAmount renders a canonical amount for people: cpu as cores/millicores, memory with binary units. */
export function formatAmount(resource: string, amount: number): string {
  if (resource === 'cpu') return formatCpu(amount);
  if (resource === 'memory') return formatMemory(amount);
  return String(amount);
}

/** shortfallMessage explains, with numbers, why `amount` of (flavor, resource) does not fit in the queue. */
function shortfallMessage(tree: QuotaTree, usage: Usage, q: QuotaQueue, f: string, r: string, amount: number): string {
  const fmt = (n: number): string => formatAmount(r, n);
  const head = `queue ${q.name} needs ${fmt(amount)} ${r} in flavor ${f}`;
  const lim = q.quotas.get(f)?.get(r);
  if (lim === undefined) return `${head}, 0 available (flavor ${f} has no ${r} quota in queue ${q.name})`;
  const avail = available(tree, usage, q.name, f, r);
  const u = usageAt(usage, q.name, f, r);
  const parts = [`nominal ${fmt(lim.nominal)}`, `used ${fmt(u)}`];
  const parent = q.cohort === undefined ? undefined : tree.cohorts.get(q.cohort);
  if (parent === undefined) {
    parts.push('no cohort to borrow from');
  } else {
    const self: QuotaNode = { kind: 'queue', node: q };
    const ownUnused = Math.max(0, lim.nominal - u);
    const canBorrow = Math.max(0, avail - ownUnused);
    const g = guaranteed(tree, self, f, r);
    const storedUnused = Math.max(0, lim.nominal - g - Math.max(0, u - g));
    const cohortLends = Math.max(0, rawAvailable(tree, usage, { kind: 'cohort', node: parent }, f, r) - storedUnused);
    const of = lim.borrowingLimit === undefined ? '' : ` of ${fmt(Math.max(0, lim.borrowingLimit - Math.max(0, u - lim.nominal)))}`;
    parts.push(`can borrow ${fmt(canBorrow)}${of} more: cohort ${parent.name} has ${fmt(cohortLends)} to lend`);
  }
  return `${head}, ${fmt(avail)} available (${parts.join(', ')})`;
}

/**
 * assignFlavors picks, for each resource group covering the request, the
 * flavor its quota is charged to (§3.2): flavors are tried in order of
 * preference; a flavor fits when every requested resource of the group fits
 * in `available` (all resources of a group share one flavor); a fit borrows
 * when some resource would go above the queue's nominal. With
 * flavorFungibility.whenCanBorrow MayStopSearch (default) the first fit wins,
 * borrowing or not; with TryNextFlavor a borrowing fit is kept only if no later
 * flavor fits without borrowing. Groups are assigned independently; the gang
 * is all or nothing, so one group without a fit fails the whole request with
 * WaitingForQuota and a message listing, per flavor tried, the numbers behind
 * it. whenCanPreempt is not considered (no preemption here).
 */
export function assignFlavors(tree: QuotaTree, usage: Usage, queue: string, request: QuotaRequest): FlavorAssignment {
  const inactive = tree.invalidQueues.get(queue);
  if (inactive !== undefined) return { ok: false, reason: 'QueueInactive', message: `queue ${queue} is inactive: ${inactive}` };
  const q = tree.queues.get(queue);
  if (!q) return { ok: false, reason: 'QueueInactive', message: `queue ${queue} does not exist` };

  const wanted = Object.entries(request).filter(([, n]) => n > 0);
  const uncovered = wanted.filter(([r]) => !q.groups.some((g) => g.resources.includes(r))).map(([r]) => r);
  if (uncovered.length > 0) {
    return { ok: false, reason: 'NoMatchingFlavor', message: `queue ${queue} has no quota for ${uncovered.join(', ')} (no resource group covers it)` };
  }

  const flavors: [string, string][] = [];
  const problems: string[] = [];
  let borrows = false;
  for (const group of q.groups) {
    const need = wanted.filter(([r]) => group.resources.includes(r));
    if (need.length === 0) continue;
    let chosen: { flavor: string; borrows: boolean } | undefined;
    let borrowingFit: { flavor: string; borrows: boolean } | undefined;
    const misses: string[] = [];
    for (const f of group.flavors) {
      const short = need.filter(([r, n]) => n > available(tree, usage, queue, f, r));
      if (short.length > 0) {
        for (const [r, n] of short) misses.push(shortfallMessage(tree, usage, q, f, r, n));
        continue;
      }
      const b = need.some(([r, n]) => usageAt(usage, queue, f, r) + n > (q.quotas.get(f)?.get(r)?.nominal ?? 0));
      if (!b || q.whenCanBorrow === 'MayStopSearch') {
        chosen = { flavor: f, borrows: b };
        break;
      }
      borrowingFit ??= { flavor: f, borrows: true };
    }
    chosen ??= borrowingFit;
    if (chosen === undefined) {
      problems.push(...(misses.length > 0 ? misses : [`queue ${queue} has no flavor for ${need.map(([r]) => r).join(', ')}`]));
      continue;
    }
    for (const [r] of need) flavors.push([r, chosen.flavor]);
    borrows ||= chosen.borrows;
  }
  if (problems.length > 0) return { ok: false, reason: 'WaitingForQuota', message: problems.join('; ') };
  return { ok: true, flavors: Object.fromEntries(flavors), borrows };
}

/**
 * addUsage returns a new Usage with the request charged to the queue in the
 * assigned flavors (the input is not changed), so one cycle can admit several
 * JobSets in sequence. Throws when a requested resource has no flavor in the
 * assignment (a caller bug).
 */
export function addUsage(usage: Usage, queue: string, assignment: { readonly flavors: Readonly<Record<string, string>> }, request: QuotaRequest): Usage {
  let byFlavor: Readonly<Record<string, Readonly<Record<string, number>>>> = Object.hasOwn(usage, queue) ? usage[queue]! : {};
  for (const [r, n] of Object.entries(request)) {
    if (!(n > 0)) continue;
    const f = Object.hasOwn(assignment.flavors, r) ? assignment.flavors[r] : undefined;
    if (f === undefined) throw new Error(`addUsage: no flavor assigned for ${r} in queue ${queue}`);
    const byResource = Object.hasOwn(byFlavor, f) ? byFlavor[f]! : {};
    byFlavor = { ...byFlavor, [f]: { ...byResource, [r]: usageAt(usage, queue, f, r) + n } };
  }
  return { ...usage, [queue]: byFlavor };
}

/** MutableUsage is a Usage a single caller owns and charges in place (see copyUsage, chargeUsage). */
export type MutableUsage = Record<string, Record<string, Record<string, number>>>;

/** copyUsage is a deep copy of a Usage the caller may then charge in place. */
export function copyUsage(usage: Usage): MutableUsage {
  const out: MutableUsage = {};
  for (const [q, byF] of Object.entries(usage)) {
    const f: Record<string, Record<string, number>> = {};
    for (const [flavor, byR] of Object.entries(byF)) f[flavor] = { ...byR };
    out[q] = f;
  }
  return out;
}

/**
 * chargeUsage is addUsage in place on a caller-owned copy: O(resources) per
 * admission instead of copying every queue's entry, which is what a cycle
 * admitting thousands of JobSets over a thousand queues needs.
 */
export function chargeUsage(usage: MutableUsage, queue: string, assignment: { readonly flavors: Readonly<Record<string, string>> }, request: QuotaRequest): void {
  const byFlavor = Object.hasOwn(usage, queue) ? usage[queue]! : (usage[queue] = {});
  for (const [r, n] of Object.entries(request)) {
    if (!(n > 0)) continue;
    const f = Object.hasOwn(assignment.flavors, r) ? assignment.flavors[r] : undefined;
    if (f === undefined) throw new Error(`chargeUsage: no flavor assigned for ${r} in queue ${queue}`);
    const byResource = Object.hasOwn(byFlavor, f) ? byFlavor[f]! : (byFlavor[f] = {});
    byResource[r] = (Object.hasOwn(byResource, r) ? byResource[r]! : 0) + n;
  }
}

/** allKeys lists every (flavor, resource) that has a quota or a usage anywhere in the valid tree. */
function allKeys(tree: QuotaTree, usage: Usage): [string, string][] {
  const seen = new Map<string, [string, string]>();
  const add = (f: string, r: string): void => {
    seen.set(JSON.stringify([f, r]), [f, r]);
  };
  for (const n of [...tree.queues.values(), ...tree.cohorts.values()]) {
    for (const [f, byR] of n.quotas) for (const r of byR.keys()) add(f, r);
  }
  for (const q of tree.queues.keys()) {
    if (!Object.hasOwn(usage, q)) continue;
    for (const [f, byR] of Object.entries(usage[q]!)) for (const r of Object.keys(byR)) add(f, r);
  }
  return [...seen.values()];
}

/**
 * withinLimits lists the invariants the usage breaks (empty = all kept), for
 * tests and sanity checks, per (flavor, resource):
 * - a standalone queue above its nominal;
 * - a queue or non-root cohort above subtree + borrowingLimit (§3.2, §3.5);
 * - a root cohort whose members use, beyond the shares they keep
 *   (nominal − lendingLimit), more than its pool (own quota + members'
 *   lendable parts): someone's reserved share was lent, or the tree is
 *   overcommitted. Checked at the root, this covers every level.
 * Invalid queues (cohort cycle) are ignored.
 */
export function withinLimits(tree: QuotaTree, usage: Usage): QuotaViolation[] {
  const out: QuotaViolation[] = [];
  const nodes: QuotaNode[] = [
    ...[...tree.queues.values()].map((node): QuotaNode => ({ kind: 'queue', node })),
    ...[...tree.cohorts.values()].map((node): QuotaNode => ({ kind: 'cohort', node })),
  ];
  for (const [f, r] of allKeys(tree, usage)) {
    const fmt = (n: number): string => formatAmount(r, n);
    for (const n of nodes) {
      const u = used(tree, usage, n, f, r);
      if (u <= 0) continue;
      const st = subtree(tree, n, f, r);
      const parent = parentNode(tree, n);
      const name = n.node.name;
      const v = (message: string): void => {
        out.push({ kind: n.kind, name, flavor: f, resource: r, message });
      };
      if (parent === undefined) {
        if (u > st) {
          v(n.kind === 'queue'
            ? `queue ${name} uses ${fmt(u)} ${r} in flavor ${f}, above its nominal ${fmt(st)} (no cohort)`
            : `cohort ${name}: members use ${fmt(u)} ${r} in flavor ${f} beyond their reserved shares, its pool holds ${fmt(st)}`);
        }
        continue;
      }
      const bl = limitsOf(n, f, r)?.borrowingLimit;
      if (bl !== undefined && u > st + bl) {
        v(`${n.kind} ${name} uses ${fmt(u)} ${r} in flavor ${f}, above ${n.kind === 'queue' ? 'nominal' : 'its subtree quota'} ${fmt(st)} + borrowingLimit ${fmt(bl)}`);
      }
    }
  }
  return out;
}

/** releaseUsage is chargeUsage in reverse: gives a JobSet's quota back in place (a preemption victim). */
export function releaseUsage(usage: MutableUsage, queue: string, assignment: { readonly flavors: Readonly<Record<string, string>> }, request: QuotaRequest): void {
  const byFlavor = Object.hasOwn(usage, queue) ? usage[queue]! : undefined;
  for (const [r, n] of Object.entries(request)) {
    if (!(n > 0) || byFlavor === undefined) continue;
    const f = Object.hasOwn(assignment.flavors, r) ? assignment.flavors[r] : undefined;
    const byResource = f !== undefined && Object.hasOwn(byFlavor, f) ? byFlavor[f]! : undefined;
    if (byResource === undefined || !Object.hasOwn(byResource, r)) continue;
    byResource[r] = byResource[r]! - n;
  }
}

/**
 * isBorrowing says whether a queue uses more than its nominal quota of some
 * (flavor, resource) — of one of `resources` when given (§3.3: borrowing
 * queues are reclaimed from, and only while they borrow what is needed).
 */
export function isBorrowing(tree: QuotaTree, usage: Usage, queue: string, resources?: readonly string[]): boolean {
  const q = tree.queues.get(queue);
  if (!q || !Object.hasOwn(usage, queue)) return false;
  for (const [f, byR] of Object.entries(usage[queue]!))
    for (const [r, n] of Object.entries(byR)) if ((!resources || resources.includes(r)) && n > (q.quotas.get(f)?.get(r)?.nominal ?? 0)) return true;
  return false;
}

/** cohortRoot is the root of the cohort tree a queue belongs to; undefined when it stands alone (or is unknown). */
export function cohortRoot(tree: QuotaTree, queue: string): string | undefined {
  let c = tree.queues.get(queue)?.cohort;
  for (let depth = 0; c !== undefined && depth <= tree.cohorts.size; depth++) {
    const parent = tree.cohorts.get(c)?.parent;
    if (parent === undefined) return c;
    c = parent;
  }
  return c;
}

/** queueFlavors lists, per resource, the flavors a queue has quota in. */
export function queueFlavors(tree: QuotaTree, queue: string): ReadonlyMap<string, ReadonlySet<string>> {
  const out = new Map<string, Set<string>>();
  const q = tree.queues.get(queue);
  for (const [f, byR] of q?.quotas ?? []) for (const r of byR.keys()) out.set(r, (out.get(r) ?? new Set()).add(f));
  return out;
}

const NO_USAGE: Usage = Object.freeze({});

/**
 * potentialAvailable is what a cohort could give its members of (flavor,
 * resource) if nothing were in use: its own pool, what its members lend and
 * what it may borrow above (Kueue's potentialAvailable, the denominator of the
 * dominant resource share, §3.10).
 */
export function potentialAvailable(tree: QuotaTree, cohort: string, flavor: string, resource: string): number {
  const c = tree.cohorts.get(cohort);
  return c ? Math.max(0, rawAvailable(tree, NO_USAGE, { kind: 'cohort', node: c }, flavor, resource)) : 0;
}
