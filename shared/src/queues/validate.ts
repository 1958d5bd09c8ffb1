/**
 * Semantic validation and defaulting of queueing objects (ResourceFlavor,
 * Queue, Cohort, PriorityClass), shared by the CLI (early feedback) and the
 * scheduler (the authority). Every rule comes from Kueue's API as summarised
 * in kueue-jobset.md §3.1–3.6 (cited at each rule); each problem names its
 * field path, prefixed with `[i].` when several objects are validated
 * together (as parseObjectsText numbers documents). Pure.
 */
import type { FieldIssue } from '../errors.js';
import { nameProblem } from '../ids.js';
import type { Cohort, PriorityClass, Queue, QueueSpec, ResourceFlavor, ResourceGroup } from '../proto/types.js';
import { documentPrefix, type QueueingObject } from './document.js';

/** MAX_RESOURCE_GROUPS is Kueue's bound on resourceGroups of a queue or cohort (§3.2, §3.5). */
export const MAX_RESOURCE_GROUPS = 16;
/** MAX_GROUP_ITEMS bounds coveredResources and flavors of one resource group (§3.2: 1–64). */
export const MAX_GROUP_ITEMS = 64;
/** MAX_FLAVORS_TOTAL bounds the flavors of all resource groups of one queue (§3.2: ≤256 in total). */
export const MAX_FLAVORS_TOTAL = 256;
/** MAX_NODE_LABELS is Kueue's bound on a ResourceFlavor's nodeLabels (§3.1). */
export const MAX_NODE_LABELS = 8;
/** MAX_PRIORITY_DESCRIPTION is the longest priority class description (§3.6). */
export const MAX_PRIORITY_DESCRIPTION = 2048;

/** QUEUEING_STRATEGIES are the values of Queue spec.queueingStrategy (§3.2; empty = BestEffortFIFO). */
export const QUEUEING_STRATEGIES = ['BestEffortFIFO', 'StrictFIFO'] as const;
/** ADMISSION_MODES are the values of Queue spec.admissionScope.admissionMode (§3.11; empty = NoAdmissionFairSharing). */
export const ADMISSION_MODES = ['NoAdmissionFairSharing', 'UsageBasedAdmissionFairSharing'] as const;

/** STOP_POLICIES are the values of Queue spec.stopPolicy (§3.2; empty = None). */
export const STOP_POLICIES = ['None', 'Hold', 'HoldAndDrain'] as const;
/** WITHIN_QUEUE_POLICIES are the values of preemption.withinQueue (Kueue withinClusterQueue, §3.2). */
export const WITHIN_QUEUE_POLICIES = ['Never', 'LowerPriority', 'LowerOrNewerEqualPriority'] as const;
/** RECLAIM_POLICIES are the values of preemption.reclaimWithinCohort (§3.2). */
export const RECLAIM_POLICIES = ['Never', 'LowerPriority', 'Any'] as const;
/** BORROW_POLICIES are the values of preemption.borrowWithinCohort.policy (§3.2). */
export const BORROW_POLICIES = ['Never', 'LowerPriority'] as const;
/** FUNGIBILITY_POLICIES are the values of flavorFungibility.whenCanBorrow / whenCanPreempt (§3.2). */
export const FUNGIBILITY_POLICIES = ['MayStopSearch', 'TryNextFlavor'] as const;

/** DNS_SUBDOMAIN is a label-key prefix or a resource-name domain. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** LABEL_NAME is the name part of a qualified name, and a non-empty label value. */
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** qualifiedNameProblem checks a Kubernetes qualified name (`[prefix/]name`), used by label keys and resource names. */
function qualifiedNameProblem(s: string): string | undefined {
  const slash = s.lastIndexOf('/');
  const prefix = slash >= 0 ? s.slice(0, slash) : undefined;
  const name = slash >= 0 ? s.slice(slash + 1) : s;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return 'prefix must be a DNS subdomain such as example.com';
  if (name.length === 0) return 'is required';
  if (name.length > 63 || !LABEL_NAME.test(name)) return 'must be at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit';
  return undefined;
}

function labelsIssues(labels: Record<string, string>, path: string, issues: FieldIssue[]): void {
  for (const [k, v] of Object.entries(labels)) {
    const kp = qualifiedNameProblem(k);
    if (kp) issues.push({ path: `${path}.${k}`, message: `key ${kp}` });
    if (v.length > 63 || (v.length > 0 && !LABEL_NAME.test(v))) issues.push({ path: `${path}.${k}`, message: 'value must be at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit' });
  }
}

function oneOf(value: string, allowed: readonly string[], path: string, issues: FieldIssue[]): void {
  if (value !== '' && !allowed.includes(value)) issues.push({ path, message: `must be one of ${allowed.join(', ')}` });
}

function objectName(o: QueueingObject): string {
  return o.object.metadata?.name ?? '';
}

/** ValidationContext is what the rules that look across objects need. */
interface Context {
  /** Flavor names that exist: applied or already stored. */
  flavors: Set<string>;
  /** Cohort name → parent, applied objects replacing stored ones of the same name. */
  cohortParents: Map<string, string>;
}

/**
 * validateObjects returns every problem of a set of queueing objects applied
 * together (one file), judged with `existing` (the objects already stored; an
 * applied object replaces a stored one of the same kind and name). Rules:
 * names (nameProblem); duplicate (kind, name); ResourceFlavor nodeLabels ≤8
 * (§3.1); resource groups (§3.2, §3.5): ≤16 groups, ≤256 flavors in total,
 * 1–64 coveredResources and flavors per group, each resource and each flavor
 * in only one group, every flavor lists exactly the group's coveredResources
 * in order, referenced flavors exist, nominalQuota ≥ 0, borrowingLimit and
 * lendingLimit ≥ 0 and only with a cohort (queue) or parent (cohort),
 * lendingLimit ≤ nominalQuota; Queue enums and the CEL rule on preemption
 * (§3.2); fair-sharing weight ≥ 0; cohort parent cycles (§3.5); at most one
 * PriorityClass with globalDefault and description ≤2048 (§3.6). A queue's
 * cohort and a cohort's parent need no Cohort object (implicit, §3.5).
 */
export function validateObjects(objects: readonly QueueingObject[], existing: readonly QueueingObject[] = []): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const applied = new Set(objects.map((o) => `${o.kind}/${objectName(o)}`));
  const kept = existing.filter((o) => !applied.has(`${o.kind}/${objectName(o)}`));
  const all = [...kept, ...objects];
  const ctx: Context = {
    flavors: new Set(all.filter((o) => o.kind === 'ResourceFlavor').map(objectName)),
    cohortParents: new Map(all.flatMap((o) => (o.kind === 'Cohort' ? [[objectName(o), o.object.spec?.parent ?? ''] as [string, string]] : []))),
  };

  const seen = new Map<string, number>();
  objects.forEach((o, i) => {
    const at = documentPrefix(i, objects.length);
    const name = objectName(o);
    const np = nameProblem(name);
    if (np) issues.push({ path: `${at}metadata.name`, message: np });
    const key = `${o.kind}/${name}`;
    const first = seen.get(key);
    if (first !== undefined) issues.push({ path: `${at}metadata.name`, message: `duplicate ${o.kind} "${name}" (also document [${first}])` });
    else seen.set(key, i);
    labelsIssues(o.object.metadata?.labels ?? {}, `${at}metadata.labels`, issues);
    if (!o.object.spec) {
      issues.push({ path: `${at}spec`, message: 'is required' });
      return;
    }
    switch (o.kind) {
      case 'ResourceFlavor':
        validateFlavor(o.object, at, issues);
        break;
      case 'Queue':
        validateQueue(o.object, at, ctx, issues);
        break;
      case 'Cohort':
        validateCohort(o.object, at, ctx, issues);
        break;
      case 'PriorityClass':
        validatePriorityClass(o.object, at, issues);
        break;
    }
  });

  // §3.6 (Kubernetes PriorityClass semantics): at most one class is the global default.
  const defaults = all.filter((o): o is { kind: 'PriorityClass'; object: PriorityClass } => o.kind === 'PriorityClass' && o.object.spec?.globalDefault === true);
  if (defaults.length > 1)
    objects.forEach((o, i) => {
      if (o.kind !== 'PriorityClass' || o.object.spec?.globalDefault !== true) return;
      const others = defaults.filter((d) => d.object !== o.object).map((d) => `"${objectName(d)}"`);
      issues.push({ path: `${documentPrefix(i, objects.length)}spec.globalDefault`, message: `only one PriorityClass may be the global default; also set on ${others.join(', ')}` });
    });
  return issues;
}

/** §3.1: nodeLabels (≤8) are Kubernetes labels. */
function validateFlavor(rf: ResourceFlavor, at: string, issues: FieldIssue[]): void {
  const labels = rf.spec?.nodeLabels ?? {};
  if (Object.keys(labels).length > MAX_NODE_LABELS) issues.push({ path: `${at}spec.nodeLabels`, message: `must have at most ${MAX_NODE_LABELS} labels` });
  labelsIssues(labels, `${at}spec.nodeLabels`, issues);
}

function validateWeight(w: number | undefined, path: string, issues: FieldIssue[]): void {
  // §3.2 fairSharing.weight (default 1) / §3.5: a share weight, never negative.
  if (w !== undefined && (!Number.isFinite(w) || w < 0)) issues.push({ path, message: 'must be a number ≥ 0' });
}

function validateQueue(q: Queue, at: string, ctx: Context, issues: FieldIssue[]): void {
  const spec = q.spec as QueueSpec;
  const sp = `${at}spec`;
  if (spec.cohort !== '') {
    const cp = nameProblem(spec.cohort);
    if (cp) issues.push({ path: `${sp}.cohort`, message: cp });
  }
  validateResourceGroups(spec.resourceGroups, sp, spec.cohort !== '', 'the queue has no cohort', ctx, issues);
  // §3.2 enums.
  oneOf(spec.queueingStrategy, QUEUEING_STRATEGIES, `${sp}.queueingStrategy`, issues);
  oneOf(spec.stopPolicy, STOP_POLICIES, `${sp}.stopPolicy`, issues);
  if (spec.admissionScope) oneOf(spec.admissionScope.admissionMode, ADMISSION_MODES, `${sp}.admissionScope.admissionMode`, issues);
  if (spec.flavorFungibility) {
    oneOf(spec.flavorFungibility.whenCanBorrow, FUNGIBILITY_POLICIES, `${sp}.flavorFungibility.whenCanBorrow`, issues);
    oneOf(spec.flavorFungibility.whenCanPreempt, FUNGIBILITY_POLICIES, `${sp}.flavorFungibility.whenCanPreempt`, issues);
  }
  const pre = spec.preemption;
  if (pre) {
    oneOf(pre.withinQueue, WITHIN_QUEUE_POLICIES, `${sp}.preemption.withinQueue`, issues);
    oneOf(pre.reclaimWithinCohort, RECLAIM_POLICIES, `${sp}.preemption.reclaimWithinCohort`, issues);
    const borrow = pre.borrowWithinCohort?.policy ?? '';
    oneOf(borrow, BORROW_POLICIES, `${sp}.preemption.borrowWithinCohort.policy`, issues);
    // §3.2 CEL: reclaimWithinCohort=Never together with borrowWithinCohort≠Never is invalid (empty = Never).
    if ((pre.reclaimWithinCohort === '' || pre.reclaimWithinCohort === 'Never') && borrow !== '' && borrow !== 'Never')
      issues.push({ path: `${sp}.preemption.borrowWithinCohort.policy`, message: 'must be Never when reclaimWithinCohort is Never' });
  }
  validateWeight(spec.fairSharingWeight, `${sp}.fairSharingWeight`, issues);
  spec.users.forEach((u, i) => {
    if (u.trim() === '') issues.push({ path: `${sp}.users[${i}]`, message: 'must not be empty' });
  });
  spec.groups.forEach((g, i) => {
    if (g.trim() === '') issues.push({ path: `${sp}.groups[${i}]`, message: 'must not be empty' });
  });
}

function validateCohort(c: Cohort, at: string, ctx: Context, issues: FieldIssue[]): void {
  const spec = c.spec as NonNullable<Cohort['spec']>;
  const sp = `${at}spec`;
  const name = c.metadata?.name ?? '';
  if (spec.parent !== '') {
    const pp = nameProblem(spec.parent);
    if (pp) issues.push({ path: `${sp}.parent`, message: pp });
    // §3.5: cycles disable every member, so they are refused up front. A parent without an object is implicit.
    const chain = [name];
    let cur = spec.parent;
    const visited = new Set<string>([name]);
    while (cur !== '' && !visited.has(cur)) {
      chain.push(cur);
      visited.add(cur);
      cur = ctx.cohortParents.get(cur) ?? '';
    }
    if (cur === name) issues.push({ path: `${sp}.parent`, message: `makes a cycle of cohorts: ${[...chain, name].join(' → ')}` });
  }
  // §3.5: borrowingLimit and lendingLimit apply between the subtree and its parent, so only with a parent.
  validateResourceGroups(spec.resourceGroups, sp, spec.parent !== '', 'the cohort has no parent', ctx, issues);
  validateWeight(spec.fairSharingWeight, `${sp}.fairSharingWeight`, issues);
}

/** §3.6: the value is an int32 (checked when decoding); the description is bounded. */
function validatePriorityClass(pc: PriorityClass, at: string, issues: FieldIssue[]): void {
  const d = pc.spec?.description ?? '';
  if (d.length > MAX_PRIORITY_DESCRIPTION) issues.push({ path: `${at}spec.description`, message: `must be at most ${MAX_PRIORITY_DESCRIPTION} characters` });
}

/** validateResourceGroups applies §3.2's resourceGroups rules (shared by cohorts, §3.5). */
function validateResourceGroups(groups: ResourceGroup[], sp: string, canShare: boolean, noShareReason: string, ctx: Context, issues: FieldIssue[]): void {
  const gp = `${sp}.resourceGroups`;
  if (groups.length > MAX_RESOURCE_GROUPS) issues.push({ path: gp, message: `must have at most ${MAX_RESOURCE_GROUPS} resource groups` });
  const totalFlavors = groups.reduce((n, g) => n + g.flavors.length, 0);
  if (totalFlavors > MAX_FLAVORS_TOTAL) issues.push({ path: gp, message: `must have at most ${MAX_FLAVORS_TOTAL} flavors in total` });
  const resourceGroup = new Map<string, number>();
  const flavorGroup = new Map<string, number>();
  groups.forEach((g, gi) => {
    const p = `${gp}[${gi}]`;
    const covered = g.coveredResources;
    if (covered.length === 0) issues.push({ path: `${p}.coveredResources`, message: 'must list at least one resource' });
    if (covered.length > MAX_GROUP_ITEMS) issues.push({ path: `${p}.coveredResources`, message: `must list at most ${MAX_GROUP_ITEMS} resources` });
    covered.forEach((r, ri) => {
      const rp = `${p}.coveredResources[${ri}]`;
      const problem = qualifiedNameProblem(r);
      if (problem) {
        issues.push({ path: rp, message: problem });
        return;
      }
      const other = resourceGroup.get(r);
      if (other === gi) issues.push({ path: rp, message: `resource "${r}" is listed twice` });
      else if (other !== undefined) issues.push({ path: rp, message: `resource "${r}" is already covered by resourceGroups[${other}] (each resource belongs to one group)` });
      else resourceGroup.set(r, gi);
    });
    if (g.flavors.length === 0) issues.push({ path: `${p}.flavors`, message: 'must list at least one flavor' });
    if (g.flavors.length > MAX_GROUP_ITEMS) issues.push({ path: `${p}.flavors`, message: `must list at most ${MAX_GROUP_ITEMS} flavors` });
    g.flavors.forEach((f, fi) => {
      const fp = `${p}.flavors[${fi}]`;
      const fnp = nameProblem(f.name);
      if (fnp) issues.push({ path: `${fp}.name`, message: fnp });
      else {
        const other = flavorGroup.get(f.name);
        if (other === gi) issues.push({ path: `${fp}.name`, message: `flavor "${f.name}" is listed twice` });
        else if (other !== undefined) issues.push({ path: `${fp}.name`, message: `flavor "${f.name}" is already in resourceGroups[${other}] (each flavor belongs to one group)` });
        else flavorGroup.set(f.name, gi);
        if (!ctx.flavors.has(f.name)) issues.push({ path: `${fp}.name`, message: `ResourceFlavor "${f.name}" does not exist` });
      }
      // Each flavor lists exactly the group's coveredResources, in the same order.
      if (f.resources.length !== covered.length)
        issues.push({ path: `${fp}.resources`, message: `must list the group's coveredResources (${covered.join(', ')}) in that order; has ${f.resources.length} resources` });
      f.resources.forEach((r, ri) => {
        const rp = `${fp}.resources[${ri}]`;
        const want = covered[ri];
        if (want !== undefined && r.name !== want) issues.push({ path: `${rp}.name`, message: `must be "${want}" (coveredResources[${ri}])` });
        if (r.nominalQuota < 0) issues.push({ path: `${rp}.nominalQuota`, message: 'must be ≥ 0' });
        if (r.borrowingLimit !== undefined) {
          if (!canShare) issues.push({ path: `${rp}.borrowingLimit`, message: `must be unset when ${noShareReason}` });
          else if (r.borrowingLimit < 0) issues.push({ path: `${rp}.borrowingLimit`, message: 'must be ≥ 0' });
        }
        if (r.lendingLimit !== undefined) {
          if (!canShare) issues.push({ path: `${rp}.lendingLimit`, message: `must be unset when ${noShareReason}` });
          else if (r.lendingLimit < 0) issues.push({ path: `${rp}.lendingLimit`, message: 'must be ≥ 0' });
          else if (r.lendingLimit > r.nominalQuota) issues.push({ path: `${rp}.lendingLimit`, message: 'must be at most nominalQuota' });
        }
      });
    });
  });
}

/**
 * withQueueDefaults returns a copy of a queue with Kueue's defaults filled in
 * (§3.2): queueingStrategy BestEffortFIFO, stopPolicy None, preemption
 * Never/Never/Never, flavorFungibility MayStopSearch/TryNextFlavor, fair
 * sharing weight 1. Set fields are kept.
 */
export function withQueueDefaults(queue: Queue): Queue {
  const spec: QueueSpec = queue.spec ?? { resourceGroups: [], cohort: '', queueingStrategy: '', flavorFungibility: null, preemption: null, stopPolicy: '', users: [], groups: [], admissionScope: null };
  const pre = spec.preemption;
  return {
    ...queue,
    spec: {
      ...spec,
      queueingStrategy: spec.queueingStrategy || 'BestEffortFIFO',
      stopPolicy: spec.stopPolicy || 'None',
      flavorFungibility: {
        whenCanBorrow: spec.flavorFungibility?.whenCanBorrow || 'MayStopSearch',
        whenCanPreempt: spec.flavorFungibility?.whenCanPreempt || 'TryNextFlavor',
      },
      preemption: {
        withinQueue: pre?.withinQueue || 'Never',
        reclaimWithinCohort: pre?.reclaimWithinCohort || 'Never',
        borrowWithinCohort: { ...pre?.borrowWithinCohort, policy: pre?.borrowWithinCohort?.policy || 'Never' },
        minRuntimeSeconds: pre?.minRuntimeSeconds ?? 0,
      },
      fairSharingWeight: spec.fairSharingWeight ?? 1,
    },
  };
}
