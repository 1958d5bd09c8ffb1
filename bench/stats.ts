/**
 * Small statistics and printing helpers shared by the benchmarks:
 * percentiles over samples, number formatting, a plain-text table, and memory
 * readings of this process (heap, RSS) and of another one (/proc VmRSS).
 */
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Summary describes a set of samples (same unit as the samples). */
export interface Summary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * percentile returns the nearest-rank percentile `p` (0–100) of samples
 * already sorted ascending; NaN when there are none.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** summarize computes count, min, mean, p50, p90, p99 and max of `samples` (NaN fields when empty). */
export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = n === 0 ? NaN : sorted.reduce((s, x) => s + x, 0) / n;
  return {
    count: n,
    min: n === 0 ? NaN : sorted[0]!,
    mean,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: n === 0 ? NaN : sorted[n - 1]!,
  };
}

/** fmtMs renders milliseconds with a precision that suits the magnitude: `0.042 ms`, `3.17 ms`, `250 ms`. */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 1) return `${ms.toFixed(3)} ms`;
  if (ms < 100) return `${ms.toFixed(2)} ms`;
  return `${ms.toFixed(0)} ms`;
}

/** fmtBytes renders a byte count in binary units: `812 KiB`, `48.2 MiB`; a sign is kept for deltas. */
export function fmtBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '–';
  const sign = bytes < 0 ? '-' : '';
  let v = Math.abs(bytes);
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${sign}${u === 0 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}

/** fmtRate renders a per-second rate with a unit: `12 345 JobSets/s`. */
export function fmtRate(perSecond: number, unit: string): string {
  if (!Number.isFinite(perSecond)) return '–';
  const s = perSecond >= 100 ? Math.round(perSecond).toLocaleString('en-US') : perSecond.toFixed(1);
  return `${s} ${unit}/s`;
}

/** fmtRatio renders a ratio as `×12.3`. */
export function fmtRatio(r: number): string {
  if (!Number.isFinite(r)) return '–';
  return `×${r >= 100 ? r.toFixed(0) : r.toFixed(1)}`;
}

/** Cell is one table cell. */
export type Cell = string | number;

/**
 * table lays out rows under headers in aligned columns (first column left,
 * the others right-aligned), separated by two spaces.
 */
export function table(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const all = [headers, ...rows].map((r) => r.map((c) => String(c)));
  const widths = headers.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string =>
    r
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(all[0]!), line(widths.map((w) => '-'.repeat(w))), ...all.slice(1).map(line)].join('\n');
}

/** summaryRow is a table row `label, p50, p90, p99, max` of a Summary in milliseconds. */
export function summaryRow(label: string, s: Summary): Cell[] {
  return [label, s.count, fmtMs(s.p50), fmtMs(s.p90), fmtMs(s.p99), fmtMs(s.max)];
}

/** SUMMARY_HEADERS are the headers summaryRow fills. */
export const SUMMARY_HEADERS: readonly string[] = ['', 'n', 'p50', 'p90', 'p99', 'max'];

/** MemorySample is this process's memory at one moment, in bytes. */
export interface MemorySample {
  heapUsed: number;
  rss: number;
}

let gcFn: (() => void) | undefined | null = null;

/**
 * collectGarbage runs a full V8 collection when one can be had (node
 * --expose-gc, or enabled here through v8 flags); returns whether it ran.
 */
export function collectGarbage(): boolean {
  if (gcFn === null) {
    const g = (globalThis as { gc?: () => void }).gc;
    if (typeof g === 'function') gcFn = g;
    else {
      try {
        setFlagsFromString('--expose-gc');
        gcFn = runInNewContext('gc') as () => void;
      } catch {
        gcFn = undefined;
      }
    }
  }
  if (!gcFn) return false;
  gcFn();
  return true;
}

/** measureMemory reads heapUsed and RSS of this process; `gc` first runs a full collection when possible. */
export function measureMemory(gc = false): MemorySample {
  if (gc) collectGarbage();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss };
}

/** processRss reads another process's resident set size (VmRSS in /proc/<pid>/status) in bytes; undefined when unreadable. */
export function processRss(pid: number): number | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(text);
  return m ? Number(m[1]) * 1024 : undefined;
}

/** The seeded PRNG lives in shared/src/prng.ts; re-exported for the benchmarks. */
export { mulberry32, type Prng } from '../shared/src/prng.js';
