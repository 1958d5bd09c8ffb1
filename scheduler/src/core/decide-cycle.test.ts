import { mulberry32 } from '../../../shared/src/prng.js';
import { describe, expect, it } from 'vitest';
import { decideCycle } from './decide-cycle.js';
import type { CycleDecision, NodeSnapshot, PendingJobSet, PortInUse, Snapshot } from './types.js';
import type { JobSet } from '../../../shared/src/proto/types.js';
import { RESOURCE_KEYS, type Resources } from '../../../shared/src/resources.js';
import { makeJobSet, makeNode, pendingOf } from '../../../test/helpers/builders.js';

const PORTS = { min: 29500, max: 29599 };

function snapshotOf(nodes: NodeSnapshot[], jobsets: JobSet[], extra: Partial<Snapshot> = {}): Snapshot {
  return { nodes, pending: jobsets.map(pendingOf), usedPorts: [], portRange: PORTS, ...extra };
}

function admittedNames(d: CycleDecision): string[] {
  return d.admit.map((a) => a.jobset);
}

function pendingNames(d: CycleDecision): string[] {
  return d.pending.map((p) => p.jobset);
}

/** usage sums, per node, what the snapshot had allocated plus what the decision placed there. */
function usage(s: Snapshot, d: CycleDecision): Map<string, Resources> {
  const req = new Map(s.pending.flatMap((js) => js.pods.map((p) => [p.podId, p.request] as const)));
  const out = new Map(s.nodes.map((n) => [n.name, { ...n.allocated }]));
  for (const a of d.admit)
    for (const pl of a.placements) {
      const u = out.get(pl.node);
      const r = req.get(pl.podId);
      if (!u || !r) throw new Error(`placement of ${pl.podId} on ${pl.node} refers to nothing in the snapshot`);
      for (const k of RESOURCE_KEYS) u[k] += r[k];
    }
  return out;
}

/** overCommitted lists `node:resource` for every resource some node has more of in use than allocatable. */
function overCommitted(s: Snapshot, d: CycleDecision): string[] {
  const u = usage(s, d);
  return s.nodes.flatMap((n) => RESOURCE_KEYS.filter((k) => u.get(n.name)![k] > n.allocatable[k]).map((k) => `${n.name}:${k}`));
}

/** gpuProblems lists GPU binding mistakes: duplicates per node, used, unhealthy, or a count unlike the request. */
function gpuProblems(s: Snapshot, d: CycleDecision): string[] {
  const problems: string[] = [];
  const req = new Map(s.pending.flatMap((js) => js.pods.map((p) => [p.podId, p.request] as const)));
  const bound = new Map<string, number[]>();
  for (const a of d.admit)
    for (const pl of a.placements) {
      if (pl.gpuIndices.length !== req.get(pl.podId)?.gpus) problems.push(`${pl.podId} got ${pl.gpuIndices.length} GPUs`);
      bound.set(pl.node, [...(bound.get(pl.node) ?? []), ...pl.gpuIndices]);
    }
  for (const n of s.nodes) {
    const b = bound.get(n.name) ?? [];
    if (new Set(b).size !== b.length) problems.push(`${n.name}: GPU bound twice in ${b.join(',')}`);
    for (const i of b) {
      if (n.usedGpuIndices.includes(i)) problems.push(`${n.name}: used GPU ${i} bound again`);
      if (!n.gpuIndices.includes(i)) problems.push(`${n.name}: GPU ${i} is not a healthy GPU of the node`);
    }
  }
  return problems;
}

describe('decideCycle admission', () => {
  const cases: {
    name: string;
    nodes: NodeSnapshot[];
    jobsets: JobSet[];
    wantAdmitted: string[];
    wantPending: { jobset: string; reason: string }[];
  }[] = [
    {
      name: 'a gang that fits only partly admits nothing and leaves the capacity to the next JobSet',
      nodes: [makeNode('n1').cpu(4).memory('16Gi').build()],
      jobsets: [
        // 3 pods × 2 CPUs: two would fit on n1, the third cannot.
        makeJobSet('big').replicatedJob('w', { replicas: 1, parallelism: 3, cpu: 2, memory: '1Gi' }).createdAt(1).build(),
        // 2 pods × 2 CPUs: fits only if nothing of "big" was placed.
        makeJobSet('small').replicatedJob('w', { replicas: 2, parallelism: 1, cpu: 2, memory: '1Gi' }).createdAt(2).build(),
      ],
      wantAdmitted: ['small'],
      wantPending: [{ jobset: 'big', reason: 'NoFit' }],
    },
    {
      name: 'GPUs across two JobSets in one cycle: the third finds every GPU taken',
      nodes: [makeNode('n1').cpu(32).memory('64Gi').gpus(4).build(), makeNode('n2').cpu(32).memory('64Gi').gpus(4).build()],
      jobsets: [
        makeJobSet('a').replicatedJob('w', { replicas: 4, cpu: 1, memory: '1Gi', gpus: 1 }).createdAt(1).build(),
        makeJobSet('b').replicatedJob('w', { replicas: 2, parallelism: 2, cpu: 1, memory: '1Gi', gpus: 1 }).createdAt(2).build(),
        makeJobSet('c').replicatedJob('w', { cpu: 1, memory: '1Gi', gpus: 1 }).createdAt(3).build(),
      ],
      wantAdmitted: ['a', 'b'],
      wantPending: [{ jobset: 'c', reason: 'NoFit' }],
    },
    {
      name: 'memory runs out before CPU does',
      nodes: [makeNode('n1').cpu(64).memory('16Gi').build()],
      jobsets: [
        makeJobSet('first').replicatedJob('w', { replicas: 2, cpu: 1, memory: '6Gi' }).createdAt(1).build(),
        makeJobSet('second').replicatedJob('w', { replicas: 2, cpu: 1, memory: '6Gi' }).createdAt(2).build(),
      ],
      wantAdmitted: ['first'],
      wantPending: [{ jobset: 'second', reason: 'NoFit' }],
    },
    {
      name: 'CPU already allocated on the node counts',
      nodes: [makeNode('n1').cpu(8).memory('32Gi').allocated({ cpu: 6, memory: '1Gi' }).build()],
      jobsets: [
        makeJobSet('needs3').replicatedJob('w', { cpu: 3, memory: '1Gi' }).createdAt(1).build(),
        makeJobSet('needs2').replicatedJob('w', { cpu: '2000m', memory: '1Gi' }).createdAt(2).build(),
      ],
      wantAdmitted: ['needs2'],
      wantPending: [{ jobset: 'needs3', reason: 'NoFit' }],
    },
    {
      name: 'unhealthy GPUs do not count even though allocatable says 4',
      nodes: [makeNode('n1').cpu(16).memory('32Gi').gpus(4).unhealthyGpus(1, 2).build()],
      jobsets: [
        makeJobSet('three-gpus').replicatedJob('w', { cpu: 1, memory: '1Gi', gpus: 3 }).createdAt(1).build(),
        makeJobSet('two-gpus').replicatedJob('w', { cpu: 1, memory: '1Gi', gpus: 2 }).createdAt(2).build(),
      ],
      wantAdmitted: ['two-gpus'],
      wantPending: [{ jobset: 'three-gpus', reason: 'NoFit' }],
    },
    {
      name: 'a NotReady node is never used, however big',
      nodes: [makeNode('big').cpu(128).memory('1Ti').gpus(8).notReady().build(), makeNode('small').cpu(2).memory('4Gi').build()],
      jobsets: [
        makeJobSet('gpu-job').replicatedJob('w', { cpu: 1, memory: '1Gi', gpus: 1 }).createdAt(1).build(),
        makeJobSet('cpu-job').replicatedJob('w', { replicas: 2, cpu: 1, memory: '1Gi' }).createdAt(2).build(),
      ],
      wantAdmitted: ['cpu-job'],
      wantPending: [{ jobset: 'gpu-job', reason: 'NoFit' }],
    },
    {
      name: 'only NotReady nodes: every JobSet waits for NoReadyNodes',
      nodes: [makeNode('n1').cpu(8).memory('8Gi').notReady().build(), makeNode('n2').cpu(8).memory('8Gi').notReady().build()],
      jobsets: [makeJobSet('a').replicatedJob('w', { cpu: 1 }).createdAt(1).build(), makeJobSet('b').replicatedJob('w', { cpu: 1 }).createdAt(2).build()],
      wantAdmitted: [],
      wantPending: [
        { jobset: 'a', reason: 'NoReadyNodes' },
        { jobset: 'b', reason: 'NoReadyNodes' },
      ],
    },
    {
      name: 'no nodes at all: NoReadyNodes',
      nodes: [],
      jobsets: [makeJobSet('a').replicatedJob('w', { cpu: 1 }).build()],
      wantAdmitted: [],
      wantPending: [{ jobset: 'a', reason: 'NoReadyNodes' }],
    },
    {
      name: 'FIFO by creation time: the older JobSet gets the only slot although listed second',
      nodes: [makeNode('n1').cpu(2).memory('4Gi').build()],
      jobsets: [
        makeJobSet('aaa-newer').replicatedJob('w', { cpu: 2 }).createdAt(20).build(),
        makeJobSet('zzz-older').replicatedJob('w', { cpu: 2 }).createdAt(10).build(),
      ],
      wantAdmitted: ['zzz-older'],
      wantPending: [{ jobset: 'aaa-newer', reason: 'NoFit' }],
    },
    {
      name: 'same creation time: the name decides',
      nodes: [makeNode('n1').cpu(2).memory('4Gi').build()],
      jobsets: [makeJobSet('beta').replicatedJob('w', { cpu: 2 }).createdAt(7).build(), makeJobSet('alpha').replicatedJob('w', { cpu: 2 }).createdAt(7).build()],
      wantAdmitted: ['alpha'],
      wantPending: [{ jobset: 'beta', reason: 'NoFit' }],
    },
    {
      name: 'a big JobSet that does not fit does not block a small one behind it',
      nodes: [makeNode('n1').cpu(4).memory('8Gi').gpus(2).build()],
      jobsets: [
        makeJobSet('huge').replicatedJob('w', { replicas: 8, cpu: 1, gpus: 1 }).createdAt(1).build(),
        makeJobSet('tiny').replicatedJob('w', { cpu: 1, gpus: 1 }).createdAt(2).build(),
        makeJobSet('tiny2').replicatedJob('w', { cpu: 1, gpus: 1 }).createdAt(3).build(),
      ],
      wantAdmitted: ['tiny', 'tiny2'],
      wantPending: [{ jobset: 'huge', reason: 'NoFit' }],
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const s = snapshotOf(c.nodes, c.jobsets);
      const d = decideCycle(s);
      expect(admittedNames(d)).toEqual(c.wantAdmitted);
      expect(d.pending.map((p) => ({ jobset: p.jobset, reason: p.reason }))).toEqual(c.wantPending);
      expect(overCommitted(s, d)).toEqual([]);
      expect(gpuProblems(s, d)).toEqual([]);
      const schedulable = new Set(c.nodes.filter((n) => n.schedulable).map((n) => n.name));
      for (const a of d.admit) for (const pl of a.placements) expect(schedulable.has(pl.node), `${pl.podId} on ${pl.node}`).toBe(true);
    });
  }

  it('places every pod of an admitted gang exactly once, in gang order', () => {
    const js = makeJobSet('train').replicatedJob('leader', { cpu: 1 }).replicatedJob('workers', { replicas: 2, parallelism: 2, cpu: 1 }).build();
    const s = snapshotOf([makeNode('n1').cpu(3).memory('8Gi').build(), makeNode('n2').cpu(3).memory('8Gi').build()], [js]);
    const d = decideCycle(s);
    expect(admittedNames(d)).toEqual(['train']);
    expect(d.admit[0]!.placements.map((p) => p.podId)).toEqual(s.pending[0]!.pods.map((p) => p.podId));
  });
});

describe('decideCycle pending reasons', () => {
  it('NoFit names the pod count, how many fit, the request and the freest Ready node', () => {
    const nodes = [
      makeNode('n-small').cpu(2).memory('8Gi').gpus(1).build(),
      makeNode('n-roomy').cpu(16).memory('64Gi').gpus(2).build(),
      makeNode('n-off').cpu(256).memory('1Ti').gpus(8).notReady().build(),
    ];
    const perPodGpus = 2;
    const podCount = 3;
    const js = makeJobSet('wide').replicatedJob('w', { replicas: podCount, cpu: 1, memory: '1Gi', gpus: perPodGpus }).build();
    const d = decideCycle(snapshotOf(nodes, [js]));
    expect(d.admit).toEqual([]);
    expect(d.pending).toHaveLength(1);
    const p = d.pending[0]!;
    expect(p.reason).toBe('NoFit');
    // Exactly one pod fits: n-roomy has 2 GPUs (one pod), n-small has 1 (none).
    const ready = nodes.filter((n) => n.schedulable).length;
    expect(p.message).toContain(`needs ${podCount} pods`);
    expect(p.message).toContain(`1 of ${podCount} fit on ${ready} Ready node(s)`);
    expect(p.message).toContain(`gpu=${perPodGpus}`);
    expect(p.message).toContain('n-roomy');
    expect(p.message).not.toContain('n-off');
  });

  it('NoFit says which resource is short when one pod is bigger than the freest node', () => {
    const nodes = [makeNode('n1').cpu(64).memory('64Gi').gpus(2).build(), makeNode('n2').cpu(64).memory('64Gi').gpus(1).build()];
    const d = decideCycle(snapshotOf(nodes, [makeJobSet('fat').replicatedJob('w', { cpu: 1, gpus: 4 }).build()]));
    expect(d.pending.map((p) => p.reason)).toEqual(['NoFit']);
    expect(d.pending[0]!.message).toContain('0 of 1 fit');
    expect(d.pending[0]!.message).toMatch(/short of gpus/);
    expect(d.pending[0]!.message).not.toMatch(/short of [^)]*cpu/);
  });

  it('NoReadyNodes has a message a person can read', () => {
    const d = decideCycle(snapshotOf([], [makeJobSet('a').replicatedJob('w', { cpu: 1 }).build()]));
    expect(d.pending[0]!.reason).toBe('NoReadyNodes');
    expect(d.pending[0]!.message.length).toBeGreaterThan(0);
  });
});

describe('decideCycle coordinator ports', () => {
  /** oneCpu is a JobSet of `pods` pods of 1 CPU each (one per 1-CPU node, first fit). */
  const oneCpu = (name: string, created: number, pods = 1) => makeJobSet(name).replicatedJob('w', { replicas: pods, cpu: 1 }).createdAt(created).build();
  /** ports lists [jobset, coordinatorNode, coordinatorPort] of every admission. */
  const ports = (d: CycleDecision) => d.admit.map((a) => [a.jobset, a.coordinatorNode, a.coordinatorPort]);

  it('gives each JobSet coordinated on one node its own port, skipping ports in use there', () => {
    const used = [29500, 29502];
    const range = { min: 29500, max: 29510 };
    const jobsets = ['a', 'b', 'c'].map((n, i) => oneCpu(n, i));
    const d = decideCycle(snapshotOf([makeNode('n1').cpu(8).memory('8Gi').build()], jobsets, { usedPorts: used.map((port) => ({ node: 'n1', port })), portRange: range }));
    expect(admittedNames(d)).toEqual(['a', 'b', 'c']);
    // Lowest free first, counting the ports taken earlier in this cycle.
    expect(ports(d)).toEqual([
      ['a', 'n1', 29501],
      ['b', 'n1', 29503],
      ['c', 'n1', 29504],
    ]);
  });

  it('JobSets coordinated on different nodes may all use the first port of the range', () => {
    const nodes = [makeNode('n1').cpu(1).build(), makeNode('n2').cpu(1).build(), makeNode('n3').cpu(1).build()];
    const d = decideCycle(snapshotOf(nodes, [oneCpu('a', 1), oneCpu('b', 2), oneCpu('c', 3)]));
    expect(ports(d)).toEqual([
      ['a', 'n1', PORTS.min],
      ['b', 'n2', PORTS.min],
      ['c', 'n3', PORTS.min],
    ]);
  });

  it('two JobSets coordinated on the same node in one cycle get min and min+1', () => {
    const nodes = [makeNode('n1').cpu(2).build(), makeNode('n2').cpu(2).build()];
    const d = decideCycle(snapshotOf(nodes, [oneCpu('a', 1), oneCpu('b', 2)]));
    expect(ports(d)).toEqual([
      ['a', 'n1', PORTS.min],
      ['b', 'n1', PORTS.min + 1],
    ]);
  });

  it('a port in use on one node blocks only that node', () => {
    const nodes = [makeNode('n1').cpu(1).build(), makeNode('n2').cpu(1).build()];
    const usedPorts = [
      { node: 'n1', port: PORTS.min },
      { node: 'n3', port: PORTS.min + 1 },
    ];
    const d = decideCycle(snapshotOf(nodes, [oneCpu('a', 1), oneCpu('b', 2)], { usedPorts }));
    expect(ports(d)).toEqual([
      ['a', 'n1', PORTS.min + 1],
      ['b', 'n2', PORTS.min],
    ]);
  });

  it('the port is free on the coordinator pod’s node, which need not be the first pod’s', () => {
    // leader fills n1, the worker goes to n2; PORTS.min is taken on n1 only.
    const nodes = [makeNode('n1').cpu(1).build(), makeNode('n2').cpu(1).build()];
    const usedPorts = [{ node: 'n1', port: PORTS.min }];
    const build = (coordinate: (b: ReturnType<typeof makeJobSet>) => void) => {
      const b = makeJobSet('x').replicatedJob('leader', { cpu: 1 }).replicatedJob('worker', { cpu: 1 });
      coordinate(b);
      return b.build();
    };
    const byWorker = decideCycle(snapshotOf(nodes, [build((b) => b.coordinator('worker'))], { usedPorts }));
    expect(byWorker.admit[0]!.placements.map((p) => [p.podId, p.node])).toEqual([
      ['x/leader/0/0', 'n1'],
      ['x/worker/0/0', 'n2'],
    ]);
    expect(ports(byWorker)).toEqual([['x', 'n2', PORTS.min]]);
    const byDefault = decideCycle(snapshotOf(nodes, [build(() => {})], { usedPorts }));
    expect(ports(byDefault)).toEqual([['x', 'n1', PORTS.min + 1]]);
  });

  it('the snapshot’s coordinatorPodId decides, not the spec it came from', () => {
    const nodes = [makeNode('n1').cpu(1).build(), makeNode('n2').cpu(1).build()];
    const js = makeJobSet('x').replicatedJob('w', { replicas: 2, cpu: 1 }).build();
    const pending = { ...pendingOf(js), coordinatorPodId: 'x/w/1/0' };
    const d = decideCycle({ nodes, pending: [pending], usedPorts: [{ node: 'n1', port: PORTS.min }], portRange: PORTS });
    expect(ports(d)).toEqual([['x', 'n2', PORTS.min]]);
  });

  it('when the range is exhausted on the coordinator’s node the JobSet waits with NoCoordinatorPort, naming the node, and takes no capacity', () => {
    const range = { min: 29500, max: 29501 };
    const jobsets = ['a', 'b', 'c'].map((n, i) => oneCpu(n, i));
    const s = snapshotOf([makeNode('n1').cpu(8).memory('8Gi').build()], jobsets, { usedPorts: [{ node: 'n1', port: 29500 }], portRange: range });
    const d = decideCycle(s);
    expect(admittedNames(d)).toEqual(['a']);
    expect(d.admit[0]!.coordinatorPort).toBe(29501);
    expect(d.pending.map((p) => [p.jobset, p.reason])).toEqual([
      ['b', 'NoCoordinatorPort'],
      ['c', 'NoCoordinatorPort'],
    ]);
    for (const p of d.pending) {
      expect(p.message).toContain('n1');
      expect(p.message).toContain('29500-29501');
    }
    expect(overCommitted(s, d)).toEqual([]);
  });

  it('a JobSet left without a port takes no capacity: a later one uses the room it would have had', () => {
    // One port; it is taken on n1 only. wide fits n1 but can get no port there.
    const range = { min: 29500, max: 29500 };
    const nodes = [makeNode('n1').cpu(2).build(), makeNode('n2').cpu(1).build()];
    const jobsets = [
      makeJobSet('wide').replicatedJob('w', { cpu: 2 }).createdAt(1).build(),
      // leader needs all of n1 (free only if wide took nothing); the coordinator (worker) lands on n2, where the port is free.
      makeJobSet('pair').replicatedJob('leader', { cpu: 2 }).replicatedJob('worker', { cpu: 1 }).coordinator('worker').createdAt(2).build(),
    ];
    const s = snapshotOf(nodes, jobsets, { usedPorts: [{ node: 'n1', port: 29500 }], portRange: range });
    const d = decideCycle(s);
    expect(d.pending.map((p) => [p.jobset, p.reason])).toEqual([['wide', 'NoCoordinatorPort']]);
    expect(ports(d)).toEqual([['pair', 'n2', 29500]]);
    expect(d.admit[0]!.placements.map((p) => p.node)).toEqual(['n1', 'n2']);
    expect(overCommitted(s, d)).toEqual([]);
  });
});

describe('decideCycle GPU binding', () => {
  it('binds distinct GPUs per node, never used or unhealthy ones', () => {
    const nodes = [makeNode('n1').cpu(16).memory('32Gi').gpus(4).usedGpus(1).unhealthyGpus(2).build(), makeNode('n2').cpu(16).memory('32Gi').gpus(2).build()];
    const jobsets = [
      makeJobSet('a').replicatedJob('w', { replicas: 2, cpu: 1, gpus: 1 }).createdAt(1).build(),
      makeJobSet('b').replicatedJob('w', { replicas: 2, cpu: 1, gpus: 1 }).createdAt(2).build(),
      // Every healthy free GPU (0 and 3 on n1, 0 and 1 on n2) is taken by a and b.
      makeJobSet('c').replicatedJob('w', { cpu: 1, gpus: 1 }).createdAt(3).build(),
    ];
    const s = snapshotOf(nodes, jobsets);
    const d = decideCycle(s);
    expect(admittedNames(d)).toEqual(['a', 'b']);
    expect(pendingNames(d)).toEqual(['c']);
    expect(gpuProblems(s, d)).toEqual([]);
    const onN1 = d.admit.flatMap((a) => a.placements.filter((p) => p.node === 'n1').flatMap((p) => p.gpuIndices));
    expect(onN1.sort()).toEqual([0, 3]);
  });
});

describe('decideCycle determinism and purity', () => {
  const nodes = [
    makeNode('n3').cpu(8).memory('32Gi').gpus(2).build(),
    makeNode('n1').cpu(4).memory('16Gi').gpus(4).usedGpus(0).build(),
    makeNode('n2').cpu(8).memory('8Gi').notReady().build(),
    makeNode('n4').cpu(2).memory('64Gi').allocated({ cpu: 1 }).build(),
  ];
  const jobsets = [
    makeJobSet('x').replicatedJob('l', { cpu: 1, memory: '1Gi' }).replicatedJob('w', { replicas: 2, parallelism: 2, cpu: 1, gpus: 1 }).createdAt(3).build(),
    makeJobSet('y').replicatedJob('w', { replicas: 3, cpu: 2, memory: '2Gi' }).createdAt(1).build(),
    makeJobSet('z').replicatedJob('w', { cpu: 64 }).createdAt(2).build(),
  ];

  it('the same snapshot gives a deep-equal decision', () => {
    expect(decideCycle(snapshotOf(nodes, jobsets))).toEqual(decideCycle(snapshotOf(nodes, jobsets)));
  });

  it('nodes and pending JobSets listed in another order give the same decision', () => {
    const a = decideCycle(snapshotOf(nodes, jobsets));
    const b = decideCycle(snapshotOf([...nodes].reverse(), [...jobsets].reverse()));
    expect(b).toEqual(a);
    expect(a.admit.length).toBeGreaterThan(0);
  });

  it('does not modify the snapshot it is given', () => {
    const s = snapshotOf(nodes, jobsets, { usedPorts: [{ node: 'n1', port: 29501 }] });
    const before = structuredClone(s);
    decideCycle(s);
    expect(s).toEqual(before);
  });
});


function randomSnapshot(rand: () => number): Snapshot {
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)]!;
  const nodes: NodeSnapshot[] = [];
  for (let i = int(0, 5); i > 0; i--) {
    const gpus = pick([0, 0, 2, 4, 8]);
    const b = makeNode(`node-${i}`).cpu(int(1, 16)).memory(`${int(1, 64)}Gi`).gpus(gpus).rdma(int(0, 2));
    const used = Array.from({ length: gpus }, (_, g) => g).filter(() => rand() < 0.2);
    if (used.length > 0) b.usedGpus(...used);
    const unhealthy = Array.from({ length: gpus }, (_, g) => g).filter((g) => !used.includes(g) && rand() < 0.1);
    if (unhealthy.length > 0) b.unhealthyGpus(...unhealthy);
    if (rand() < 0.5) b.allocated({ cpu: `${int(0, 1000)}m`, memory: `${int(0, 1024)}Mi` });
    if (rand() < 0.2) b.notReady();
    nodes.push(b.build());
  }
  const jobsets: JobSet[] = [];
  for (let i = int(0, 6); i > 0; i--) {
    const b = makeJobSet(`js-${i}`).createdAt(int(0, 5));
    const shapes: { name: string; replicas: number; parallelism: number }[] = [];
    for (let r = int(1, 3); r > 0; r--) {
      const shape = { name: `rj-${r}`, replicas: int(1, 3), parallelism: int(1, 3) };
      shapes.push(shape);
      b.replicatedJob(shape.name, {
        replicas: shape.replicas,
        parallelism: shape.parallelism,
        cpu: `${pick([100, 250, 500, 1000, 2000, 4000])}m`,
        memory: `${int(0, 8192)}Mi`,
        gpus: pick([0, 0, 0, 1, 2]),
        rdma: pick([0, 0, 1]),
      });
    }
    // Half of them name a coordinator other than the default first pod.
    if (rand() < 0.5) {
      const c = pick(shapes);
      b.coordinator(c.name, int(0, c.replicas - 1), int(0, c.parallelism - 1));
    }
    jobsets.push(b.build());
  }
  const min = 29500;
  const max = min + int(0, 4);
  // Ports in use per node (and on a node that is gone: harmless).
  const usedPorts: PortInUse[] = [];
  for (const node of [...nodes.map((n) => n.name), 'node-gone'])
    for (let port = min; port <= max; port++) if (rand() < 0.3) usedPorts.push({ node, port });
  return snapshotOf(nodes, jobsets, { usedPorts, portRange: { min, max } });
}

function shuffled<T>(xs: T[], rand: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('decideCycle safety properties over random snapshots', () => {
  const SEEDS = 300;

  it(`holds for ${SEEDS} seeded snapshots`, () => {
    let admittedSomething = 0;
    let leftSomethingPending = 0;
    let noPort = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const rand = mulberry32(seed);
      const s = randomSnapshot(rand);
      const d = decideCycle(s);
      const ctx = `seed ${seed}`;

      // No node over-committed on any resource; GPU indices bound correctly.
      expect(overCommitted(s, d), ctx).toEqual([]);
      expect(gpuProblems(s, d), ctx).toEqual([]);

      // Each admitted gang: exactly one placement per pod, each on a schedulable node.
      const byName = new Map<string, PendingJobSet>(s.pending.map((p) => [p.name, p]));
      const schedulable = new Set(s.nodes.filter((n) => n.schedulable).map((n) => n.name));
      for (const a of d.admit) {
        const gang = byName.get(a.jobset);
        expect(gang, ctx).toBeDefined();
        expect(a.placements.map((p) => p.podId).sort(), `${ctx} ${a.jobset}`).toEqual(gang!.pods.map((p) => p.podId).sort());
        for (const pl of a.placements) expect(schedulable.has(pl.node), `${ctx} ${pl.podId} on ${pl.node}`).toBe(true);
      }

      // pending + admitted = the input JobSets, each exactly once.
      expect([...admittedNames(d), ...pendingNames(d)].sort(), ctx).toEqual(s.pending.map((p) => p.name).sort());

      // Coordinator ports: on the coordinator pod's node, in range, not used there before, distinct per node.
      const held = new Set(s.usedPorts.map((u) => `${u.node}:${u.port}`));
      for (const a of d.admit) {
        const actx = `${ctx} ${a.jobset}`;
        const coordinator = byName.get(a.jobset)!.coordinatorPodId;
        expect(a.placements.find((p) => p.podId === coordinator)?.node, actx).toBe(a.coordinatorNode);
        expect(a.coordinatorPort >= s.portRange.min && a.coordinatorPort <= s.portRange.max, actx).toBe(true);
        const key = `${a.coordinatorNode}:${a.coordinatorPort}`;
        expect(held.has(key), `${actx} got ${key}, already in use`).toBe(false);
        held.add(key);
      }
      noPort += d.pending.filter((x) => x.reason === 'NoCoordinatorPort').length;

      // Input order does not matter.
      expect(decideCycle({ ...s, nodes: shuffled(s.nodes, rand), pending: shuffled(s.pending, rand) }), ctx).toEqual(d);

      if (d.admit.length > 0) admittedSomething++;
      if (d.pending.length > 0) leftSomethingPending++;
    }
    // The generator exercises both outcomes, so the properties are not vacuous.
    expect(admittedSomething).toBeGreaterThan(SEEDS / 10);
    expect(leftSomethingPending).toBeGreaterThan(SEEDS / 10);
    expect(noPort).toBeGreaterThan(0);
  });
});

/** ReferenceAdmission is where the reference puts an admitted JobSet: its pods' nodes in gang order, and its coordinator port. */
interface ReferenceAdmission {
  nodes: string[];
  coordinatorNode: string;
  port: number;
}

/**
 * referenceFirstFit is the plain definition of the placement rule, written
 * for clarity, not speed: for each JobSet in queue order, each pod goes to the
 * first schedulable node (by name) whose remaining capacity (after earlier
 * admissions and the gang's own earlier pods) fits it. decideCycle skips nodes
 * with per-shape cursors; it must place exactly as this does. The JobSet then
 * takes the lowest port of the range not held on its coordinator pod's node
 * (by running JobSets or earlier admissions of this cycle); with none left it
 * is not admitted and takes nothing.
 */
function referenceFirstFit(s: Snapshot): Map<string, ReferenceAdmission> {
  const nodes = s.nodes
    .filter((n) => n.schedulable)
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((n) => ({
      name: n.name,
      free: { cpuMillis: n.allocatable.cpuMillis - n.allocated.cpuMillis, memoryBytes: n.allocatable.memoryBytes - n.allocated.memoryBytes, gpus: n.allocatable.gpus - n.allocated.gpus, rdma: n.allocatable.rdma - n.allocated.rdma },
      gpus: n.gpuIndices.filter((g) => !n.usedGpuIndices.includes(g)).length,
    }));
  const held = s.usedPorts.map((u) => ({ ...u }));
  const out = new Map<string, ReferenceAdmission>();
  const queue = [...s.pending].sort((a, b) => a.createdMs - b.createdMs || (a.name < b.name ? -1 : 1));
  for (const js of queue) {
    const scratch = nodes.map((n) => ({ ...n, free: { ...n.free } }));
    const where: string[] = [];
    for (const pod of js.pods) {
      const r = pod.request;
      const n = scratch.find((x) => r.cpuMillis <= x.free.cpuMillis && r.memoryBytes <= x.free.memoryBytes && r.gpus <= x.free.gpus && r.rdma <= x.free.rdma && r.gpus <= x.gpus);
      if (!n) break;
      n.free = { cpuMillis: n.free.cpuMillis - r.cpuMillis, memoryBytes: n.free.memoryBytes - r.memoryBytes, gpus: n.free.gpus - r.gpus, rdma: n.free.rdma - r.rdma };
      n.gpus -= r.gpus;
      where.push(n.name);
    }
    if (where.length !== js.pods.length) continue;
    const coordinatorNode = where[js.pods.findIndex((p) => p.podId === js.coordinatorPodId)]!;
    let port = s.portRange.min;
    while (port <= s.portRange.max && held.some((h) => h.node === coordinatorNode && h.port === port)) port++;
    if (port > s.portRange.max) continue;
    held.push({ node: coordinatorNode, port });
    scratch.forEach((n, i) => (nodes[i] = n));
    out.set(js.name, { nodes: where, coordinatorNode, port });
  }
  return out;
}

/** decidedAsReference turns a decision into the reference's terms. */
function decidedAsReference(s: Snapshot, d: CycleDecision): Map<string, ReferenceAdmission> {
  return new Map(
    d.admit.map((a) => [
      a.jobset,
      {
        nodes: s.pending.find((p) => p.name === a.jobset)!.pods.map((p) => a.placements.find((x) => x.podId === p.podId)!.node),
        coordinatorNode: a.coordinatorNode,
        port: a.coordinatorPort,
      },
    ]),
  );
}

describe('decideCycle places exactly as plain first fit', () => {
  it('agrees with the reference on 300 seeded snapshots, including many pods of the same shape', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rand = mulberry32(seed * 7919);
      const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
      const nodes: NodeSnapshot[] = [];
      for (let i = int(1, 12); i > 0; i--) nodes.push(makeNode(`n-${String(i).padStart(2, '0')}`).cpu(int(1, 8)).memory(`${int(1, 16)}Gi`).gpus(int(0, 1) * 8).build());
      const jobsets: JobSet[] = [];
      for (let i = int(1, 25); i > 0; i--)
        jobsets.push(
          makeJobSet(`js-${i}`)
            .createdAt(int(0, 9))
            .replicatedJob('w', { replicas: int(1, 4), parallelism: int(1, 3), cpu: `${[500, 1000, 2000][int(0, 2)]}m`, memory: `${[256, 1024][int(0, 1)]}Mi`, gpus: [0, 0, 1, 4][int(0, 3)] })
            .build(),
        );
      const s = snapshotOf(nodes, jobsets, { usedPorts: [], portRange: { min: 29500, max: 29999 } });
      const want = referenceFirstFit(s);
      const d = decideCycle(s);
      expect(decidedAsReference(s, d), `seed ${seed}`).toEqual(want);
    }
  });

  it('agrees with the reference when ports are scarce, held per node, and coordinators are not the first pod', () => {
    let portBound = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const rand = mulberry32(seed * 104729);
      const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
      const nodes: NodeSnapshot[] = [];
      for (let i = int(1, 6); i > 0; i--) nodes.push(makeNode(`n-${String(i).padStart(2, '0')}`).cpu(int(2, 8)).memory('16Gi').build());
      const jobsets: JobSet[] = [];
      for (let i = int(1, 12); i > 0; i--) {
        const replicas = int(1, 3);
        const b = makeJobSet(`js-${i}`).createdAt(int(0, 9)).replicatedJob('leader', { cpu: `${[500, 1000][int(0, 1)]}m` }).replicatedJob('w', { replicas, cpu: `${[500, 1000, 2000][int(0, 2)]}m` });
        if (rand() < 0.5) b.coordinator('w', int(0, replicas - 1));
        jobsets.push(b.build());
      }
      const portRange = { min: 29500, max: 29500 + int(0, 2) };
      const usedPorts: PortInUse[] = [];
      for (const n of nodes) for (let port = portRange.min; port <= portRange.max; port++) if (rand() < 0.4) usedPorts.push({ node: n.name, port });
      const s = snapshotOf(nodes, jobsets, { usedPorts, portRange });
      const want = referenceFirstFit(s);
      const d = decideCycle(s);
      expect(decidedAsReference(s, d), `seed ${seed}`).toEqual(want);
      portBound += d.pending.filter((p) => p.reason === 'NoCoordinatorPort').length;
    }
    expect(portBound, 'the generator runs out of ports sometimes').toBeGreaterThan(10);
  });
});

describe('decideCycle pod slots (maxPodsPerNode)', () => {
  const withSlots = (n: NodeSnapshot, maxPods: number, podCount = 0): NodeSnapshot => ({ ...n, maxPods, podCount });

  it('spreads a gang over nodes when the first one runs out of pod slots, although CPU is left', () => {
    const nodes = [withSlots(makeNode('n1').cpu(64).memory('64Gi').build(), 4, 1), withSlots(makeNode('n2').cpu(64).memory('64Gi').build(), 4)];
    const js = makeJobSet('many').replicatedJob('w', { replicas: 5, parallelism: 1, cpu: '100m' }).build();
    const d = decideCycle(snapshotOf(nodes, [js]));
    const perNode = new Map<string, number>();
    for (const p of d.admit[0]!.placements) perNode.set(p.node, (perNode.get(p.node) ?? 0) + 1);
    expect(Object.fromEntries(perNode)).toEqual({ n1: 3, n2: 2 });
  });

  it('keeps a gang pending when every node is out of pod slots, and says so', () => {
    const nodes = [withSlots(makeNode('n1').cpu(64).memory('64Gi').build(), 2, 2)];
    const d = decideCycle(snapshotOf(nodes, [makeJobSet('one').replicatedJob('w', { cpu: '100m' }).build()]));
    expect(d.admit).toEqual([]);
    expect(d.pending[0]!.reason).toBe('NoFit');
    expect(d.pending[0]!.message).toContain('room for 0 more pods');
    expect(d.pending[0]!.message).toContain('pod slots');
  });
});
