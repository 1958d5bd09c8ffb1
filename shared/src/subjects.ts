/**
 * Every NATS subject and stream name Muster uses. Subjects are versioned
 * (muster.v1.…) and built only here.
 */

const PREFIX = 'muster.v1';

/** EVENTS_STREAM is the JetStream stream of pod lifecycle events. */
export const EVENTS_STREAM = 'MUSTER_EVENTS';

/** POD_EVENTS_WILDCARD matches every node's pod events (the stream's subjects). */
export const POD_EVENTS_WILDCARD = `${PREFIX}.events.pod.>`;

/** HEARTBEAT_WILDCARD matches every node's heartbeat. */
export const HEARTBEAT_WILDCARD = `${PREFIX}.node.*.heartbeat`;

/** DESIRED_RESYNC_SUBJECT is the request/reply subject for a node's current desired document. */
export const DESIRED_RESYNC_SUBJECT = `${PREFIX}.sched.desired`;

/** SCHEDULER_CONSUMER is the durable consumer name of the scheduler on EVENTS_STREAM. */
export const SCHEDULER_CONSUMER = 'muster-scheduler';

const TOKEN = /^[A-Za-z0-9_-]+$/;

/** isSubjectToken says whether s can be one subject token (node and JobSet names are). */
export function isSubjectToken(s: string): boolean {
  return TOKEN.test(s);
}

function token(kind: string, s: string): string {
  if (!isSubjectToken(s)) throw new Error(`${kind} "${s}" cannot be used in a NATS subject`);
  return s;
}

/** heartbeatSubject is where `node` publishes heartbeats. */
export function heartbeatSubject(node: string): string {
  return `${PREFIX}.node.${token('node', node)}.heartbeat`;
}

/** desiredSubject is where the scheduler pushes `node`'s desired document. */
export function desiredSubject(node: string): string {
  return `${PREFIX}.node.${token('node', node)}.desired`;
}

/** podLogsSubject is where `node`'s agent answers requests for pods' output (request/reply). */
export function podLogsSubject(node: string): string {
  return `${PREFIX}.node.${token('node', node)}.logs`;
}

/** podEventSubject is where `node` publishes pod lifecycle events (JetStream). */
export function podEventSubject(node: string): string {
  return `${PREFIX}.events.pod.${token('node', node)}`;
}

/** jobsetEventSubject is where the scheduler announces a JobSet's status changes. */
export function jobsetEventSubject(jobset: string): string {
  return `${PREFIX}.events.jobset.${token('jobset', jobset)}`;
}

/** nodeFromSubject extracts the node token of a `muster.v1.node.<node>.…` or `….events.pod.<node>` subject. */
export function nodeFromSubject(subject: string): string | undefined {
  const parts = subject.split('.');
  if (parts[2] === 'node') return parts[3];
  if (parts[2] === 'events' && parts[3] === 'pod') return parts[4];
  return undefined;
}
