/** Phase and state names: wire enums ↔ the words people read (`Running`). */
import type { JobSetPhase, NodeState, PodPhase } from './proto/types.js';

/** TERMINAL_JOBSET_PHASES are the phases a JobSet never leaves. */
export const TERMINAL_JOBSET_PHASES: readonly JobSetPhase[] = ['JOB_SET_PHASE_SUCCEEDED', 'JOB_SET_PHASE_FAILED'];

/** isTerminalJobSet says whether a JobSet phase is final. */
export function isTerminalJobSet(p: JobSetPhase): boolean {
  return TERMINAL_JOBSET_PHASES.includes(p);
}

/** isTerminalPod says whether a pod phase is final. */
export function isTerminalPod(p: PodPhase): boolean {
  return p === 'POD_PHASE_SUCCEEDED' || p === 'POD_PHASE_FAILED';
}

function words(enumValue: string, prefix: string): string {
  return enumValue
    .slice(prefix.length)
    .split('_')
    .map((w) => w.charAt(0) + w.slice(1).toLowerCase())
    .join('');
}

/** jobSetPhaseName renders JOB_SET_PHASE_RUNNING as Running. */
export function jobSetPhaseName(p: JobSetPhase): string {
  return words(p, 'JOB_SET_PHASE_');
}

/** podPhaseName renders POD_PHASE_SUCCEEDED as Succeeded. */
export function podPhaseName(p: PodPhase): string {
  return words(p, 'POD_PHASE_');
}

/** nodeStateName renders NODE_STATE_NOT_READY as NotReady. */
export function nodeStateName(s: NodeState): string {
  return words(s, 'NODE_STATE_');
}

/** parseJobSetPhase reads `running` / `Running` / `JOB_SET_PHASE_RUNNING`; undefined when unknown. */
export function parseJobSetPhase(s: string): JobSetPhase | undefined {
  const all: JobSetPhase[] = ['JOB_SET_PHASE_PENDING', 'JOB_SET_PHASE_ADMITTED', 'JOB_SET_PHASE_RUNNING', 'JOB_SET_PHASE_SUCCEEDED', 'JOB_SET_PHASE_FAILED'];
  const up = s.trim().toUpperCase();
  return all.find((p) => p === up || p === `JOB_SET_PHASE_${up}`);
}
