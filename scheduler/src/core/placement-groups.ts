/**
 * Placement constraints finer than the whole JobSet, pure: per replicatedJob
 * (`spec.replicatedJobs[].placement`) and per slice (Kueue TAS's podset
 * slices: `sliceRequired: rack, sliceSize: 4` keeps each run of 4 pods, in
 * rank order, in one rack), and exclusive per child Job (JobSet's
 * exclusive-topology: each Job of the replicatedJob gets a domain where
 * nothing else runs — not even another Job of the same JobSet).
 *
 * The pods of a JobSet are split into groups, each with its own policy;
 * groups are placed one after another on a private copy of the nodes they
 * touch (what one group takes is gone for the next), the constrained ones
 * first, all or nothing. A JobSet-level `required`/`preferred` still bounds
 * the whole gang: groups are placed inside the domain it picks.
 */
import type { JobSetSpec } from '../../../shared/src/proto/types.js';
import type { GangPod } from '../model/gang.js';
import { ExclusiveDomains, domainOf, placeWithPolicy, type PlaceLeaf, type PlacementPolicy } from './domains.js';
import { commit, FitCursors, reserve, type FreeNode, type GangPlacement, type PlaceOptions } from './placement.js';
import type { PendingJobSet, StillPending } from './types.js';

/** PlacementGroup is some pods of a JobSet placed under one policy. */
export interface PlacementGroup {
  /** A whole replicatedJob, one slice of it, or one of its Jobs (exclusive). */
  kind: 'replicatedJob' | 'slice' | 'job';
  replicatedJob: string;
  /** For messages: "replicatedJob workers", "slice 2 of 4 of workers", "job workers/1". */
  label: string;
  podIds: string[];
  required?: string;
  preferred?: string;
  /** The group's domain at this level must be empty and is closed to every other pod (its own JobSet's too). */
  exclusive?: string;
}

/** placementGroupsOf splits a gang by its replicatedJobs' placements; undefined when none sets any. */
export function placementGroupsOf(spec: Pick<JobSetSpec, 'replicatedJobs'>, gang: readonly GangPod[]): PlacementGroup[] | undefined {
  const groups: PlacementGroup[] = [];
  for (const rj of spec.replicatedJobs) {
    const p = rj.placement;
    if (!p || (!p.required && !p.preferred && !p.exclusive && !p.sliceRequired)) continue;
    const pods = gang.filter((g) => g.replicatedJob === rj.name);
    if (p.exclusive) {
      // One domain per Job, its own.
      const jobs = [...new Set(pods.map((g) => g.jobIndex))];
      for (const j of jobs) groups.push({ kind: 'job', replicatedJob: rj.name, label: `job ${rj.name}/${j}`, podIds: pods.filter((g) => g.jobIndex === j).map((g) => g.podId), exclusive: p.exclusive });
      continue;
    }
    if (p.sliceRequired && (p.sliceSize ?? 0) > 0) {
      const size = p.sliceSize!;
      const count = Math.ceil(pods.length / size);
      for (let s = 0; s < count; s++) groups.push({ kind: 'slice', replicatedJob: rj.name, label: `slice ${s + 1} of ${count} of ${rj.name}`, podIds: pods.slice(s * size, (s + 1) * size).map((g) => g.podId), required: p.sliceRequired });
    }
    if (p.required || p.preferred) {
      // A replicatedJob-wide domain around its slices: the slices are placed inside it (see placeGroups).
      groups.push({ kind: 'replicatedJob', replicatedJob: rj.name, label: `replicatedJob ${rj.name}`, podIds: pods.map((g) => g.podId), ...(p.required ? { required: p.required } : {}), ...(p.preferred ? { preferred: p.preferred } : {}) });
    }
  }
  return groups.length > 0 ? groups : undefined;
}

/** copyNode is a private copy of a node's free state (placing a group changes it). */
function copyNode(n: FreeNode): FreeNode {
  return {
    ...n,
    free: { ...n.free }, stopping: { ...n.stopping }, held: { ...n.held },
    freeGpus: [...n.freeGpus], stoppingGpus: [...n.stoppingGpus], heldGpus: [...n.heldGpus],
    freeCpus: [...n.freeCpus], stoppingCpus: [...n.stoppingCpus], heldCpus: [...n.heldCpus],
    freeMig: Object.fromEntries(Object.entries(n.freeMig).map(([p, l]) => [p, [...l]])),
  };
}

/**
 * placeGroups places a gang group by group within `opts.among` (all nodes when absent).
 * A replicatedJob-wide group that also has slices is placed as the domain its
 * slices must share: the slices go first, each restricted to that domain's nodes.
 */
function placeGroups(js: PendingJobSet, nodes: FreeNode[], opts: PlaceOptions, levels: readonly string[]): GangPlacement | StillPending {
  const groups = js.groups ?? [];
  const byId = new Map(js.pods.map((p) => [p.podId, p]));
  const shadow = nodes.slice();
  // Copy-on-write per attempt: a node is copied the first time an attempt changes it, so a failed attempt is undone by restoring the array.
  let fresh = new Set<number>();
  const own = (i: number): void => {
    if (fresh.has(i)) return;
    shadow[i] = copyNode(shadow[i]!);
    fresh.add(i);
  };
  const out: GangPlacement = [];
  const placedIds = new Set<string>();
  /** begin starts an attempt; the function it returns undoes everything placed since. */
  const begin = (): (() => void) => {
    const saved = shadow.slice();
    const savedFresh = fresh;
    const outLength = out.length;
    fresh = new Set();
    return () => {
      for (let i = 0; i < saved.length; i++) shadow[i] = saved[i]!;
      fresh = savedFresh;
      for (const p of out.splice(outLength)) placedIds.delete(p.podId);
    };
  };
  const closed = new ExclusiveDomains();
  const within = (among: readonly number[] | undefined): number[] | undefined => {
    if (!closed.any()) return among ? [...among] : undefined;
    const base = among ?? shadow.map((_, i) => i);
    return base.filter((i) => !closed.closed(shadow[i]!));
  };
  const place = (label: string, podIds: readonly string[], policy: PlacementPolicy | undefined, among: readonly number[] | undefined): StillPending | undefined => {
    const pods = podIds.filter((id) => !placedIds.has(id)).map((id) => byId.get(id)!);
    if (pods.length === 0) return undefined;
    const sub: PendingJobSet = { ...js, pods, groups: undefined };
    const r = placeWithPolicy(sub, shadow, new FitCursors(), { ...opts, among: within(among) }, policy, levels);
    if ('reason' in r) return { jobset: js.name, reason: r.reason, message: `${label}: ${r.message}` };
    for (const p of r) own(p.node);
    // An optimistic placement (waiting for stopping pods) takes stopping capacity too, so the next group cannot count it again.
    if (opts.optimistic) reserve(sub, r, shadow);
    else commit(sub, r, shadow);
    for (const p of r) placedIds.add(p.podId);
    out.push(...r);
    return undefined;
  };

  // Exclusive Jobs first (they need whole empty domains), then slices within their replicatedJob's domain, then the rest.
  for (const g of groups.filter((x) => x.kind === 'job')) {
    const level = g.exclusive!;
    // Empty now (the cycle's view: nothing running there, nothing held by another JobSet) and not taken by an earlier Job of this one.
    const cycleEmpty = opts.emptyAt ? new Set(opts.emptyAt(level)) : undefined;
    const allowed = opts.among ? new Set(opts.among) : undefined;
    const empty = new ExclusiveDomains().emptyDomainNodes(shadow, level).filter((i) => (!cycleEmpty || cycleEmpty.has(i)) && (!allowed || allowed.has(i)));
    if (empty.length === 0) {
      const all = new Set(shadow.filter((_, i) => !allowed || allowed.has(i)).map((n) => domainOf(n, level)).filter((k) => k !== undefined));
      return { jobset: js.name, reason: 'NoFit', message: `${g.label}: needs a ${level} of its own; none of the ${all.size} ${level}s is empty (no pod running, stopping or held there, none held by another exclusive JobSet or taken by another Job of this one)` };
    }
    const fail = place(g.label, g.podIds, { required: level }, empty);
    if (fail) return fail;
    for (const id of g.podIds) {
      const n = out.find((p) => p.podId === id);
      const key = n ? domainOf(shadow[n.node]!, level) : undefined;
      if (key !== undefined) closed.hold(level, key);
    }
  }
  for (const g of groups.filter((x) => x.kind === 'replicatedJob')) {
    const slices = groups.filter((s) => s.kind === 'slice' && s.replicatedJob === g.replicatedJob);
    if (slices.length === 0) {
      const fail = place(g.label, g.podIds, { ...(g.required ? { required: g.required } : {}), ...(g.preferred ? { preferred: g.preferred } : {}) }, opts.among);
      if (fail) return fail;
      continue;
    }
    // The replicatedJob's domain: the first domain (tightest first, as placeWithPolicy tries them) where all its slices fit.
    const fail = placeSlicesInDomain(g, slices);
    if (fail) return fail;
  }
  for (const s of groups.filter((x) => x.kind === 'slice')) {
    const fail = place(s.label, s.podIds, { required: s.required! }, opts.among);
    if (fail) return fail;
  }
  const fail = place('the other pods', js.pods.map((p) => p.podId), undefined, opts.among);
  if (fail) return fail;
  const rank = new Map(js.pods.map((p, i) => [p.podId, i]));
  return out.sort((a, b) => rank.get(a.podId)! - rank.get(b.podId)!);

  /**
   * placeSlicesInDomain tries the replicatedJob's domains as placeWithPolicy
   * orders them (tightest first; for preferred, widening): in each, every
   * slice then the rest of the replicatedJob, undone when one does not fit.
   */
  function placeSlicesInDomain(g: PlacementGroup, slices: PlacementGroup[]): StillPending | undefined {
    const pods = g.podIds.filter((id) => !placedIds.has(id)).map((id) => byId.get(id)!);
    let last: StillPending | undefined;
    const inDomain: PlaceLeaf = (_j, _n, _c, o) => {
      const undo = begin();
      const before = out.length;
      for (const s of slices) {
        const fail = place(s.label, s.podIds, { required: s.required! }, o.among);
        if (fail) {
          undo();
          return (last = fail);
        }
      }
      const fail = place(g.label, g.podIds, undefined, o.among);
      if (fail) {
        undo();
        return (last = fail);
      }
      return out.slice(before);
    };
    const policy = { ...(g.required ? { required: g.required } : {}), ...(g.preferred ? { preferred: g.preferred } : {}) };
    const r = placeWithPolicy({ ...js, pods, groups: undefined }, shadow, new FitCursors(), { ...opts, among: within(opts.among) }, policy, levels, inDomain);
    if (!('reason' in r)) return undefined;
    // No domain took the slices: say why the last one tried did not (else why no domain had room at all).
    return last ?? { jobset: js.name, reason: r.reason, message: `${g.label}: ${r.message}` };
  }
}

/**
 * placeJobSet places a pending JobSet honouring every placement it asks for:
 * its JobSet-level policy and, inside the domain that picks, its groups.
 */
export function placeJobSet(js: PendingJobSet, nodes: FreeNode[], cursors: FitCursors, opts: PlaceOptions, levels: readonly string[]): GangPlacement | StillPending {
  if (!js.groups) return placeWithPolicy(js, nodes, cursors, opts, js.placement, levels);
  return placeWithPolicy(js, nodes, cursors, opts, js.placement, levels, (j, n, _c, o) => placeGroups(j, n, o, levels));
}

/** exclusiveDomainsOf lists the domains an admitted JobSet holds exclusively: its JobSet-level level, and each exclusive Job's. */
export function exclusiveDomainsOf(js: Pick<PendingJobSet, 'placement' | 'groups'>, placed: readonly { podId: string; node: Pick<FreeNode, 'name' | 'labels'> }[]): { level: string; key: string }[] {
  const out: { level: string; key: string }[] = [];
  const jsLevel = js.placement?.exclusive;
  const groupLevel = new Map<string, string>();
  for (const g of js.groups ?? []) if (g.exclusive) for (const id of g.podIds) groupLevel.set(id, g.exclusive);
  for (const p of placed) {
    for (const level of [jsLevel, groupLevel.get(p.podId)]) {
      const key = level ? domainOf(p.node, level) : undefined;
      if (level && key !== undefined) out.push({ level, key });
    }
  }
  return out;
}
