import { describe, expect, it } from 'vitest';
import { formatAge, formatAgo, formatSince } from './age.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('formatAge', () => {
  it.each([
    [0, '0s'],
    [999, '0s'],
    [5 * S, '5s'],
    [59 * S, '59s'],
    [60 * S, '1m'],
    [3 * M + 59 * S, '3m'],
    [59 * M, '59m'],
    [2 * H, '2h'],
    [23 * H + 59 * M, '23h'],
    [4 * D, '4d'],
    [400 * D, '1y'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });

  it('renders a negative duration (clock skew) as 0s', () => {
    expect(formatAge(-5 * S)).toBe('0s');
  });
});

describe('formatSince / formatAgo', () => {
  const now = 1_700_000_000_000;
  it('measures from the timestamp to now', () => {
    expect(formatSince(now - 3 * M, now)).toBe('3m');
    expect(formatAgo(now - 2 * H, now)).toBe('2h ago');
  });
  it('renders an unset timestamp as -', () => {
    expect(formatSince(0, now)).toBe('-');
    expect(formatAgo(0, now)).toBe('-');
  });
});
