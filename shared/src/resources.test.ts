import { describe, expect, it } from 'vitest';
import {
  add,
  fits,
  formatCpu,
  formatMemory,
  formatResources,
  parseCpu,
  parseMemory,
  RESOURCE_KEYS,
  scale,
  shortfall,
  sub,
  toResources,
  ZERO,
  type Resources,
} from './resources.js';

const KI = 1024;
const MI = KI * 1024;
const GI = MI * 1024;
const TI = GI * 1024;

const r = (cpuMillis: number, memoryBytes: number, gpus = 0, rdma = 0): Resources => ({ cpuMillis, memoryBytes, gpus, rdma });

describe('parseCpu', () => {
  const cases: { in: string | number; want: number | undefined }[] = [
    { in: '4', want: 4000 },
    { in: 4, want: 4000 },
    { in: '0.5', want: 500 },
    { in: 0.25, want: 250 },
    { in: '500m', want: 500 },
    { in: '1500m', want: 1500 },
    { in: ' 2 ', want: 2000 },
    { in: '0', want: 0 },
    { in: '', want: undefined },
    { in: 'm', want: undefined },
    { in: '-1', want: undefined },
    { in: -1, want: undefined },
    { in: Number.NaN, want: undefined },
    { in: Number.POSITIVE_INFINITY, want: undefined },
    { in: '2 cores', want: undefined },
    { in: '1Gi', want: undefined },
  ];
  for (const c of cases) it(`${JSON.stringify(c.in)} → ${String(c.want)}`, () => expect(parseCpu(c.in)).toBe(c.want));
});

describe('parseMemory', () => {
  const cases: { in: string | number; want: number | undefined }[] = [
    { in: '16Gi', want: 16 * GI },
    { in: '512Mi', want: 512 * MI },
    { in: '1Ki', want: KI },
    { in: '2Ti', want: 2 * TI },
    { in: '1.5Gi', want: 1.5 * GI },
    { in: '1G', want: 1e9 },
    { in: '1M', want: 1e6 },
    { in: '3k', want: 3000 },
    { in: '1048576', want: MI },
    { in: 4096, want: 4096 },
    { in: '', want: undefined },
    { in: '16GB', want: undefined },
    { in: '16gi', want: undefined },
    { in: '-1Gi', want: undefined },
    { in: -5, want: undefined },
    { in: 'lots', want: undefined },
  ];
  for (const c of cases) it(`${JSON.stringify(c.in)} → ${String(c.want)}`, () => expect(parseMemory(c.in)).toBe(c.want));
});

describe('format', () => {
  it('formatCpu prints whole cores without a unit and the rest in millicores', () => {
    expect(formatCpu(4000)).toBe('4');
    expect(formatCpu(500)).toBe('500m');
    expect(formatCpu(0)).toBe('0');
  });

  it('formatMemory picks the largest binary unit', () => {
    expect(formatMemory(16 * GI)).toBe('16Gi');
    expect(formatMemory(512 * MI)).toBe('512Mi');
    expect(formatMemory(1.5 * GI)).toBe('1.5Gi');
    expect(formatMemory(100)).toBe('100');
  });

  it('cpu and memory round-trip through format and parse', () => {
    for (const m of [0, 250, 1000, 1500, 64000]) expect(parseCpu(formatCpu(m))).toBe(m);
    for (const b of [KI, 3 * MI, 16 * GI, 2 * TI]) expect(parseMemory(formatMemory(b))).toBe(b);
  });

  it('formatResources shows GPUs and RDMA only when there are any', () => {
    expect(formatResources(r(2000, 4 * GI))).toBe('cpu=2 mem=4Gi');
    expect(formatResources(r(500, 512 * MI, 2, 1))).toBe('cpu=500m mem=512Mi gpu=2 rdma=1');
  });
});

describe('arithmetic', () => {
  const a = r(4000, 8 * GI, 2, 1);
  const b = r(1500, 2 * GI, 1, 0);

  it('add and sub are inverse', () => {
    expect(sub(add(a, b), b)).toEqual(a);
    expect(add(a, b)).toEqual(r(5500, 10 * GI, 3, 1));
    expect(sub(a, b)).toEqual(r(2500, 6 * GI, 1, 1));
  });

  it('scale multiplies every resource', () => {
    expect(scale(b, 3)).toEqual(r(4500, 6 * GI, 3, 0));
    expect(scale(a, 0)).toEqual(ZERO);
  });

  it('do not modify their arguments', () => {
    const ac = { ...a };
    add(a, b);
    sub(a, b);
    scale(a, 2);
    expect(a).toEqual(ac);
  });

  it('toResources fills missing resources with 0', () => {
    expect(toResources(null)).toEqual(ZERO);
    expect(toResources(undefined)).toEqual(ZERO);
    expect(toResources({ gpus: 2 })).toEqual(r(0, 0, 2, 0));
  });

  it('ZERO cannot be changed by accident', () => {
    expect(Object.isFrozen(ZERO)).toBe(true);
  });
});

describe('fits and shortfall', () => {
  const free = r(4000, 8 * GI, 2, 1);
  const cases: { name: string; need: Resources; wantFits: boolean; wantShort: (keyof Resources)[] }[] = [
    { name: 'exactly the free amount fits', need: free, wantFits: true, wantShort: [] },
    { name: 'nothing fits anywhere', need: ZERO, wantFits: true, wantShort: [] },
    { name: 'one millicore too many', need: r(4001, GI), wantFits: false, wantShort: ['cpuMillis'] },
    { name: 'one byte too many', need: r(1000, 8 * GI + 1), wantFits: false, wantShort: ['memoryBytes'] },
    { name: 'a GPU too many', need: r(1000, GI, 3), wantFits: false, wantShort: ['gpus'] },
    { name: 'an RDMA NIC too many', need: r(1000, GI, 0, 2), wantFits: false, wantShort: ['rdma'] },
    { name: 'short of everything, in key order', need: r(9000, 9 * GI, 9, 9), wantFits: false, wantShort: [...RESOURCE_KEYS] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(fits(c.need, free)).toBe(c.wantFits);
      expect(shortfall(c.need, free)).toEqual(c.wantShort);
    });
  }

  it('fits is exactly "no shortfall"', () => {
    for (const c of cases) expect(fits(c.need, free)).toBe(shortfall(c.need, free).length === 0);
  });
});
