/**
 * An unmodified Kubernetes JobSet manifest (`jobset.x-k8s.io/v1alpha2`) turned
 * into Muster's native file shape (DESIGN §4), which parseJobSetObject then
 * parses and type-checks as usual, so validation stays in one place.
 *
 * The conversion only moves fields: `replicatedJobs[].template.spec` (a
 * batch/v1 JobSpec) becomes the native Job template, and the first container
 * of its PodSpec becomes the native pod template. Values are copied as they
 * are (quantities stay quantities); a value of the wrong type is reported by
 * the native parser, at the path it had in the manifest (see sourcePaths).
 *
 * A container's `volumeMounts` of `hostPath` volumes become the native
 * `mounts`, and a memory-backed `emptyDir` mounted at /dev/shm becomes
 * `shmSize` (its sizeLimit).
 *
 * What has no meaning off Kubernetes (namespaces, other volumes, probes, node
 * selectors, Services…) is ignored and listed, never fatal and never silently
 * dropped. What cannot be honoured (a second container, generateName, a
 * batch/v1 Job successPolicy…) is an issue naming its path in the manifest.
 */
import type { FieldIssue } from '../errors.js';

/** K8S_JOBSET_API_VERSIONS are the apiVersions of Kubernetes JobSet manifests Muster reads. */
export const K8S_JOBSET_API_VERSIONS: readonly string[] = ['jobset.x-k8s.io/v1alpha2'];

/** KUEUE_QUEUE_LABEL names the Kueue LocalQueue of a workload; it becomes the native `queue`. */
export const KUEUE_QUEUE_LABEL = 'kueue.x-k8s.io/queue-name';
/** KUEUE_PRIORITY_LABEL names a Kueue WorkloadPriorityClass; it becomes the native `priorityClass`. */
export const KUEUE_PRIORITY_LABEL = 'kueue.x-k8s.io/priority-class';
/** MIG_RESOURCE_PREFIX names the NVIDIA device plugin's MIG resources (mixed strategy): nvidia.com/mig-1g.10gb (native `gpus` + `migProfile`). */
export const MIG_RESOURCE_PREFIX = 'nvidia.com/mig-';

/** GPU_RESOURCE is the NVIDIA device plugin's extended resource (native `gpus`). */
export const GPU_RESOURCE = 'nvidia.com/gpu';

/**
 * MUSTER_SET_ENV are variables the scheduler gives every pod (and which win
 * over the template's): a `valueFrom` for one of them is covered.
 */
const MUSTER_SET_ENV = new Set(['JOB_COMPLETION_INDEX', 'MASTER_ADDR', 'MASTER_PORT', 'WORLD_SIZE', 'RANK', 'LOCAL_RANK', 'NODE_RANK']);

/** K8sConversion is a converted manifest. */
export interface K8sConversion {
  /** The native file object (apiVersion muster.dev/v1) for parseJobSetObject. */
  native: Record<string, unknown>;
  /** Paths in the manifest that were ignored (no meaning outside Kubernetes); a few carry a note in parentheses. */
  ignored: string[];
  /** What cannot be honoured, each at its path in the manifest. */
  issues: FieldIssue[];
  /** Native path → manifest path, for reporting the native parser's and validator's issues (see toSourcePath). */
  sourcePaths: Record<string, string>;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** key appends a mapping key to a path: `.name`, or `["nvidia.com/gpu"]` for keys with dots or slashes. */
function key(path: string, k: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(k)) return path ? `${path}.${k}` : k;
  return `${path}[${JSON.stringify(k)}]`;
}

/**
 * toSourcePath rewrites a native path with the longest matching prefix in
 * sourcePaths (whole segments only); a path without one is returned as is.
 */
export function toSourcePath(path: string, sourcePaths: Record<string, string> | undefined): string {
  if (!sourcePaths) return path;
  let best = '';
  for (const k of Object.keys(sourcePaths)) {
    if (k.length <= best.length) continue;
    if (path === k || path.startsWith(`${k}.`) || path.startsWith(`${k}[`)) best = k;
  }
  return best === '' ? path : sourcePaths[best]! + path.slice(best.length);
}

/** EXCLUSIVE_TOPOLOGY_ANNOTATION is JobSet's per-Job exclusive placement, on the JobSet or a replicatedJob's Job template. */
export const EXCLUSIVE_TOPOLOGY_ANNOTATION = 'alpha.jobset.sigs.k8s.io/exclusive-topology';

/** TAS_ANNOTATIONS are Kueue's topology-aware scheduling annotations on a pod template, by the replicatedJob placement field each becomes. */
export const TAS_ANNOTATIONS: Readonly<Record<string, 'required' | 'preferred' | 'sliceRequired' | 'sliceSize'>> = {
  'kueue.x-k8s.io/podset-required-topology': 'required',
  'kueue.x-k8s.io/podset-preferred-topology': 'preferred',
  'kueue.x-k8s.io/podset-slice-required-topology': 'sliceRequired',
  'kueue.x-k8s.io/podset-slice-size': 'sliceSize',
};

/** topologyLevel turns a node label key naming a level into Muster's level (kubernetes.io/hostname is `hostname`). */
function topologyLevel(v: unknown): unknown {
  return v === 'kubernetes.io/hostname' ? 'hostname' : v;
}

/** Field sets of the Kubernetes objects, by what happens to each field. */
const JOBSET_SPEC_MAPPED = ['replicatedJobs', 'successPolicy', 'failurePolicy', 'startupPolicy', 'coordinator', 'suspend', 'ttlSecondsAfterFinished'];
const SUCCESS_POLICY_FIELDS = ['operator', 'targetReplicatedJobs'];
const FAILURE_POLICY_FIELDS = ['maxRestarts', 'restartStrategy', 'rules'];
const FAILURE_RULE_FIELDS = ['name', 'action', 'onJobFailureReasons', 'onJobFailureMessagePatterns', 'targetReplicatedJobs'];
const STARTUP_POLICY_FIELDS = ['startupPolicyOrder'];
const COORDINATOR_FIELDS = ['replicatedJob', 'jobIndex', 'podIndex'];
const REPLICATED_JOB_FIELDS = ['name', 'replicas', 'dependsOn', 'template'];
const DEPENDS_ON_FIELDS = ['name', 'status'];
const JOB_SPEC_FIELDS = ['parallelism', 'completions', 'completionMode', 'backoffLimit', 'backoffLimitPerIndex', 'maxFailedIndexes', 'activeDeadlineSeconds'];
const POD_FAILURE_RULE_FIELDS = ['action', 'onExitCodes', 'onPodConditions'];
const ON_EXIT_CODES_FIELDS = ['operator', 'values'];
const ON_POD_CONDITION_FIELDS = ['type', 'status'];
const CONTAINER_FIELDS = ['image', 'imagePullPolicy', 'command', 'args', 'workingDir'];

/** SHM_PATH is where a container's shared memory is mounted; a memory-backed emptyDir there sets the native `shmSize`. */
export const SHM_PATH = '/dev/shm';

/**
 * PodVolume is what one volume of a PodSpec (at manifest path `path`) means to
 * Muster: a host directory, a memory-backed emptyDir (shared memory when
 * mounted at /dev/shm), or nothing.
 */
type PodVolume = { kind: 'hostPath'; path: string; hostPath: Record<string, unknown> } | { kind: 'memory'; path: string; emptyDir: Record<string, unknown> } | { kind: 'other'; path: string };

/** volumeTable reads a PodSpec's `volumes` (at manifest path p) by name; the first of a repeated name counts. */
function volumeTable(v: unknown, p: string): Map<string, PodVolume> {
  const table = new Map<string, PodVolume>();
  if (!Array.isArray(v)) return table;
  v.forEach((vol: unknown, i) => {
    if (!isObj(vol) || typeof vol.name !== 'string' || table.has(vol.name)) return;
    const path = `${p}[${i}]`;
    if (isObj(vol.hostPath)) table.set(vol.name, { kind: 'hostPath', path, hostPath: vol.hostPath });
    else if (isObj(vol.emptyDir) && vol.emptyDir.medium === 'Memory') table.set(vol.name, { kind: 'memory', path, emptyDir: vol.emptyDir });
    else table.set(vol.name, { kind: 'other', path });
  });
  return table;
}

/** isShmPath says whether a mountPath is /dev/shm (a trailing slash allowed). */
function isShmPath(v: unknown): boolean {
  return typeof v === 'string' && v.replace(/\/+$/, '') === SHM_PATH;
}

/** mountUse says what a volumeMount becomes: a native mount (a hostPath volume), the shared memory size, or nothing (undefined). */
function mountUse(m: unknown, table: Map<string, PodVolume>): { as: 'mount' | 'shm'; volume: PodVolume } | undefined {
  if (!isObj(m) || typeof m.name !== 'string') return undefined;
  const volume = table.get(m.name);
  if (volume?.kind === 'hostPath') return { as: 'mount', volume };
  if (volume?.kind === 'memory' && isShmPath(m.mountPath)) return { as: 'shm', volume };
  return undefined;
}

/** usedVolumes names the volumes whose mounts in the pod's (first) container become native fields. */
function usedVolumes(containers: unknown, table: Map<string, PodVolume>): Set<string> {
  const used = new Set<string>();
  const c: unknown = Array.isArray(containers) ? containers[0] : undefined;
  if (!isObj(c) || !Array.isArray(c.volumeMounts)) return used;
  for (const m of c.volumeMounts as unknown[]) if (mountUse(m, table) && isObj(m)) used.add(m.name as string);
  return used;
}

/** Converter holds the three outputs while one manifest is converted. */
class Converter {
  readonly ignored: string[] = [];
  readonly issues: FieldIssue[] = [];
  readonly sourcePaths: Record<string, string> = {};
  /** The priority class the pods ask for, and where (all pods must agree: the native one is per JobSet). */
  private podPriority: { value: string; path: string; paths: string[] } | undefined;

  ignore(path: string): void {
    this.ignored.push(path);
  }

  issue(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  /** map records that the native path `to` came from the manifest path `from`. */
  map(to: string, from: string): void {
    if (to !== from) this.sourcePaths[to] = from;
  }

  /**
   * annotations visits the annotations of a metadata mapping at path p: `use`
   * says whether one is used; every other field and annotation is ignored
   * (the whole mapping at p when none is used).
   */
  annotations(meta: unknown, p: string, use: (name: string, value: unknown, path: string) => boolean): void {
    if (meta === undefined) return;
    const anns = isObj(meta) && isObj(meta.annotations) ? meta.annotations : {};
    const used = Object.keys(anns).filter((a) => use(a, anns[a], key(`${p}.annotations`, a)));
    if (!isObj(meta) || used.length === 0) {
      this.ignore(p);
      return;
    }
    for (const [k, v] of Object.entries(meta)) {
      if (k !== 'annotations' || !isObj(v)) {
        this.ignore(key(p, k));
        continue;
      }
      for (const a of Object.keys(v)) if (!used.includes(a)) this.ignore(key(`${p}.annotations`, a));
    }
  }

  /**
   * pick copies the listed fields of a mapping (values as they are) and lists
   * every other field as ignored. A value that is not a mapping is returned
   * unchanged, for the native parser to report.
   */
  pick(v: unknown, path: string, fields: readonly string[]): unknown {
    if (!isObj(v)) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (fields.includes(k)) out[k] = x;
      else this.ignore(key(path, k));
    }
    return out;
  }

  /** list applies f to each element of a list; anything else is returned unchanged. */
  list(v: unknown, f: (x: unknown, i: number) => unknown): unknown {
    return Array.isArray(v) ? v.map(f) : v;
  }

  convert(doc: Record<string, unknown>): Record<string, unknown> {
    for (const k of Object.keys(doc)) if (!['apiVersion', 'kind', 'metadata', 'spec'].includes(k)) this.ignore(key('', k));
    const native: Record<string, unknown> = { apiVersion: 'muster.dev/v1', kind: doc.kind };
    const meta = doc.metadata;
    let labels: Record<string, unknown> | undefined;
    let jobsetExclusive: { level: unknown; path: string } | undefined;
    if (!isObj(meta)) native.metadata = meta;
    else {
      const m: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(meta)) {
        if (k === 'name') m.name = v;
        else if (k === 'labels') {
          m.labels = v;
          if (isObj(v)) labels = v;
        } else if (k === 'annotations' && isObj(v) && v[EXCLUSIVE_TOPOLOGY_ANNOTATION] !== undefined) {
          jobsetExclusive = { level: topologyLevel(v[EXCLUSIVE_TOPOLOGY_ANNOTATION]), path: key('metadata.annotations', EXCLUSIVE_TOPOLOGY_ANNOTATION) };
          for (const a of Object.keys(v)) if (a !== EXCLUSIVE_TOPOLOGY_ANNOTATION) this.ignore(key('metadata.annotations', a));
        } else if (k === 'generateName' && meta.name === undefined)
          this.issue('metadata.generateName', 'Muster needs a fixed metadata.name (generateName is not supported)');
        else this.ignore(key('metadata', k));
      }
      native.metadata = m;
    }
    const spec = isObj(doc.spec) ? this.spec(doc.spec) : doc.spec;
    if (isObj(spec)) {
      // A label that is not a string is reported by the native parser, at the label.
      const queue = labels?.[KUEUE_QUEUE_LABEL];
      if (typeof queue === 'string') {
        spec.queue = queue;
        this.map('spec.queue', key('metadata.labels', KUEUE_QUEUE_LABEL));
      }
      const prio = labels?.[KUEUE_PRIORITY_LABEL];
      if (typeof prio === 'string') {
        spec.priorityClass = prio;
        this.map('spec.priorityClass', key('metadata.labels', KUEUE_PRIORITY_LABEL));
        for (const p of this.podPriority?.paths ?? []) this.ignore(`${p} (the ${KUEUE_PRIORITY_LABEL} label wins)`);
      } else if (this.podPriority) {
        spec.priorityClass = this.podPriority.value;
        this.map('spec.priorityClass', this.podPriority.path);
      }
    }
    // JobSet's exclusive-topology on the JobSet: every child Job gets a domain of its own (a replicatedJob's own annotation wins).
    if (jobsetExclusive && isObj(spec) && Array.isArray(spec.replicatedJobs)) {
      spec.replicatedJobs.forEach((rj, i) => {
        if (!isObj(rj)) return;
        const placement = isObj(rj.placement) ? rj.placement : (rj.placement = {});
        if (placement.exclusive !== undefined) return;
        placement.exclusive = jobsetExclusive.level;
        this.map(`spec.replicatedJobs[${i}].placement.exclusive`, jobsetExclusive.path);
      });
    }
    native.spec = spec;
    return native;
  }

  spec(s: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s)) {
      const p = key('spec', k);
      if (!JOBSET_SPEC_MAPPED.includes(k)) this.ignore(p);
      else if (k === 'replicatedJobs') out[k] = this.list(v, (rj, i) => this.replicatedJob(rj, `${p}[${i}]`));
      else if (k === 'successPolicy') out[k] = this.pick(v, p, SUCCESS_POLICY_FIELDS);
      else if (k === 'failurePolicy') {
        const fp = this.pick(v, p, FAILURE_POLICY_FIELDS);
        if (isObj(fp) && fp.rules !== undefined) fp.rules = this.list(fp.rules, (r, i) => this.pick(r, `${p}.rules[${i}]`, FAILURE_RULE_FIELDS));
        out[k] = fp;
      } else if (k === 'startupPolicy') out[k] = this.pick(v, p, STARTUP_POLICY_FIELDS);
      else if (k === 'coordinator') out[k] = this.pick(v, p, COORDINATOR_FIELDS);
      else out[k] = v; // suspend, ttlSecondsAfterFinished
    }
    return out;
  }

  replicatedJob(rj: unknown, p: string): unknown {
    const out = this.pick(rj, p, REPLICATED_JOB_FIELDS); // groupName and the rest: ignored
    if (!isObj(out)) return out;
    if (out.dependsOn !== undefined) out.dependsOn = this.list(out.dependsOn, (d, i) => this.pick(d, `${p}.dependsOn[${i}]`, DEPENDS_ON_FIELDS));
    if (out.template !== undefined) {
      const tp = `${p}.template`;
      const jt = out.template;
      if (!isObj(jt)) return out; // the native parser reports it at the same path
      for (const k of Object.keys(jt)) if (k !== 'spec' && k !== 'metadata') this.ignore(key(tp, k));
      const placement: Record<string, unknown> = {};
      // The Job's metadata: JobSet's exclusive-topology annotation is used, the rest ignored.
      this.annotations(jt.metadata, `${tp}.metadata`, (a, x, ap) => {
        if (a !== EXCLUSIVE_TOPOLOGY_ANNOTATION) return false;
        placement.exclusive = topologyLevel(x);
        this.map(`${p}.placement.exclusive`, ap);
        return true;
      });
      // The pod template's metadata: Kueue's topology annotations are used (podTemplate ignores the rest).
      const pod = isObj(jt.spec) && isObj(jt.spec.template) ? jt.spec.template : undefined;
      if (pod && isObj(pod.metadata) && isObj(pod.metadata.annotations))
        for (const [a, x] of Object.entries(pod.metadata.annotations)) {
          const field = TAS_ANNOTATIONS[a];
          if (!field) continue;
          const ap = key(`${tp}.spec.template.metadata.annotations`, a);
          if (field === 'sliceSize') {
            const n = typeof x === 'string' && /^\d+$/.test(x) ? Number(x) : typeof x === 'number' ? x : NaN;
            if (!Number.isInteger(n) || n < 1) this.issue(ap, 'must be a whole number of pods, at least 1');
            else placement.sliceSize = n;
          } else placement[field] = topologyLevel(x);
          this.map(`${p}.placement.${field}`, ap);
        }
      if (Object.keys(placement).length > 0) out.placement = placement;
      if (jt.spec === undefined) {
        delete out.template;
        this.issue(`${tp}.spec`, 'is required (the batch/v1 JobSpec)');
        return out;
      }
      out.template = this.jobSpec(jt.spec, `${tp}.spec`, tp);
      this.map(tp, `${tp}.spec`);
    }
    return out;
  }

  /** jobSpec converts a batch/v1 JobSpec at manifest path p into the native Job template at native path np. */
  jobSpec(js: unknown, p: string, np: string): unknown {
    if (!isObj(js)) return js;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(js)) {
      const kp = key(p, k);
      if (JOB_SPEC_FIELDS.includes(k)) out[k] = v;
      else if (k === 'podFailurePolicy') {
        const pfp = this.pick(v, kp, ['rules']);
        if (isObj(pfp) && pfp.rules !== undefined) pfp.rules = this.list(pfp.rules, (r, i) => this.podFailureRule(r, `${kp}.rules[${i}]`));
        out[k] = pfp;
      } else if (k === 'template') {
        const pod = this.podTemplate(v, kp, `${np}.template`);
        if (pod !== undefined) out.template = pod;
      } else if (k === 'successPolicy')
        this.issue(kp, 'a batch/v1 Job successPolicy is not supported (a Job succeeds when all its pods do); use the JobSet spec.successPolicy');
      else this.ignore(kp); // suspend, ttlSecondsAfterFinished, selector, podReplacementPolicy, managedBy…
    }
    return out;
  }

  podFailureRule(r: unknown, p: string): unknown {
    const out = this.pick(r, p, POD_FAILURE_RULE_FIELDS);
    if (!isObj(out)) return out;
    if (out.onExitCodes !== undefined) out.onExitCodes = this.pick(out.onExitCodes, `${p}.onExitCodes`, ON_EXIT_CODES_FIELDS); // containerName: one container per pod
    if (out.onPodConditions !== undefined) out.onPodConditions = this.list(out.onPodConditions, (c, i) => this.pick(c, `${p}.onPodConditions[${i}]`, ON_POD_CONDITION_FIELDS));
    return out;
  }

  /** podTemplate turns a PodTemplateSpec into the native pod template at np (its first container); undefined when there is none. */
  podTemplate(pt: unknown, p: string, np: string): unknown {
    if (!isObj(pt)) return pt;
    for (const k of Object.keys(pt)) if (k !== 'spec' && k !== 'metadata') this.ignore(key(p, k));
    // The pod's labels and annotations are ignored, except Kueue's topology annotations (read by replicatedJob).
    this.annotations(pt.metadata, `${p}.metadata`, (a) => a in TAS_ANNOTATIONS);
    const sp = `${p}.spec`;
    const spec = pt.spec;
    if (!isObj(spec)) {
      this.issue(sp, spec === undefined ? 'is required (the PodSpec)' : 'must be a mapping (the PodSpec)');
      return undefined;
    }
    let native: unknown;
    const volumes = volumeTable(spec.volumes, `${sp}.volumes`);
    for (const [k, v] of Object.entries(spec)) {
      const kp = key(sp, k);
      if (k === 'containers') native = this.containers(v, kp, np, volumes);
      else if (k === 'priorityClassName') this.priority(v, kp);
      else if (k === 'volumes') this.volumes(v, kp, usedVolumes(spec.containers, volumes));
      else this.ignore(kp); // restartPolicy, initContainers (sidecars too), nodeSelector, tolerations…
    }
    if (spec.containers === undefined) this.issue(`${sp}.containers`, 'is required (the container the pod runs)');
    return native;
  }

  /**
   * volumes lists what of a PodSpec's `volumes` (at p) is ignored: the whole
   * list when no volume is used (see usedVolumes), else each unused volume and
   * the fields of used ones that Muster does not honour.
   */
  volumes(v: unknown, p: string, used: Set<string>): void {
    if (!Array.isArray(v) || used.size === 0) {
      this.ignore(p);
      return;
    }
    const seen = new Set<string>();
    v.forEach((vol: unknown, i) => {
      const vp = `${p}[${i}]`;
      if (!isObj(vol) || typeof vol.name !== 'string' || !used.has(vol.name) || seen.has(vol.name)) {
        this.ignore(vp);
        return;
      }
      seen.add(vol.name);
      for (const [k, x] of Object.entries(vol)) {
        const kp = key(vp, k);
        if (k === 'name') continue;
        if (k === 'hostPath' && isObj(x)) {
          for (const f of Object.keys(x)) if (f !== 'path') this.ignore(key(kp, f)); // type: Muster never creates the directory
        } else if (k === 'emptyDir' && isObj(x)) {
          for (const f of Object.keys(x)) if (f !== 'medium' && f !== 'sizeLimit') this.ignore(key(kp, f));
          if (x.sizeLimit === undefined || x.sizeLimit === null) this.ignore(`${kp} (no sizeLimit: ${SHM_PATH} keeps the container engine's default size)`);
        } else this.ignore(kp);
      }
    });
  }

  priority(v: unknown, p: string): void {
    if (typeof v !== 'string') {
      this.issue(p, 'must be a string');
      return;
    }
    if (!this.podPriority) this.podPriority = { value: v, path: p, paths: [p] };
    else if (this.podPriority.value === v) this.podPriority.paths.push(p);
    else
      this.issue(p, `every pod must ask for the same priority class in Muster (a JobSet has one); ${this.podPriority.path} asks for "${this.podPriority.value}"`);
  }

  containers(v: unknown, p: string, np: string, volumes: Map<string, PodVolume>): unknown {
    if (!Array.isArray(v) || v.length === 0) {
      this.issue(p, 'must list the container the pod runs');
      return undefined;
    }
    v.forEach((_, i) => {
      if (i > 0) this.issue(`${p}[${i}]`, 'a Muster pod runs one container (one process per pod); put this one in its own replicatedJob');
    });
    return this.container(v[0], `${p}[0]`, np, volumes);
  }

  container(c: unknown, p: string, np: string, volumes: Map<string, PodVolume>): unknown {
    if (!isObj(c)) {
      this.issue(p, 'must be a mapping (a container)');
      return undefined;
    }
    this.map(np, p);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(c)) {
      const kp = key(p, k);
      if (CONTAINER_FIELDS.includes(k)) out[k] = v;
      else if (k === 'env') out.env = this.env(v, kp, `${np}.env`);
      else if (k === 'resources') {
        const r = this.resources(v, kp, `${np}.resources`);
        if (r !== undefined) {
          // nvidia.com/mig-<profile>: that many MIG devices (native: gpus + migProfile).
          const { mig, ...rest } = r as Record<string, unknown> & { mig?: { profile: string; path: string } };
          out.resources = rest;
          if (mig) {
            out.migProfile = mig.profile;
            this.map(`${np}.migProfile`, mig.path);
          }
        }
      } else if (k === 'volumeMounts') this.volumeMounts(v, kp, np, volumes, out);
      else if (k !== 'name') this.ignore(kp); // ports, probes, securityContext, envFrom… (name means nothing with one container)
    }
    return out;
  }

  /**
   * volumeMounts turns a container's volumeMounts (at p) into the native
   * `mounts` and `shmSize` of the pod template `out` (at np): a mount of a
   * hostPath volume is a mount, a memory-backed emptyDir at /dev/shm sets
   * shmSize from its sizeLimit. Other mounts are ignored (the whole list when
   * none is used); a mount of a volume the pod does not have is an issue.
   */
  volumeMounts(v: unknown, p: string, np: string, volumes: Map<string, PodVolume>, out: Record<string, unknown>): void {
    if (!Array.isArray(v)) {
      this.ignore(p);
      return;
    }
    for (const [j, m] of (v as unknown[]).entries())
      if (isObj(m) && typeof m.name === 'string' && !volumes.has(m.name)) this.issue(`${p}[${j}].name`, `no volume named "${m.name}" in the pod's volumes`);
    if (!v.some((m) => mountUse(m, volumes))) {
      this.ignore(p);
      return;
    }
    const mounts: Record<string, unknown>[] = [];
    (v as unknown[]).forEach((m, j) => {
      const mp = `${p}[${j}]`;
      const use = mountUse(m, volumes);
      if (!use || !isObj(m)) {
        if (!(isObj(m) && typeof m.name === 'string' && !volumes.has(m.name))) this.ignore(mp); // an unknown volume is an issue already
        return;
      }
      if (use.as === 'shm') {
        for (const k of Object.keys(m)) if (k !== 'name' && k !== 'mountPath') this.ignore(key(mp, k)); // readOnly, mountPropagation…
        const emptyDir = use.volume.kind === 'memory' ? use.volume.emptyDir : {};
        if (emptyDir.sizeLimit !== undefined && emptyDir.sizeLimit !== null) {
          out.shmSize = emptyDir.sizeLimit;
          this.map(`${np}.shmSize`, `${use.volume.path}.emptyDir.sizeLimit`);
        }
        return;
      }
      const nm = `${np}.mounts[${mounts.length}]`;
      this.map(nm, mp);
      const mount: Record<string, unknown> = {};
      const hostPath = use.volume.kind === 'hostPath' ? use.volume.hostPath : {};
      if (hostPath.path !== undefined) mount.hostPath = hostPath.path;
      this.map(`${nm}.hostPath`, `${use.volume.path}.hostPath.path`);
      for (const [k, x] of Object.entries(m)) {
        const kp = key(mp, k);
        if (k === 'name') continue;
        if (k === 'mountPath') {
          mount.containerPath = x;
          this.map(`${nm}.containerPath`, kp);
        } else if (k === 'readOnly') mount.readOnly = x;
        else if (k === 'subPath' || k === 'subPathExpr') {
          if (x !== '' && x !== undefined && x !== null)
            this.issue(kp, `is not supported: mount the subdirectory itself (a hostPath volume whose path is that directory)`);
        } else this.ignore(kp); // mountPropagation, recursiveReadOnly…
      }
      mounts.push(mount);
    });
    if (mounts.length > 0) {
      out.mounts = mounts;
      this.map(`${np}.mounts`, p);
    }
  }

  /** env keeps each variable's name and value; a valueFrom is ignored (with a note saying whether Muster sets that variable). */
  env(v: unknown, p: string, np: string): unknown {
    if (!Array.isArray(v)) return v;
    this.map(np, p);
    const out: unknown[] = [];
    v.forEach((e, j) => {
      const ep = `${p}[${j}]`;
      if (isObj(e)) {
        const kept: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(e)) {
          if (k === 'name' || k === 'value') kept[k] = x;
          else if (k === 'valueFrom') this.ignore(`${ep}.valueFrom (${valueFromNote(e.name)})`);
          else this.ignore(key(ep, k));
        }
        if ('valueFrom' in e && !('value' in e)) return; // nothing to set it to
        e = kept;
      }
      this.map(`${np}[${out.length}]`, ep);
      out.push(e);
    });
    return out;
  }

  /**
   * resources turns requests and limits into the native `{cpu, memory, gpus,
   * rdma}` at np: a request wins, a limit counts when there is no request.
   */
  resources(v: unknown, p: string, np: string): Record<string, unknown> | undefined {
    if (!isObj(v)) {
      this.issue(p, 'must be a mapping of requests and limits');
      return undefined;
    }
    this.map(np, p);
    for (const k of Object.keys(v)) if (k !== 'requests' && k !== 'limits') this.ignore(key(p, k)); // claims…
    for (const k of ['requests', 'limits']) if (v[k] !== undefined && v[k] !== null && !isObj(v[k])) this.issue(`${p}.${k}`, 'must be a mapping of resource names to quantities');
    const requests = isObj(v.requests) ? v.requests : {};
    const limits = isObj(v.limits) ? v.limits : {};
    const out: Record<string, unknown> = {};
    let rdma: { total: number; path: string } | undefined;
    for (const name of new Set([...Object.keys(requests), ...Object.keys(limits)])) {
      const fromRequest = name in requests;
      const value = fromRequest ? requests[name] : limits[name];
      const src = key(`${p}.${fromRequest ? 'requests' : 'limits'}`, name);
      // A limit beside a request of another amount is a cap Muster does not enforce.
      const limitIgnored = fromRequest && name in limits && String(limits[name]) !== String(requests[name]);
      if (name === 'cpu' || name === 'memory') {
        out[name] = value;
        this.map(`${np}.${name}`, src);
      } else if (name === GPU_RESOURCE) {
        if (out.mig !== undefined) this.issue(src, 'a pod asks for whole GPUs or MIG devices of one profile, not both or several');
        out.gpus = wholeNumber(value);
        this.map(`${np}.gpus`, src);
      } else if (name.startsWith(MIG_RESOURCE_PREFIX)) {
        if (out.mig !== undefined || out.gpus !== undefined) this.issue(src, 'a pod asks for whole GPUs or MIG devices of one profile, not both or several');
        else {
          out.gpus = wholeNumber(value);
          out.mig = { profile: name.slice(MIG_RESOURCE_PREFIX.length), path: src };
          this.map(`${np}.gpus`, src);
        }
      } else if (name.startsWith('rdma/')) {
        const n = wholeNumber(value);
        if (typeof n !== 'number') {
          out.rdma = n; // the native parser reports it
          this.map(`${np}.rdma`, src);
        } else if (!rdma) rdma = { total: n, path: src };
        else rdma.total += n; // several RDMA device pools: Muster counts RDMA NICs
      } else {
        this.ignore(src); // ephemeral-storage, hugepages-*, other devices
        if (fromRequest && name in limits && !limitIgnored) this.ignore(key(`${p}.limits`, name));
      }
      if (limitIgnored) this.ignore(key(`${p}.limits`, name));
    }
    if (rdma && out.rdma === undefined) {
      out.rdma = rdma.total;
      this.map(`${np}.rdma`, rdma.path);
    }
    return out;
  }
}

/** valueFromNote says what a pod gets instead of a variable set from the downward API, a Secret or a ConfigMap. */
function valueFromNote(name: unknown): string {
  const n = typeof name === 'string' ? name : '';
  if (MUSTER_SET_ENV.has(n) || n.startsWith('MUSTER_')) return `Muster sets ${n} itself`;
  return `${n || 'the variable'} is left unset`;
}

/** wholeNumber reads a count such as 2 or "2"; anything else is returned as is (for the native parser to reject). */
function wholeNumber(v: unknown): unknown {
  if (typeof v === 'string' && /^\d+$/.test(v.trim())) return Number(v.trim());
  return v;
}

/**
 * convertK8sJobSet turns a Kubernetes JobSet manifest (already read from YAML
 * or JSON) into the native file object. Never throws: what cannot be honoured
 * is in `issues`, each at its path in the manifest.
 */
export function convertK8sJobSet(doc: Record<string, unknown>): K8sConversion {
  const c = new Converter();
  const native = c.convert(doc);
  return { native, ignored: c.ignored, issues: c.issues, sourcePaths: c.sourcePaths };
}
