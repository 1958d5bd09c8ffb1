/**
 * The agent's pod table on disk: one JSON file per pod incarnation under
 * `<stateDir>/pod-table/`, holding what the scheduler asked for (the
 * assignment) and the status the agent last reported. Written atomically (a
 * temporary file renamed) on every phase change, removed when the pod is
 * forgotten. A new agent process loads it before it registers: the pods it
 * finds again are adopted, the pods that ended while it was down keep their
 * exits, and the Register carries them all (DESIGN §6).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PodAssignment, PodStatus } from '../../shared/src/proto/types.js';
import { podPaths } from './pod-paths.js';
import { podKeyString, sameIncarnation, type PodKey } from './runtime/driver.js';

/** POD_TABLE_DIR is the pod table's directory under the state dir. */
export const POD_TABLE_DIR = 'pod-table';

/** StoredPod is one pod incarnation as persisted. */
export interface StoredPod {
  assignment: PodAssignment;
  status: PodStatus;
}

/** BadPodFile is a file of the pod table that could not be used, and why. */
export interface BadPodFile {
  file: string;
  problem: string;
}

/** PodStore reads and writes the persisted pod table of one state dir. */
export class PodStore {
  readonly dir: string;

  constructor(stateDir: string) {
    this.dir = path.join(path.resolve(stateDir), POD_TABLE_DIR);
  }

  private file(key: PodKey): string {
    return path.join(this.dir, `${createHash('sha256').update(podKeyString(key)).digest('hex').slice(0, 32)}.json`);
  }

  /** save persists one pod (atomically: a crash leaves the old version or the new one). */
  save(pod: StoredPod): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = this.file(pod.status);
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, JSON.stringify(pod) + '\n', { mode: 0o600 });
    renameSync(tmp, file);
  }

  /** remove forgets one pod. */
  remove(key: PodKey): void {
    rmSync(this.file(key), { force: true });
  }

  /**
   * load reads every persisted pod. Files that are not a pod of this table
   * (malformed, half written, an assignment whose names are not safe path
   * components, a status of another pod) are returned as bad and removed.
   */
  load(): { pods: StoredPod[]; bad: BadPodFile[] } {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return { pods: [], bad: [] };
    }
    const pods: StoredPod[] = [];
    const bad: BadPodFile[] = [];
    for (const name of names.sort()) {
      const file = path.join(this.dir, name);
      if (!/^[0-9a-f]{32}\.json$/.test(name)) {
        bad.push({ file, problem: name.endsWith('.tmp') ? 'an unfinished write' : 'not a pod table file' });
        rmSync(file, { force: true, recursive: true });
        continue;
      }
      try {
        const pod = parseStoredPod(readFileSync(file, 'utf8'));
        if (this.file(pod.status) !== file) throw new Error('the file name does not match the pod it holds');
        pods.push(pod);
      } catch (err) {
        bad.push({ file, problem: (err as Error).message });
        rmSync(file, { force: true });
      }
    }
    return { pods, bad };
  }
}

/** parseStoredPod validates one persisted pod; throws naming what is wrong. */
export function parseStoredPod(text: string): StoredPod {
  const raw = JSON.parse(text) as Partial<StoredPod> | null;
  if (!raw || typeof raw !== 'object') throw new Error('not a JSON object');
  const { assignment, status } = raw;
  if (!assignment || typeof assignment !== 'object') throw new Error('assignment: missing');
  if (!status || typeof status !== 'object') throw new Error('status: missing');
  for (const [k, v] of [
    ['assignment.podId', assignment.podId],
    ['assignment.jobsetUid', assignment.jobsetUid],
    ['status.podId', status.podId],
    ['status.phase', status.phase],
  ] as const)
    if (typeof v !== 'string' || v === '') throw new Error(`${k}: must be a non-empty string`);
  if (!Number.isInteger(assignment.generation) || !Number.isInteger(status.generation) || !Number.isInteger(status.seq)) throw new Error('generation and seq must be integers');
  if (!sameIncarnation(assignment, status)) throw new Error('status and assignment name different pods');
  if (!assignment.template) throw new Error('assignment.template: missing');
  podPaths('/', assignment); // throws InvalidArgumentError naming the field when a name is not a safe path component
  return { assignment, status };
}
