/** How `muster ls --pending` reads: pending JobSets by queue, next first, with the position the scheduler computed. */
import type { QueuePosition__Output } from '../../../shared/src/proto/generated/muster/v1/QueuePosition.js';
import type { JobSet } from '../../../shared/src/proto/types.js';
import { formatSince } from './age.js';
import { renderTable, type Cell } from './table.js';

/** PENDING_HEADERS are the columns of `muster ls --pending`. */
export const PENDING_HEADERS = ['NAME', 'QUEUE', 'POSITION', 'PRIORITY', 'AGE', 'REASON'] as const;

/** pendingRow is one `muster ls --pending` row; a JobSet without a position (no queue, or suspended) shows `-`. */
export function pendingRow(js: JobSet, pos: QueuePosition__Output | undefined, now: number): Cell[] {
  return [
    js.metadata?.name ?? '',
    js.spec?.queue || '-',
    pos && pos.position > 0 ? pos.position : '-',
    pos?.priority ?? 0,
    formatSince(js.metadata?.createdMs ?? 0, now),
    js.status?.reason ?? '',
  ];
}

/**
 * pendingTable lays out the pending JobSets queue by queue (by name), each
 * queue next first; JobSets without a position close their queue's rows and
 * those naming no queue come last, oldest first.
 */
export function pendingTable(jobsets: readonly JobSet[], positions: readonly QueuePosition__Output[], now: number): string {
  const byName = new Map(positions.map((p) => [p.jobset, p]));
  const rank = (js: JobSet): number => byName.get(js.metadata?.name ?? '')?.position || Number.POSITIVE_INFINITY;
  const sorted = [...jobsets].sort((a, b) => {
    const qa = a.spec?.queue ?? '';
    const qb = b.spec?.queue ?? '';
    if (qa !== qb) return qa === '' ? 1 : qb === '' ? -1 : qa < qb ? -1 : 1;
    const ra = rank(a);
    const rb = rank(b);
    if (ra !== rb) return ra < rb ? -1 : 1;
    const ca = a.metadata?.createdMs ?? 0;
    const cb = b.metadata?.createdMs ?? 0;
    if (ca !== cb) return ca - cb;
    const na = a.metadata?.name ?? '';
    const nb = b.metadata?.name ?? '';
    return na < nb ? -1 : na > nb ? 1 : 0;
  });
  return renderTable(PENDING_HEADERS, sorted.map((js) => pendingRow(js, byName.get(js.metadata?.name ?? ''), now)));
}
