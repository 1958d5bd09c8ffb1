/**
 * Schema pieces for configuration values that arrive as strings from the
 * environment or flags and as typed values from YAML: numbers, booleans,
 * durations (`3s`, `250ms`, `1m`, or a number of milliseconds) and label maps
 * (`k=v,k2=v2`).
 */
import { z } from 'zod';
import { parseMemory } from '../resources.js';

/** parseDuration reads `1500`, `250ms`, `3s`, `2m`, `1h` into milliseconds; undefined when malformed. */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(v.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const mult = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 'ms'] ?? 1;
  return Math.round(n * mult);
}

/** durationMs is a duration in milliseconds. */
export const durationMs = z.preprocess(
  (v) => parseDuration(v) ?? v,
  z.number({ error: 'must be a duration such as 500ms, 3s, 2m' }).int().nonnegative(),
);

/** bytesValue is a size in bytes, also from a quantity such as 64Mi, 1G or 512Ki. */
export const bytesValue = z.preprocess(
  (v) => (typeof v === 'string' || typeof v === 'number' ? (parseMemory(v) ?? v) : v),
  z.number({ error: 'must be a size such as 64Mi, 1Gi or a number of bytes' }).int().nonnegative(),
);

/** intValue is an integer, also from a decimal string. */
export const intValue = z.preprocess(
  (v) => (typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v),
  z.number({ error: 'must be an integer' }).int(),
);

/** boolValue is a boolean, also from true/false/1/0/yes/no. */
export const boolValue = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  const s = v.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(s)) return true;
  if (['false', '0', 'no', 'off'].includes(s)) return false;
  return v;
}, z.boolean({ error: 'must be true or false' }));

/** parseLabels reads `k=v,k2=v2` (or a list of `k=v`) into a map; undefined when malformed. */
export function parseLabels(v: unknown): Record<string, string> | undefined {
  const items = typeof v === 'string' ? v.split(',').filter((s) => s.trim() !== '') : Array.isArray(v) ? v : undefined;
  if (!items) return undefined;
  const out: Record<string, string> = {};
  for (const item of items) {
    if (typeof item !== 'string') return undefined;
    const i = item.indexOf('=');
    if (i <= 0) return undefined;
    out[item.slice(0, i).trim()] = item.slice(i + 1).trim();
  }
  return out;
}

/** labelMap is a string→string map, also from `k=v,k2=v2`. */
export const labelMap = z.preprocess(
  (v) => (typeof v === 'string' || Array.isArray(v) ? (parseLabels(v) ?? v) : v),
  z.record(z.string().regex(/^[A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?$/, 'label keys are letters, digits, ".", "_", "/", "-"'), z.string()),
);

/** hostPort is `host:port` with a port in 0..65535 (0 = any free port). */
export const hostPort = z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be host:port');

/** logLevel is a log level name. */
export const logLevel = z.enum(['debug', 'info', 'warn', 'error', 'silent']);

/** logFormat is json (machines) or pretty (people). */
export const logFormat = z.enum(['json', 'pretty']);
