/**
 * Backfill, Slurm's (slurm-volcano-nomad.md §1.5), which Kueue lacks: when a
 * JobSet cannot be placed now, find the earliest time its gang fits — its
 * *shadow time*: running JobSets end, at the latest, by their time limits
 * (admission + activeDeadlineSeconds) — and hold, on the nodes it would use
 * then, the capacity free now. Later (lower-priority) JobSets may still use
 * that capacity if they will have ended by the shadow time (their own time
 * limit), so they cannot delay it; others must go elsewhere. A blocked JobSet
 * behind running JobSets without a time limit has no shadow time: nothing is
 * held for it, as before. Pure.
 *
 * Limits (stated, as Slurm's bf_max_job_test): reservations are made for at
 * most MAX_RESERVATIONS blocked JobSets per cycle; each later reservation sees
 * the capacity earlier ones hold as taken.
 */
import type { JobSetSpec } from '../../../shared/src/proto/types.js';
import { add } from '../../../shared/src/resources.js';
import { placeJobSet } from './placement-groups.js';
import { FitCursors, type FreeNode, type GangPlacement, type NodeFilter } from './placement.js';
import type { PendingJobSet, RunningJobSet } from './types.js';

/** MAX_RESERVATIONS bounds the blocked JobSets one cycle computes a shadow time for. */
export const MAX_RESERVATIONS = 16;

/**
 * timeLimitMs is how long a JobSet can run once admitted: every replicatedJob
 * must set activeDeadlineSeconds (else undefined: unbounded); Jobs that start
 * one after another (dependsOn, StartupPolicy InOrder) add up, others overlap
 * (the longest counts); each restart its failurePolicy allows may run it again
 * (a rule that restarts without counting makes it unbounded). The limit counts
 * from admission, where Jobs' deadlines count from their start: a JobSet whose
 * pods are slow to start can outlive it by that much.
 */
export function timeLimitMs(spec: JobSetSpec): number | undefined {
  const rjs = spec.replicatedJobs;
  if (rjs.length === 0) return undefined;
  const deadlines: number[] = [];
  for (const rj of rjs) {
    const d = rj.template?.activeDeadlineSeconds;
    if (d === undefined || d === null) return undefined;
    deadlines.push(Number(d) * 1000);
  }
  // A rule restarting without counting against maxRestarts may run it any number of times.
  if ((spec.failurePolicy?.rules ?? []).some((r) => r.action.endsWith('IgnoreMaxRestarts'))) return undefined;
  const sequential = spec.startupPolicy?.startupPolicyOrder === 'InOrder' || rjs.some((rj) => rj.dependsOn.length > 0);
  const once = sequential ? deadlines.reduce((a, b) => a + b, 0) : Math.max(...deadlines);
  return once * ((spec.failurePolicy?.maxRestarts ?? 0) + 1);
}

/** ShadowStart is when and where a blocked JobSet is expected to start, and whose ends it waits for. */
export interface ShadowStart {
  startMs: number;
  placed: GangPlacement;
  waitsFor: string[];
}

/**
 * shadowStart finds the earliest time the gang fits if running JobSets end
 * at their time limits (stopping pods counted as gone), on the nodes `eligible`
 * accepts; undefined when it never does with what has a time limit.
 */
export function shadowStart(js: PendingJobSet, nodes: readonly FreeNode[], running: readonly RunningJobSet[], nowMs: number, eligible?: NodeFilter, levels: readonly string[] = []): ShadowStart | undefined {
  const index = new Map(nodes.map((n, i) => [n.name, i]));
  // A private copy: what is free now, plus stopping capacity (gone soon); held capacity stays taken.
  const sim: FreeNode[] = nodes.map((n) => ({
    ...n,
    free: add(n.free, n.stopping),
    freeGpus: [...n.freeGpus, ...n.stoppingGpus],
    freePods: n.freePods + n.stoppingPods,
    stoppingGpus: [],
    heldGpus: [],
    freeCpus: [...n.freeCpus, ...n.stoppingCpus].sort((a, b) => a - b),
    stoppingCpus: [],
    heldCpus: [],
  }));
  const ending = running.filter((r) => r.endsByMs !== undefined).sort((a, b) => a.endsByMs! - b.endsByMs! || (a.name < b.name ? -1 : 1));
  const waitsFor: string[] = [];
  for (let i = 0; i < ending.length; ) {
    const t = ending[i]!.endsByMs!;
    for (; i < ending.length && ending[i]!.endsByMs === t; i++) {
      const r = ending[i]!;
      waitsFor.push(r.name);
      for (const pod of r.pods) {
        const n = sim[index.get(pod.node) ?? -1];
        if (!n) continue;
        n.free = add(n.free, pod.request);
        n.freeGpus.push(...pod.gpuIndices);
        if (n.cpuTopology && pod.cpus) n.freeCpus = [...n.freeCpus, ...pod.cpus].sort((a, b) => a - b);
        n.freePods++;
      }
    }
    const placed = placeJobSet(js, sim, new FitCursors(), { eligible }, levels);
    if (!('reason' in placed)) return { startMs: Math.max(nowMs, t), placed, waitsFor };
  }
  return undefined;
}
