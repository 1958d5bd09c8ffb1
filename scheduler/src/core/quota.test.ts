import { describe, expect, it } from 'vitest';
import { addUsage, assignFlavors, available, buildQuotaTree, withinLimits, type FlavorAssignment, type QuotaRequest, type Usage } from './quota.js';
import type { Cohort, Queue, ResourceGroup } from '../../../shared/src/proto/types.js';
import { mulberry32, type Prng } from '../../../shared/src/prng.js';

// ---- Builders for the proto shapes (every field present, as the loader produces them).

/** Quota is a nominal, or a nominal with limits. */
type Quota = number | { n: number; bl?: number; ll?: number };

/** rg builds a resource group; flavors in object order = order of preference. */
function rg(resources: string[], flavors: Record<string, Record<string, Quota>>): ResourceGroup {
  return {
    coveredResources: resources,
    flavors: Object.entries(flavors).map(([name, byResource]) => ({
      name,
      resources: Object.entries(byResource).map(([r, q]) => {
        const { n, bl, ll } = typeof q === 'number' ? { n: q, bl: undefined, ll: undefined } : q;
        return { name: r, nominalQuota: n, ...(bl !== undefined ? { borrowingLimit: bl } : {}), ...(ll !== undefined ? { lendingLimit: ll } : {}) };
      }),
    })),
  };
}

/** gpus is a one-group queue/cohort quota on `gpus`. */
const gpus = (flavors: Record<string, Quota>): ResourceGroup[] => [
  rg(['gpus'], Object.fromEntries(Object.entries(flavors).map(([f, q]) => [f, { gpus: q }]))),
];

function queue(name: string, cohort: string, groups: ResourceGroup[], whenCanBorrow = ''): Queue {
  return {
    metadata: { name, labels: {}, createdMs: 0, updatedMs: 0 },
    spec: {
      resourceGroups: groups,
      cohort,
      queueingStrategy: '',
      flavorFungibility: { whenCanBorrow, whenCanPreempt: '' },
      preemption: null,
      stopPolicy: '',
      users: [],
      groups: [],
      admissionScope: null,
    },
  };
}

function cohort(name: string, parent = '', groups: ResourceGroup[] = []): Cohort {
  return { metadata: { name, labels: {}, createdMs: 0, updatedMs: 0 }, spec: { parent, resourceGroups: groups } };
}

/** use builds a Usage from [queue, flavor, resource, amount] rows. */
function use(...rows: [string, string, string, number][]): Usage {
  const out: Record<string, Record<string, Record<string, number>>> = {};
  for (const [q, f, r, n] of rows) ((out[q] ??= {})[f] ??= {})[r] = n;
  return out;
}

const ok = (flavors: Record<string, string>, borrows = false): FlavorAssignment => ({ ok: true, flavors, borrows });
const waiting = (message: string): FlavorAssignment => ({ ok: false, reason: 'WaitingForQuota', message });

// ---- Table: Kueue's scheduler_test.go shape (a tree + usage + request → want).

interface Case {
  name: string;
  queues: Queue[];
  cohorts?: Cohort[];
  usage?: Usage;
  queue: string;
  request: QuotaRequest;
  want: FlavorAssignment;
}

const cases: Case[] = [
  {
    name: 'fits in nominal',
    queues: [queue('nlp', 'research', gpus({ h100: 32 })), queue('vision', 'research', gpus({ h100: 16 }))],
    usage: use(['nlp', 'h100', 'gpus', 8]),
    queue: 'nlp',
    request: { gpus: 24 },
    want: ok({ gpus: 'h100' }),
  },
  {
    name: 'needs borrowing within the cohort',
    queues: [queue('nlp', 'research', gpus({ h100: 8 })), queue('vision', 'research', gpus({ h100: 16 }))],
    queue: 'nlp',
    request: { gpus: 12 },
    want: ok({ gpus: 'h100' }, true),
  },
  {
    name: 'borrowing takes all a sibling leaves unused, not more',
    queues: [queue('nlp', 'research', gpus({ h100: 8 })), queue('vision', 'research', gpus({ h100: 16 }))],
    usage: use(['vision', 'h100', 'gpus', 10]),
    queue: 'nlp',
    request: { gpus: 15 },
    want: waiting('queue nlp needs 15 gpus in flavor h100, 14 available (nominal 8, used 0, can borrow 6 more: cohort research has 6 to lend)'),
  },
  {
    name: 'borrowingLimit caps borrowing',
    queues: [queue('nlp', 'research', gpus({ h100: { n: 8, bl: 2 } })), queue('vision', 'research', gpus({ h100: 16 }))],
    queue: 'nlp',
    request: { gpus: 12 },
    want: waiting('queue nlp needs 12 gpus in flavor h100, 10 available (nominal 8, used 0, can borrow 2 of 2 more: cohort research has 16 to lend)'),
  },
  {
    name: 'borrowingLimit reached exactly fits',
    queues: [queue('nlp', 'research', gpus({ h100: { n: 8, bl: 2 } })), queue('vision', 'research', gpus({ h100: 16 }))],
    queue: 'nlp',
    request: { gpus: 10 },
    want: ok({ gpus: 'h100' }, true),
  },
  {
    name: "lendingLimit keeps a sibling's reserved share",
    queues: [queue('nlp', 'research', gpus({ h100: 8 })), queue('vision', 'research', gpus({ h100: { n: 16, ll: 4 } }))],
    queue: 'nlp',
    request: { gpus: 13 },
    want: waiting('queue nlp needs 13 gpus in flavor h100, 12 available (nominal 8, used 0, can borrow 4 more: cohort research has 4 to lend)'),
  },
  {
    name: 'lendingLimit: the lender using beyond its reserved share lends less',
    queues: [queue('nlp', 'research', gpus({ h100: 8 })), queue('vision', 'research', gpus({ h100: { n: 16, ll: 4 } }))],
    usage: use(['vision', 'h100', 'gpus', 14]), // 2 beyond its reserved 12
    queue: 'nlp',
    request: { gpus: 11 },
    want: waiting('queue nlp needs 11 gpus in flavor h100, 10 available (nominal 8, used 0, can borrow 2 more: cohort research has 2 to lend)'),
  },
  {
    name: 'lendingLimit: usage within the reserved share does not reduce lending',
    queues: [queue('nlp', 'research', gpus({ h100: 8 })), queue('vision', 'research', gpus({ h100: { n: 16, ll: 4 } }))],
    usage: use(['vision', 'h100', 'gpus', 12]),
    queue: 'nlp',
    request: { gpus: 12 },
    want: ok({ gpus: 'h100' }, true),
  },
  {
    name: 'a queue without cohort cannot borrow',
    queues: [queue('nlp', '', gpus({ h100: 8 })), queue('vision', '', gpus({ h100: 16 }))],
    queue: 'nlp',
    request: { gpus: 12 },
    want: waiting('queue nlp needs 12 gpus in flavor h100, 8 available (nominal 8, used 0, no cohort to borrow from)'),
  },
  {
    name: 'second flavor used when the first lacks quota',
    queues: [queue('nlp', '', gpus({ h100: 8, a100: 16 }))],
    usage: use(['nlp', 'h100', 'gpus', 4]),
    queue: 'nlp',
    request: { gpus: 8 },
    want: ok({ gpus: 'a100' }),
  },
  {
    name: 'whenCanBorrow MayStopSearch (default): a borrowing fit in the first flavor stops the search',
    queues: [queue('nlp', 'research', gpus({ h100: 4, a100: 16 })), queue('vision', 'research', gpus({ h100: 8, a100: 0 }))],
    queue: 'nlp',
    request: { gpus: 8 },
    want: ok({ gpus: 'h100' }, true),
  },
  {
    name: 'whenCanBorrow TryNextFlavor: a later flavor that fits without borrowing wins',
    queues: [queue('nlp', 'research', gpus({ h100: 4, a100: 16 }), 'TryNextFlavor'), queue('vision', 'research', gpus({ h100: 8, a100: 0 }))],
    queue: 'nlp',
    request: { gpus: 8 },
    want: ok({ gpus: 'a100' }),
  },
  {
    name: 'whenCanBorrow TryNextFlavor: no fit without borrowing → the first borrowing fit',
    queues: [queue('nlp', 'research', gpus({ h100: 4, a100: 6 }), 'TryNextFlavor'), queue('vision', 'research', gpus({ h100: 8, a100: 8 }))],
    queue: 'nlp',
    request: { gpus: 8 },
    want: ok({ gpus: 'h100' }, true),
  },
  {
    name: "hierarchical: a cohort's own quota and its parent's pool are borrowable",
    // org (own 8) ─┬─ research (own 4) ── nlp (8)
    //              └─ ops ── sales (16)
    cohorts: [cohort('org', '', gpus({ h100: 8 })), cohort('research', 'org', gpus({ h100: 4 })), cohort('ops', 'org')],
    queues: [queue('nlp', 'research', gpus({ h100: 8 })), queue('sales', 'ops', gpus({ h100: 16 }))],
    usage: use(['sales', 'h100', 'gpus', 4]),
    queue: 'nlp',
    request: { gpus: 32 }, // 8 own + 4 research + 8 org + 12 unused by sales
    want: ok({ gpus: 'h100' }, true),
  },
  {
    name: "hierarchical: a cohort's borrowingLimit caps its subtree",
    cohorts: [cohort('org', '', gpus({ h100: 8 })), cohort('research', 'org', gpus({ h100: { n: 4, bl: 10 } })), cohort('ops', 'org')],
    queues: [queue('nlp', 'research', gpus({ h100: 8 })), queue('sales', 'ops', gpus({ h100: 16 }))],
    queue: 'nlp',
    request: { gpus: 23 }, // research holds 12, may take 10 more from org
    want: waiting('queue nlp needs 23 gpus in flavor h100, 22 available (nominal 8, used 0, can borrow 14 more: cohort research has 14 to lend)'),
  },
  {
    name: "hierarchical: a cohort's lendingLimit keeps its subtree's share from the parent",
    // ops subtree = 16, lendingLimit 6 → org sees 6 of it; nlp gets 8 + 4 + 8 + 6 = 26.
    cohorts: [cohort('org', '', gpus({ h100: 8 })), cohort('research', 'org', gpus({ h100: 4 })), cohort('ops', 'org', gpus({ h100: { n: 0, ll: 6 } }))],
    queues: [queue('nlp', 'research', gpus({ h100: 8 })), queue('sales', 'ops', gpus({ h100: 16 }))],
    queue: 'nlp',
    request: { gpus: 27 },
    want: waiting('queue nlp needs 27 gpus in flavor h100, 26 available (nominal 8, used 0, can borrow 18 more: cohort research has 18 to lend)'),
  },
  {
    name: "hierarchical: a queue with no nominal uses its cohort's own pool",
    cohorts: [cohort('research', '', gpus({ h100: 4 }))],
    queues: [queue('interns', 'research', gpus({ h100: 0 }))],
    queue: 'interns',
    request: { gpus: 4 },
    want: ok({ gpus: 'h100' }, true),
  },
  {
    name: 'implicit cohort (named by queues, no Cohort object) shares its members',
    queues: [queue('nlp', 'shared', gpus({ h100: 8 })), queue('vision', 'shared', gpus({ h100: 8 }))],
    queue: 'nlp',
    request: { gpus: 16 },
    want: ok({ gpus: 'h100' }, true),
  },
  {
    name: 'implicit parent (named by a cohort, no Cohort object) is a root without quota',
    cohorts: [cohort('research', 'ghost', gpus({ h100: 2 })), cohort('ops', 'ghost')],
    queues: [queue('nlp', 'research', gpus({ h100: 8 })), queue('sales', 'ops', gpus({ h100: 4 }))],
    queue: 'nlp',
    request: { gpus: 15 }, // 8 + 2 + 4 = 14
    want: waiting('queue nlp needs 15 gpus in flavor h100, 14 available (nominal 8, used 0, can borrow 6 more: cohort research has 6 to lend)'),
  },
  {
    name: 'cohort cycle: members do not admit',
    cohorts: [cohort('a', 'b'), cohort('b', 'a')],
    queues: [queue('nlp', 'a', gpus({ h100: 8 }))],
    queue: 'nlp',
    request: { gpus: 1 },
    want: { ok: false, reason: 'QueueInactive', message: 'queue nlp is inactive: cohort cycle a → b → a' },
  },
  {
    name: 'cohort cycle: a cohort below the cycle is disabled too',
    cohorts: [cohort('a', 'b'), cohort('b', 'a'), cohort('c', 'a')],
    queues: [queue('nlp', 'c', gpus({ h100: 8 }))],
    queue: 'nlp',
    request: { gpus: 1 },
    want: { ok: false, reason: 'QueueInactive', message: 'queue nlp is inactive: parent chain reaches cohort cycle a → b → a' },
  },
  {
    name: 'cohort cycle: a queue outside the cycle still admits',
    cohorts: [cohort('a', 'a')],
    queues: [queue('nlp', 'a', gpus({ h100: 8 })), queue('vision', 'other', gpus({ h100: 8 }))],
    queue: 'vision',
    request: { gpus: 8 },
    want: ok({ gpus: 'h100' }),
  },
  {
    name: 'several resources in one group must fit in the same flavor',
    queues: [queue('nlp', '', [rg(['cpu', 'gpus'], { h100: { cpu: 64_000, gpus: 8 }, a100: { cpu: 32_000, gpus: 16 } })])],
    queue: 'nlp',
    request: { cpu: 48_000, gpus: 12 },
    want: waiting(
      'queue nlp needs 12 gpus in flavor h100, 8 available (nominal 8, used 0, no cohort to borrow from); ' +
        'queue nlp needs 48 cpu in flavor a100, 32 available (nominal 32, used 0, no cohort to borrow from)',
    ),
  },
  {
    name: 'several resources in one group: the flavor where all fit',
    queues: [queue('nlp', '', [rg(['cpu', 'gpus'], { h100: { cpu: 64_000, gpus: 8 }, a100: { cpu: 32_000, gpus: 16 } })])],
    queue: 'nlp',
    request: { cpu: 16_000, gpus: 12 },
    want: ok({ cpu: 'a100', gpus: 'a100' }),
  },
  {
    name: 'two resource groups get flavors independently',
    queues: [
      queue('nlp', '', [
        rg(['cpu', 'memory'], { 'cpu-pool': { cpu: 128_000, memory: 2 ** 40 } }),
        rg(['gpus'], { h100: { gpus: 8 }, a100: { gpus: 16 } }),
      ]),
    ],
    usage: use(['nlp', 'h100', 'gpus', 8]),
    queue: 'nlp',
    request: { cpu: 64_000, memory: 2 ** 39, gpus: 8 },
    want: ok({ cpu: 'cpu-pool', memory: 'cpu-pool', gpus: 'a100' }),
  },
  {
    name: 'one group without a fit fails the whole gang; cpu and memory in readable units',
    queues: [queue('nlp', '', [rg(['cpu', 'memory'], { 'cpu-pool': { cpu: 8_000, memory: 2 ** 34 } }), rg(['gpus'], { h100: { gpus: 8 } })])],
    usage: use(['nlp', 'cpu-pool', 'memory', 2 ** 33]),
    queue: 'nlp',
    request: { cpu: 500, memory: 2 ** 35, gpus: 1 },
    want: waiting('queue nlp needs 32Gi memory in flavor cpu-pool, 8Gi available (nominal 16Gi, used 8Gi, no cohort to borrow from)'),
  },
  {
    name: 'WaitingForQuota message: nothing left to borrow',
    queues: [queue('nlp', 'research', gpus({ h100: { n: 32, bl: 24 } })), queue('vision', 'research', gpus({ h100: 16 }))],
    usage: use(['nlp', 'h100', 'gpus', 24], ['vision', 'h100', 'gpus', 16]),
    queue: 'nlp',
    request: { gpus: 16 },
    want: waiting('queue nlp needs 16 gpus in flavor h100, 8 available (nominal 32, used 24, can borrow 0 of 24 more: cohort research has 0 to lend)'),
  },
  {
    name: 'WaitingForQuota message: every flavor tried is listed',
    queues: [queue('nlp', '', gpus({ h100: 8, a100: 4 }))],
    usage: use(['nlp', 'h100', 'gpus', 6]),
    queue: 'nlp',
    request: { gpus: 6 },
    want: waiting(
      'queue nlp needs 6 gpus in flavor h100, 2 available (nominal 8, used 6, no cohort to borrow from); ' +
        'queue nlp needs 6 gpus in flavor a100, 4 available (nominal 4, used 0, no cohort to borrow from)',
    ),
  },
  {
    name: 'a resource no group covers',
    queues: [queue('nlp', '', gpus({ h100: 8 }))],
    queue: 'nlp',
    request: { gpus: 1, rdma: 1 },
    // Waiting will not help: the queue has no flavor for rdma at all.
    want: { ok: false, reason: 'NoMatchingFlavor', message: 'queue nlp has no quota for rdma (no resource group covers it)' },
  },
  {
    name: 'zero amounts need no quota',
    queues: [queue('nlp', '', gpus({ h100: 8 }))],
    queue: 'nlp',
    request: { gpus: 2, rdma: 0 },
    want: ok({ gpus: 'h100' }),
  },
  {
    name: 'unknown queue',
    queues: [],
    queue: 'nlp',
    request: { gpus: 1 },
    want: { ok: false, reason: 'QueueInactive', message: 'queue nlp does not exist' },
  },
];

describe('assignFlavors', () => {
  it.each(cases)('$name', (c) => {
    const tree = buildQuotaTree(c.queues, c.cohorts ?? []);
    expect(assignFlavors(tree, c.usage ?? {}, c.queue, c.request)).toEqual(c.want);
  });
});

describe('available', () => {
  const tree = buildQuotaTree(
    [
      queue('nlp', 'research', gpus({ h100: { n: 8, bl: 4 } })),
      queue('vision', 'research', gpus({ h100: { n: 16, ll: 10 } })),
      queue('solo', '', gpus({ h100: 4 })),
    ],
    [],
  );
  it.each([
    { name: 'own nominal plus borrowing up to borrowingLimit', queue: 'nlp', usage: {}, want: 12 },
    { name: 'borrowingLimit counts usage above nominal', queue: 'nlp', usage: use(['nlp', 'h100', 'gpus', 10]), want: 2 },
    { name: "lender's own: its nominal plus the other's lendable", queue: 'vision', usage: {}, want: 24 },
    { name: 'lender whose lent part is used still has its reserved share', queue: 'vision', usage: use(['nlp', 'h100', 'gpus', 12]), want: 12 },
    { name: 'standalone: nominal − used', queue: 'solo', usage: use(['solo', 'h100', 'gpus', 3]), want: 1 },
    { name: 'never negative when overcommitted', queue: 'solo', usage: use(['solo', 'h100', 'gpus', 9]), want: 0 },
    { name: 'unknown queue', queue: 'ghost', usage: {}, want: 0 },
  ])('$name', ({ queue: q, usage, want }) => {
    expect(available(tree, usage, q, 'h100', 'gpus')).toBe(want);
  });
  it('is 0 for a flavor or resource the queue has no quota for', () => {
    expect(available(tree, {}, 'nlp', 'a100', 'gpus')).toBe(0);
    expect(available(tree, {}, 'nlp', 'h100', 'cpu')).toBe(0);
  });
});

describe('buildQuotaTree', () => {
  it('links queues and cohorts, makes implicit cohorts, reports cycles', () => {
    const tree = buildQuotaTree(
      [queue('nlp', 'research', []), queue('solo', '', []), queue('x', 'loop', []), queue('y', 'shared', [])],
      [cohort('research', 'org'), cohort('loop', 'loop')],
    );
    expect([...tree.queues.keys()].sort()).toEqual(['nlp', 'solo', 'y']);
    expect(tree.queues.get('solo')!.cohort).toBeUndefined();
    expect(tree.cohorts.get('research')).toMatchObject({ parent: 'org', explicit: true, queues: ['nlp'], cohorts: [] });
    expect(tree.cohorts.get('org')).toMatchObject({ parent: undefined, explicit: false, queues: [], cohorts: ['research'] });
    expect(tree.cohorts.get('shared')).toMatchObject({ explicit: false, queues: ['y'] });
    expect(tree.cohorts.has('loop')).toBe(false);
    expect(tree.invalidCohorts.get('loop')).toBe('cohort cycle loop → loop');
    expect(tree.invalidQueues.get('x')).toBe('cohort cycle loop → loop');
  });
});

describe('addUsage', () => {
  it('returns a new Usage and leaves the input unchanged', () => {
    const before = use(['nlp', 'h100', 'gpus', 4], ['vision', 'a100', 'gpus', 2]);
    const snapshot = structuredClone(before);
    const after = addUsage(before, 'nlp', { flavors: { gpus: 'h100', cpu: 'cpu-pool' } }, { gpus: 8, cpu: 1000, rdma: 0 });
    expect(before).toEqual(snapshot);
    expect(after).toEqual(use(['nlp', 'h100', 'gpus', 12], ['nlp', 'cpu-pool', 'cpu', 1000], ['vision', 'a100', 'gpus', 2]));
  });
  it('admits several JobSets in sequence until quota runs out', () => {
    const tree = buildQuotaTree([queue('nlp', '', gpus({ h100: 8 }))], []);
    let usage: Usage = {};
    const results: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      const a = assignFlavors(tree, usage, 'nlp', { gpus: 3 });
      results.push(a.ok);
      if (a.ok) usage = addUsage(usage, 'nlp', a, { gpus: 3 });
    }
    expect(results).toEqual([true, true, false]);
    expect(usage).toEqual(use(['nlp', 'h100', 'gpus', 6]));
  });
  it('throws when a requested resource has no flavor', () => {
    expect(() => addUsage({}, 'nlp', { flavors: {} }, { gpus: 1 })).toThrow(/no flavor assigned for gpus/);
  });
});

describe('withinLimits', () => {
  it.each([
    {
      name: 'a standalone queue above nominal',
      queues: [queue('solo', '', gpus({ h100: 4 }))],
      usage: use(['solo', 'h100', 'gpus', 5]),
      want: ['queue solo uses 5 gpus in flavor h100, above its nominal 4 (no cohort)'],
    },
    {
      name: 'a queue above nominal + borrowingLimit',
      queues: [queue('nlp', 'research', gpus({ h100: { n: 8, bl: 2 } })), queue('vision', 'research', gpus({ h100: 16 }))],
      usage: use(['nlp', 'h100', 'gpus', 11]),
      want: ['queue nlp uses 11 gpus in flavor h100, above nominal 8 + borrowingLimit 2'],
    },
    {
      name: "a lender's reserved share lent",
      queues: [queue('nlp', 'research', gpus({ h100: 8 })), queue('vision', 'research', gpus({ h100: { n: 16, ll: 4 } }))],
      usage: use(['nlp', 'h100', 'gpus', 13]),
      want: ['cohort research: members use 13 gpus in flavor h100 beyond their reserved shares, its pool holds 12'],
    },
    {
      name: 'a cohort above its subtree + borrowingLimit',
      queues: [queue('nlp', 'research', gpus({ h100: 8 })), queue('sales', 'ops', gpus({ h100: 16 }))],
      cohorts: [cohort('org'), cohort('research', 'org', gpus({ h100: { n: 0, bl: 2 } })), cohort('ops', 'org')],
      usage: use(['nlp', 'h100', 'gpus', 11]),
      want: ['cohort research uses 11 gpus in flavor h100, above its subtree quota 8 + borrowingLimit 2'],
    },
    {
      name: 'all kept',
      queues: [queue('nlp', 'research', gpus({ h100: 8 })), queue('vision', 'research', gpus({ h100: { n: 16, ll: 4 } }))],
      usage: use(['nlp', 'h100', 'gpus', 12], ['vision', 'h100', 'gpus', 12]),
      want: [],
    },
  ])('$name', ({ queues, cohorts, usage, want }) => {
    expect(withinLimits(buildQuotaTree(queues, cohorts ?? []), usage).map((v) => v.message)).toEqual(want);
  });
});

// ---- Property tests: random trees, greedy admission.

const FLAVORS = ['f0', 'f1', 'f2'];
const RESOURCES = ['cpu', 'gpus'];

const int = (rnd: Prng, lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
const pick = <T>(rnd: Prng, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const maybe = (rnd: Prng, p: number, v: () => number): number | undefined => (rnd() < p ? v() : undefined);

function shuffle<T>(rnd: Prng, xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function randomQuota(rnd: Prng, withLimits: boolean): Quota {
  const n = int(rnd, 0, 10);
  if (!withLimits) return n;
  const bl = maybe(rnd, 0.5, () => int(rnd, 0, 8));
  const ll = maybe(rnd, 0.5, () => int(rnd, 0, 12));
  return { n, ...(bl !== undefined ? { bl } : {}), ...(ll !== undefined ? { ll } : {}) };
}

function randomGroups(rnd: Prng, withLimits: boolean, flavors: readonly string[]): ResourceGroup[] {
  const quotas = (rs: string[], fs: string[]) => rg(rs, Object.fromEntries(fs.map((f) => [f, Object.fromEntries(rs.map((r) => [r, randomQuota(rnd, withLimits)]))])));
  const fs = shuffle(rnd, flavors).slice(0, int(rnd, 1, flavors.length));
  if (rnd() < 0.5 || fs.length < 2) return [quotas(RESOURCES, fs)];
  // Two groups with disjoint flavors (each flavor belongs to one group, §3.2).
  const cut = int(rnd, 1, fs.length - 1);
  return [quotas(['cpu'], fs.slice(0, cut)), quotas(['gpus'], fs.slice(cut))];
}

/** randomTree: up to 4 cohorts (some implicit, parents only earlier ones: no cycles), up to 6 queues. */
function randomTree(rnd: Prng): { queues: Queue[]; cohorts: Cohort[]; names: string[] } {
  const cohortNames = Array.from({ length: int(rnd, 0, 4) }, (_, i) => `c${i}`);
  const cohorts: Cohort[] = [];
  cohortNames.forEach((name, i) => {
    if (rnd() < 0.3) return; // implicit
    const parent = i > 0 && rnd() < 0.7 ? pick(rnd, cohortNames.slice(0, i)) : '';
    cohorts.push(cohort(name, parent, rnd() < 0.5 ? randomGroups(rnd, parent !== '', FLAVORS) : []));
  });
  const names = Array.from({ length: int(rnd, 1, 6) }, (_, i) => `q${i}`);
  const queues = names.map((name) => {
    const c = cohortNames.length > 0 && rnd() < 0.8 ? pick(rnd, cohortNames) : '';
    return queue(name, c, randomGroups(rnd, c !== '', FLAVORS), rnd() < 0.5 ? 'TryNextFlavor' : '');
  });
  return { queues, cohorts, names };
}

describe('properties', () => {
  it('greedy admission with assignFlavors + addUsage never breaks a limit', () => {
    let admitted = 0;
    let borrowed = 0;
    let refused = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const rnd = mulberry32(seed);
      const { queues, cohorts, names } = randomTree(rnd);
      const tree = buildQuotaTree(queues, cohorts);
      let usage: Usage = {};
      for (let step = 0; step < 40; step++) {
        const q = pick(rnd, names);
        const request = { cpu: int(rnd, 0, 8), gpus: int(rnd, 0, 8) };
        const a = assignFlavors(tree, usage, q, request);
        if (!a.ok) {
          expect(a.reason, `seed ${seed} step ${step}`).toBe('WaitingForQuota');
          refused++;
          continue;
        }
        // What was assigned fit, and `borrows` says whether nominal is exceeded.
        let exceeds = false;
        for (const [r, n] of Object.entries(request)) {
          if (n === 0) continue;
          const f = a.flavors[r]!;
          expect(n, `seed ${seed} step ${step} ${r}`).toBeLessThanOrEqual(available(tree, usage, q, f, r));
          const nominal = tree.queues.get(q)!.quotas.get(f)!.get(r)!.nominal;
          exceeds ||= (usage[q]?.[f]?.[r] ?? 0) + n > nominal;
        }
        expect(a.borrows).toBe(exceeds);
        usage = addUsage(usage, q, a, request);
        admitted++;
        if (a.borrows) borrowed++;
        expect(withinLimits(tree, usage), `seed ${seed} step ${step}`).toEqual([]);
      }
    }
    // The generator must exercise every branch.
    expect(admitted).toBeGreaterThan(1000);
    expect(borrowed).toBeGreaterThan(200);
    expect(refused).toBeGreaterThan(1000);
  });

  it('available is exact: adding r keeps every limit iff r ≤ available', () => {
    let over = 0;
    let under = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const rnd = mulberry32(seed * 7919);
      const { queues, cohorts, names } = randomTree(rnd);
      const tree = buildQuotaTree(queues, cohorts);
      let usage: Usage = {};
      for (let step = 0; step < 30; step++) {
        // Reach a random valid state greedily...
        const q = pick(rnd, names);
        const request = { cpu: int(rnd, 0, 6), gpus: int(rnd, 0, 6) };
        const a = assignFlavors(tree, usage, q, request);
        if (a.ok) usage = addUsage(usage, q, a, request);
        // ...then probe one (flavor, resource) of a queue around its available amount.
        const probe = tree.queues.get(pick(rnd, names))!;
        const f = pick(rnd, [...probe.quotas.keys()]);
        const r = pick(rnd, [...probe.quotas.get(f)!.keys()]);
        const avail = available(tree, usage, probe.name, f, r);
        const amount = int(rnd, 1, avail + 3);
        const kept = withinLimits(tree, addUsage(usage, probe.name, { flavors: { [r]: f } }, { [r]: amount })).length === 0;
        expect(kept, `seed ${seed} step ${step}: ${amount} ${r} in ${f} for ${probe.name}, available ${avail}`).toBe(amount <= avail);
        if (amount <= avail) under++;
        else over++;
      }
    }
    expect(under).toBeGreaterThan(1000);
    expect(over).toBeGreaterThan(1000);
  });
});
