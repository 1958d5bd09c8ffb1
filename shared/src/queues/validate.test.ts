import { describe, expect, it } from 'vitest';
import type { Cohort, PriorityClass, Queue, QueueSpec, ResourceFlavor, ResourceGroup } from '../proto/types.js';
import type { QueueingObject } from './document.js';
import { MAX_PRIORITY_DESCRIPTION, validateObjects, withQueueDefaults } from './validate.js';

type Quota = ResourceGroup['flavors'][number]['resources'][number];
type CohortSpec = NonNullable<Cohort['spec']>;

const meta = (name: string) => ({ name, labels: {}, createdMs: 0, updatedMs: 0 });
const quota = (name: string, nominalQuota: number, limits: Partial<Pick<Quota, 'borrowingLimit' | 'lendingLimit'>> = {}): Quota => ({ name, nominalQuota, ...limits });
const group = (covered: string[], flavors: [string, Quota[]][]): ResourceGroup => ({ coveredResources: covered, flavors: flavors.map(([name, resources]) => ({ name, resources })) });

function flavor(name: string, nodeLabels: Record<string, string> = {}): QueueingObject {
  const object: ResourceFlavor = { metadata: meta(name), spec: { nodeLabels } };
  return { kind: 'ResourceFlavor', object };
}

function queue(name: string, spec: Partial<QueueSpec> = {}): QueueingObject {
  const object: Queue = {
    metadata: meta(name),
    spec: {
      resourceGroups: [group(['cpu', 'memory', 'gpus'], [['h100', [quota('cpu', 64_000), quota('memory', 512 * 2 ** 30), quota('gpus', 8, { borrowingLimit: 4, lendingLimit: 2 })]]])],
      cohort: 'research',
      queueingStrategy: '',
      flavorFungibility: null,
      preemption: null,
      stopPolicy: '',
      users: [],
      groups: [],
      admissionScope: null,
      ...spec,
    },
  };
  return { kind: 'Queue', object };
}

function cohort(name: string, spec: Partial<CohortSpec> = {}): QueueingObject {
  const object: Cohort = { metadata: meta(name), spec: { parent: '', resourceGroups: [], ...spec } };
  return { kind: 'Cohort', object };
}

function priority(name: string, value: number, globalDefault = false, description = ''): QueueingObject {
  const object: PriorityClass = { metadata: meta(name), spec: { value, globalDefault, description } };
  return { kind: 'PriorityClass', object };
}

/** base is a valid set; the object under test is appended last, so its paths start with [3]. */
const base = (): QueueingObject[] => [flavor('h100', { gpu: 'h100' }), flavor('a100', { gpu: 'a100' }), cohort('research')];
const Q = '[3].spec';
const G0 = `${Q}.resourceGroups[0]`;

/** pair is a valid first group (h100: cpu, memory, gpus) plus a second one, for the one-group-only rules. */
const pair = (covered: string[], flavors: [string, Quota[]][]): ResourceGroup[] => [
  group(['cpu', 'memory', 'gpus'], [['h100', [quota('cpu', 1), quota('memory', 1), quota('gpus', 1)]]]),
  group(covered, flavors),
];

describe('validateObjects', () => {
  it('accepts a valid set, with a cohort that has no object (implicit) and flavors from existing', () => {
    expect(validateObjects([...base(), queue('nlp'), queue('vision', { cohort: 'implicit-cohort' })])).toEqual([]);
    expect(validateObjects([queue('nlp', { cohort: 'research' })], [flavor('h100')])).toEqual([]);
  });

  const cases: { name: string; objects: () => QueueingObject[]; existing?: QueueingObject[]; path: string; message: string }[] = [
    // names (ids.nameProblem) and duplicates
    { name: 'bad object name', objects: () => [...base(), queue('NLP')], path: '[3].metadata.name', message: 'lowercase' },
    { name: 'empty object name', objects: () => [...base(), cohort('')], path: '[3].metadata.name', message: 'is required' },
    { name: 'duplicate kind and name', objects: () => [...base(), flavor('h100')], path: '[3].metadata.name', message: 'duplicate ResourceFlavor "h100" (also document [0])' },
    { name: 'bad metadata label', objects: () => [...base(), { kind: 'Cohort', object: { metadata: { ...meta('c'), labels: { 'bad key!': 'x' } }, spec: { parent: '', resourceGroups: [] } } }], path: '[3].metadata.labels.bad key!', message: 'key' },
    { name: 'spec missing', objects: () => [...base(), { kind: 'Queue', object: { metadata: meta('q'), spec: null } }], path: '[3].spec', message: 'is required' },
    // §3.1 ResourceFlavor
    { name: '>8 nodeLabels', objects: () => [...base(), flavor('big', Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`l${i}`, 'v'])))], path: '[3].spec.nodeLabels', message: 'at most 8' },
    { name: 'bad nodeLabel value', objects: () => [...base(), flavor('f', { gpu: 'h100 sxm' })], path: '[3].spec.nodeLabels.gpu', message: 'value must be' },
    // §3.2 resource groups
    { name: '>16 resourceGroups', objects: () => [...base(), queue('q', { resourceGroups: Array.from({ length: 17 }, (_, i) => group([`example.com/r${i}`], [[`f${i}`, [quota(`example.com/r${i}`, 1)]]])) })], existing: Array.from({ length: 17 }, (_, i) => flavor(`f${i}`)), path: `${Q}.resourceGroups`, message: 'at most 16 resource groups' },
    { name: 'no coveredResources', objects: () => [...base(), queue('q', { resourceGroups: [group([], [['h100', []]])] })], path: `${G0}.coveredResources`, message: 'at least one' },
    { name: '>64 coveredResources', objects: () => [...base(), queue('q', { resourceGroups: [group(Array.from({ length: 65 }, (_, i) => `example.com/r${i}`), [['h100', Array.from({ length: 65 }, (_, i) => quota(`example.com/r${i}`, 1))]])] })], path: `${G0}.coveredResources`, message: 'at most 64' },
    { name: 'no flavors', objects: () => [...base(), queue('q', { resourceGroups: [group(['cpu'], [])] })], path: `${G0}.flavors`, message: 'at least one flavor' },
    { name: '>64 flavors', objects: () => [...base(), queue('q', { resourceGroups: [group(['cpu'], Array.from({ length: 65 }, (_, i) => [`f${i}`, [quota('cpu', 1)]] as [string, Quota[]]))] })], existing: Array.from({ length: 65 }, (_, i) => flavor(`f${i}`)), path: `${G0}.flavors`, message: 'at most 64 flavors' },
    { name: 'bad resource name', objects: () => [...base(), queue('q', { resourceGroups: [group(['cpu', 'bad resource'], [['h100', [quota('cpu', 1), quota('bad resource', 1)]]])] })], path: `${G0}.coveredResources[1]`, message: 'must be at most 63' },
    { name: 'resource covered twice in a group', objects: () => [...base(), queue('q', { resourceGroups: [group(['cpu', 'cpu'], [['h100', [quota('cpu', 1), quota('cpu', 1)]]])] })], path: `${G0}.coveredResources[1]`, message: 'listed twice' },
    { name: 'resource in two groups', objects: () => [...base(), queue('q', { resourceGroups: pair(['gpus'], [['a100', [quota('gpus', 1)]]]) })], path: `${Q}.resourceGroups[1].coveredResources[0]`, message: 'already covered by resourceGroups[0]' },
    { name: 'flavor in two groups', objects: () => [...base(), queue('q', { resourceGroups: pair(['rdma'], [['h100', [quota('rdma', 1)]]]) })], path: `${Q}.resourceGroups[1].flavors[0].name`, message: 'already in resourceGroups[0]' },
    { name: 'flavor twice in a group', objects: () => [...base(), queue('q', { resourceGroups: [group(['cpu'], [['h100', [quota('cpu', 1)]], ['h100', [quota('cpu', 1)]]])] })], path: `${G0}.flavors[1].name`, message: 'listed twice' },
    { name: 'flavor does not exist', objects: () => [...base(), queue('q', { resourceGroups: [group(['cpu'], [['b200', [quota('cpu', 1)]]])] })], path: `${G0}.flavors[0].name`, message: 'ResourceFlavor "b200" does not exist' },
    { name: 'bad flavor name', objects: () => [...base(), queue('q', { resourceGroups: [group(['cpu'], [['H100', [quota('cpu', 1)]]])] })], path: `${G0}.flavors[0].name`, message: 'lowercase' },
    { name: 'flavor lists fewer resources', objects: () => [...base(), queue('q', { resourceGroups: [group(['cpu', 'memory'], [['h100', [quota('cpu', 1)]]])] })], path: `${G0}.flavors[0].resources`, message: "must list the group's coveredResources (cpu, memory)" },
    { name: 'flavor lists resources out of order', objects: () => [...base(), queue('q', { resourceGroups: [group(['cpu', 'memory'], [['h100', [quota('memory', 1), quota('cpu', 1)]]])] })], path: `${G0}.flavors[0].resources[0].name`, message: 'must be "cpu" (coveredResources[0])' },
    { name: 'negative nominalQuota', objects: () => [...base(), queue('q', { resourceGroups: [group(['gpus'], [['h100', [quota('gpus', -1)]]])] })], path: `${G0}.flavors[0].resources[0].nominalQuota`, message: '≥ 0' },
    { name: 'negative borrowingLimit', objects: () => [...base(), queue('q', { resourceGroups: [group(['gpus'], [['h100', [quota('gpus', 1, { borrowingLimit: -1 })]]])] })], path: `${G0}.flavors[0].resources[0].borrowingLimit`, message: '≥ 0' },
    { name: 'negative lendingLimit', objects: () => [...base(), queue('q', { resourceGroups: [group(['gpus'], [['h100', [quota('gpus', 1, { lendingLimit: -1 })]]])] })], path: `${G0}.flavors[0].resources[0].lendingLimit`, message: '≥ 0' },
    { name: 'lendingLimit above nominalQuota', objects: () => [...base(), queue('q', { resourceGroups: [group(['gpus'], [['h100', [quota('gpus', 4, { lendingLimit: 5 })]]])] })], path: `${G0}.flavors[0].resources[0].lendingLimit`, message: 'at most nominalQuota' },
    { name: 'borrowingLimit without cohort', objects: () => [...base(), queue('q', { cohort: '', resourceGroups: [group(['gpus'], [['h100', [quota('gpus', 4, { borrowingLimit: 0 })]]])] })], path: `${G0}.flavors[0].resources[0].borrowingLimit`, message: 'unset when the queue has no cohort' },
    { name: 'lendingLimit without cohort', objects: () => [...base(), queue('q', { cohort: '', resourceGroups: [group(['gpus'], [['h100', [quota('gpus', 4, { lendingLimit: 1 })]]])] })], path: `${G0}.flavors[0].resources[0].lendingLimit`, message: 'unset when the queue has no cohort' },
    { name: 'bad cohort name', objects: () => [...base(), queue('q', { cohort: 'Research' })], path: `${Q}.cohort`, message: 'lowercase' },
    // §3.2 enums and the CEL rule
    { name: 'queueingStrategy', objects: () => [...base(), queue('q', { queueingStrategy: 'FIFO' })], path: `${Q}.queueingStrategy`, message: 'BestEffortFIFO, StrictFIFO' },
    { name: 'stopPolicy', objects: () => [...base(), queue('q', { stopPolicy: 'Drain' })], path: `${Q}.stopPolicy`, message: 'None, Hold, HoldAndDrain' },
    { name: 'admissionMode', objects: () => [...base(), queue('q', { admissionScope: { admissionMode: 'ByUsage' } })], path: `${Q}.admissionScope.admissionMode`, message: 'NoAdmissionFairSharing, UsageBasedAdmissionFairSharing' },
    { name: 'whenCanBorrow', objects: () => [...base(), queue('q', { flavorFungibility: { whenCanBorrow: 'Borrow', whenCanPreempt: '' } })], path: `${Q}.flavorFungibility.whenCanBorrow`, message: 'MayStopSearch, TryNextFlavor' },
    { name: 'whenCanPreempt', objects: () => [...base(), queue('q', { flavorFungibility: { whenCanBorrow: '', whenCanPreempt: 'Stop' } })], path: `${Q}.flavorFungibility.whenCanPreempt`, message: 'MayStopSearch, TryNextFlavor' },
    { name: 'withinQueue', objects: () => [...base(), queue('q', { preemption: { withinQueue: 'Any', reclaimWithinCohort: '', borrowWithinCohort: null, minRuntimeSeconds: 0 } })], path: `${Q}.preemption.withinQueue`, message: 'Never, LowerPriority, LowerOrNewerEqualPriority' },
    { name: 'reclaimWithinCohort', objects: () => [...base(), queue('q', { preemption: { withinQueue: '', reclaimWithinCohort: 'Always', borrowWithinCohort: null, minRuntimeSeconds: 0 } })], path: `${Q}.preemption.reclaimWithinCohort`, message: 'Never, LowerPriority, Any' },
    { name: 'borrowWithinCohort.policy', objects: () => [...base(), queue('q', { preemption: { withinQueue: '', reclaimWithinCohort: 'Any', borrowWithinCohort: { policy: 'Any' }, minRuntimeSeconds: 0 } })], path: `${Q}.preemption.borrowWithinCohort.policy`, message: 'Never, LowerPriority' },
    { name: 'CEL: reclaim Never with borrow LowerPriority', objects: () => [...base(), queue('q', { preemption: { withinQueue: '', reclaimWithinCohort: 'Never', borrowWithinCohort: { policy: 'LowerPriority' }, minRuntimeSeconds: 0 } })], path: `${Q}.preemption.borrowWithinCohort.policy`, message: 'must be Never when reclaimWithinCohort is Never' },
    { name: 'CEL: reclaim unset (Never) with borrow LowerPriority', objects: () => [...base(), queue('q', { preemption: { withinQueue: '', reclaimWithinCohort: '', borrowWithinCohort: { policy: 'LowerPriority' }, minRuntimeSeconds: 0 } })], path: `${Q}.preemption.borrowWithinCohort.policy`, message: 'must be Never when reclaimWithinCohort is Never' },
    { name: 'negative queue weight', objects: () => [...base(), queue('q', { fairSharingWeight: -0.5 })], path: `${Q}.fairSharingWeight`, message: '≥ 0' },
    { name: 'empty user', objects: () => [...base(), queue('q', { users: ['alice', ' '] })], path: `${Q}.users[1]`, message: 'must not be empty' },
    // §3.5 Cohort
    { name: 'negative cohort weight', objects: () => [...base(), cohort('c', { fairSharingWeight: -1 })], path: `${Q}.fairSharingWeight`, message: '≥ 0' },
    { name: 'cohort is its own parent', objects: () => [...base(), cohort('c', { parent: 'c' })], path: `${Q}.parent`, message: 'cycle of cohorts: c → c' },
    { name: 'cohort cycle through stored cohorts', objects: () => [...base(), cohort('a', { parent: 'b' })], existing: [cohort('b', { parent: 'c' }), cohort('c', { parent: 'a' })], path: `${Q}.parent`, message: 'cycle of cohorts: a → b → c → a' },
    { name: 'bad parent name', objects: () => [...base(), cohort('c', { parent: 'Org' })], path: `${Q}.parent`, message: 'lowercase' },
    { name: 'cohort limits without a parent', objects: () => [...base(), cohort('c', { resourceGroups: [group(['gpus'], [['h100', [quota('gpus', 4, { lendingLimit: 2 })]]])] })], path: `${G0}.flavors[0].resources[0].lendingLimit`, message: 'unset when the cohort has no parent' },
    { name: 'cohort resource groups follow §3.2', objects: () => [...base(), cohort('c', { resourceGroups: [group(['gpus'], [['tpu', [quota('gpus', 4)]]])] })], path: `${G0}.flavors[0].name`, message: 'ResourceFlavor "tpu" does not exist' },
    // §3.6 PriorityClass
    { name: 'two global defaults in one file', objects: () => [...base(), priority('normal', 100, true), priority('low', 10, true)], path: '[4].spec.globalDefault', message: 'also set on "normal"' },
    { name: 'global default already stored', objects: () => [...base(), priority('normal', 100, true)], existing: [priority('low', 10, true)], path: '[3].spec.globalDefault', message: 'also set on "low"' },
    { name: 'description too long', objects: () => [...base(), priority('p', 1, false, 'x'.repeat(MAX_PRIORITY_DESCRIPTION + 1))], path: '[3].spec.description', message: 'at most 2048' },
  ];
  it.each(cases)('$name → $path', ({ objects, existing, path, message }) => {
    expect(validateObjects(objects(), existing)).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  it('paths have no document index for a single object', () => {
    expect(validateObjects([queue('q', { stopPolicy: 'x' })], [flavor('h100')])).toEqual([{ path: 'spec.stopPolicy', message: expect.any(String) }]);
  });

  it('lets an applied cohort break a stored cycle, and replacing the stored global default is fine', () => {
    expect(validateObjects([cohort('a')], [cohort('a', { parent: 'b' }), cohort('b', { parent: 'a' })])).toEqual([]);
    expect(validateObjects([priority('normal', 100, true)], [priority('normal', 50, true)])).toEqual([]);
  });

  it('reports a cycle only on its members', () => {
    const issues = validateObjects([cohort('x', { parent: 'b' }), cohort('b', { parent: 'c' }), cohort('c', { parent: 'b' })]);
    expect(issues.map((i) => i.path)).toEqual(['[1].spec.parent', '[2].spec.parent']);
  });
});

describe('withQueueDefaults', () => {
  it("fills Kueue's defaults", () => {
    const q = queue('q');
    if (q.kind !== 'Queue') throw new Error('unreachable');
    const d = withQueueDefaults(q.object);
    expect(d.spec).toMatchObject({
      queueingStrategy: 'BestEffortFIFO',
      stopPolicy: 'None',
      preemption: { withinQueue: 'Never', reclaimWithinCohort: 'Never', borrowWithinCohort: { policy: 'Never' } },
      flavorFungibility: { whenCanBorrow: 'MayStopSearch', whenCanPreempt: 'TryNextFlavor' },
      fairSharingWeight: 1,
    });
    expect(q.object.spec?.queueingStrategy).toBe('');
  });

  it('keeps what is set', () => {
    const q = queue('q', {
      queueingStrategy: 'StrictFIFO',
      stopPolicy: 'Hold',
      fairSharingWeight: 0,
      flavorFungibility: { whenCanBorrow: 'TryNextFlavor', whenCanPreempt: '' },
      preemption: { withinQueue: 'LowerPriority', reclaimWithinCohort: 'Any', borrowWithinCohort: { policy: 'LowerPriority', maxPriorityThreshold: 5 }, minRuntimeSeconds: 600 },
    });
    if (q.kind !== 'Queue') throw new Error('unreachable');
    expect(withQueueDefaults(q.object).spec).toMatchObject({
      queueingStrategy: 'StrictFIFO',
      stopPolicy: 'Hold',
      fairSharingWeight: 0,
      flavorFungibility: { whenCanBorrow: 'TryNextFlavor', whenCanPreempt: 'TryNextFlavor' },
      preemption: { withinQueue: 'LowerPriority', reclaimWithinCohort: 'Any', borrowWithinCohort: { policy: 'LowerPriority', maxPriorityThreshold: 5 } },
    });
  });

  it('builds a default spec for a queue without one', () => {
    expect(withQueueDefaults({ metadata: meta('q'), spec: null }).spec?.resourceGroups).toEqual([]);
  });
});
