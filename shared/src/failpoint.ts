/**
 * Failpoints: named places in the daemons where a crash test can make the
 * process kill itself with SIGKILL, to hit a moment no outside signal can
 * time (between deciding an admission and committing it, between committing
 * it and telling the agents). Armed only by the MUSTER_FAILPOINTS environment
 * variable (comma-separated names), which nothing but tests sets; unarmed, a
 * failpoint costs one set lookup. The same idea as etcd's gofail.
 */
import { writeSync } from 'node:fs';
import { InvalidArgumentError } from './errors.js';

/** FAILPOINT_NAMES are every failpoint there is. */
export const FAILPOINT_NAMES = [
  /** The scheduler decided admissions and is about to commit them. */
  'admit-before-commit',
  /** The scheduler committed admissions and has not yet pushed the nodes' desired documents. */
  'admit-after-commit',
] as const;

/** FailpointName names one failpoint. */
export type FailpointName = (typeof FAILPOINT_NAMES)[number];

/** FAILPOINTS_ENV is the environment variable that arms failpoints. */
export const FAILPOINTS_ENV = 'MUSTER_FAILPOINTS';

/** parseFailpoints reads a MUSTER_FAILPOINTS value; an unknown name is an InvalidArgumentError naming it. */
export function parseFailpoints(value: string | undefined): Set<FailpointName> {
  const names = (value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  const known = new Set<string>(FAILPOINT_NAMES);
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0)
    throw new InvalidArgumentError([{ path: FAILPOINTS_ENV, message: `unknown failpoint ${unknown.map((n) => JSON.stringify(n)).join(', ')} (known: ${FAILPOINT_NAMES.join(', ')})` }]);
  return new Set(names as FailpointName[]);
}

let armed: Set<FailpointName> = new Set();

/** armFailpoints arms the named failpoints for this process (a daemon calls it once at start with its environment). */
export function armFailpoints(names: Set<FailpointName>): void {
  armed = names;
}

/** failpoint kills this process with SIGKILL when `name` is armed, after one line on stderr saying so; otherwise returns. */
export function failpoint(name: FailpointName): void {
  if (!armed.has(name)) return;
  writeSync(2, `failpoint ${name}: SIGKILL\n`);
  process.kill(process.pid, 'SIGKILL');
}
