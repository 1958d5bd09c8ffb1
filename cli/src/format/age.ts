/** Relative times as people read them in listings: 5s, 3m, 2h, 4d. */

/** formatAge renders a duration in milliseconds with its largest whole unit: 5s, 3m, 2h, 4d, 2y. Negative durations render as 0s. */
export function formatAge(ms: number): string {
  const s = Math.floor(Math.max(0, ms) / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 365) return `${d}d`;
  return `${Math.floor(d / 365)}y`;
}

/** formatSince renders the age of a unix-ms timestamp at `now`, or `-` when the timestamp is unset (0). */
export function formatSince(tMs: number, now: number): string {
  return tMs > 0 ? formatAge(now - tMs) : '-';
}

/** formatAgo renders a unix-ms timestamp as `5m ago`, or `-` when unset (0). */
export function formatAgo(tMs: number, now: number): string {
  return tMs > 0 ? `${formatAge(now - tMs)} ago` : '-';
}

/** formatClock renders a unix-ms timestamp as local `HH:MM:SS`. */
export function formatClock(tMs: number): string {
  const d = new Date(tMs);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}
