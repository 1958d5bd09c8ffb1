import { describe, expect, it } from 'vitest';
import { buildAssignments } from './assignments.js';
import type { PodPlacement } from './types.js';
import type { JobSet } from '../../../shared/src/proto/types.js';
import { gangOf, jobSetUid, makeJobSet, resources, podStatus } from '../../../test/helpers/builders.js';

const PORT = 29517;
const ADDRESSES = new Map([
  ['n1', '10.0.0.1'],
  ['n2', '10.0.0.2'],
  ['n3', '10.0.0.3'],
]);

/** Expected identity of every pod in rank order, written out from the spec independently of expandGang. */
interface Want {
  podId: string;
  rj: string;
  job: number;
  pod: number;
  node: string;
  gpus: number[];
}

/**
 * leader (1×1, no GPU) then workers (2 jobs × 2 pods, 1 GPU each), ranks:
 *   0 leader/0/0 → n2
 *   1 workers/0/0 → n1 gpu 0
 *   2 workers/0/1 → n1 gpu 1
 *   3 workers/1/0 → n3 gpu 0
 *   4 workers/1/1 → n2 gpu 5
 */
const WANT: Want[] = [
  { podId: 'train/leader/0/0', rj: 'leader', job: 0, pod: 0, node: 'n2', gpus: [] },
  { podId: 'train/workers/0/0', rj: 'workers', job: 0, pod: 0, node: 'n1', gpus: [0] },
  { podId: 'train/workers/0/1', rj: 'workers', job: 0, pod: 1, node: 'n1', gpus: [1] },
  { podId: 'train/workers/1/0', rj: 'workers', job: 1, pod: 0, node: 'n3', gpus: [0] },
  { podId: 'train/workers/1/1', rj: 'workers', job: 1, pod: 1, node: 'n2', gpus: [5] },
];

/** RETRIED is a pod retried once more than the others (its generation is one above theirs). */
const RETRIED = 'train/workers/1/1';
const generationOf = (podId: string) => (podId === RETRIED ? 6 : 5);

/** The JobSet after 2 JobSet restarts; each pod has its own generation. */
function jobset(configure: (b: ReturnType<typeof makeJobSet>) => void = () => {}): JobSet {
  const b = makeJobSet('train').replicatedJob('leader', { cpu: 1 }).replicatedJob('workers', { replicas: 2, parallelism: 2, cpu: 1, gpus: 1 }).restarts(2);
  configure(b);
  const js = b.build();
  js.status!.pods = WANT.map((w) => podStatus(w.podId, { generation: generationOf(w.podId), node: w.node }));
  return js;
}

/** Placements listed in reverse rank order, so nothing may depend on their order. */
const PLACEMENTS: PodPlacement[] = WANT.map((w) => ({ podId: w.podId, node: w.node, gpuIndices: w.gpus })).reverse();

function build(js: JobSet, addresses: ReadonlyMap<string, string> = ADDRESSES) {
  return buildAssignments({ jobset: js, gang: gangOf(js), placements: PLACEMENTS, addresses, coordinatorPort: PORT });
}

describe('buildAssignments', () => {
  const { assignments: out, hosts } = build(jobset());

  it('returns one assignment per pod, in rank order', () => {
    expect(out.map((a) => a.podId)).toEqual(WANT.map((w) => w.podId));
  });

  // Node ranks by first appearance in rank order: n2 (rank 0), n1 (rank 1), n3 (rank 3).
  const nodeOrder: string[] = [];
  for (const w of WANT) if (!nodeOrder.includes(w.node)) nodeOrder.push(w.node);

  WANT.forEach((w, rank) => {
    it(`rank ${rank} (${w.podId}) gets its identity, ranks and the coordinator`, () => {
      const a = out[rank]!;
      const localRank = WANT.slice(0, rank).filter((x) => x.node === w.node).length;
      const coordAddr = ADDRESSES.get(WANT[0]!.node)!;
      expect(a.env).toMatchObject({
        MUSTER_JOBSET: 'train',
        MUSTER_REPLICATED_JOB: w.rj,
        MUSTER_JOB_INDEX: String(w.job),
        MUSTER_POD_INDEX: String(w.pod),
        JOB_COMPLETION_INDEX: String(w.pod),
        MUSTER_GLOBAL_RANK: String(rank),
        RANK: String(rank),
        WORLD_SIZE: String(WANT.length),
        MUSTER_WORLD_SIZE: String(WANT.length),
        LOCAL_RANK: String(localRank),
        NODE_RANK: String(nodeOrder.indexOf(w.node)),
        MASTER_ADDR: coordAddr,
        MASTER_PORT: String(PORT),
        MUSTER_COORDINATOR: `${coordAddr}:${PORT}`,
        MUSTER_RESTART_ATTEMPT: '2',
      });
      if (w.gpus.length > 0)
        expect(a.env).toMatchObject({ CUDA_VISIBLE_DEVICES: w.gpus.join(','), NVIDIA_VISIBLE_DEVICES: w.gpus.join(','), CUDA_DEVICE_ORDER: 'PCI_BUS_ID' });
      else {
        // Set but empty: an unset CUDA_VISIBLE_DEVICES would let the pod see every GPU of the node.
        expect(a.env).toMatchObject({ CUDA_VISIBLE_DEVICES: '', NVIDIA_VISIBLE_DEVICES: 'void' });
        expect(a.env).not.toHaveProperty('CUDA_DEVICE_ORDER');
      }
      expect(a.binding?.gpuIndices).toEqual(w.gpus);
      // MUSTER_RESTART_ATTEMPT is the JobSet's restart count; the generation is the pod's own incarnation.
      expect(a).toMatchObject({ jobset: 'train', replicatedJob: w.rj, jobIndex: w.job, podIndex: w.pod, generation: generationOf(w.podId) });
    });
  });

  it('every pod carries the JobSet’s uid, and its own request', () => {
    const js = jobset();
    expect(js.metadata!.uid).toBe(jobSetUid('train'));
    for (const a of out) expect(a.jobsetUid, a.podId).toBe(js.metadata!.uid);
    // leader: 1 CPU; workers: 1 CPU and 1 GPU each (written out, not taken from the gang).
    expect(out.map((a) => a.requests)).toEqual(WANT.map((w) => resources({ cpu: 1, gpus: w.rj === 'workers' ? 1 : 0 })));
  });

  it('another incarnation of the same name gets its own uid in every assignment', () => {
    const js = jobset();
    js.metadata!.uid = 'uid-train-resubmitted';
    const got = build(js).assignments;
    expect(got.map((a) => a.jobsetUid)).toEqual(WANT.map(() => 'uid-train-resubmitted'));
  });

  it('an assignment’s requests are a copy: changing one leaves the gang and the other pods alone', () => {
    const js = jobset();
    const gang = gangOf(js);
    const got = buildAssignments({ jobset: js, gang, placements: PLACEMENTS, addresses: ADDRESSES, coordinatorPort: PORT }).assignments;
    got[1]!.requests!.gpus = 99;
    expect(gang[1]!.request.gpus).toBe(1);
    expect(got[2]!.requests!.gpus).toBe(1);
  });

  it('the hostfile is returned once for the JobSet: one line per rank, the address of that rank’s node', () => {
    expect(hosts).toEqual(WANT.map((w) => ADDRESSES.get(w.node)!));
    for (const a of out) expect(a, a.podId).not.toHaveProperty('hosts');
  });

  it('each pod carries the template of its own replicatedJob', () => {
    const js = jobset();
    for (const a of out) expect(a.template).toEqual(js.spec!.replicatedJobs.find((r) => r.name === a.replicatedJob)!.template!.template);
  });

  it('an explicit coordinator elsewhere moves MASTER_ADDR to that pod’s node', () => {
    const coord = WANT.find((w) => w.podId === 'train/workers/1/0')!;
    const got = build(jobset((b) => b.coordinator('workers', 1, 0))).assignments;
    const addr = ADDRESSES.get(coord.node)!;
    for (const a of got) {
      expect(a.env.MASTER_ADDR).toBe(addr);
      expect(a.env.MUSTER_COORDINATOR).toBe(`${addr}:${PORT}`);
    }
    expect(addr).not.toBe(ADDRESSES.get(WANT[0]!.node));
  });

  it('with no coordinator in the spec the first pod of the first replicatedJob coordinates', () => {
    const js = jobset();
    js.spec!.coordinator = null;
    const got = build(js).assignments;
    for (const a of got) expect(a.env.MASTER_ADDR).toBe(ADDRESSES.get(WANT[0]!.node));
  });

  it('a node without a known address is named by its node name', () => {
    const got = build(jobset(), new Map([['n1', '10.0.0.1']]));
    expect(got.hosts).toEqual(WANT.map((w) => (w.node === 'n1' ? '10.0.0.1' : w.node)));
    expect(got.assignments[0]!.env.MASTER_ADDR).toBe(WANT[0]!.node);
  });

  it('a JobSet without GPUs hides every GPU from its pods', () => {
    const js = makeJobSet('cpu').replicatedJob('w', { replicas: 3, cpu: 1 }).build();
    const gang = gangOf(js);
    const { assignments: got, hosts: cpuHosts } = buildAssignments({
      jobset: js,
      gang,
      placements: gang.map((g, i) => ({ podId: g.podId, node: i < 2 ? 'n1' : 'n2', gpuIndices: [] })),
      addresses: ADDRESSES,
      coordinatorPort: PORT,
    });
    for (const a of got) {
      expect(a.env.CUDA_VISIBLE_DEVICES, a.podId).toBe('');
      expect(a.env.NVIDIA_VISIBLE_DEVICES, a.podId).toBe('void');
      expect(a.env, a.podId).not.toHaveProperty('CUDA_DEVICE_ORDER');
      expect(a.jobsetUid).toBe(jobSetUid('cpu'));
      expect(a.requests).toEqual(resources({ cpu: 1 }));
    }
    expect(cpuHosts).toEqual(['10.0.0.1', '10.0.0.1', '10.0.0.2']);
    expect(got.map((a) => a.env.LOCAL_RANK)).toEqual(['0', '1', '0']);
    expect(got.map((a) => a.env.NODE_RANK)).toEqual(['0', '0', '1']);
    expect(got.map((a) => a.env.MUSTER_RESTART_ATTEMPT)).toEqual(['0', '0', '0']);
  });

  it('a pod given several GPUs sees exactly those, in the order bound, by PCI bus order', () => {
    const js = makeJobSet('multi').replicatedJob('w', { replicas: 2, cpu: 1, gpus: 2 }).build();
    const gang = gangOf(js);
    const { assignments: got } = buildAssignments({
      jobset: js,
      gang,
      placements: [
        { podId: gang[0]!.podId, node: 'n1', gpuIndices: [2, 5] },
        { podId: gang[1]!.podId, node: 'n1', gpuIndices: [0, 7] },
      ],
      addresses: ADDRESSES,
      coordinatorPort: PORT,
    });
    expect(got.map((a) => [a.env.CUDA_VISIBLE_DEVICES, a.env.NVIDIA_VISIBLE_DEVICES, a.env.CUDA_DEVICE_ORDER])).toEqual([
      ['2,5', '2,5', 'PCI_BUS_ID'],
      ['0,7', '0,7', 'PCI_BUS_ID'],
    ]);
  });
});
