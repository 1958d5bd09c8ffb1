/**
 * One scheduling cycle, pure: snapshot in, decision out. Gang admission: a
 * JobSet is admitted only when every one of its pods has a place at once;
 * otherwise nothing of it is placed. Placement is first fit over schedulable
 * nodes in name order (placement quality is the topology issue's job); pods of
 * admitted JobSets reduce what later JobSets in the same cycle can use.
 * Queue order: what fits under its queue's own nominal quota before what must
 * borrow (Kueue §3.8), then priority (highest first), then creation time, then name
 * (BestEffortFIFO: a JobSet that does not fit does not block the ones behind
 * it; a StrictFIFO queue's head does block its queue).
 *
 * Quota (when queues are defined, core/quota.ts): a JobSet naming a queue is
 * admitted only when the queue's quota — with what its cohort lends — covers
 * the whole gang in some flavor, and then only on nodes of the flavors chosen
 * (their node labels); the admission records the flavors it is charged to.
 * A JobSet naming no queue is not subject to quota.
 *
 * Speed: within a cycle free capacity only shrinks, so once a node cannot take
 * a pod of some request shape it never can again in this cycle. A cursor per
 * shape (FitCursors) therefore skips the nodes already known to be too full,
 * which makes first fit roughly linear in nodes + pods instead of their product.
 */
import { add, formatResources, RESOURCE_KEYS, sub, ZERO, type Resources } from '../../../shared/src/resources.js';
import { assignFlavors, chargeUsage, copyUsage } from './quota.js';
import type { Admission, CycleDecision, NodeSnapshot, PendingJobSet, PodPlacement, QuotaSnapshot, Snapshot, StillPending } from './types.js';

/** FreeNode is a schedulable node's remaining capacity during a cycle. */
interface FreeNode {
  name: string;
  labels: Readonly<Record<string, string>>;
  free: Resources;
  /** Free healthy GPU indices, ascending. */
  freeGpus: number[];
  /** How many more pods the node may take. */
  freePods: number;
}

/** Tentative is what a gang being placed has taken from one node so far. */
interface Tentative {
  used: Resources;
  gpus: number;
  pods: number;
}

/** decideCycle decides which pending JobSets to admit and where their pods go. */
export function decideCycle(snapshot: Snapshot): CycleDecision {
  const nodes = freeNodes(snapshot.nodes);
  const cursors = new FitCursors();
  const usedPorts = new Map<string, Set<number>>();
  for (const u of snapshot.usedPorts) usedPorts.set(u.node, (usedPorts.get(u.node) ?? new Set()).add(u.port));
  const admit: Admission[] = [];
  const pending: StillPending[] = [];
  const quota = snapshot.quota;
  // The cycle's own copy, charged in place as it admits (the snapshot is never changed).
  const usage = quota ? copyUsage(quota.usage) : undefined;
  const blockedHeads = new Map<string, string>(); // StrictFIFO queue → the pending head blocking it
  const order = [...snapshot.pending].sort(
    (a, b) => (b.priority ?? 0) - (a.priority ?? 0) || a.createdMs - b.createdMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  // Two passes (Kueue §3.8: fits under nominal before borrowing): the first admits what fits in its queue's
  // own quota and defers the rest — with everything behind it in its queue, so a queue's order holds —
  // and the second, in the same order, lets them borrow.
  const deferred: PendingJobSet[] = [];
  const deferredQueues = new Set<string>();
  for (const [pass, list] of [
    [1, order],
    [2, deferred],
  ] as const) {
    for (const js of list) {
      // A JobSet naming a queue before any is defined waits for it (it would otherwise run uncounted by quota).
      if (!quota && js.queue) {
        pending.push({ jobset: js.name, reason: 'QueueInactive', message: `queue ${js.queue} does not exist (no queue is defined: muster apply one, or submit without spec.queue)` });
        continue;
      }
      const queueName = quota && js.queue ? js.queue : undefined;
      if (pass === 1 && queueName && deferredQueues.has(queueName)) {
        deferred.push(js);
        continue;
      }
      const blockedBy = queueName ? blockedHeads.get(queueName) : undefined;
      if (blockedBy) {
        pending.push({ jobset: js.name, reason: 'WaitingBehindHead', message: `queue ${queueName} is StrictFIFO and ${blockedBy} at its head is still pending` });
        continue;
      }
      const stay = (p: StillPending): void => {
        pending.push(p);
        if (queueName && quota!.strategies[queueName] === 'StrictFIFO') blockedHeads.set(queueName, js.name);
      };
      // Quota first (whole gang, per flavor), then placement on the nodes of the flavors chosen.
      let charged: { queue: string; flavors: Record<string, string>; request: Record<string, number> } | undefined;
      if (queueName) {
        const request = gangRequest(js);
        const assigned = assignFlavors(quota!.tree, usage!, queueName, request);
        if (!assigned.ok) {
          stay({ jobset: js.name, reason: assigned.reason, message: assigned.message });
          continue;
        }
        if (pass === 1 && assigned.borrows) {
          deferred.push(js);
          deferredQueues.add(queueName);
          continue;
        }
        charged = { queue: queueName, flavors: { ...assigned.flavors }, request };
      }
      if (nodes.length === 0) {
        stay({ jobset: js.name, reason: 'NoReadyNodes', message: 'no Ready node to place pods on' });
        continue;
      }
      const eligible = charged ? flavorNodes(charged.flavors, quota!.flavorLabels) : undefined;
      // eligible(pod) is per pod: only the flavors of the resources a pod asks for bind it (Kueue assigns per pod set).
      const placed = placeGang(js, nodes, cursors, eligible);
      if ('reason' in placed) {
        stay(charged ? { ...placed, message: `${placed.message} (on nodes of flavor ${[...new Set(Object.values(charged.flavors))].join(', ')})` } : placed);
        continue;
      }
      const coordinator = placed.find((p) => p.podId === js.coordinatorPodId) ?? placed[0]!;
      const coordinatorNode = nodes[coordinator.node]!.name;
      const onNode = usedPorts.get(coordinatorNode) ?? new Set<number>();
      const port = lowestFreePort(onNode, snapshot.portRange);
      if (port === undefined) {
        stay({ jobset: js.name, reason: 'NoCoordinatorPort', message: `every coordinator port in ${snapshot.portRange.min}-${snapshot.portRange.max} is taken on ${coordinatorNode}` });
        continue;
      }
      usedPorts.set(coordinatorNode, onNode.add(port));
      const admission: Admission = { jobset: js.name, placements: commit(js, placed, nodes), coordinatorPort: port, coordinatorNode };
      if (charged) {
        admission.quota = { queue: charged.queue, flavors: charged.flavors };
        chargeUsage(usage!, charged.queue, { flavors: charged.flavors }, charged.request);
      }
      admit.push(admission);
    }
  }
  return { admit, pending };
}

/** gangRequest is the whole gang's need in quota resource names (cpu millicores, memory bytes, gpus, rdma). */
export function gangRequest(js: PendingJobSet): Record<string, number> {
  const total = js.pods.reduce((acc, p) => add(acc, p.request), { ...ZERO });
  return { cpu: total.cpuMillis, memory: total.memoryBytes, gpus: total.gpus, rdma: total.rdma };
}

/** NodeFilter says whether a pod of a given request may go to a node (the flavors its requested resources are charged to). */
type NodeFilter = (n: FreeNode, request: Resources) => boolean;

/** QUOTA_NAMES maps a request's fields to quota resource names. */
const QUOTA_NAMES: Readonly<Record<keyof Resources, string>> = { cpuMillis: 'cpu', memoryBytes: 'memory', gpus: 'gpus', rdma: 'rdma' };

/**
 * flavorNodes is the node filter of the flavors a gang is charged to: a pod
 * must go to a node carrying every label of the flavor of each resource it
 * requests (a CPU-only pod is not bound by the GPUs' flavor).
 */
function flavorNodes(flavors: Readonly<Record<string, string>>, labels: QuotaSnapshot['flavorLabels']): NodeFilter {
  const cache = new Map<string, [string, string][]>();
  const wantedFor = (request: Resources): [string, string][] => {
    const used = RESOURCE_KEYS.filter((k) => request[k] > 0).map((k) => flavors[QUOTA_NAMES[k]]).filter((f): f is string => f !== undefined);
    const key = [...new Set(used)].sort().join(',');
    let wanted = cache.get(key);
    if (!wanted) cache.set(key, (wanted = [...new Set(used)].flatMap((f) => Object.entries(labels[f] ?? {}))));
    return wanted;
  };
  return (n, request) => wantedFor(request).every(([k, v]) => n.labels[k] === v);
}

function freeNodes(nodes: NodeSnapshot[]): FreeNode[] {
  return nodes
    .filter((n) => n.schedulable)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((n) => {
      const used = new Set(n.usedGpuIndices);
      const freePods = n.maxPods === undefined ? Number.POSITIVE_INFINITY : n.maxPods - (n.podCount ?? 0);
      return { name: n.name, labels: n.labels ?? {}, free: sub(n.allocatable, n.allocated), freeGpus: n.gpuIndices.filter((i) => !used.has(i)), freePods };
    });
}

/**
 * FitCursors remembers, per request shape, the first node that may still fit
 * it given committed placements. Only facts about committed capacity move a
 * cursor; a node full only because of the gang being tried does not.
 */
class FitCursors {
  private readonly first = new Map<string, number>();

  static key(r: Resources): string {
    return `${r.cpuMillis}/${r.memoryBytes}/${r.gpus}/${r.rdma}`;
  }

  get(key: string): number {
    return this.first.get(key) ?? 0;
  }

  advance(key: string, to: number): void {
    if (to > this.get(key)) this.first.set(key, to);
  }
}

function fitsAfter(need: Resources, n: FreeNode, t: Tentative | undefined): boolean {
  const u = t?.used ?? ZERO;
  return (
    (t?.pods ?? 0) + 1 <= n.freePods &&
    need.gpus + (t?.gpus ?? 0) <= n.freeGpus.length &&
    need.gpus + u.gpus <= n.free.gpus &&
    need.cpuMillis + u.cpuMillis <= n.free.cpuMillis &&
    need.memoryBytes + u.memoryBytes <= n.free.memoryBytes &&
    need.rdma + u.rdma <= n.free.rdma
  );
}

/** placeGang finds a node for every pod (among `eligible` nodes) against the committed capacity minus what the gang took; all or nothing. */
function placeGang(js: PendingJobSet, nodes: FreeNode[], cursors: FitCursors, eligible?: NodeFilter): { podId: string; node: number }[] | StillPending {
  const tentative = new Map<number, Tentative>();
  const local = new Map<string, number>(); // shape → first node that may fit, within this gang
  const out: { podId: string; node: number }[] = [];
  for (const pod of js.pods) {
    const key = FitCursors.key(pod.request);
    const start = cursors.get(key);
    let i = Math.max(start, local.get(key) ?? 0);
    // The cycle-wide cursor may only move over a contiguous run, from itself, of nodes that lack room even without this gang.
    let committedFrontier = i === start;
    for (; i < nodes.length; i++) {
      const t = tentative.get(i);
      // A node of another flavor says nothing about capacity: the cycle-wide cursor stops moving there.
      if (eligible && !eligible(nodes[i]!, pod.request)) {
        committedFrontier = false;
        continue;
      }
      if (fitsAfter(pod.request, nodes[i]!, t)) break;
      if (committedFrontier && t === undefined) cursors.advance(key, i + 1);
      else committedFrontier = false;
    }
    local.set(key, i);
    if (i >= nodes.length) {
      const candidates = eligible ? nodes.filter((n) => eligible(n, pod.request)) : nodes;
      if (candidates.length === 0) return { jobset: js.name, reason: 'NoFit', message: `needs ${js.pods.length} pods; no Ready node carries the labels of the flavors a pod is charged to` };
      return noFit(js, out.length, pod.request, candidates);
    }
    const t = tentative.get(i) ?? { used: { ...ZERO }, gpus: 0, pods: 0 };
    t.used = add(t.used, pod.request);
    t.gpus += pod.request.gpus;
    t.pods++;
    tentative.set(i, t);
    out.push({ podId: pod.podId, node: i });
  }
  return out;
}

/** commit takes the gang's resources and GPU indices from the free state. */
function commit(js: PendingJobSet, placed: { podId: string; node: number }[], nodes: FreeNode[]): PodPlacement[] {
  const byId = new Map(js.pods.map((p) => [p.podId, p]));
  return placed.map((p) => {
    const node = nodes[p.node]!;
    const req = byId.get(p.podId)!.request;
    node.free = sub(node.free, req);
    node.freePods--;
    const gpuIndices = node.freeGpus.splice(0, req.gpus);
    return { podId: p.podId, node: node.name, gpuIndices };
  });
}

/** noFit explains, in words a person can act on, why the gang does not fit now. */
function noFit(js: PendingJobSet, placedCount: number, request: Resources, nodes: FreeNode[]): StillPending {
  const total = js.pods.reduce((acc, p) => add(acc, p.request), { ...ZERO });
  const largest = nodes.reduce((best, n) => (score(n.free) > score(best.free) ? n : best), nodes[0]!);
  const short = RESOURCE_KEYS.filter((k) => request[k] > largest.free[k]).map((k) => k.replace('Millis', '').replace('Bytes', ''));
  if (nodes.every((n) => n.freePods < 1)) short.push('pod slots (maxPodsPerNode)');
  const message =
    `needs ${js.pods.length} pods (${formatResources(total)} in all); ` +
    `${placedCount} of ${js.pods.length} fit on ${nodes.length} Ready node(s) now; ` +
    `a pod needs ${formatResources(request)}, the freest node ${largest.name} has ${formatResources(largest.free)}` +
    (Number.isFinite(largest.freePods) ? ` and room for ${largest.freePods} more pods` : '') +
    (short.length > 0 ? ` (short of ${short.join(', ')})` : '');
  return { jobset: js.name, reason: 'NoFit', message };
}

function score(r: Resources): number {
  return r.gpus * 1e12 + r.cpuMillis * 1e3 + r.memoryBytes / 2 ** 30;
}

function lowestFreePort(used: Set<number>, range: { min: number; max: number }): number | undefined {
  for (let p = range.min; p <= range.max; p++) if (!used.has(p)) return p;
  return undefined;
}
