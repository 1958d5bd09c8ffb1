/** The benchmark statistics helpers: percentiles, summaries, formatting, tables, memory readings, PRNG. */
import { describe, expect, it } from 'vitest';
import { parseIntFlags } from './args.js';
import { fmtBytes, fmtMs, measureMemory, mulberry32, percentile, processRss, summarize, table } from './stats.js';

describe('percentile and summarize', () => {
  it('use the nearest rank', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('summarize sorts a copy and fills every field', () => {
    const xs = [5, 1, 4, 2, 3];
    const s = summarize(xs);
    expect(xs).toEqual([5, 1, 4, 2, 3]);
    expect(s).toEqual({ count: 5, min: 1, mean: 3, p50: 3, p90: 5, p99: 5, max: 5 });
    expect(summarize([]).p50).toBeNaN();
  });
});

describe('formatting', () => {
  it('formats milliseconds and bytes', () => {
    expect(fmtMs(0.0421)).toBe('0.042 ms');
    expect(fmtMs(3.171)).toBe('3.17 ms');
    expect(fmtMs(250.4)).toBe('250 ms');
    expect(fmtBytes(512)).toBe('512 B');
    expect(fmtBytes(3 * 1024 * 1024)).toBe('3.0 MiB');
    expect(fmtBytes(-2048)).toBe('-2.0 KiB');
  });

  it('aligns table columns', () => {
    expect(table(['a', 'bb'], [['xyz', 1], ['q', 22]])).toBe(['a    bb', '---  --', 'xyz   1', 'q    22'].join('\n'));
  });
});

describe('memory and PRNG', () => {
  it('reads this process heap and RSS, also through /proc', () => {
    const m = measureMemory(true);
    expect(m.heapUsed).toBeGreaterThan(0);
    expect(m.rss).toBeGreaterThan(0);
    expect(processRss(process.pid)).toBeGreaterThan(0);
    expect(processRss(2 ** 22 + 12345)).toBeUndefined();
  });

  it('mulberry32 repeats for the same seed', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe('parseIntFlags', () => {
  it('overrides defaults and rejects unknown flags and bad values', () => {
    expect(parseIntFlags(['--nodes', '8', '--rounds=2'], { nodes: 512, rounds: 30 }, 'u')).toEqual({ nodes: 8, rounds: 2 });
    expect(() => parseIntFlags(['--bogus', '1'], { nodes: 1 }, 'u')).toThrow(/unknown argument --bogus/);
    expect(() => parseIntFlags(['--nodes', 'x'], { nodes: 1 }, 'u')).toThrow(/whole number/);
    expect(() => parseIntFlags(['--nodes'], { nodes: 1 }, 'u')).toThrow(/got nothing/);
  });
});
