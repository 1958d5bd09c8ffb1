import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, type FieldIssue } from '../errors.js';
import { normalizeResourceName, parseObjectsText, QUEUES_API_VERSION, type QueueingObject } from './document.js';
import { validateObjects } from './validate.js';

const GI = 2 ** 30;
const TI = 2 ** 40;
const EXAMPLE = fileURLToPath(new URL('../../../deploy/examples/queues.yaml', import.meta.url));

const MULTI = `
# flavors first
apiVersion: ${QUEUES_API_VERSION}
kind: ResourceFlavor
metadata: {name: h100}
spec: {nodeLabels: {gpu: h100}}
---
apiVersion: ${QUEUES_API_VERSION}
kind: Queue
metadata: {name: nlp, labels: {team: nlp}}
spec:
  cohort: research
  resourceGroups:
    - coveredResources: [cpu, memory, nvidia.com/gpu, rdma]
      flavors:
        - name: h100
          resources:
            - {name: cpu, nominalQuota: 500m}
            - {name: memory, nominalQuota: 64Gi, lendingLimit: "32Gi"}
            - {name: nvidia.com/gpu, nominalQuota: "8", borrowingLimit: 4}
            - {name: rdma, nominalQuota: 1k}
  preemption: {withinQueue: LowerPriority, reclaimWithinCohort: Any}
---
apiVersion: ${QUEUES_API_VERSION}
kind: Cohort
metadata: {name: research}
spec: {}
---
apiVersion: ${QUEUES_API_VERSION}
kind: PriorityClass
metadata: {name: high}
spec: {value: 1000, description: urgent}
---
`;

/** issuesOf returns the issues parseObjectsText throws (fails when it does not throw). */
function issuesOf(text: string): FieldIssue[] {
  try {
    parseObjectsText(text);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgumentError);
    return (err as InvalidArgumentError).issues;
  }
  throw new Error('expected parseObjectsText to throw');
}

function queueOf(o: QueueingObject | undefined) {
  if (o?.kind !== 'Queue') throw new Error('not a Queue');
  return o.object;
}

const HEAD = (kind: string, name: string): string => `apiVersion: ${QUEUES_API_VERSION}\nkind: ${kind}\nmetadata: {name: ${name}}\n`;
const FLAVOR = `${HEAD('ResourceFlavor', 'h100')}spec: {nodeLabels: {gpu: h100}}\n`;
/** queueDoc is a Queue document whose one flavor has the given resources (YAML flow list). */
const queueDoc = (resources: string, extra = ''): string =>
  `${HEAD('Queue', 'nlp')}spec:\n  cohort: research\n  resourceGroups:\n    - coveredResources: [cpu, memory, gpus]\n      flavors:\n        - name: h100\n          resources: ${resources}\n${extra}`;
const GOOD_RESOURCES = '[{name: cpu, nominalQuota: 4}, {name: memory, nominalQuota: 16Gi}, {name: gpus, nominalQuota: 8}]';

describe('parseObjectsText', () => {
  it('parses a multi-document file, converting quantities and normalising nvidia.com/gpu', () => {
    const objs = parseObjectsText(MULTI);
    expect(objs.map((o) => o.kind)).toEqual(['ResourceFlavor', 'Queue', 'Cohort', 'PriorityClass']);
    const q = queueOf(objs[1]);
    expect(q.metadata).toEqual({ name: 'nlp', labels: { team: 'nlp' }, createdMs: 0, updatedMs: 0 });
    const g = q.spec?.resourceGroups[0];
    expect(g?.coveredResources).toEqual(['cpu', 'memory', 'gpus', 'rdma']);
    const rs = g?.flavors[0]?.resources ?? [];
    expect(rs.map((r) => [r.name, r.nominalQuota, r.borrowingLimit, r.lendingLimit])).toEqual([
      ['cpu', 500, undefined, undefined],
      ['memory', 64 * GI, undefined, 32 * GI],
      ['gpus', 8, 4, undefined],
      ['rdma', 1000, undefined, undefined],
    ]);
    expect(q.spec?.preemption?.reclaimWithinCohort).toBe('Any');
    expect(validateObjects(objs)).toEqual([]);
  });

  it('parses and validates deploy/examples/queues.yaml with no issues', () => {
    const objs = parseObjectsText(readFileSync(EXAMPLE, 'utf8'));
    expect(objs.map((o) => `${o.kind}/${o.object.metadata?.name}`)).toEqual([
      'ResourceFlavor/h100',
      'ResourceFlavor/a100',
      'Cohort/research',
      'Queue/nlp',
      'Queue/vision',
      'PriorityClass/high',
      'PriorityClass/normal',
      'PriorityClass/low',
    ]);
    expect(validateObjects(objs)).toEqual([]);
    const nlp = queueOf(objs[3]);
    const h100 = nlp.spec?.resourceGroups[0]?.flavors[0]?.resources;
    expect(h100?.map((r) => r.nominalQuota)).toEqual([256_000, 2 * TI, 16]);
    const vision = queueOf(objs[4]);
    expect(vision.spec?.resourceGroups[0]?.coveredResources).toEqual(['cpu', 'memory', 'gpus']);
  });

  it('reports paths without a document index for a single document', () => {
    const objs = parseObjectsText(`---\n${FLAVOR}---\n`);
    expect(objs).toHaveLength(1);
    expect(issuesOf(queueDoc('[{name: cpu, nominalQuota: lots}]'))).toEqual([
      { path: 'spec.resourceGroups[0].flavors[0].resources[0].nominalQuota', message: expect.stringContaining('CPU quantity') },
    ]);
  });

  it('accepts Kueue field names (cohortName, withinClusterQueue, fairSharing.weight, parentName)', () => {
    const objs = parseObjectsText(
      `${HEAD('Queue', 'q')}spec: {cohortName: c, preemption: {withinClusterQueue: LowerPriority}, fairSharing: {weight: 0.5}}\n---\n` +
        `${HEAD('Cohort', 'c')}spec: {parentName: org, fairSharing: {weight: 2}}\n`,
    );
    const q = queueOf(objs[0]);
    expect([q.spec?.cohort, q.spec?.preemption?.withinQueue, q.spec?.fairSharingWeight]).toEqual(['c', 'LowerPriority', 0.5]);
    const c = objs[1];
    if (c?.kind !== 'Cohort') throw new Error('not a Cohort');
    expect([c.object.spec?.parent, c.object.spec?.fairSharingWeight]).toEqual(['org', 2]);
  });

  it('rejects the whole file and reports every issue of every document', () => {
    const issues = issuesOf(`${FLAVOR}---\n${HEAD('Queue', 'nlp')}spec: {cohort: 3}\n---\n${HEAD('Widget', 'x')}`);
    expect(issues.map((i) => i.path)).toEqual(['[1].spec.cohort', '[2].kind']);
  });

  const R = '[1].spec.resourceGroups[0].flavors[0].resources';
  const cases: { name: string; text: string; path: string; message: string }[] = [
    { name: 'not YAML', text: 'a: [1, 2', path: '', message: 'not valid YAML' },
    { name: 'no documents', text: '# nothing\n---\n', path: '', message: 'holds no objects' },
    { name: 'document not a mapping', text: `${FLAVOR}---\n- a\n- b\n`, path: '[1]', message: 'must be a mapping' },
    { name: 'wrong apiVersion', text: `${FLAVOR}---\n${FLAVOR.replace(QUEUES_API_VERSION, 'kueue.x-k8s.io/v1beta2')}`, path: '[1].apiVersion', message: 'must be muster.dev/v1' },
    { name: 'unknown kind', text: `${FLAVOR}---\n${HEAD('ClusterQueue', 'x')}`, path: '[1].kind', message: 'must be one of' },
    { name: 'unknown top-level field', text: `${FLAVOR}---\n${FLAVOR}status: {}\n`, path: '[1].status', message: 'unknown field' },
    { name: 'metadata missing', text: `${FLAVOR}---\napiVersion: ${QUEUES_API_VERSION}\nkind: Cohort\n`, path: '[1].metadata', message: 'must be a mapping' },
    { name: 'metadata unknown field', text: `${FLAVOR}---\n${FLAVOR.replace('{name: h100}', '{name: h100, createdMs: 5}')}`, path: '[1].metadata.createdMs', message: 'unknown field' },
    { name: 'label not a string', text: `${FLAVOR}---\n${FLAVOR.replace('{name: h100}', '{name: h100, labels: {n: 1}}')}`, path: '[1].metadata.labels.n', message: 'must be a string' },
    { name: 'spec not a mapping', text: `${FLAVOR}---\n${HEAD('Cohort', 'c')}spec: [1]\n`, path: '[1].spec', message: 'must be a mapping' },
    { name: 'unknown spec field', text: `${FLAVOR}---\n${HEAD('ResourceFlavor', 'x')}spec: {nodeTaints: []}\n`, path: '[1].spec.nodeTaints', message: 'unknown field' },
    { name: 'bad cpu quantity', text: `${FLAVOR}---\n${queueDoc('[{name: cpu, nominalQuota: 4x}]')}`, path: `${R}[0].nominalQuota`, message: 'CPU quantity' },
    { name: 'negative cpu quantity', text: `${FLAVOR}---\n${queueDoc('[{name: cpu, nominalQuota: -1}]')}`, path: `${R}[0].nominalQuota`, message: 'CPU quantity ≥ 0' },
    { name: 'bad memory quantity', text: `${FLAVOR}---\n${queueDoc('[{name: memory, nominalQuota: 16GB}]')}`, path: `${R}[0].nominalQuota`, message: 'memory quantity' },
    { name: 'fractional gpus', text: `${FLAVOR}---\n${queueDoc('[{name: cpu, nominalQuota: 4}, {name: memory, nominalQuota: 1Gi}, {name: gpus, nominalQuota: 1.5}]')}`, path: `${R}[2].nominalQuota`, message: 'whole number' },
    { name: 'bad extended resource quantity', text: `${FLAVOR}---\n${queueDoc('[{name: example.com/fpga, nominalQuota: "2m"}]')}`, path: `${R}[0].nominalQuota`, message: 'whole number' },
    { name: 'bad lendingLimit quantity', text: `${FLAVOR}---\n${queueDoc('[{name: nvidia.com/gpu, nominalQuota: 8, lendingLimit: "x"}]')}`, path: `${R}[0].lendingLimit`, message: 'whole number' },
    { name: 'quantity not a scalar', text: `${FLAVOR}---\n${queueDoc('[{name: gpus, nominalQuota: 8, borrowingLimit: [1]}]')}`, path: `${R}[0].borrowingLimit`, message: 'must be a quantity' },
    { name: 'nominalQuota missing', text: `${FLAVOR}---\n${queueDoc('[{name: cpu, lendingLimit: 1}]')}`, path: `${R}[0].nominalQuota`, message: 'is required' },
    { name: 'unknown resource quota field', text: `${FLAVOR}---\n${queueDoc('[{name: cpu, nominalQuota: 1, limit: 2}]')}`, path: `${R}[0].limit`, message: 'unknown field' },
    { name: 'queue spec wrong type', text: `${FLAVOR}---\n${queueDoc(GOOD_RESOURCES, '  queueingStrategy: [StrictFIFO]\n')}`, path: '[1].spec.queueingStrategy', message: 'must be a string' },
    { name: 'both cohortName and cohort', text: `${FLAVOR}---\n${HEAD('Queue', 'q')}spec: {cohort: a, cohortName: b}\n`, path: '[1].spec.cohortName', message: 'set only one' },
    { name: 'Kueue alias keeps its path', text: `${FLAVOR}---\n${HEAD('Queue', 'q')}spec: {cohortName: 7}\n`, path: '[1].spec.cohortName', message: 'must be a string' },
    { name: 'fairSharing.weight not a number', text: `${FLAVOR}---\n${HEAD('Cohort', 'c')}spec: {fairSharing: {weight: heavy}}\n`, path: '[1].spec.fairSharing.weight', message: 'must be a number' },
    { name: 'fairSharing unknown field', text: `${FLAVOR}---\n${HEAD('Cohort', 'c')}spec: {fairSharing: {weight: 1, share: 2}}\n`, path: '[1].spec.fairSharing.share', message: 'unknown field' },
    { name: 'priority value missing', text: `${FLAVOR}---\n${HEAD('PriorityClass', 'p')}spec: {description: x}\n`, path: '[1].spec.value', message: 'is required' },
    { name: 'priority value beyond int32', text: `${FLAVOR}---\n${HEAD('PriorityClass', 'p')}spec: {value: 3000000000}\n`, path: '[1].spec.value', message: 'must be between' },
    { name: 'globalDefault not a bool', text: `${FLAVOR}---\n${HEAD('PriorityClass', 'p')}spec: {value: 1, globalDefault: "yes"}\n`, path: '[1].spec.globalDefault', message: 'true or false' },
  ];
  it.each(cases)('$name → $path', ({ text, path, message }) => {
    const issues = issuesOf(text);
    expect(issues).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  it('normalises resource aliases only', () => {
    expect(['nvidia.com/gpu', 'gpus', 'cpu', 'example.com/fpga', 'constructor'].map(normalizeResourceName)).toEqual(['gpus', 'gpus', 'cpu', 'example.com/fpga', 'constructor']);
  });
});
