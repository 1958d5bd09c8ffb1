/**
 * Folding what agents report (pod events from JetStream, pod sets in
 * heartbeats) into JobSet status and acting on what it means (core/lifecycle:
 * retries, Job and JobSet restarts, failure, success). Reports are idempotent
 * by (podId, generation, seq); reports from other nodes, older generations or
 * finished JobSets are dropped. Whatever changes what nodes must run — a
 * finished JobSet, restarted pods, a placement released for a Recreate
 * restart — reaches the desired documents in the same commit.
 */
import { parsePodId } from '../../../shared/src/ids.js';
import { isTerminalJobSet, isTerminalPod, jobSetPhaseName } from '../../../shared/src/phases.js';
import type { PodStatus } from '../../../shared/src/proto/types.js';
import { buildAssignments } from '../core/assignments.js';
import type { Unusable } from '../core/failure-policy.js';
import { applyPodStatus, classifyPodReport } from '../core/jobset-status.js';
import { deadlineDue, evaluateJobSet } from '../core/lifecycle.js';
import type { SchedulerContext } from '../context.js';
import { isActive, podKey, type JobSetRecord } from '../store/store.js';
import { errorFields } from '../../../shared/src/logger.js';
import { announce, pushDesired } from './notify.js';

/** PodReport is one pod's status as reported by (or on behalf of) a node. */
export interface PodReport {
  node: string;
  pod: PodStatus;
}

/** applyPodReports merges reports from `node` and commits what changed; returns the JobSets changed. */
export function applyPodReports(ctx: SchedulerContext, node: string, reports: PodStatus[]): string[] {
  return applyReports(
    ctx,
    reports.map((pod) => ({ node, pod })),
  );
}

/**
 * failPodsOn fails every unfinished pod of an active JobSet placed on `node`
 * (those `which` picks) with `reason` (NodeLost, NodeDrained, GPUUnhealthy),
 * as if its node had reported it, and lets the lifecycle decide; returns how
 * many pods it failed.
 */
export function failPodsOn(ctx: SchedulerContext, node: string, reason: string, message: string, now: number, which: (p: PodStatus) => boolean = () => true): number {
  const reports: PodStatus[] = [];
  for (const rec of ctx.store.allJobSets()) {
    if (!isActive(rec.jobset)) continue;
    for (const p of rec.jobset.status!.pods)
      if (p.node === node && !isTerminalPod(p.phase) && which(p)) reports.push({ ...p, phase: 'POD_PHASE_FAILED', reason, message, finishedMs: now, seq: Number.MAX_SAFE_INTEGER });
  }
  if (reports.length > 0) applyPodReports(ctx, node, reports);
  return reports.length;
}

/**
 * evaluateDeadlines re-evaluates the active JobSets whose activeDeadlineSeconds
 * have run out since their last report (no pod report would wake them).
 * Never throws.
 */
export function evaluateDeadlines(ctx: SchedulerContext): string[] {
  try {
    const now = ctx.clock.now();
    const due = ctx.store
      .allJobSets()
      .filter((r) => isActive(r.jobset) && deadlineDue(r.jobset, now))
      .map((r) => ({ ...r, jobset: structuredClone(r.jobset) }));
    return due.length === 0 ? [] : evaluateAndCommit(ctx, due, now);
  } catch (err) {
    ctx.log.error('evaluating deadlines failed', errorFields(err));
    return [];
  }
}

/** lastRetrySweep remembers, per scheduler, up to when retries that came due were pushed. */
const lastRetrySweep = new WeakMap<SchedulerContext, number>();

/**
 * pushDueRetries tells the nodes of retried pods whose back-off has just
 * ended to start them (their desired documents change with time alone).
 * Never throws.
 */
export function pushDueRetries(ctx: SchedulerContext): string[] {
  try {
    const now = ctx.clock.now();
    const after = lastRetrySweep.get(ctx) ?? 0;
    lastRetrySweep.set(ctx, now);
    const nodes = ctx.store.retriesDueBetween(after, now);
    if (nodes.length === 0) return [];
    const bumped = ctx.store.bumpRevisions(nodes);
    pushDesired(ctx, bumped);
    return bumped;
  } catch (err) {
    ctx.log.error('pushing retries whose back-off ended failed', errorFields(err));
    return [];
  }
}

/** addressesOf maps node names to the addresses pods there are reached at. */
function addressesOf(ctx: SchedulerContext): Map<string, string> {
  return new Map(ctx.store.allNodes().map((n) => [n.node.name, n.node.address]));
}

/** applyReports merges reports from any nodes and commits everything that changed in one transaction. */
export function applyReports(ctx: SchedulerContext, reports: PodReport[]): string[] {
  const now = ctx.clock.now();
  const touched = new Map<string, JobSetRecord>();
  const released: string[] = [];
  for (const { node, pod: r } of reports) {
    const ref = parsePodId(r.podId);
    if (!ref) {
      ctx.log.warn('pod report with a malformed pod id dropped', { node, podId: r.podId });
      continue;
    }
    const rec = touched.get(ref.jobset) ?? ctx.store.getJobSet(ref.jobset);
    if (!rec) continue;
    // Most heartbeat entries repeat what is known: classify first, copy only what changes.
    const res = classifyPodReport(rec.jobset, node, r);
    if (res === 'applied') {
      const copy = touched.get(ref.jobset) ?? { ...rec, jobset: structuredClone(rec.jobset) };
      applyPodStatus(copy.jobset, node, r);
      touched.set(ref.jobset, copy);
    } else if (res === 'old-generation' || res === 'other-incarnation') {
      // A superseded incarnation that ended frees what it held at once (a restart through the queue waits for it).
      const key = podKey(r.podId, r.jobsetUid, r.generation);
      if (isTerminalPod(r.phase) && ctx.store.releaseLingering(node, key)) released.push(key);
      if (res === 'other-incarnation') ctx.log.debug('pod report of another JobSet incarnation dropped', { node, podId: r.podId, jobsetUid: r.jobsetUid });
    } else if (res === 'wrong-node' || res === 'unknown-pod' || res === 'unknown-phase') ctx.log.warn('pod report dropped', { node, podId: r.podId, why: res });
  }
  if (released.length > 0) {
    // Pods held back until an older incarnation elsewhere was gone may start now.
    pushDesired(ctx, ctx.store.bumpRevisions(ctx.store.nodesWaitingOn(released)));
    ctx.requestCycle('stopping pods gone');
  }
  if (touched.size === 0) return [];
  return evaluateAndCommit(ctx, [...touched.values()], now);
}

/**
 * evaluateAndCommit runs the lifecycle on JobSet copies (whose pods carry the
 * latest reports) and commits what it decided in one transaction: status,
 * placements released or rebuilt, and the desired documents that changed.
 */
export function evaluateAndCommit(ctx: SchedulerContext, touched: readonly JobSetRecord[], now: number): string[] {
  const changed: JobSetRecord[] = [];
  const nodes = new Set<string>();
  const ended = new Set<string>();
  let freed = false;
  const lostNodes = new Set(ctx.store.allNodes().filter((n) => n.node.state === 'NODE_STATE_LOST').map((n) => n.node.name));
  const unhealthyGpus = new Map(ctx.store.allNodes().map((n) => [n.node.name, new Set((n.node.inventory?.gpus ?? []).filter((g) => !g.healthy).map((g) => g.index))]));
  const drainedNodes = new Set(ctx.store.allNodes().filter((n) => n.node.drain).map((n) => n.node.name));
  const unusable = (p: PodStatus): Unusable | undefined => {
    if (!p.node) return undefined;
    if (lostNodes.has(p.node)) return 'NodeLost';
    // No new pod (a retry is one) goes onto a drained node.
    if (drainedNodes.has(p.node)) return 'NodeDrained';
    const bad = unhealthyGpus.get(p.node);
    return bad && bad.size > 0 && (p.binding?.gpuIndices ?? []).some((i) => bad.has(i)) ? 'GPUUnhealthy' : undefined;
  };
  for (const rec of touched) {
    const name = rec.jobset.metadata!.name;
    const before = rec.jobset.status!.phase;
    // Pods reported ended in this batch hold nothing once the lifecycle replaces them.
    for (const p of rec.jobset.status!.pods) if (isTerminalPod(p.phase)) ended.add(podKey(p.podId, rec.jobset.metadata!.uid, p.generation));
    const decision = evaluateJobSet(rec.jobset, { now, lostNodes, unusable, retryBackoffMs: ctx.settings.podRetryBackoffMs, lostRequeueLimit: ctx.settings.nodeLossRequeueLimit ?? -1 });
    rec.jobset.status = decision.status;
    rec.jobset.status.updatedMs = now;
    for (const e of decision.events) ctx.log.info(e.message, { jobset: name, event: e.type });
    if (decision.releasePlacement) {
      // Back to the queue: the pods leave their nodes' desired documents (the agents stop them) in this commit.
      for (const p of rec.placement?.pods ?? []) nodes.add(p.node);
      rec.placement = null;
      freed = true;
    } else if (decision.restartPods.length > 0 && rec.placement) {
      // New incarnations where the old ones ran: same placement, new generations (and MUSTER_RESTART_ATTEMPT).
      const placement = rec.placement;
      const { assignments } = buildAssignments({ jobset: rec.jobset, gang: rec.gang, placements: placement.pods, addresses: addressesOf(ctx), coordinatorPort: placement.coordinatorPort });
      rec.placement = { ...placement, assignments };
      const restarted = new Set(decision.restartPods);
      for (const p of placement.pods) if (restarted.has(p.podId)) nodes.add(p.node);
    }
    // Pods of replicatedJobs that may start now join their nodes' desired documents.
    const starting = new Set(decision.startPods);
    for (const p of rec.placement?.pods ?? []) if (starting.has(p.podId)) nodes.add(p.node);
    changed.push(rec);
    const after = rec.jobset.status.phase;
    if (after !== before) {
      ctx.log.info('jobset phase changed', { jobset: name, from: jobSetPhaseName(before), to: jobSetPhaseName(after), reason: rec.jobset.status.reason });
      if (isTerminalJobSet(after)) {
        freed = true;
        for (const p of rec.placement?.pods ?? []) nodes.add(p.node);
      }
    }
  }
  const bumped = ctx.store.commit(changed, nodes, ended);
  pushDesired(ctx, bumped);
  for (const rec of changed) announce(ctx, ctx.store.getJobSet(rec.jobset.metadata!.name)!.jobset);
  if (freed) ctx.requestCycle('capacity freed');
  return changed.map((r) => r.jobset.metadata!.name);
}
