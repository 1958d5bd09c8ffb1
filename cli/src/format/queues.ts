/**
 * How queueing objects read in a terminal: `muster queues`, `queue NAME`,
 * `flavors`, `cohorts`, `priorityclasses`. A queue's SHARE is its weighted
 * fair share in its cohort (Kueue's status.fairSharing.weightedShare), as the
 * scheduler computes it; BORROWED is what it uses above its nominal quota.
 */
import type { Cohort, PriorityClass, Queue, ResourceFlavor, ResourceGroup } from '../../../shared/src/proto/types.js';
import { formatCpu, formatMemory } from '../../../shared/src/resources.js';
import type { QueueCounts__Output } from '../../../shared/src/proto/generated/muster/v1/QueueCounts.js';
import type { QueueUsage__Output } from '../../../shared/src/proto/generated/muster/v1/QueueUsage.js';
import { formatAgo } from './age.js';
import { renderFields, renderTable, type Cell } from './table.js';

/** quantityText renders a canonical quota amount by resource (cpu millicores, memory bytes, the rest as counts). */
export function quantityText(resource: string, v: number | undefined | null): string {
  if (v === undefined || v === null) return '-';
  if (resource === 'cpu') return formatCpu(v);
  if (resource === 'memory') return formatMemory(v);
  return String(v);
}

/** quotaSummary is `h100: gpus=32 cpu=64; a100: gpus=16` for a list of resource groups. */
export function quotaSummary(groups: readonly ResourceGroup[]): string {
  const parts: string[] = [];
  for (const g of groups) for (const f of g.flavors) parts.push(`${f.name}: ${f.resources.map((r) => `${r.name}=${quantityText(r.name, r.nominalQuota)}`).join(' ')}`);
  return parts.join('; ') || '-';
}

/** quotaTable lists every flavor and resource with what is used, its nominal quota and limits (used above nominal is borrowed). */
export function quotaTable(groups: readonly ResourceGroup[], usage: readonly QueueUsage__Output[] = []): string {
  const used = new Map(usage.map((u) => [`${u.flavor}/${u.resource}`, u.used]));
  const rows: Cell[][] = [];
  for (const g of groups)
    for (const f of g.flavors)
      for (const r of f.resources) {
        const u = used.get(`${f.name}/${r.name}`) ?? 0;
        const borrowed = Math.max(0, u - r.nominalQuota);
        rows.push([f.name, r.name, quantityText(r.name, u), quantityText(r.name, r.nominalQuota), borrowed > 0 ? quantityText(r.name, borrowed) : '-', quantityText(r.name, r.borrowingLimit), quantityText(r.name, r.lendingLimit)]);
      }
  return renderTable(['FLAVOR', 'RESOURCE', 'USED', 'NOMINAL', 'BORROWED', 'BORROWING LIMIT', 'LENDING LIMIT'], rows);
}

/** borrowedSummary is `h100: gpus=4` — what a queue uses above its nominal quota, per flavor — or `-`. */
export function borrowedSummary(groups: readonly ResourceGroup[], usage: readonly QueueUsage__Output[] = []): string {
  const used = new Map(usage.map((u) => [`${u.flavor}/${u.resource}`, u.used]));
  const parts: string[] = [];
  for (const g of groups)
    for (const f of g.flavors) {
      const over = f.resources.flatMap((r) => {
        const b = (used.get(`${f.name}/${r.name}`) ?? 0) - r.nominalQuota;
        return b > 0 ? [`${r.name}=${quantityText(r.name, b)}`] : [];
      });
      if (over.length > 0) parts.push(`${f.name}: ${over.join(' ')}`);
    }
  return parts.join('; ') || '-';
}

/** shareText is a weighted share as Kueue's status shows it: an integer, rounded up; ∞ when borrowing with weight 0. */
export function shareText(share: number | undefined): string {
  if (share === undefined) return '0';
  return Number.isFinite(share) ? String(Math.ceil(share)) : '∞';
}

/** queuesTable is `muster queues`. */
export function queuesTable(queues: readonly Queue[], counts: readonly QueueCounts__Output[]): string {
  const byName = new Map(counts.map((c) => [c.queue, c]));
  return renderTable(
    ['NAME', 'COHORT', 'STRATEGY', 'PENDING', 'ADMITTED', 'QUOTA', 'BORROWED', 'SHARE'],
    queues.map((q) => {
      const c = byName.get(q.metadata!.name);
      const groups = q.spec?.resourceGroups ?? [];
      return [
        q.metadata!.name, q.spec?.cohort || '-', q.spec?.queueingStrategy || 'BestEffortFIFO', c?.pending ?? 0, c?.admitted ?? 0, quotaSummary(groups),
        borrowedSummary(groups, c?.usage ?? []), shareText(c?.weightedShare),
      ];
    }),
  );
}

/** describeQueue is `muster queue NAME`. */
export function describeQueue(q: Queue, counts: QueueCounts__Output | undefined, now: number): string {
  const s = q.spec;
  const p = s?.preemption;
  const fields: [string, Cell][] = [
    ['Name', q.metadata!.name],
    ['Cohort', s?.cohort || '-'],
    ['Queueing strategy', s?.queueingStrategy || 'BestEffortFIFO'],
    ['Stop policy', s?.stopPolicy || 'None'],
    ['Preemption', p ? `within queue ${p.withinQueue || 'Never'}, reclaim within cohort ${p.reclaimWithinCohort || 'Never'}, borrow within cohort ${p.borrowWithinCohort?.policy || 'Never'}` : 'none'],
    ['Fair-sharing weight', s?.fairSharingWeight ?? 1],
    ['Fair share', counts?.shareExplanation || shareText(counts?.weightedShare)],
    ['Submitters', s && (s.users.length > 0 || s.groups.length > 0) ? [...s.users, ...s.groups.map((g) => `group:${g}`)].join(', ') : 'everyone'],
    ['Pending', counts?.pending ?? 0],
    ['Admitted', counts?.admitted ?? 0],
    ['Updated', formatAgo(q.metadata!.updatedMs, now)],
  ];
  return renderFields(fields) + '\n\nQuota:\n' + quotaTable(s?.resourceGroups ?? [], counts?.usage ?? []);
}

/** flavorsTable is `muster flavors`. */
export function flavorsTable(flavors: readonly ResourceFlavor[]): string {
  return renderTable(
    ['NAME', 'NODE LABELS'],
    flavors.map((f) => [f.metadata!.name, Object.entries(f.spec?.nodeLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || '(every node)']),
  );
}

/** cohortsTable is `muster cohorts`. */
export function cohortsTable(cohorts: readonly Cohort[], queues: readonly Queue[]): string {
  return renderTable(
    ['NAME', 'PARENT', 'QUEUES', 'OWN QUOTA'],
    cohorts.map((c) => [
      c.metadata!.name,
      c.spec?.parent || '-',
      queues.filter((q) => q.spec?.cohort === c.metadata!.name).map((q) => q.metadata!.name).join(',') || '-',
      quotaSummary(c.spec?.resourceGroups ?? []),
    ]),
  );
}

/** priorityClassesTable is `muster priorityclasses`. */
export function priorityClassesTable(classes: readonly PriorityClass[]): string {
  return renderTable(
    ['NAME', 'VALUE', 'DEFAULT', 'DESCRIPTION'],
    [...classes].sort((a, b) => (b.spec?.value ?? 0) - (a.spec?.value ?? 0)).map((c) => [c.metadata!.name, c.spec?.value ?? 0, c.spec?.globalDefault ? 'yes' : '', c.spec?.description ?? '']),
  );
}
