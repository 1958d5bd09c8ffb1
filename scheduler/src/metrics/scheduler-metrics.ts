/**
 * The scheduler's Prometheus metrics (muster_*, after Kueue's kueue_* names,
 * kueue-jobset.md §3.19). Events (admissions, preemptions, evictions, cycle
 * durations) are counted as they happen; queue and node state (pending and
 * admitted JobSets, quota, usage, shares, node states) is read from the
 * store at scrape time, so it can never drift from what `muster queues` says.
 */
import { Registry, type Counter, type GaugeSample, type Histogram } from '../../../shared/src/metrics.js';
import { VERSION } from '../../../shared/src/version.js';
import type { SchedulerContext } from '../context.js';
import { FairShares } from '../core/fair-share.js';
import { buildQuotaTree } from '../core/quota.js';
import { quotaUsage } from '../snapshot.js';
import { isActive } from '../store/store.js';

/** SchedulerMetrics are the counters and histograms the scheduler updates, and the registry that renders them. */
export interface SchedulerMetrics {
  registry: Registry;
  /** Admission attempts by result: admitted | inadmissible (per JobSet per cycle). */
  admissionAttempts: Counter;
  /** JobSets admitted, by queue ("" = none). */
  admitted: Counter;
  /** Time from creation (or requeue) to admission, by queue. */
  admissionWait: Histogram;
  /** JobSets preempted, by reason (InQueue, InCohortReclamation, …). */
  preempted: Counter;
  /** JobSets evicted, by reason (Preempted, PodsReadyTimeout). */
  evicted: Counter;
  /** Duration of one scheduling cycle (decide + apply). */
  cycleDuration: Histogram;
}

const SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const WAIT_SECONDS = [1, 5, 15, 30, 60, 300, 900, 1800, 3600, 4 * 3600, 12 * 3600, 24 * 3600];

/** createSchedulerMetrics registers the event metrics; call registerStateGauges once the context exists. */
export function createSchedulerMetrics(): SchedulerMetrics {
  const registry = new Registry();
  registry.gauge('muster_build_info', 'Muster version of this scheduler (always 1).', () => [{ labels: { version: VERSION }, value: 1 }]);
  return {
    registry,
    admissionAttempts: registry.counter('muster_admission_attempts_total', 'Admission attempts of pending JobSets, by result (admitted, inadmissible).'),
    admitted: registry.counter('muster_admitted_jobsets_total', 'JobSets admitted, by queue.'),
    admissionWait: registry.histogram('muster_admission_wait_time_seconds', 'Time from submission (or requeue) to admission, by queue.', WAIT_SECONDS),
    preempted: registry.counter('muster_preempted_jobsets_total', 'JobSets preempted, by reason.'),
    evicted: registry.counter('muster_evicted_jobsets_total', 'JobSets evicted back to their queue, by reason.'),
    cycleDuration: registry.histogram('muster_scheduling_cycle_duration_seconds', 'Duration of one scheduling cycle: snapshot, decision and commit.', SECONDS),
  };
}

/** registerStateGauges adds the gauges read from the store at scrape time. */
export function registerStateGauges(m: SchedulerMetrics, ctx: () => SchedulerContext): void {
  const r = m.registry;
  const byQueue = (admittedOnly: boolean): GaugeSample[] => {
    const counts = new Map<string, number>();
    for (const q of ctx().objects.list('Queue')) counts.set(q.metadata!.name, 0);
    for (const rec of ctx().store.allJobSets()) {
      const js = rec.jobset;
      const hit = admittedOnly ? isActive(js) : js.status!.phase === 'JOB_SET_PHASE_PENDING';
      if (hit) counts.set(js.spec!.queue, (counts.get(js.spec!.queue) ?? 0) + 1);
    }
    return [...counts].map(([queue, value]) => ({ labels: { queue }, value }));
  };
  r.gauge('muster_pending_jobsets', 'JobSets waiting for admission, by queue ("" = naming none).', () => byQueue(false));
  r.gauge('muster_admitted_active_jobsets', 'Admitted JobSets not yet finished, by queue.', () => byQueue(true));
  const quotas = (field: 'nominal' | 'borrowingLimit' | 'lendingLimit'): GaugeSample[] => {
    const out: GaugeSample[] = [];
    for (const q of ctx().objects.list('Queue'))
      for (const g of q.spec?.resourceGroups ?? [])
        for (const f of g.flavors)
          for (const rq of f.resources) {
            const v = field === 'nominal' ? rq.nominalQuota : field === 'borrowingLimit' ? rq.borrowingLimit : rq.lendingLimit;
            if (v !== undefined && v !== null) out.push({ labels: { queue: q.metadata!.name, flavor: f.name, resource: rq.name }, value: Number(v) });
          }
    return out;
  };
  r.gauge('muster_queue_nominal_quota', 'A queue\'s nominal quota per flavor and resource (cpu in millicores, memory in bytes).', () => quotas('nominal'));
  r.gauge('muster_queue_borrowing_limit', 'A queue\'s borrowing limit per flavor and resource, where set.', () => quotas('borrowingLimit'));
  r.gauge('muster_queue_lending_limit', 'A queue\'s lending limit per flavor and resource, where set.', () => quotas('lendingLimit'));
  r.gauge('muster_queue_resource_usage', 'Quota held by a queue\'s admitted JobSets per flavor and resource.', () => {
    const out: GaugeSample[] = [];
    for (const [queue, byF] of Object.entries(quotaUsage(ctx().store.allJobSets())))
      for (const [flavor, byR] of Object.entries(byF)) for (const [resource, value] of Object.entries(byR)) out.push({ labels: { queue, flavor, resource }, value });
    return out;
  });
  r.gauge('muster_queue_weighted_share', 'A queue\'s weighted dominant resource share in its cohort (0 = within nominal; 1000 = borrowing all the cohort can lend).', () => {
    const queues = ctx().objects.list('Queue');
    const fs = new FairShares(buildQuotaTree(queues, ctx().objects.list('Cohort')));
    const usage = quotaUsage(ctx().store.allJobSets());
    return queues.map((q) => ({ labels: { queue: q.metadata!.name }, value: fs.shareOf(usage, q.metadata!.name).share }));
  });
  r.gauge('muster_nodes', 'Registered nodes by state.', () => {
    const counts = new Map<string, number>();
    for (const n of ctx().store.allNodes()) {
      const state = n.node.state.replace(/^NODE_STATE_/, '');
      counts.set(state, (counts.get(state) ?? 0) + 1);
    }
    return [...counts].map(([state, value]) => ({ labels: { state }, value }));
  });
}
