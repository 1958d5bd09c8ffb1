/**
 * The JobSet file a person writes (YAML or JSON, DESIGN §4) turned into a
 * SubmitJobSetRequest. The file mirrors JobSet's shape minus Kubernetes
 * nesting; quantities are Kubernetes quantities (`cpu: 500m`, `memory: 16Gi`,
 * `shmSize: 1Gi`). Every problem is reported with its path in the file.
 */
import YAML from 'yaml';
import { InvalidArgumentError, type FieldIssue } from '../errors.js';
import { decodeObject } from '../proto/json-codec.js';
import type { JobSetSpec, SubmitJobSetRequestInput } from '../proto/types.js';
import { parseCpu, parseMemory } from '../resources.js';
import { convertK8sJobSet, K8S_JOBSET_API_VERSIONS, toSourcePath } from './k8s-jobset.js';

/** NATIVE_API_VERSION is the apiVersion of Muster's own file shape. */
export const NATIVE_API_VERSION = 'muster.dev/v1';

/** JobSetDocument is a parsed, type-checked JobSet file. */
export interface JobSetDocument {
  name: string;
  labels: Record<string, string>;
  spec: JobSetSpec;
  /** Paths of a Kubernetes manifest that were ignored (no meaning outside Kubernetes); empty for a native file. */
  ignored: string[];
  /** For a Kubernetes manifest: native path → path in the manifest (see documentPath); absent for a native file. */
  sourcePaths?: Record<string, string>;
}

/** documentPath turns a path of the parsed spec (as validateJobSet reports it) into the path in the file the document came from. */
export function documentPath(doc: Pick<JobSetDocument, 'sourcePaths'>, path: string): string {
  return toSourcePath(path, doc.sourcePaths);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** parseJobSetText reads YAML or JSON text (one document) into a JobSetDocument; throws InvalidArgumentError. */
export function parseJobSetText(text: string): JobSetDocument {
  let doc: unknown;
  try {
    const docs = YAML.parseAllDocuments(text);
    if (docs.length !== 1) throw new InvalidArgumentError([{ path: '', message: `expected one document, found ${docs.length}` }], 'invalid JobSet file');
    const first = docs[0]!;
    if (first.errors.length > 0) throw new Error(first.errors.map((e) => e.message).join('; '));
    doc = first.toJS();
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw err;
    throw new InvalidArgumentError([{ path: '', message: `not valid YAML or JSON: ${(err as Error).message}` }], 'invalid JobSet file');
  }
  return parseJobSetObject(doc);
}

/**
 * parseJobSetObject converts the file shape into a JobSetDocument; throws
 * InvalidArgumentError. A Kubernetes JobSet manifest (K8S_JOBSET_API_VERSIONS)
 * is first converted to the native shape; its issues then name paths in the
 * manifest.
 */
export function parseJobSetObject(doc: unknown): JobSetDocument {
  if (isObj(doc) && typeof doc.apiVersion === 'string' && K8S_JOBSET_API_VERSIONS.includes(doc.apiVersion)) return parseK8sObject(doc);
  return { ...parseNativeObject(doc), ignored: [] };
}

/** parseK8sObject converts a Kubernetes JobSet manifest and parses the result, reporting every issue at its path in the manifest. */
function parseK8sObject(doc: Record<string, unknown>): JobSetDocument {
  const conv = convertK8sJobSet(doc);
  const issues = [...conv.issues];
  let parsed: Omit<JobSetDocument, 'ignored'> | undefined;
  try {
    parsed = parseNativeObject(conv.native);
  } catch (err) {
    if (!(err instanceof InvalidArgumentError)) throw err;
    for (const i of err.issues) {
      const path = toSourcePath(i.path, conv.sourcePaths);
      if (!conv.issues.some((x) => x.path === path)) issues.push({ ...i, path });
    }
  }
  if (issues.length > 0 || !parsed) throw new InvalidArgumentError(issues, 'invalid JobSet manifest');
  return { ...parsed, ignored: conv.ignored, sourcePaths: conv.sourcePaths };
}

/** parseNativeObject parses Muster's own file shape. */
function parseNativeObject(doc: unknown): Omit<JobSetDocument, 'ignored'> {
  const issues: FieldIssue[] = [];
  if (!isObj(doc)) throw new InvalidArgumentError([{ path: '', message: 'must be a mapping with apiVersion, kind, metadata, spec' }], 'invalid JobSet file');
  for (const k of Object.keys(doc))
    if (!['apiVersion', 'kind', 'metadata', 'spec'].includes(k)) issues.push({ path: k, message: 'unknown field (expected apiVersion, kind, metadata, spec)' });
  if (doc.apiVersion !== NATIVE_API_VERSION) issues.push({ path: 'apiVersion', message: `must be ${NATIVE_API_VERSION} (Muster's file) or ${K8S_JOBSET_API_VERSIONS.join(', ')} (a Kubernetes JobSet)` });
  if (doc.kind !== 'JobSet') issues.push({ path: 'kind', message: 'must be JobSet' });

  let name = '';
  let labels: Record<string, string> = {};
  if (!isObj(doc.metadata)) issues.push({ path: 'metadata', message: 'must be a mapping with name' });
  else {
    for (const k of Object.keys(doc.metadata))
      if (!['name', 'labels'].includes(k)) issues.push({ path: `metadata.${k}`, message: 'unknown field (expected name, labels)' });
    if (typeof doc.metadata.name !== 'string') issues.push({ path: 'metadata.name', message: 'must be a string' });
    else name = doc.metadata.name;
    if (doc.metadata.labels !== undefined) {
      if (!isObj(doc.metadata.labels)) issues.push({ path: 'metadata.labels', message: 'must be a mapping' });
      else
        for (const [k, v] of Object.entries(doc.metadata.labels)) {
          if (typeof v !== 'string') issues.push({ path: `metadata.labels.${k}`, message: 'must be a string' });
          else labels[k] = v;
        }
    }
  }
  if (!isObj(doc.spec)) {
    issues.push({ path: 'spec', message: 'must be a mapping' });
    throw new InvalidArgumentError(issues, 'invalid JobSet file');
  }
  const spec = convertQuantities(doc.spec, issues);
  const decoded = decodeObject<JobSetSpec>('muster.v1.JobSetSpec', spec, { rejectUnknown: true, pathPrefix: 'spec' });
  if (!decoded.ok) issues.push(...decoded.issues);
  if (issues.length > 0) throw new InvalidArgumentError(issues, 'invalid JobSet file');
  if (!decoded.ok) throw new Error('unreachable');
  labels = { ...labels };
  return { name, labels, spec: decoded.value };
}

/** SHM_SIZE_BYTES_KEYS are the spellings of the proto field a file may use instead of `shmSize` (a byte count). */
const SHM_SIZE_BYTES_KEYS = ['shmSizeBytes', 'shm_size_bytes'];

/**
 * convertQuantities rewrites each pod template's `resources` and `shmSize`
 * from quantities to canonical numbers (`shmSize` becomes the proto's
 * `shmSizeBytes`).
 */
function convertQuantities(spec: Record<string, unknown>, issues: FieldIssue[]): Record<string, unknown> {
  const copy = structuredClone(spec);
  const rjs = copy.replicatedJobs;
  if (!Array.isArray(rjs)) return copy;
  rjs.forEach((rj: unknown, i) => {
    if (!isObj(rj) || !isObj(rj.template) || !isObj(rj.template.template)) return;
    const pod = rj.template.template;
    convertShmSize(pod, `spec.replicatedJobs[${i}].template.template`, issues);
    const path = `spec.replicatedJobs[${i}].template.template.resources`;
    if (pod.resources === undefined || pod.resources === null) return;
    if (!isObj(pod.resources)) {
      issues.push({ path, message: 'must be a mapping of cpu, memory, gpus, rdma' });
      delete pod.resources;
      return;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(pod.resources)) {
      if (k === 'cpu') {
        const m = typeof v === 'string' || typeof v === 'number' ? parseCpu(v) : undefined;
        if (m === undefined) issues.push({ path: `${path}.cpu`, message: 'must be a CPU quantity such as 2, 0.5 or 500m' });
        else out.cpuMillis = m;
      } else if (k === 'memory') {
        const b = typeof v === 'string' || typeof v === 'number' ? parseMemory(v) : undefined;
        if (b === undefined) issues.push({ path: `${path}.memory`, message: 'must be a memory quantity such as 512Mi, 16Gi or 1G' });
        else out.memoryBytes = b;
      } else if (k === 'gpus' || k === 'rdma') {
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) issues.push({ path: `${path}.${k}`, message: 'must be a whole number ≥ 0' });
        else out[k] = v;
      } else issues.push({ path: `${path}.${k}`, message: 'unknown resource (expected cpu, memory, gpus, rdma)' });
    }
    pod.resources = out;
  });
  return copy;
}

/**
 * convertShmSize turns a pod template's `shmSize` (a memory quantity such as
 * 1Gi) into `shmSizeBytes`. The proto's `shmSizeBytes` (bytes) is accepted as
 * well; `shmSize` is the documented name and wins, and the two may be given
 * together only when they agree.
 */
function convertShmSize(pod: Record<string, unknown>, path: string, issues: FieldIssue[]): void {
  if (!('shmSize' in pod)) return;
  const v = pod.shmSize;
  delete pod.shmSize;
  if (v === undefined || v === null) return;
  const b = typeof v === 'string' || typeof v === 'number' ? parseMemory(v) : undefined;
  if (b === undefined) {
    issues.push({ path: `${path}.shmSize`, message: 'must be a size quantity such as 64Mi, 1Gi or 1G' });
    return;
  }
  for (const k of SHM_SIZE_BYTES_KEYS) {
    const other = pod[k];
    if (other === undefined || other === null) continue;
    if (Number(other) !== b) issues.push({ path: `${path}.${k}`, message: `disagrees with shmSize (${b} bytes); give one of them` });
    delete pod[k];
  }
  pod.shmSizeBytes = b;
}

/** toSubmitRequest builds the gRPC request for a parsed document. */
export function toSubmitRequest(doc: JobSetDocument, extra: { user?: string; submitDir?: string } = {}): SubmitJobSetRequestInput {
  return {
    metadata: { name: doc.name, labels: doc.labels, user: extra.user ?? '', submitDir: extra.submitDir ?? '' },
    spec: doc.spec,
  };
}
