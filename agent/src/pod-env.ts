/**
 * The environment and working directory of a pod (DESIGN §7). The scheduler
 * computes everything that needs the whole gang (ranks, world size, master
 * address…); the agent adds what only it knows (its node name, the hostfile
 * path) on top of a small base taken from its own environment.
 */
import path from 'node:path';
import type { PodAssignment } from '../../shared/src/proto/types.js';

/** BASE_ENV_NAMES are the agent's own variables a pod inherits when they are set. */
export const BASE_ENV_NAMES = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'USER', 'LOGNAME', 'SHELL'] as const;

/** PodEnvInput is what buildPodEnv combines. */
export interface PodEnvInput {
  /** The agent's environment (process.env in the agent, a literal in tests). */
  agentEnv: Record<string, string | undefined>;
  assignment: Pick<PodAssignment, 'template' | 'env'>;
  /** This node's name (MUSTER_NODE). */
  nodeName: string;
  /** The hostfile the agent wrote for this pod (MUSTER_HOSTFILE). */
  hostfilePath: string;
}

/**
 * buildPodEnv returns a pod's environment, later layers overriding earlier
 * ones: the base variables of the agent's env, then the pod template's `env`,
 * then the scheduler's `assignment.env`, then MUSTER_NODE and MUSTER_HOSTFILE.
 */
export function buildPodEnv(input: PodEnvInput): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of BASE_ENV_NAMES) {
    const v = input.agentEnv[name];
    if (v !== undefined) env[name] = v;
  }
  for (const { name, value } of input.assignment.template?.env ?? []) if (name) env[name] = value;
  for (const [name, value] of Object.entries(input.assignment.env ?? {})) env[name] = value;
  env.MUSTER_NODE = input.nodeName;
  env.MUSTER_HOSTFILE = input.hostfilePath;
  return env;
}

/**
 * podWorkingDir chooses where a pod runs: template.workingDir when set (the
 * driver fails the pod if it does not exist; a relative one is taken from the
 * submitter's directory, as Slurm's --chdir), else the submitter's directory
 * when it exists on this host, else `podDir` (the pod's user's home when it
 * runs as the submitter and that exists, else the pod's own directory).
 */
export function podWorkingDir(
  assignment: Pick<PodAssignment, 'template' | 'submitDir'>,
  podDir: string,
  isDirectory: (p: string) => boolean,
): string {
  const wd = assignment.template?.workingDir;
  if (wd) return path.resolve(assignment.submitDir || podDir, wd);
  if (assignment.submitDir && isDirectory(assignment.submitDir)) return assignment.submitDir;
  return podDir;
}
