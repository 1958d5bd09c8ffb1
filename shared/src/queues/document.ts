/**
 * The queueing-objects file a person writes (`muster apply -f`): YAML or JSON
 * with one or more documents (`---`), each a ResourceFlavor, Queue, Cohort or
 * PriorityClass in Kueue's shape (kueue-jobset.md §3.1–3.6) turned into the
 * muster.v1 messages of proto/muster/v1/queues.proto. Quota quantities are
 * Kubernetes quantities (`cpu: 500m`, `memory: 64Gi`, `nvidia.com/gpu: 8`),
 * converted to canonical numbers by resource name. This module checks shape
 * only; semantic rules live in ./validate.ts. Every problem is reported with
 * its path in the file, and a file is rejected whole.
 */
import YAML from 'yaml';
import { InvalidArgumentError, type FieldIssue } from '../errors.js';
import { decodeObject } from '../proto/json-codec.js';
import type { Cohort, PriorityClass, Queue, ResourceFlavor } from '../proto/types.js';
import type { ApplyObjectsRequest } from '../proto/generated/muster/v1/ApplyObjectsRequest.js';
import { parseCpu, parseMemory } from '../resources.js';

/** QUEUES_API_VERSION is the apiVersion of every queueing object. */
export const QUEUES_API_VERSION = 'muster.dev/v1';

/** QUEUEING_KINDS lists the kinds a queueing-objects file may hold. */
export const QUEUEING_KINDS = ['ResourceFlavor', 'Queue', 'Cohort', 'PriorityClass'] as const;

/** QueueingKind is one of QUEUEING_KINDS. */
export type QueueingKind = (typeof QUEUEING_KINDS)[number];

/** QueueingObject is one parsed document, discriminated by its kind. */
export type QueueingObject =
  | { kind: 'ResourceFlavor'; object: ResourceFlavor }
  | { kind: 'Queue'; object: Queue }
  | { kind: 'Cohort'; object: Cohort }
  | { kind: 'PriorityClass'; object: PriorityClass };

/** GPU_RESOURCE is Muster's name for GPUs in quotas. */
export const GPU_RESOURCE = 'gpus';

/** RESOURCE_ALIASES maps Kubernetes resource names to Muster's (`nvidia.com/gpu` → `gpus`). */
export const RESOURCE_ALIASES: Readonly<Record<string, string>> = Object.freeze({ 'nvidia.com/gpu': GPU_RESOURCE });

/** normalizeResourceName applies RESOURCE_ALIASES to a resource name. */
export function normalizeResourceName(name: string): string {
  return Object.hasOwn(RESOURCE_ALIASES, name) ? (RESOURCE_ALIASES[name] as string) : name;
}

/**
 * documentPrefix is the path prefix of document `index` of `count`: `[1].`
 * when the file holds several documents, empty when it holds one.
 */
export function documentPrefix(index: number, count: number): string {
  return count > 1 ? `[${index}].` : '';
}

const SPEC_TYPES: Record<QueueingKind, string> = {
  ResourceFlavor: 'muster.v1.ResourceFlavorSpec',
  Queue: 'muster.v1.QueueSpec',
  Cohort: 'muster.v1.CohortSpec',
  PriorityClass: 'muster.v1.PriorityClassSpec',
};

const WHAT = 'invalid queueing objects file';

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isKind(v: unknown): v is QueueingKind {
  return typeof v === 'string' && (QUEUEING_KINDS as readonly string[]).includes(v);
}

/**
 * parseObjectsText reads YAML or JSON text with one or more documents into
 * QueueingObjects, in file order. Empty documents (only comments, a trailing
 * `---`) are skipped and not counted. Issue paths start with `[i].` (the index
 * among the non-empty documents) when there are several. Throws one
 * InvalidArgumentError listing every issue of every document.
 */
export function parseObjectsText(text: string): QueueingObject[] {
  const raws: unknown[] = [];
  const issues: FieldIssue[] = [];
  let docs: YAML.Document.Parsed[];
  try {
    docs = YAML.parseAllDocuments(text) as YAML.Document.Parsed[];
    if (!Array.isArray(docs)) throw new Error('unexpected YAML stream');
  } catch (err) {
    throw new InvalidArgumentError([{ path: '', message: `not valid YAML or JSON: ${(err as Error).message}` }], WHAT);
  }
  const parseErrors: string[] = [];
  for (const d of docs) {
    if (d.errors.length > 0) {
      parseErrors.push(...d.errors.map((e) => e.message));
      continue;
    }
    const v: unknown = d.toJS();
    if (v !== null && v !== undefined) raws.push(v);
  }
  if (parseErrors.length > 0) throw new InvalidArgumentError([{ path: '', message: `not valid YAML or JSON: ${parseErrors.join('; ')}` }], WHAT);
  if (raws.length === 0) throw new InvalidArgumentError([{ path: '', message: 'holds no objects' }], WHAT);
  const out: QueueingObject[] = [];
  raws.forEach((raw, i) => {
    const obj = parseObject(raw, documentPrefix(i, raws.length), issues);
    if (obj) out.push(obj);
  });
  if (issues.length > 0) throw new InvalidArgumentError(issues, WHAT);
  return out;
}

/**
 * parseObject converts one document (already parsed from YAML/JSON) into a
 * QueueingObject, appending issues with paths under `prefix` (e.g. `[1].`);
 * undefined when it has issues.
 */
export function parseObject(doc: unknown, prefix: string, issues: FieldIssue[]): QueueingObject | undefined {
  const before = issues.length;
  const at = (p: string): string => `${prefix}${p}`;
  if (!isObj(doc)) {
    issues.push({ path: prefix.replace(/\.$/, ''), message: 'must be a mapping with apiVersion, kind, metadata, spec' });
    return undefined;
  }
  for (const k of Object.keys(doc))
    if (!['apiVersion', 'kind', 'metadata', 'spec'].includes(k)) issues.push({ path: at(k), message: 'unknown field (expected apiVersion, kind, metadata, spec)' });
  if (doc.apiVersion !== QUEUES_API_VERSION) issues.push({ path: at('apiVersion'), message: `must be ${QUEUES_API_VERSION}` });
  const kind = doc.kind;
  if (!isKind(kind)) {
    issues.push({ path: at('kind'), message: `must be one of ${QUEUEING_KINDS.join(', ')}` });
    return undefined;
  }
  const metadata = parseMetadata(doc.metadata, at('metadata'), issues);

  let rawSpec: Record<string, unknown>;
  if (doc.spec === undefined || doc.spec === null) rawSpec = {};
  else if (!isObj(doc.spec)) {
    issues.push({ path: at('spec'), message: 'must be a mapping' });
    return undefined;
  } else rawSpec = structuredClone(doc.spec);

  // Kueue's field names where Muster's proto differs: accepted, renamed, and issues mapped back.
  const renamed: [string, string][] = [];
  const specPath = at('spec');
  if (kind === 'Queue') {
    alias(rawSpec, 'cohortName', 'cohort', specPath, issues, renamed);
    if (isObj(rawSpec.preemption)) alias(rawSpec.preemption, 'withinClusterQueue', 'withinQueue', `${specPath}.preemption`, issues, renamed);
  }
  if (kind === 'Cohort') alias(rawSpec, 'parentName', 'parent', specPath, issues, renamed);
  if (kind === 'Queue' || kind === 'Cohort') {
    fairSharingAlias(rawSpec, specPath, issues, renamed);
    convertResourceGroups(rawSpec, specPath, issues);
  }
  if (kind === 'PriorityClass' && rawSpec.value === undefined) issues.push({ path: `${specPath}.value`, message: 'is required (Kueue §3.6: a priority class has an int32 value)' });

  const decoded = decodeObject<Record<string, unknown>>(SPEC_TYPES[kind], rawSpec, { rejectUnknown: true, pathPrefix: specPath });
  if (!decoded.ok) issues.push(...decoded.issues.map((i) => ({ ...i, path: unalias(i.path, renamed) })));
  if (issues.length > before || !decoded.ok || !metadata) return undefined;
  const base = { metadata, spec: decoded.value };
  switch (kind) {
    case 'ResourceFlavor':
      return { kind, object: base as unknown as ResourceFlavor };
    case 'Queue':
      return { kind, object: base as unknown as Queue };
    case 'Cohort':
      return { kind, object: base as unknown as Cohort };
    case 'PriorityClass':
      return { kind, object: base as unknown as PriorityClass };
  }
}

type Meta = NonNullable<Queue['metadata']>;

function parseMetadata(raw: unknown, path: string, issues: FieldIssue[]): Meta | undefined {
  if (!isObj(raw)) {
    issues.push({ path, message: 'must be a mapping with name' });
    return undefined;
  }
  let ok = true;
  for (const k of Object.keys(raw))
    if (!['name', 'labels'].includes(k)) {
      issues.push({ path: `${path}.${k}`, message: 'unknown field (expected name, labels)' });
      ok = false;
    }
  let name = '';
  if (typeof raw.name !== 'string') {
    issues.push({ path: `${path}.name`, message: 'must be a string' });
    ok = false;
  } else name = raw.name;
  const labels: Record<string, string> = {};
  if (raw.labels !== undefined && raw.labels !== null) {
    if (!isObj(raw.labels)) {
      issues.push({ path: `${path}.labels`, message: 'must be a mapping' });
      ok = false;
    } else
      for (const [k, v] of Object.entries(raw.labels)) {
        if (typeof v !== 'string') {
          issues.push({ path: `${path}.labels.${k}`, message: 'must be a string' });
          ok = false;
        } else labels[k] = v;
      }
  }
  return ok ? { name, labels, createdMs: 0, updatedMs: 0 } : undefined;
}

/** alias renames Kueue's field `from` to Muster's `to` in obj, recording the rename for issue paths. */
function alias(obj: Record<string, unknown>, from: string, to: string, path: string, issues: FieldIssue[], renamed: [string, string][]): void {
  if (!Object.hasOwn(obj, from)) return;
  if (Object.hasOwn(obj, to)) {
    issues.push({ path: `${path}.${from}`, message: `set only one of ${from} (Kueue's name) and ${to}` });
    delete obj[from];
    return;
  }
  obj[to] = obj[from];
  delete obj[from];
  renamed.push([`${path}.${to}`, `${path}.${from}`]);
}

/** fairSharingAlias accepts Kueue's `fairSharing: {weight}` for `fairSharingWeight`. */
function fairSharingAlias(spec: Record<string, unknown>, path: string, issues: FieldIssue[], renamed: [string, string][]): void {
  if (!Object.hasOwn(spec, 'fairSharing')) return;
  const fs = spec.fairSharing;
  delete spec.fairSharing;
  if (Object.hasOwn(spec, 'fairSharingWeight')) {
    issues.push({ path: `${path}.fairSharing`, message: "set only one of fairSharing.weight (Kueue's name) and fairSharingWeight" });
    return;
  }
  if (!isObj(fs)) {
    issues.push({ path: `${path}.fairSharing`, message: 'must be a mapping with weight' });
    return;
  }
  for (const k of Object.keys(fs)) if (k !== 'weight') issues.push({ path: `${path}.fairSharing.${k}`, message: 'unknown field (expected weight)' });
  if (fs.weight !== undefined) {
    spec.fairSharingWeight = fs.weight;
    renamed.push([`${path}.fairSharingWeight`, `${path}.fairSharing.weight`]);
  }
}

function unalias(path: string, renamed: [string, string][]): string {
  for (const [to, from] of renamed) if (path === to || path.startsWith(`${to}.`) || path.startsWith(`${to}[`)) return from + path.slice(to.length);
  return path;
}

const QUANTITY_FIELDS = ['nominalQuota', 'borrowingLimit', 'lendingLimit'] as const;

/**
 * convertResourceGroups normalises resource names (`nvidia.com/gpu` → `gpus`)
 * in coveredResources and flavor resources, and converts each quota quantity
 * to its canonical number (Kueue §3.2: nominalQuota is required).
 */
function convertResourceGroups(spec: Record<string, unknown>, specPath: string, issues: FieldIssue[]): void {
  const groups = spec.resourceGroups;
  if (!Array.isArray(groups)) return;
  groups.forEach((g: unknown, gi) => {
    if (!isObj(g)) return;
    const gp = `${specPath}.resourceGroups[${gi}]`;
    if (Array.isArray(g.coveredResources)) g.coveredResources = g.coveredResources.map((r: unknown) => (typeof r === 'string' ? normalizeResourceName(r) : r));
    if (!Array.isArray(g.flavors)) return;
    g.flavors.forEach((f: unknown, fi) => {
      if (!isObj(f) || !Array.isArray(f.resources)) return;
      f.resources.forEach((r: unknown, ri) => {
        if (!isObj(r)) return;
        const rp = `${gp}.flavors[${fi}].resources[${ri}]`;
        if (typeof r.name === 'string') r.name = normalizeResourceName(r.name);
        if (r.nominalQuota === undefined || r.nominalQuota === null) issues.push({ path: `${rp}.nominalQuota`, message: 'is required (Kueue §3.2)' });
        if (typeof r.name !== 'string') return;
        for (const q of QUANTITY_FIELDS) {
          const v = r[q];
          if (v === undefined || v === null) continue;
          const conv = convertQuantity(r.name, v);
          if (typeof conv === 'string') {
            issues.push({ path: `${rp}.${q}`, message: conv });
            delete r[q];
          } else r[q] = conv;
        }
      });
    });
  });
}

/** convertQuantity converts one quota quantity of resource `name`; a string is the problem. */
function convertQuantity(name: string, v: unknown): number | string {
  if (typeof v !== 'string' && typeof v !== 'number') return 'must be a quantity (a number or a string such as 500m, 64Gi, 8)';
  if (name === 'cpu') return parseCpu(v) ?? 'must be a CPU quantity ≥ 0 such as 16, 0.5 or 500m';
  if (name === 'memory') return parseMemory(v) ?? 'must be a memory quantity ≥ 0 such as 512Mi, 64Gi or 1G';
  return parseCount(v) ?? `must be a whole number ≥ 0 (${name} is counted in units)`;
}

const SUFFIX_MULT: Record<string, number> = { k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50 };

/** parseCount reads a whole-unit quantity (`8`, `"8"`, `"1k"`); undefined when negative, fractional or malformed. */
function parseCount(v: string | number): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : undefined;
  const m = /^(\d+)([kKMGTP]|[KMGTP]i)?$/.exec(v.trim());
  if (!m) return undefined;
  const mult = m[2] === undefined ? 1 : SUFFIX_MULT[m[2]];
  if (mult === undefined) return undefined;
  const n = Number(m[1]) * mult;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** applyRequest sorts parsed objects into the ApplyObjects request's lists. */
export function applyRequest(objects: readonly QueueingObject[]): Required<ApplyObjectsRequest> {
  const req: Required<ApplyObjectsRequest> = { flavors: [], queues: [], cohorts: [], priorityClasses: [] };
  for (const o of objects) {
    if (o.kind === 'ResourceFlavor') req.flavors.push(o.object);
    else if (o.kind === 'Queue') req.queues.push(o.object);
    else if (o.kind === 'Cohort') req.cohorts.push(o.object);
    else req.priorityClasses.push(o.object);
  }
  return req;
}
