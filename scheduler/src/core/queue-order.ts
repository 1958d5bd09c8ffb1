/**
 * The order JobSets wait in (Kueue §3.8, §3.6): higher priority first, then
 * older, then by name. One definition for the scheduling cycle, its fair-share
 * and admission-fair-sharing orders, and the positions `muster ls --pending`
 * shows. Pure.
 */
import type { PriorityClass } from '../../../shared/src/proto/types.js';

/** Queued is what the order looks at. */
export interface Queued {
  name: string;
  createdMs: number;
  /** Undefined counts as 0. */
  priority?: number;
}

/** queueOrder compares two queued JobSets: negative when `a` goes first. */
export function queueOrder(a: Queued, b: Queued): number {
  return (b.priority ?? 0) - (a.priority ?? 0) || a.createdMs - b.createdMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** PriorityOf maps a JobSet's priorityClass name to its priority value. */
export type PriorityOf = (priorityClass: string) => number;

/**
 * priorityOfClass reads priority classes as the cycle does: a class's value,
 * the default class's for none or an unknown name, 0 when there is no default.
 */
export function priorityOfClass(classes: readonly PriorityClass[]): PriorityOf {
  const value = new Map(classes.map((c) => [c.metadata!.name, c.spec?.value ?? 0]));
  const fallback = classes.find((c) => c.spec?.globalDefault)?.spec?.value ?? 0;
  return (name) => (name ? (value.get(name) ?? fallback) : fallback);
}
