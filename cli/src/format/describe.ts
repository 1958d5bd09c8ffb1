/**
 * `muster describe NAME`: everything about one JobSet a person debugging it
 * wants on one screen — the spec in short (shapes, resources, start order,
 * policies), progress per replicatedJob and per Job, restarts, conditions,
 * every pod with its node, GPUs, generation and exit, and the event history.
 */
import { podPhaseName } from '../../../shared/src/phases.js';
import type { JobSet, JobSetSpec, JobStatus, PodStatus, ReplicatedJob } from '../../../shared/src/proto/types.js';
import { formatResources, toResources } from '../../../shared/src/resources.js';
import { DEFAULT_BACKOFF_LIMIT } from '../../../shared/src/spec/validate.js';
import { formatAgo, formatSince } from './age.js';
import { renderConditions } from './conditions.js';
import { exitText, phaseOf } from './jobset.js';
import { renderFields, renderTable, type Cell } from './table.js';

function shapeOf(rj: ReplicatedJob): string {
  const t = rj.template;
  const par = t?.parallelism ?? 1;
  const r = toResources(t?.template?.resources);
  const res = r.cpuMillis || r.memoryBytes || r.gpus || r.rdma ? formatResources(r) : 'no requests';
  return `${rj.replicas ?? 1} job(s) × ${par} pod(s), ${res} each`;
}

function startText(spec: JobSetSpec, rj: ReplicatedJob, i: number): string {
  if (spec.startupPolicy?.startupPolicyOrder === 'InOrder' && i > 0) return `after ${spec.replicatedJobs[i - 1]!.name} is Ready (InOrder)`;
  if (rj.dependsOn.length === 0) return 'at admission';
  return 'after ' + rj.dependsOn.map((d) => `${d.name} is ${d.status}`).join(' and ');
}

function retriesText(rj: ReplicatedJob): string {
  const t = rj.template;
  const parts = [`backoffLimit ${t?.backoffLimit ?? DEFAULT_BACKOFF_LIMIT}`];
  if (t?.backoffLimitPerIndex !== undefined && t?.backoffLimitPerIndex !== null) parts.push(`per index ${t.backoffLimitPerIndex}`);
  if (t?.maxFailedIndexes !== undefined && t?.maxFailedIndexes !== null) parts.push(`maxFailedIndexes ${t.maxFailedIndexes}`);
  const rules = t?.podFailurePolicy?.rules ?? [];
  for (const r of rules) {
    const on = r.onExitCodes ? `exit ${r.onExitCodes.operator} ${r.onExitCodes.values.join(',')}` : r.onPodConditions.map((c) => c.type).join(',');
    parts.push(`${on} → ${r.action}`);
  }
  if (t?.activeDeadlineSeconds !== undefined && t?.activeDeadlineSeconds !== null) parts.push(`deadline ${t.activeDeadlineSeconds}s`);
  return parts.join('; ');
}

function policyLines(spec: JobSetSpec): [string, Cell][] {
  const sp = spec.successPolicy;
  const fp = spec.failurePolicy;
  const success = `${sp?.operator || 'All'} of ${sp && sp.targetReplicatedJobs.length > 0 ? sp.targetReplicatedJobs.join(', ') : 'all replicatedJobs'}`;
  const failure = fp
    ? `${fp.restartStrategy || 'Recreate'}, maxRestarts ${fp.maxRestarts}` +
      (fp.rules.length > 0
        ? '; ' +
          fp.rules
            .map((r) => {
              const on = [r.onJobFailureReasons.join('|'), r.onJobFailureMessagePatterns.map((p) => `/${p}/`).join('|'), r.targetReplicatedJobs.join('|')].filter((x) => x).join(' ');
              return `${r.name}: ${on || 'any'} → ${r.action}`;
            })
            .join('; ')
        : '; no rules (a failed Job restarts the JobSet)')
    : 'none (a failed Job fails the JobSet; losing a node requeues it, up to the scheduler’s node-loss requeue limit)';
  const c = spec.coordinator;
  return [
    ['Success policy', success],
    ['Failure policy', failure],
    ['Coordinator', c ? `${c.replicatedJob}/${c.jobIndex}/${c.podIndex}` : undefined],
    ['Suspended', spec.suspend ? 'yes' : undefined],
    ['TTL after finished', spec.ttlSecondsAfterFinished !== undefined && spec.ttlSecondsAfterFinished !== null ? `${spec.ttlSecondsAfterFinished}s` : undefined],
  ];
}

function jobRow(j: JobStatus, now: number): Cell[] {
  const failures = j.ignoredFailures > 0 ? `${j.failures} (+${j.ignoredFailures} ignored)` : String(j.failures);
  const failedIdx = j.failedIndexes.length > 0 ? j.failedIndexes.join(',') : '-';
  const why = j.failureReason ? `${j.failureReason}: ${j.failureMessage}` : '';
  return [`${j.replicatedJob}/${j.jobIndex}`, j.state || 'Active', failures, failedIdx, j.restarts, formatSince(j.startedMs, now), why];
}

/** describeFull renders `muster describe NAME` (no final newline). */
export function describeFull(js: JobSet, now: number): string {
  const m = js.metadata;
  const s = js.status;
  const spec = js.spec;
  const fields: [string, Cell][] = [
    ['Name', m?.name ?? ''],
    ['Phase', phaseOf(js)],
    ['Reason', s?.reason || undefined],
    ['Message', s?.message || undefined],
    ['User', m?.user || undefined],
    ['Queue', spec?.queue || undefined],
    ['Priority class', spec?.priorityClass || undefined],
    ['Quota', s?.admission ? `queue ${s.admission.queue}, ${Object.entries(s.admission.flavors).map(([r, f]) => `${r} in ${f}`).join(', ')}` : undefined],
    ['Created', formatAgo(m?.createdMs ?? 0, now)],
    ['Admitted', formatAgo(s?.admittedMs ?? 0, now)],
    ['Started', formatAgo(s?.startedMs ?? 0, now)],
    ['Finished', formatAgo(s?.finishedMs ?? 0, now)],
    ['Restarts', `${s?.restarts ?? 0} (${s?.restartsCountTowardsMax ?? 0} counted toward maxRestarts${spec?.failurePolicy ? ` ${spec.failurePolicy.maxRestarts}` : ''})`],
    ['Requeued after node loss', s?.lostRequeues ? `${s.lostRequeues} time(s)` : undefined],
    ['Coordinator port', s?.coordinatorPort ? String(s.coordinatorPort) : undefined],
    ...(spec ? policyLines(spec) : []),
  ];
  const parts = [renderFields(fields)];
  if (spec) {
    const started = new Set(s?.startedReplicatedJobs ?? []);
    const anyOrder = spec.replicatedJobs.some((r) => r.dependsOn.length > 0) || spec.startupPolicy?.startupPolicyOrder === 'InOrder';
    parts.push(
      'Replicated jobs:\n' +
        renderTable(
          ['NAME', 'SHAPE', 'STARTS', 'RETRIES', 'JOBS READY/ACTIVE/SUCCEEDED/FAILED', 'PODS RUN/DONE/FAILED/PENDING'],
          spec.replicatedJobs.map((rj, i) => {
            const c = s?.replicatedJobs.find((x) => x.name === rj.name);
            const starts = startText(spec, rj, i) + (anyOrder && s && s.phase !== 'JOB_SET_PHASE_PENDING' ? (started.has(rj.name) ? ' (started)' : ' (waiting)') : '');
            return [
              rj.name,
              shapeOf(rj),
              starts,
              retriesText(rj),
              c ? `${c.readyJobs}/${c.activeJobs}/${c.succeededJobs}/${c.failedJobs}` : '-',
              c ? `${c.running}/${c.succeeded}/${c.failed}/${c.pending}` : '-',
            ];
          }),
        ),
    );
  }
  const jobs = (s?.jobs ?? []).filter((j) => j.failures > 0 || j.ignoredFailures > 0 || j.state !== 'Active' || j.restarts > 0 || j.startedMs > 0);
  if (jobs.length > 0) parts.push('Jobs:\n' + renderTable(['JOB', 'STATE', 'FAILURES', 'FAILED INDEXES', 'RESTARTS', 'STARTED', 'WHY'], jobs.map((j) => jobRow(j, now))));
  const pods = s?.pods ?? [];
  if (pods.length > 0)
    parts.push(
      'Pods:\n' +
        renderTable(
          ['POD', 'NODE', 'GPUS', 'CPUS', 'NUMA', 'NICS', 'GEN', 'PHASE', 'EXIT', 'REASON', 'STARTED'],
          pods.map((p) => [
            p.podId,
            p.node || '-',
            gpusText(p.binding),
            p.binding?.cpuset || '-',
            p.binding && (p.binding.gpuIndices.length > 0 || p.binding.cpuset !== '') && p.binding.numaNode >= 0 ? p.binding.numaNode : '-',
            p.binding && p.binding.nics.length > 0 ? p.binding.nics.join(',') : '-',
            p.generation,
            podPhaseName(p.phase),
            exitText(p),
            p.reason || '',
            formatSince(p.startedMs, now),
          ]),
        ),
    );
  const conds = renderConditions(s?.conditions ?? [], now);
  if (conds) parts.push(conds);
  const history = s?.history ?? [];
  if (history.length > 0) parts.push('Events:\n' + renderTable(['AGE', 'TYPE', 'MESSAGE'], history.map((e) => [formatSince(e.timeMs, now), e.type, e.message])));
  return parts.join('\n\n');
}

/** gpusText is a pod's GPU indices, with how many MIG devices of them it has ("0 (2 MIG)"); "-" for none. */
function gpusText(b: PodStatus['binding']): string {
  if (!b || b.gpuIndices.length === 0) return '-';
  const mig = b.gpuUuids.filter((u) => u.startsWith('MIG-')).length;
  return b.gpuIndices.join(',') + (mig > 0 ? ` (${mig} MIG)` : '');
}
