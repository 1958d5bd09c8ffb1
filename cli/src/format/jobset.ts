/** How JobSets read in a terminal: the `get` description, `ls` rows and `watch` progress lines. */
import { jobSetPhaseName, podPhaseName } from '../../../shared/src/phases.js';
import type { JobSet, JobSetStatus, PodStatus, ReplicatedJobStatus } from '../../../shared/src/proto/types.js';
import { formatAgo, formatSince } from './age.js';
import { renderFields, renderTable, type Cell } from './table.js';
import { renderConditions } from './conditions.js';

/** phaseOf is the readable phase of a JobSet (`Running`), or `Unknown` without a status. */
export function phaseOf(js: JobSet): string {
  const p = js.status?.phase;
  return p && p !== 'JOB_SET_PHASE_UNSPECIFIED' ? jobSetPhaseName(p) : 'Unknown';
}

/** PodCounts sums the replicatedJob counts of a JobSet. */
export interface PodCounts {
  pods: number;
  pending: number;
  running: number;
  succeeded: number;
  failed: number;
}

/** podCounts adds up the per-replicatedJob counts of a status. */
export function podCounts(status: JobSetStatus | null | undefined): PodCounts {
  const c: PodCounts = { pods: 0, pending: 0, running: 0, succeeded: 0, failed: 0 };
  for (const rj of status?.replicatedJobs ?? []) {
    c.pods += rj.pods;
    c.pending += rj.pending;
    c.running += rj.running;
    c.succeeded += rj.succeeded;
    c.failed += rj.failed;
  }
  return c;
}

/** LIST_HEADERS are the columns of `muster ls`. */
export const LIST_HEADERS = ['NAME', 'PHASE', 'PODS', 'AGE', 'REASON'] as const;

/** listRow is one `muster ls` row: NAME PHASE PODS(running/total) AGE REASON. */
export function listRow(js: JobSet, now: number): Cell[] {
  const c = podCounts(js.status);
  return [js.metadata?.name ?? '', phaseOf(js), `${c.running}/${c.pods}`, formatSince(js.metadata?.createdMs ?? 0, now), js.status?.reason ?? ''];
}

/** exitText renders a pod's exit: its code, else the signal, else `-`. */
export function exitText(pod: PodStatus): string {
  if (pod.exitCode !== undefined && pod.exitCode !== null) return String(pod.exitCode);
  if (pod.signal) return pod.signal;
  return '-';
}

function rjRow(rj: ReplicatedJobStatus): Cell[] {
  return [rj.name, rj.pods, rj.pending, rj.running, rj.succeeded, rj.failed];
}

function userText(js: JobSet): string | undefined {
  const m = js.metadata;
  if (!m?.user) return undefined;
  return m.userVerified ? m.user : `${m.user} (unverified)`;
}

function failedPodText(s: JobSetStatus): string | undefined {
  if (!s.failedPod) return undefined;
  return s.exitCode !== undefined && s.exitCode !== null ? `${s.failedPod} (exit code ${s.exitCode})` : s.failedPod;
}

/** describeJobSet renders the `muster get NAME` description (no final newline). */
export function describeJobSet(js: JobSet, now: number): string {
  const m = js.metadata;
  const s = js.status;
  const spec = js.spec;
  const labels = Object.entries(m?.labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const maxRestarts = spec?.failurePolicy?.maxRestarts ?? 0;
  const fields: [string, Cell][] = [
    ['Name', m?.name ?? ''],
    ['Phase', phaseOf(js)],
    ['Reason', s?.reason || undefined],
    ['Message', s?.message || undefined],
    ['User', userText(js)],
    ['Submitted from', m?.submitDir || undefined],
    ['Queue', spec?.queue || undefined],
    ['Priority class', spec?.priorityClass || undefined],
    ['Labels', labels || undefined],
    ['Created', formatAgo(m?.createdMs ?? 0, now)],
    ['Admitted', formatAgo(s?.admittedMs ?? 0, now)],
    ['Started', formatAgo(s?.startedMs ?? 0, now)],
    ['Finished', formatAgo(s?.finishedMs ?? 0, now)],
    ['Restarts', maxRestarts > 0 ? `${s?.restarts ?? 0} (max ${maxRestarts})` : String(s?.restarts ?? 0)],
    ['Failed pod', s ? failedPodText(s) : undefined],
  ];
  const parts = [renderFields(fields)];
  const rjs = s?.replicatedJobs ?? [];
  if (rjs.length > 0) parts.push(renderTable(['REPLICATED JOB', 'PODS', 'PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED'], rjs.map(rjRow)));
  const pods = s?.pods ?? [];
  if (pods.length > 0)
    parts.push(renderTable(['POD', 'NODE', 'PHASE', 'EXIT', 'REASON'], pods.map((p) => [p.podId, p.node || '-', podPhaseName(p.phase), exitText(p), p.reason])));
  const conds = renderConditions(s?.conditions ?? [], now);
  if (conds) parts.push(conds);
  return parts.join('\n\n');
}

/** progressText is the time-free part of a `watch` line; a change in it means progress changed. */
export function progressText(js: JobSet): string {
  const s = js.status;
  const rjs = (s?.replicatedJobs ?? []).map(
    (rj) => `${rj.name}: ${rj.running}/${rj.pods} running, ${rj.succeeded} succeeded, ${rj.failed} failed` + (rj.pending > 0 ? `, ${rj.pending} pending` : ''),
  );
  let line = phaseOf(js);
  if (rjs.length > 0) line += ' ' + rjs.join('; ');
  if (s && s.restarts > 0) line += ` (restart ${s.restarts})`;
  const why = [s?.reason, s?.message].filter((x) => x).join(': ');
  if (why) line += ` — ${why}`;
  return line;
}

/** failureText explains a Failed JobSet: which pod failed and how, or the reason. */
export function failureText(js: JobSet): string {
  const s = js.status;
  const name = js.metadata?.name ?? '';
  if (s?.failedPod) {
    const pod = s.pods.find((p) => p.podId === s.failedPod);
    const code = s.exitCode ?? pod?.exitCode;
    const how = code !== undefined && code !== null ? `exited with code ${code}` : pod?.signal ? `was killed by ${pod.signal}` : 'failed';
    const where = pod?.node ? ` on ${pod.node}` : '';
    const detail = [pod?.reason, pod?.message].filter((x) => x).join(': ');
    return `jobset/${name} failed: pod ${s.failedPod}${where} ${how}${detail ? ` (${detail})` : ''}`;
  }
  const why = [s?.reason, s?.message].filter((x) => x).join(': ');
  return `jobset/${name} failed${why ? `: ${why}` : ''}`;
}
