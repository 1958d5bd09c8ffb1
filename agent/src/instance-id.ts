/**
 * The agent's instance id: a random id created once and kept in
 * `<stateDir>/instance-id`, sent with every Register. It names this host's
 * agent (its state dir) across restarts, so the scheduler can refuse a second
 * host that was configured with the same node name while the first is alive.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../shared/src/logger.js';

/** INSTANCE_ID_FILE is the file under the state dir. */
export const INSTANCE_ID_FILE = 'instance-id';

/** INSTANCE_ID_PATTERN is what a stored id must look like to be reused. */
const INSTANCE_ID_PATTERN = /^[A-Za-z0-9_-]{8,128}$/;

/**
 * loadInstanceId returns the id stored in the state dir, creating the state
 * dir and the id when needed (an unreadable or malformed file is replaced, with
 * a warning). Throws when the state dir cannot be created or written.
 */
export function loadInstanceId(stateDir: string, log: Logger): string {
  const dir = path.resolve(stateDir);
  const file = path.join(dir, INSTANCE_ID_FILE);
  mkdirSync(dir, { recursive: true });
  let existing: string | undefined;
  try {
    existing = readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (existing !== undefined && INSTANCE_ID_PATTERN.test(existing)) return existing;
  if (existing !== undefined) log.warn('the stored instance id is malformed: creating a new one', { file });
  const id = randomUUID();
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, id + '\n', { mode: 0o644 });
  renameSync(tmp, file);
  log.info('created the agent instance id', { file, instanceId: id });
  return id;
}
