/** The conditions table `get` and `nodes NAME` end with. */
import { formatSince } from './age.js';
import { renderTable } from './table.js';

/** ConditionLike is what a JobSet or node condition has in common. */
export interface ConditionLike {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastTransitionMs: number;
}

/** renderConditions renders `Conditions:` and a TYPE/STATUS/REASON/AGE/MESSAGE table, or undefined when there are none. */
export function renderConditions(conds: readonly ConditionLike[], now: number): string | undefined {
  if (conds.length === 0) return undefined;
  return 'Conditions:\n' + renderTable(['TYPE', 'STATUS', 'REASON', 'AGE', 'MESSAGE'], conds.map((c) => [c.type, c.status, c.reason, formatSince(c.lastTransitionMs, now), c.message]));
}
