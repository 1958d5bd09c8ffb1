/**
 * One scheduling cycle, pure: snapshot in, decision out. Gang admission: a
 * JobSet is admitted only when every one of its pods has a place at once;
 * otherwise nothing of it is placed. Placement is first fit over schedulable
 * nodes in name order (core/placement.ts; placement quality is the topology
 * issue's job); pods of admitted JobSets reduce what later JobSets in the same
 * cycle can use. Queue order: what fits under its queue's own nominal quota
 * before what must borrow (Kueue §3.8), then priority (highest first), then
 * creation time, then name (BestEffortFIFO: a JobSet that does not fit does
 * not block the ones behind it; a StrictFIFO queue's head does block its queue).
 *
 * Quota (when queues are defined, core/quota.ts): a JobSet naming a queue is
 * admitted only when the queue's quota — with what its cohort lends — covers
 * the whole gang in some flavor, and then only on nodes of the flavors chosen
 * (their node labels); the admission records the flavors it is charged to.
 * A JobSet naming no queue is not subject to quota.
 *
 * Preemption (core/preemption.ts), for JobSets whose queue allows it: one that
 * does not fit in quota or on nodes evicts the fewest running JobSets its
 * policy allows (they go back to their queues) and waits, WaitingForPreemption,
 * holding the quota and node capacity their pods free as they stop, so nothing
 * behind it takes them; it is admitted in the cycle after they have stopped.
 * A JobSet that fits only once pods already stopping have exited waits the same
 * way instead of preempting more. A queue whose stopPolicy is Hold or
 * HoldAndDrain admits nothing (QueueStopped).
 *
 * Backfill (core/backfill.ts, when the snapshot carries running JobSets'
 * time limits): a JobSet that does not fit gets a shadow time — when it
 * will fit as running JobSets reach their time limits — and the capacity free
 * now that it will use then is held for it; a later JobSet may use held
 * capacity only if its own time limit ends it before then.
 */
import { add, sub, ZERO } from '../../../shared/src/resources.js';
import { afsAmounts, afsKey, weightedUsage } from './admission-fair-sharing.js';
import { queueOrder } from './queue-order.js';
import { MAX_RESERVATIONS, shadowStart } from './backfill.js';
import { domainOf, ExclusiveDomains } from './domains.js';
import { exclusiveDomainsOf, placeJobSet } from './placement-groups.js';
import { commit, FitCursors, flavorNodes, freeNodes, holdUntil, placeGang, reserve, type FreeNode, type GangPlacement, type NodeFilter, type PlaceOptions } from './placement.js';
import { MinHeap } from '../../../shared/src/min-heap.js';
import { describeShare, FairShares } from './fair-share.js';
import { findVictims, mayPreempt, type PreemptionSim, type Victim } from './preemption.js';
import { assignFlavors, chargeUsage, cohortRoot, copyUsage, releaseUsage, type MutableUsage } from './quota.js';
import type { Admission, AdmittedJobSet, AfsSnapshot, CycleDecision, PendingJobSet, Preemption, QuotaSnapshot, Snapshot, StillPending } from './types.js';

/** QuotaCharge is the quota an admission (or a reservation) is charged to. */
interface QuotaCharge {
  queue: string;
  flavors: Record<string, string>;
  request: Record<string, number>;
}

/** decideCycle decides which pending JobSets to admit, where their pods go, and which running JobSets to preempt. */
export function decideCycle(snapshot: Snapshot): CycleDecision {
  const nodes = freeNodes(snapshot.nodes);
  const cursors = new FitCursors();
  const usedPorts = new Map<string, Set<number>>();
  for (const u of snapshot.usedPorts) usedPorts.set(u.node, (usedPorts.get(u.node) ?? new Set()).add(u.port));
  const admit: Admission[] = [];
  const pending: StillPending[] = [];
  const preempt: Preemption[] = [];
  const quota = snapshot.quota;
  // The cycle's own copy, charged in place as it admits (the snapshot is never changed).
  const usage = quota ? copyUsage(quota.usage) : undefined;
  const victims = new Set<string>(); // running JobSets already chosen for eviction in this cycle
  const now = snapshot.nowMs ?? 0;
  const levels = snapshot.topologyLevels ?? [];
  // Pods still on nodes that take no new ones (draining, NotReady) keep their domains from being empty.
  const occupied = snapshot.nodes
    .filter((n) => !n.schedulable && ((n.podCount ?? 0) > 0 || (n.stoppingPods ?? 0) > 0 || n.usedGpuIndices.length > 0))
    .map((n) => ({ name: n.name, labels: n.labels ?? {} }));
  const exclusive = new ExclusiveDomains(snapshot.exclusiveHeld ?? [], occupied);
  // Where a JobSet may go given exclusive placements: never into a held domain; an exclusive one only into empty domains.
  const restrict = (js: PendingJobSet, opts: PlaceOptions): PlaceOptions => {
    let o = opts;
    if (exclusive.any()) o = { ...o, eligible: excluding(o.eligible, exclusive) };
    const level = js.placement?.exclusive;
    if (level) {
      const empty = exclusive.emptyDomainNodes(nodes, level);
      const inEmpty = new Set(empty);
      o = { ...o, among: o.among ? o.among.filter((i) => inEmpty.has(i)) : empty };
    }
    // An exclusive Job (replicatedJob placement) takes only domains empty for this cycle.
    if (js.groups?.some((g) => g.exclusive)) o = { ...o, emptyAt: (l) => exclusive.emptyDomainNodes(nodes, l) };
    return o;
  };
  let reservations = 0; // blocked JobSets given a backfill reservation this cycle
  const blockedHeads = new Map<string, string>(); // StrictFIFO queue → the pending head blocking it
  const order = [...snapshot.pending].sort(queueOrder);
  // Two passes (Kueue §3.8: fits under nominal before borrowing): the first admits what fits in its queue's
  // own quota and defers the rest — with everything behind it in its queue, so a queue's order holds —
  // and the second, in the same order, lets them borrow.
  const deferred: PendingJobSet[] = [];
  const deferredQueues = new Set<string>();
  const shares = quota?.fairSharing ? new FairShares(quota.tree) : undefined;
  // Admission fair sharing: within its queues, the submitter who used least lately goes first, and each
  // admission in this cycle charges its submitter's entry penalty at once (so one user cannot take a queue's whole cycle).
  const afs = quota?.afs;
  const afsCharged = new Map<string, number>();
  const passes: [1 | 2, Iterable<PendingJobSet>][] = [
    [1, afs && afs.queues.length > 0 ? leastUsageFirst(order, afs, afsCharged) : order],
    // With fair sharing, borrowing admissions go to the queue whose share would be lowest with its next JobSet (§3.10).
    [2, shares ? lowestShareFirst(deferred, quota!, usage!, shares) : deferred],
  ];
  for (const [pass, list] of passes) {
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
      const stopped = queueName ? quota!.stopped?.[queueName] : undefined;
      if (stopped) {
        pending.push({ jobset: js.name, reason: 'QueueStopped', message: `queue ${queueName} is stopped (stopPolicy ${stopped}): it admits nothing until its stopPolicy is None` });
        continue;
      }
      const stay = (p: StillPending): void => {
        pending.push(p);
        if (queueName && quota!.strategies[queueName] === 'StrictFIFO') blockedHeads.set(queueName, js.name);
      };
      const canPreempt = queueName !== undefined && mayPreempt(quota!.preemption?.[queueName]);
      const preemptFor = (): boolean => {
        const waiting = preemptToFit(js, queueName!, quota!, usage!, nodes, cursors, victims, now, shares, levels, (o) => restrict(js, o));
        if (!waiting) return false;
        preempt.push(...waiting.preempt);
        stay(waiting.pending);
        return true;
      };
      // Quota first (whole gang, per flavor), then placement on the nodes of the flavors chosen.
      let charged: QuotaCharge | undefined;
      if (queueName) {
        const request = gangRequest(js);
        const assigned = assignFlavors(quota!.tree, usage!, queueName, request);
        if (!assigned.ok) {
          if (!(assigned.reason === 'WaitingForQuota' && canPreempt && preemptFor())) {
            const fair = shares && assigned.reason === 'WaitingForQuota' && quota!.tree.queues.get(queueName)?.cohort !== undefined ? `; fair sharing: queue ${queueName} ${describeShare(shares.shareOf(usage!, queueName))}` : '';
            stay({ jobset: js.name, reason: assigned.reason, message: assigned.message + fair });
          }
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
      const place = (opts: PlaceOptions): ReturnType<typeof placeGang> => placeJobSet(js, nodes, cursors, restrict(js, opts), levels);
      let placed = place({ eligible });
      let backfill: Admission['backfill'];
      if ('reason' in placed) {
        if (canPreempt && charged) {
          // Capacity already stopping (victims of an earlier cycle, restarts) is waited for, not preempted again.
          const later = place({ eligible, optimistic: true });
          if (!('reason' in later)) {
            stay(holdFor(js, later, charged, nodes, usage!, []));
            continue;
          }
          if (preemptFor()) continue;
        }
        // Backfill: capacity held for a blocked JobSet may be used by one that ends before that one can start.
        const endsBy = reservations > 0 && js.timeLimitMs !== undefined ? now + js.timeLimitMs : undefined;
        const filled = endsBy !== undefined ? place({ eligible, endsByMs: endsBy }) : placed;
        if ('reason' in filled) {
          // JobSets preempted in this cycle already count as stopping: they do not end a second time.
          const running = snapshot.running && victims.size > 0 ? snapshot.running.filter((r) => !victims.has(r.name)) : snapshot.running;
          const reserved = running && reservations < MAX_RESERVATIONS ? shadowStart(js, nodes, running, now, restrict(js, { eligible }).eligible, levels) : undefined;
          let message = charged ? `${placed.message} (on nodes of flavor ${[...new Set(Object.values(charged.flavors))].join(', ')})` : placed.message;
          if (js.placement?.exclusive) message = exclusiveShortfall(js, nodes, js.placement.exclusive, exclusive);
          if (reserved) {
            reservations++;
            holdUntil(js, reserved.placed, nodes, reserved.startMs);
            message += `; expected to start by ${new Date(reserved.startMs).toISOString()}, when ${reserved.waitsFor.length === 1 ? `${reserved.waitsFor[0]} reaches its time limit` : `${listed(reserved.waitsFor)} reach their time limits`}: what it will use of the capacity free now is held for it (backfill: only JobSets ending before then may use it)`;
          }
          stay({ ...placed, message });
          continue;
        }
        const held = filled.map((p) => nodes[p.node]!).find((n) => n.heldFor !== undefined);
        backfill = { before: held?.heldFor ?? '', startMs: held?.heldUntilMs ?? endsBy! };
        placed = filled;
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
      const admission: Admission = { jobset: js.name, placements: commit(js, placed, nodes), coordinatorPort: port, coordinatorNode, ...(backfill ? { backfill } : {}) };
      for (const d of exclusiveDomainsOf(js, placed.map((p) => ({ podId: p.podId, node: nodes[p.node]! })))) exclusive.hold(d.level, d.key);
      if (charged) {
        admission.quota = { queue: charged.queue, flavors: charged.flavors };
        chargeUsage(usage!, charged.queue, { flavors: charged.flavors }, charged.request);
        if (afs?.queues.includes(charged.queue)) {
          const key = afsKey(charged.queue, js.user ?? '');
          const penalty = Object.fromEntries(Object.entries(afsAmounts(charged.request)).map(([r, n]) => [r, n * afs.penaltyFactor]));
          afsCharged.set(key, (afsCharged.get(key) ?? 0) + weightedUsage(penalty, undefined, afs.weights));
        }
      }
      admit.push(admission);
    }
  }
  return preempt.length > 0 ? { admit, pending, preempt } : { admit, pending };
}

/**
 * holdFor reserves, for the rest of the cycle, the quota and the node capacity
 * (free, then stopping) of a JobSet that will fit once stopping pods exit, and
 * says what it waits for.
 */
function holdFor(js: PendingJobSet, placed: GangPlacement, charge: QuotaCharge, nodes: FreeNode[], usage: MutableUsage, victims: readonly Victim[]): StillPending {
  const waitingOn = [...new Set(placed.map((p) => nodes[p.node]!).filter((n) => n.stoppingPods > 0).map((n) => n.name))].sort();
  reserve(js, placed, nodes);
  chargeUsage(usage, charge.queue, { flavors: charge.flavors }, charge.request);
  const on = waitingOn.length > 0 ? ` on ${listed(waitingOn)}` : '';
  const message =
    victims.length > 0
      ? `preempting ${victims.length} JobSet(s) to make room: ${victims.map((v) => `${v.jobset.name} (${v.reason})`).join(', ')}; admitted once their pods have stopped${on}`
      : `fits once stopping pods have exited${on}; its quota and that capacity are held for it`;
  return { jobset: js.name, reason: 'WaitingForPreemption', message };
}

/** listed names up to five things and counts the rest. */
function listed(names: readonly string[]): string {
  return names.length <= 5 ? names.join(', ') : `${names.slice(0, 5).join(', ')} and ${names.length - 5} more`;
}

/**
 * preemptToFit looks for victims that would let a JobSet fit (quota and
 * placement). When found, they are released in the cycle's state (their quota
 * given back, their pods stopping), the JobSet's quota and capacity are held,
 * and the evictions and its pending reason are returned; undefined otherwise.
 */
function preemptToFit(
  js: PendingJobSet,
  queue: string,
  quota: QuotaSnapshot,
  usage: MutableUsage,
  nodes: FreeNode[],
  cursors: FitCursors,
  taken: Set<string>,
  nowMs: number,
  shares: FairShares | undefined,
  levels: readonly string[],
  restrict: (opts: PlaceOptions) => PlaceOptions,
): { preempt: Preemption[]; pending: StillPending } | undefined {
  const request = gangRequest(js);
  const index = new Map(nodes.map((n, i) => [n.name, i]));
  // Only nodes with room for some pod of the gang now (free or stopping) or holding a released victim can change the answer:
  // the search places on those alone (a full cluster has few), kept in name order.
  const shapes = [...new Map(js.pods.map((p) => [`${p.request.cpuMillis}/${p.request.memoryBytes}/${p.request.gpus}/${p.request.rdma}`, p.request])).values()];
  const roomy = new Set<number>();
  nodes.forEach((n, i) => {
    const room = add(n.free, n.stopping);
    if (shapes.some((r) => r.gpus <= room.gpus && r.cpuMillis <= room.cpuMillis && r.memoryBytes <= room.memoryBytes && r.rdma <= room.rdma)) roomy.add(i);
  });
  let among: number[] | undefined;
  const tryFit = (allowBorrow: boolean): { charge: QuotaCharge; placed: GangPlacement; borrows: boolean } | undefined => {
    const a = assignFlavors(quota.tree, usage, queue, request);
    if (!a.ok || (!allowBorrow && a.borrows)) return undefined;
    among ??= [...roomy].sort((x, y) => x - y);
    const placed = placeJobSet(js, nodes, cursors, restrict({ eligible: flavorNodes(a.flavors, quota.flavorLabels), optimistic: true, among }), levels);
    return 'reason' in placed ? undefined : { charge: { queue, flavors: { ...a.flavors }, request }, placed, borrows: a.borrows };
  };
  const sim: PreemptionSim = {
    release: (v) => {
      releaseUsage(usage, v.queue, { flavors: v.flavors }, v.request);
      for (const pod of v.pods) {
        const i = index.get(pod.node) ?? -1;
        const n = nodes[i];
        if (!n) continue;
        if (!roomy.has(i)) {
          roomy.add(i);
          among = undefined;
        }
        n.stopping = add(n.stopping, pod.request);
        n.stoppingGpus.push(...pod.gpuIndices);
        if (n.cpuTopology && pod.cpus) n.stoppingCpus.push(...pod.cpus);
        n.stoppingPods++;
      }
    },
    restore: (v) => {
      chargeUsage(usage, v.queue, { flavors: v.flavors }, v.request);
      for (const pod of v.pods) {
        const n = nodes[index.get(pod.node) ?? -1];
        if (!n) continue;
        n.stopping = sub(n.stopping, pod.request);
        for (const g of pod.gpuIndices) {
          const at = n.stoppingGpus.lastIndexOf(g);
          if (at >= 0) n.stoppingGpus.splice(at, 1);
        }
        for (const c of (n.cpuTopology && pod.cpus) || []) {
          const at = n.stoppingCpus.lastIndexOf(c);
          if (at >= 0) n.stoppingCpus.splice(at, 1);
        }
        n.stoppingPods--;
      }
    },
    fits: (allowBorrow) => {
      const f = tryFit(allowBorrow);
      return f ? { borrows: f.borrows } : undefined;
    },
    ...(shares
      ? {
          shareOf: (q: string, withPreemptor: boolean): number => {
            if (!withPreemptor) return shares.shareOf(usage, q).share;
            const a = assignFlavors(quota.tree, usage, queue, request);
            return shares.shareOf(usage, queue, { flavors: a.ok ? a.flavors : preferredFlavors(quota, queue), request }).share;
          },
        }
      : {}),
  };
  const candidates: AdmittedJobSet[] = (quota.admitted ?? []).filter((a) => !taken.has(a.name));
  const fairSharing = quota.fairSharing?.strategies;
  const found = findVictims({ preemptor: js, queue, request, tree: quota.tree, usage, policies: quota.preemption ?? {}, candidates, nowMs, ...(fairSharing ? { fairSharing } : {}) }, sim);
  if (!found) return undefined;
  const fit = tryFit(true)!; // findVictims left the state where it fits
  for (const v of found) taken.add(v.jobset.name);
  const root = cohortRoot(quota.tree, queue);
  const preempt = found.map((v): Preemption => ({ jobset: v.jobset.name, by: js.name, reason: v.reason, message: victimMessage(v, js, queue, root) }));
  return { preempt, pending: holdFor(js, fit.placed, fit.charge, nodes, usage, found) };
}

/** victimMessage tells a preempted JobSet's owner who took its place and by which rule. */
function victimMessage(v: Victim, by: PendingJobSet, queue: string, root: string | undefined): string {
  const who = `${by.name} (priority ${by.priority ?? 0}) of queue ${queue}`;
  switch (v.reason) {
    case 'InQueue':
      return `preempted by ${who}: a higher-priority JobSet of the same queue (this one has priority ${v.jobset.priority})`;
    case 'InCohortReclamation':
      return `preempted by ${who}, which reclaims its nominal quota: queue ${v.jobset.queue} was borrowing it in cohort ${root ?? '?'}`;
    case 'InCohortReclaimWhileBorrowing':
      return `preempted by ${who}, which borrows in cohort ${root ?? '?'} and outranks this JobSet (priority ${v.jobset.priority}) of borrowing queue ${v.jobset.queue}`;
    case 'InCohortFairSharing':
      return `preempted by ${who} under fair sharing in cohort ${root ?? '?'}: ${v.detail ?? `queue ${v.jobset.queue} had the highest share`}`;
  }
}

/**
 * leastUsageFirst yields `order`, except that each slot held by a JobSet of an
 * admission-fair-sharing queue goes to that queue's JobSet whose submitter
 * has the least usage now (snapshot usage plus what this cycle charged them),
 * ties by priority, creation, name: the queues' interleaving is kept, their
 * inner order follows usage (core/admission-fair-sharing.ts).
 */
function* leastUsageFirst(order: readonly PendingJobSet[], afs: AfsSnapshot, charged: ReadonlyMap<string, number>): Generator<PendingJobSet> {
  const queues = new Set(afs.queues);
  const pools = new Map<string, Map<string, PendingJobSet[]>>(); // queue → user → its JobSets in order
  for (const js of order) {
    if (!js.queue || !queues.has(js.queue)) continue;
    const byUser = pools.get(js.queue) ?? pools.set(js.queue, new Map()).get(js.queue)!;
    const user = js.user ?? '';
    (byUser.get(user) ?? byUser.set(user, []).get(user)!).push(js);
  }
  const usageOf = (queue: string, user: string): number => {
    const key = afsKey(queue, user);
    return (afs.usage[key] ?? 0) + (charged.get(key) ?? 0);
  };
  for (const js of order) {
    const byUser = js.queue ? pools.get(js.queue) : undefined;
    if (!byUser) {
      yield js;
      continue;
    }
    let best: { user: string; u: number; head: PendingJobSet } | undefined;
    for (const [user, list] of byUser) {
      const head = list[0]!;
      const u = usageOf(js.queue!, user);
      const better = !best || u < best.u || (u === best.u && queueOrder(head, best.head) < 0);
      if (better) best = { user, u, head };
    }
    const list = byUser.get(best!.user)!;
    list.shift();
    if (list.length === 0) byUser.delete(best!.user);
    yield best!.head;
  }
}

/** exclusiveShortfall explains why an exclusive JobSet found no empty domains to fit in. */
function exclusiveShortfall(js: PendingJobSet, nodes: readonly FreeNode[], level: string, exclusive: ExclusiveDomains): string {
  const all = new Set(nodes.map((n) => domainOf(n, level)).filter((k): k is string => k !== undefined));
  const empty = new Set(exclusive.emptyDomainNodes(nodes, level).map((i) => domainOf(nodes[i]!, level)));
  const gpus = js.pods.reduce((a, p) => a + p.request.gpus, 0);
  const freeGpus = exclusive.emptyDomainNodes(nodes, level).reduce((a, i) => a + nodes[i]!.freeGpus.length, 0);
  return `needs ${js.pods.length} pod(s) (${gpus} GPUs) on ${level}s of its own: ${empty.size} of ${all.size} ${level}s are empty (no pod running, stopping or held, none held by another exclusive JobSet), with ${freeGpus} free GPUs`;
}

/** excluding narrows a node filter to nodes outside domains held by exclusive placements (they only grow within a cycle, so fit cursors stay valid). */
function excluding(base: NodeFilter | undefined, exclusive: ExclusiveDomains): NodeFilter {
  return {
    forRequest(request) {
      const inner = base?.forRequest(request);
      return { key: `${inner?.key ?? ''}|open`, accepts: (n) => !exclusive.closed(n) && (inner ? inner.accepts(n) : true) };
    },
  };
}

/** preferredFlavors charges each covered resource to its group's first flavor (a share estimate for a JobSet that does not fit yet). */
function preferredFlavors(quota: QuotaSnapshot, queue: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const g of quota.tree.queues.get(queue)?.groups ?? []) for (const r of g.resources) if (g.flavors[0] !== undefined) out[r] = g.flavors[0];
  return out;
}

/**
 * lowestShareFirst yields deferred (borrowing) JobSets queue by queue, each
 * queue's in its own order, always next from the queue whose share would be
 * lowest with its next JobSet admitted (ties: priority, creation, name). A
 * queue's key is recomputed only after it yields (other queues' shares do not
 * change when one queue admits).
 */
function* lowestShareFirst(deferred: readonly PendingJobSet[], quota: QuotaSnapshot, usage: MutableUsage, shares: FairShares): Generator<PendingJobSet> {
  const byQueue = new Map<string, PendingJobSet[]>();
  for (const js of deferred) (byQueue.get(js.queue!) ?? byQueue.set(js.queue!, []).get(js.queue!)!).push(js);
  type Head = { queue: string; at: number; key: number; js: PendingJobSet };
  const keyOf = (queue: string, js: PendingJobSet): number => {
    const request = gangRequest(js);
    const a = assignFlavors(quota.tree, usage, queue, request);
    return a.ok ? shares.shareOf(usage, queue, { flavors: a.flavors, request }).share : Number.POSITIVE_INFINITY;
  };
  const heap = new MinHeap<Head>((a, b) => a.key < b.key || (a.key === b.key && queueOrder(a.js, b.js) < 0));
  for (const [queue, list] of byQueue) heap.push({ queue, at: 0, key: keyOf(queue, list[0]!), js: list[0]! });
  for (let h = heap.pop(); h; h = heap.pop()) {
    yield h.js;
    const list = byQueue.get(h.queue)!;
    const next = list[h.at + 1];
    if (next) heap.push({ queue: h.queue, at: h.at + 1, key: keyOf(h.queue, next), js: next });
  }
}

/** gangRequest is the whole gang's need in quota resource names (cpu millicores, memory bytes, gpus, rdma). */
export function gangRequest(js: Pick<PendingJobSet, 'pods'>): Record<string, number> {
  const total = js.pods.reduce((acc, p) => add(acc, p.request), { ...ZERO });
  // Quota counts a MIG device as a GPU (there are no per-profile quotas).
  const mig = js.pods.reduce((a, p) => a + (p.mig?.count ?? 0), 0);
  return { cpu: total.cpuMillis, memory: total.memoryBytes, gpus: total.gpus + mig, rdma: total.rdma };
}

function lowestFreePort(used: Set<number>, range: { min: number; max: number }): number | undefined {
  for (let p = range.min; p <= range.max; p++) if (!used.has(p)) return p;
  return undefined;
}
