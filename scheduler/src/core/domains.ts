/**
 * Keeping a gang inside one topology domain (Kueue TAS, Slurm topology/block;
 * kueue-jobset.md §3.12), pure. A level is a node label key of the
 * scheduler's `topologyLevels` (outermost first, e.g. block, rack) or
 * `hostname` (one node). `placement.required: rack` puts every pod in one
 * rack or none; `placement.preferred: rack` tries one rack, then one domain
 * of each wider level, then anywhere. Among the domains with enough free
 * GPUs and CPU, those whose partly used nodes can take the whole gang come
 * first (no empty node is broken up), then the tightest fit (least free
 * capacity that can hold the gang), which keeps large domains whole for large
 * gangs; inside the domain each pod goes to the node left tightest (best fit,
 * placement.ts). Against first fit on the same stream this strands fewer GPUs
 * on partly used nodes (bench/placement.bench.ts, churn).
 */
import type { JobSetSpec } from '../../../shared/src/proto/types.js';
import { placeGang, type FitCursors, type FreeNode, type GangPlacement, type PlaceOptions } from './placement.js';
import type { PendingJobSet, StillPending } from './types.js';

/** HOSTNAME_LEVEL is the innermost level: one node. */
export const HOSTNAME_LEVEL = 'hostname';

/** PlacementPolicy is a JobSet's spec.placement (empty strings = unset). */
export interface PlacementPolicy {
  required?: string;
  preferred?: string;
  /** Every domain of this level the JobSet uses is its alone (see ExclusiveDomains). */
  exclusive?: string;
}

/** placementPolicyOf reads spec.placement; undefined when it sets neither level. */
export function placementPolicyOf(spec: Pick<JobSetSpec, 'placement'>): PlacementPolicy | undefined {
  const p = spec.placement;
  if (!p || (!p.required && !p.preferred && !p.exclusive)) return undefined;
  return { ...(p.required ? { required: p.required } : {}), ...(p.preferred ? { preferred: p.preferred } : {}), ...(p.exclusive ? { exclusive: p.exclusive } : {}) };
}

/** domainOf is a node's domain at `level` (its label value, or its name for hostname); undefined when unlabelled. */
export function domainOf(n: Pick<FreeNode, 'name' | 'labels'>, level: string): string | undefined {
  return level === HOSTNAME_LEVEL ? n.name : n.labels[level];
}

interface Domain {
  key: string;
  nodes: number[];
  freeGpus: number;
  freeCpu: number;
  /** Free GPUs on partly used nodes, in whole pods of `podGpus` (holes a gang can fill without breaking up an empty node). */
  holes: number;
}

/** domainsAt groups node indices (ascending; within `among` when given) by their domain at `level`, with free GPUs and CPU. */
function domainsAt(nodes: readonly FreeNode[], level: string, optimistic: boolean, among?: readonly number[], podGpus = 1): Domain[] {
  const byKey = new Map<string, Domain>();
  const visit = (i: number): void => {
    const n = nodes[i]!;
    const key = domainOf(n, level);
    if (key === undefined) return;
    const d = byKey.get(key) ?? byKey.set(key, { key, nodes: [], freeGpus: 0, freeCpu: 0, holes: 0 }).get(key)!;
    d.nodes.push(i);
    const free = n.freeGpus.length + (optimistic ? n.stoppingGpus.length : 0);
    d.freeGpus += free;
    d.freeCpu += n.free.cpuMillis + (optimistic ? n.stopping.cpuMillis : 0);
    if (n.busy && podGpus > 0) d.holes += Math.floor(free / podGpus) * podGpus;
  };
  if (among) for (const i of among) visit(i);
  else for (let i = 0; i < nodes.length; i++) visit(i);
  return [...byKey.values()];
}

/** PlaceLeaf places a gang on the nodes `opts.among` allows (placeGang, or placement-groups.ts for a JobSet with groups). */
export type PlaceLeaf = (js: PendingJobSet, nodes: FreeNode[], cursors: FitCursors, opts: PlaceOptions) => GangPlacement | StillPending;

/** placeInOneDomain tries the domains of `level` that could hold the gang, tightest first; undefined when none does. */
function placeInOneDomain(js: PendingJobSet, nodes: FreeNode[], cursors: FitCursors, opts: PlaceOptions, level: string, leaf: PlaceLeaf): GangPlacement | undefined {
  const needGpus = js.pods.reduce((a, p) => a + p.request.gpus, 0);
  const needCpu = js.pods.reduce((a, p) => a + p.request.cpuMillis, 0);
  const podGpus = Math.max(0, ...js.pods.map((p) => p.request.gpus));
  // Domains whose partly used nodes can take the whole gang first (no empty node broken up), then the tightest.
  const inHoles = (d: Domain): number => (needGpus > 0 && d.holes >= needGpus ? 0 : 1);
  const fits = domainsAt(nodes, level, opts.optimistic ?? false, opts.among, podGpus)
    .filter((d) => d.freeGpus >= needGpus && d.freeCpu >= needCpu)
    .sort((a, b) => inHoles(a) - inHoles(b) || a.freeGpus - b.freeGpus || a.freeCpu - b.freeCpu || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const d of fits) {
    const placed = leaf(js, nodes, cursors, { ...opts, among: d.nodes });
    if (!('reason' in placed)) return placed;
  }
  return undefined;
}

/** wider lists `level` and the levels outside it (toward the front of `levels`), innermost first. */
function widening(level: string, levels: readonly string[]): string[] {
  if (level === HOSTNAME_LEVEL) return [HOSTNAME_LEVEL, ...[...levels].reverse()];
  const at = levels.indexOf(level);
  return at < 0 ? [level] : levels.slice(0, at + 1).reverse();
}

/** placeWithPolicy places a gang honouring its placement policy (none: placeGang as is). */
export function placeWithPolicy(js: PendingJobSet, nodes: FreeNode[], cursors: FitCursors, opts: PlaceOptions, policy: PlacementPolicy | undefined, levels: readonly string[], leaf: PlaceLeaf = placeGang): GangPlacement | StillPending {
  if (policy?.required) {
    const placed = placeInOneDomain(js, nodes, cursors, opts, policy.required, leaf);
    return placed ?? noDomain(js, nodes, policy.required, opts);
  }
  if (policy?.preferred) {
    for (const level of widening(policy.preferred, levels)) {
      const placed = placeInOneDomain(js, nodes, cursors, opts, level, leaf);
      if (placed) return placed;
    }
  }
  return leaf(js, nodes, cursors, opts);
}

/** noDomain explains a required level no domain of which can hold the gang now. */
function noDomain(js: PendingJobSet, nodes: readonly FreeNode[], level: string, opts: PlaceOptions): StillPending {
  const needGpus = js.pods.reduce((a, p) => a + p.request.gpus, 0);
  const domains = domainsAt(nodes, level, opts.optimistic ?? false, opts.among);
  const head = `needs all ${js.pods.length} pods (${needGpus} GPUs) in one ${level}`;
  if (domains.length === 0) return { jobset: js.name, reason: 'NoFit', message: `${head}; no Ready node carries the label ${level}` };
  const largest = domains.reduce((a, b) => (b.freeGpus > a.freeGpus || (b.freeGpus === a.freeGpus && b.key < a.key) ? b : a));
  return { jobset: js.name, reason: 'NoFit', message: `${head}; the ${level} with the most free, ${largest.key}, has ${largest.freeGpus} free GPUs on ${largest.nodes.length} Ready node(s)` };
}

/**
 * ExclusiveDomains tracks, during a cycle, the domains held by JobSets placed
 * with `exclusive` (running ones from the snapshot, and those this cycle
 * admits): no other JobSet's pod may go there. A JobSet asking for
 * exclusivity may only use domains where nothing runs, stops or is held.
 */
export class ExclusiveDomains {
  private readonly held = new Map<string, Set<string>>(); // level → domain keys

  /**
   * `held`: domains running exclusive JobSets hold. `occupied`: nodes outside
   * the cycle's node list (not schedulable: draining, NotReady) where pods
   * still run or stop — their domains are not empty either.
   */
  constructor(
    held: readonly { level: string; key: string }[] = [],
    private readonly occupied: readonly Pick<FreeNode, 'name' | 'labels'>[] = [],
  ) {
    for (const h of held) this.hold(h.level, h.key);
  }

  /** hold closes a domain to every other JobSet. */
  hold(level: string, key: string): void {
    (this.held.get(level) ?? this.held.set(level, new Set()).get(level)!).add(key);
  }

  /** any says whether some domain is held. */
  any(): boolean {
    return this.held.size > 0;
  }

  /** closed says whether a node lies in a held domain. */
  closed(n: Pick<FreeNode, 'name' | 'labels'>): boolean {
    for (const [level, keys] of this.held) {
      const k = domainOf(n, level);
      if (k !== undefined && keys.has(k)) return true;
    }
    return false;
  }

  /** emptyDomainNodes lists (ascending) the nodes of domains at `level` where no node runs, stops or holds anything and none is closed. */
  emptyDomainNodes(nodes: readonly FreeNode[], level: string): number[] {
    const busy = new Set<string>();
    for (const n of this.occupied) {
      const k = domainOf(n, level);
      if (k !== undefined) busy.add(k);
    }
    const byKey = new Map<string, number[]>();
    nodes.forEach((n, i) => {
      const k = domainOf(n, level);
      if (k === undefined) return;
      (byKey.get(k) ?? byKey.set(k, []).get(k)!).push(i);
      if (n.busy || this.closed(n)) busy.add(k);
    });
    return [...byKey].filter(([k]) => !busy.has(k)).flatMap(([, idx]) => idx).sort((a, b) => a - b);
  }
}
