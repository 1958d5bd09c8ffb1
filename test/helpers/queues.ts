/**
 * Queueing objects for tests, written as a person would (YAML documents of
 * muster.dev/v1 ResourceFlavor, Queue, PriorityClass) and parsed by the real
 * parser, with Kueue's defaults filled in as the scheduler stores them.
 */
import { parseObjectsText, type QueueingObject } from '../../shared/src/queues/document.js';
import { withQueueDefaults } from '../../shared/src/queues/validate.js';

/** queueingObjects parses YAML documents and applies queue defaults (what `muster apply` stores). */
export function queueingObjects(...docs: string[]): QueueingObject[] {
  return parseObjectsText(docs.join('\n---\n')).map((o) => (o.kind === 'Queue' ? { ...o, object: withQueueDefaults(o.object) } : o));
}

/** flavorYaml is a ResourceFlavor selecting nodes by `labels`. */
export function flavorYaml(name: string, labels: Record<string, string> = {}): string {
  const sel = Object.entries(labels).map(([k, v]) => `${k}: ${v}`).join(', ');
  return `apiVersion: muster.dev/v1\nkind: ResourceFlavor\nmetadata: {name: ${name}}\nspec: {nodeLabels: {${sel}}}`;
}

/** priorityClassYaml is a PriorityClass of `value`. */
export function priorityClassYaml(name: string, value: number): string {
  return `apiVersion: muster.dev/v1\nkind: PriorityClass\nmetadata: {name: ${name}}\nspec: {value: ${value}}`;
}

/** QueueYamlOptions shape queueYaml's Queue. */
export interface QueueYamlOptions {
  /** Nominal GPUs in the flavor. */
  gpus: number;
  flavor?: string;
  /** Nominal CPUs (default 64) and memory (default 1Ti). */
  cpu?: number;
  memory?: string;
  /** More spec lines, e.g. `preemption: {withinQueue: LowerPriority}` or `stopPolicy: Hold` (one per array entry). */
  spec?: string[];
}

/** queueYaml is a Queue covering cpu, memory and gpus in one flavor. */
export function queueYaml(name: string, o: QueueYamlOptions): string {
  const extra = (o.spec ?? []).map((l) => `  ${l}\n`).join('');
  return `apiVersion: muster.dev/v1
kind: Queue
metadata: {name: ${name}}
spec:
${extra}  resourceGroups:
    - coveredResources: [cpu, memory, gpus]
      flavors:
        - name: ${o.flavor ?? 'h100'}
          resources: [{name: cpu, nominalQuota: ${o.cpu ?? 64}}, {name: memory, nominalQuota: ${o.memory ?? '1Ti'}}, {name: gpus, nominalQuota: ${o.gpus}}]`;
}
