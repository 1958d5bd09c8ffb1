/**
 * Folding what agents report (pod events from JetStream, pod sets in
 * heartbeats) into JobSet status. Reports are idempotent by (podId,
 * generation, seq); reports from other nodes, older generations or finished
 * JobSets are dropped. When a JobSet finishes, its pods leave the desired
 * documents (the agents stop what still runs) in the same commit.
 */
import { parsePodId } from '../../../shared/src/ids.js';
import { isTerminalJobSet, jobSetPhaseName } from '../../../shared/src/phases.js';
import type { PodStatus } from '../../../shared/src/proto/types.js';
import { applyPodStatus, classifyPodReport, foldStatus } from '../core/jobset-status.js';
import type { SchedulerContext } from '../context.js';
import type { JobSetRecord } from '../store/store.js';
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

/** applyReports merges reports from any nodes and commits everything that changed in one transaction. */
export function applyReports(ctx: SchedulerContext, reports: PodReport[]): string[] {
  const now = ctx.clock.now();
  const touched = new Map<string, JobSetRecord>();
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
    } else if (res === 'wrong-node' || res === 'unknown-pod' || res === 'unknown-phase') ctx.log.warn('pod report dropped', { node, podId: r.podId, why: res });
    else if (res === 'other-incarnation') ctx.log.debug('pod report of another JobSet incarnation dropped', { node, podId: r.podId, jobsetUid: r.jobsetUid });
  }
  if (touched.size === 0) return [];

  const changed: JobSetRecord[] = [];
  const nodes = new Set<string>();
  let freed = false;
  for (const rec of touched.values()) {
    const before = rec.jobset.status!.phase;
    rec.jobset.status = foldStatus(rec.jobset, now);
    rec.jobset.status.updatedMs = now;
    changed.push(rec);
    const after = rec.jobset.status.phase;
    if (after !== before) {
      ctx.log.info('jobset phase changed', { jobset: rec.jobset.metadata!.name, from: jobSetPhaseName(before), to: jobSetPhaseName(after), reason: rec.jobset.status.reason });
      if (isTerminalJobSet(after)) {
        freed = true;
        for (const p of rec.placement?.pods ?? []) nodes.add(p.node);
      }
    }
  }
  const bumped = ctx.store.commit(changed, nodes);
  pushDesired(ctx, bumped);
  for (const rec of changed) announce(ctx, ctx.store.getJobSet(rec.jobset.metadata!.name)!.jobset);
  if (freed) ctx.requestCycle('capacity freed');
  return changed.map((r) => r.jobset.metadata!.name);
}
