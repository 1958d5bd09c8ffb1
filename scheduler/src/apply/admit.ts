/**
 * Applying a cycle's decision: re-check each admission against the latest
 * store (something may have changed since the snapshot), build what every pod
 * is told, commit the admission and the node revisions in one transaction,
 * then push desired documents and announce.
 */
import { failpoint } from '../../../shared/src/failpoint.js';
import { add, fits, sub, toResources, type Resources } from '../../../shared/src/resources.js';
import type { JobSetStatus, PodAssignment, PodStatus } from '../../../shared/src/proto/types.js';
import { buildAssignments } from '../core/assignments.js';
import { gangRequest } from '../core/decide-cycle.js';
import { setCondition } from '../core/jobset-status.js';
import { withHistory } from '../core/lifecycle.js';
import { openReplicatedJobs, withStartupConditions } from '../core/startup.js';
import type { Admission, CycleDecision, PodPlacement } from '../core/types.js';
import type { SchedulerContext } from '../context.js';
import { announce, desiredFor, pushDesired } from '../controller/notify.js';
import type { JobSetRecord } from '../store/store.js';
import { evictForPreemption } from './preempt.js';

/** ApplyResult counts what a decision did. */
export interface ApplyResult {
  admitted: string[];
  /** JobSets evicted by preemption (back in their queues). */
  preempted: string[];
  /** Admissions not committed; `tooLarge` marks a refusal for the transport size (the JobSet stays Pending with a reason). */
  rejected: { jobset: string; why: string; tooLarge?: boolean }[];
}

/** applyDecision commits admissions and pending reasons of one cycle. */
export function applyDecision(ctx: SchedulerContext, decision: CycleDecision): ApplyResult {
  const now = ctx.clock.now();
  const result: ApplyResult = { admitted: [], preempted: [], rejected: [] };
  const changed: JobSetRecord[] = [];
  const nodes = new Set<string>();
  // Resources taken by admissions earlier in this same apply pass.
  const taken = new Map<string, Resources>();
  const docs = new DocumentSizes(ctx);
  const pendingReasons = [...decision.pending];

  // Preemptions first: victims leave their nodes (capacity held until their pods exit) and go back to their queues.
  const evicted: { name: string; by: string; reason: string }[] = [];
  for (const p of decision.preempt ?? []) {
    const ev = evictForPreemption(ctx, p, now);
    if (!ev) continue;
    changed.push(ev.record);
    for (const n of ev.nodes) nodes.add(n);
    result.preempted.push(p.jobset);
    evicted.push({ name: p.jobset, by: p.by, reason: p.reason });
  }

  const addresses = new Map(ctx.store.allNodes().map((n) => [n.node.name, n.node.address]));
  const inventories = new Map(ctx.store.allNodes().map((n) => [n.node.name, n.node.inventory]));
  for (const adm of decision.admit) {
    const rec = ctx.store.getJobSet(adm.jobset);
    const why = recheck(ctx, rec, adm, taken);
    if (why || !rec) {
      result.rejected.push({ jobset: adm.jobset, why: why ?? 'gone' });
      continue;
    }
    const next = structuredClone(rec.jobset);
    // A JobSet restarted through the queue keeps its pods' new generations.
    const generationOf = new Map(next.status!.pods.map((p) => [p.podId, p.generation]));
    const { assignments, hosts } = buildAssignments({ jobset: next, gang: rec.gang, placements: adm.placements, addresses, inventories, coordinatorPort: adm.coordinatorPort });
    const tooBig = docs.tryAdd(assignments, adm.placements, hosts);
    if (tooBig) {
      result.rejected.push({ jobset: adm.jobset, why: tooBig, tooLarge: true });
      pendingReasons.push({ jobset: adm.jobset, reason: 'TooLargeForTransport', message: tooBig });
      continue;
    }
    const placementOf = new Map(adm.placements.map((p) => [p.podId, p]));
    const bindingOf = new Map(assignments.map((a) => [a.podId, a.binding]));
    const s = next.status!;
    s.phase = 'JOB_SET_PHASE_ADMITTED';
    s.reason = 'Admitted';
    s.message =
      `all ${rec.gang.length} pods placed on ${new Set(adm.placements.map((p) => p.node)).size} node(s)` +
      (adm.quota ? ` (queue ${adm.quota.queue}, flavor ${[...new Set(Object.values(adm.quota.flavors))].join(', ')})` : '') +
      (adm.backfill ? `; backfilled: its time limit ends it before ${adm.backfill.before || 'a blocked JobSet'} is expected to start (${new Date(adm.backfill.startMs).toISOString()})` : '');
    s.admittedMs = now;
    s.admission = adm.quota ? { queue: adm.quota.queue, flavors: adm.quota.flavors } : null;
    s.updatedMs = now;
    s.coordinatorPort = adm.coordinatorPort;
    s.pods = rec.gang.map((g): PodStatus => {
      const pl = placementOf.get(g.podId)!;
      return {
        podId: g.podId, generation: generationOf.get(g.podId) ?? 0, node: pl.node, phase: 'POD_PHASE_PENDING', signal: '', reason: '', message: '',
        startedMs: 0, finishedMs: 0, seq: 0, pid: 0, binding: bindingOf.get(g.podId) ?? { gpuIndices: pl.gpuIndices, gpuUuids: [], cpuset: '', numaNode: -1, nics: [] },
        jobsetUid: next.metadata!.uid, requests: { ...g.request }, notBeforeMs: 0,
      };
    });
    s.replicatedJobs = s.replicatedJobs.map((r) => ({ ...r, pending: rec.gang.filter((g) => g.replicatedJob === r.name).length }));
    s.conditions = setCondition(s.conditions, { type: 'Admitted', status: 'True', reason: 'Admitted', message: s.message, lastTransitionMs: now });
    // Replicated jobs that wait for others (dependsOn, InOrder) are placed now but start later.
    s.startedReplicatedJobs = openReplicatedJobs(next);
    s.conditions = withStartupConditions(next.spec!, s.startedReplicatedJobs, s.conditions, now);
    next.status = withHistory(s, [{ type: 'Admitted', message: s.message }], now);
    const updated: JobSetRecord = { jobset: next, gang: rec.gang, placement: { coordinatorPort: adm.coordinatorPort, coordinatorNode: adm.coordinatorNode, pods: adm.placements, assignments, hosts } };
    changed.push(updated);
    for (const p of adm.placements) {
      nodes.add(p.node);
      const req = rec.gang.find((g) => g.podId === p.podId)!.request;
      taken.set(p.node, add(taken.get(p.node) ?? toResources(null), req));
    }
    result.admitted.push(adm.jobset);
  }

  for (const p of pendingReasons) {
    const rec = ctx.store.getJobSet(p.jobset);
    if (!rec || rec.jobset.status!.phase !== 'JOB_SET_PHASE_PENDING') continue;
    if (rec.jobset.status!.reason === p.reason && rec.jobset.status!.message === p.message) continue;
    const next = structuredClone(rec.jobset);
    next.status!.reason = p.reason;
    next.status!.message = p.message;
    next.status!.updatedMs = now;
    changed.push({ ...rec, jobset: next });
  }
  if (changed.length === 0) return result;
  if (result.admitted.length > 0) failpoint('admit-before-commit');
  const bumped = ctx.store.commit(changed, nodes);
  if (result.admitted.length > 0) failpoint('admit-after-commit');
  pushDesired(ctx, bumped);
  for (const rec of changed) announce(ctx, rec.jobset);
  for (const e of evicted) {
    ctx.log.info('jobset preempted', { jobset: e.name, by: e.by, reason: e.reason });
    ctx.metrics.preempted.inc({ reason: e.reason });
    ctx.metrics.evicted.inc({ reason: 'Preempted' });
  }
  for (const rec of changed) {
    const st = rec.jobset.status!;
    if (st.phase !== 'JOB_SET_PHASE_ADMITTED' || st.admittedMs !== now || !result.admitted.includes(rec.jobset.metadata!.name)) continue;
    const queue = rec.jobset.spec!.queue;
    ctx.metrics.admitted.inc({ queue });
    if (st.admission) ctx.afs.admitted(st.admission.queue, rec.jobset.metadata!.user, gangRequest({ pods: rec.gang }));
    // Waiting starts at submission, or at the last time it went back to the queue (eviction, restart through the queue).
    const queuedAt = Math.max(rec.jobset.metadata!.createdMs, lastRequeueMs(st));
    ctx.metrics.admissionWait.observe(Math.max(0, now - queuedAt) / 1000, { queue });
  }
  for (const name of result.admitted) ctx.log.info('jobset admitted', { jobset: name, pods: ctx.store.getJobSet(name)?.gang.length });
  return result;
}

/** lastRequeueMs is when the JobSet last went back to its queue (its latest Preempted/Evicted/Requeued/JobSetRestarted event), 0 if never. */
function lastRequeueMs(status: JobSetStatus): number {
  let t = 0;
  for (const h of status.history) if (['Preempted', 'Evicted', 'Requeued', 'JobSetRestarted', 'Resumed'].includes(h.type) && h.timeMs > t) t = h.timeMs;
  return t;
}

/** recheck verifies an admission still holds against the live store. */
function recheck(ctx: SchedulerContext, rec: JobSetRecord | undefined, adm: Admission, taken: Map<string, Resources>): string | undefined {
  if (!rec) return 'deleted';
  if (rec.jobset.status!.phase !== 'JOB_SET_PHASE_PENDING') return 'no longer pending';
  if (adm.placements.length !== rec.gang.length) return 'placement does not cover the gang';
  const need = new Map<string, Resources>();
  for (const p of adm.placements) {
    const g = rec.gang.find((x) => x.podId === p.podId);
    if (!g) return `unknown pod ${p.podId}`;
    need.set(p.node, add(need.get(p.node) ?? toResources(null), g.request));
  }
  for (const [node, req] of need) {
    const n = ctx.store.getNode(node);
    if (!n || n.node.state !== 'NODE_STATE_READY') return `node ${node} is not Ready`;
    const free = sub(sub(toResources(n.node.inventory?.allocatable), toResources(n.node.allocated)), taken.get(node) ?? toResources(null));
    if (!fits(req, free)) return `node ${node} no longer has room`;
  }
  return undefined;
}

/**
 * DocumentSizes keeps every node's desired document under the transport's
 * message limit: an admission that would push one over is refused (the JobSet
 * stays Pending and says why) instead of leaving pods that can never be told.
 */
class DocumentSizes {
  private readonly bytes = new Map<string, number>();
  private readonly limit: number;

  constructor(private readonly ctx: SchedulerContext) {
    this.limit = Math.floor(ctx.settings.maxDesiredBytes * 0.9); // headroom for the envelope and later status fields
  }

  private current(node: string): number {
    let b = this.bytes.get(node);
    if (b === undefined) {
      b = JSON.stringify(desiredFor(this.ctx, node)).length;
      this.bytes.set(node, b);
    }
    return b;
  }

  /** tryAdd accounts a JobSet's pods to their nodes, or returns why it does not fit (and accounts nothing). */
  tryAdd(assignments: PodAssignment[], placements: PodPlacement[], hosts: string[]): string | undefined {
    const nodeOf = new Map(placements.map((p) => [p.podId, p.node]));
    const hostfile = JSON.stringify(hosts).length + 64;
    const add = new Map<string, number>();
    for (const a of assignments) {
      const node = nodeOf.get(a.podId)!;
      add.set(node, (add.get(node) ?? hostfile) + JSON.stringify(a).length + 1);
    }
    for (const [node, extra] of add) {
      const total = this.current(node) + extra;
      if (total > this.limit)
        return `the desired document of node ${node} would be ${total} bytes, over the ${this.limit}-byte budget of one NATS message (max_payload ${this.ctx.settings.maxDesiredBytes}); lower maxPodsPerNode, raise max_payload, or shorten the pod template`;
    }
    for (const [node, extra] of add) this.bytes.set(node, this.current(node) + extra);
    return undefined;
  }
}
