/**
 * Names and identifiers. A pod is `<jobset>/<replicatedJob>/<jobIndex>/<podIndex>`
 * plus a generation (DESIGN §3).
 */

/** NAME_PATTERN is the DNS-1123 label rule JobSet, node and replicatedJob names follow. */
export const NAME_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** NAME_MAX is the longest name accepted. */
export const NAME_MAX = 63;

/** nameProblem says what is wrong with a name, or undefined when it is fine. */
export function nameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is required';
  if (name.length > NAME_MAX) return `must be at most ${NAME_MAX} characters`;
  if (!NAME_PATTERN.test(name)) return 'must be lowercase letters, digits and "-", starting and ending with a letter or digit';
  return undefined;
}

/** NODE_NAME_PATTERN allows the characters host names use, minus dots (NATS token). */
export const NODE_NAME_PATTERN = /^[A-Za-z0-9]([A-Za-z0-9_-]{0,62})$/;

/** PodRef locates one pod of a JobSet. */
export interface PodRef {
  jobset: string;
  replicatedJob: string;
  jobIndex: number;
  podIndex: number;
}

/** podId formats a PodRef. */
export function podId(ref: PodRef): string {
  return `${ref.jobset}/${ref.replicatedJob}/${ref.jobIndex}/${ref.podIndex}`;
}

/** parsePodId reads a pod id; undefined when malformed. */
export function parsePodId(id: string): PodRef | undefined {
  const parts = id.split('/');
  if (parts.length !== 4) return undefined;
  const [jobset, replicatedJob, j, p] = parts as [string, string, string, string];
  if (!/^\d+$/.test(j) || !/^\d+$/.test(p) || !jobset || !replicatedJob) return undefined;
  return { jobset, replicatedJob, jobIndex: Number(j), podIndex: Number(p) };
}
