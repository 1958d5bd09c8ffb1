/**
 * DIR/run/cluster.json: what `muster local up` started (pids, command lines,
 * logs, NATS URL, scheduler address), so that `muster local down` — or the
 * next `up` — can find it again.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isSameProcess } from './processes.js';

/** CLUSTER_FILE is the record's path inside a cluster directory. */
export const CLUSTER_FILE = path.join('run', 'cluster.json');

/** ProcessRole is what a recorded process is; it decides the stop order. */
export type ProcessRole = 'nats' | 'scheduler' | 'agent' | 'engine';

/** ProcessRecord is one started process. */
export interface ProcessRecord {
  name: string;
  role: ProcessRole;
  pid: number;
  /** Executable and arguments, to recognise the process again (pid reuse). */
  command: string[];
  /** Its log file. */
  log: string;
}

/** ClusterRecord is the content of cluster.json. */
export interface ClusterRecord {
  version: 1;
  dir: string;
  startedMs: number;
  /** True when started with --detach (no CLI process stays). */
  detached: boolean;
  /** The foreground `muster local up` process, asked to stop first by `down`. */
  cli?: { pid: number; command: string[] };
  natsUrl: string;
  schedulerAddress: string;
  processes: ProcessRecord[];
}

/** clusterFilePath is DIR/run/cluster.json. */
export function clusterFilePath(dir: string): string {
  return path.join(path.resolve(dir), CLUSTER_FILE);
}

/** readClusterRecord returns the record of DIR, or undefined when there is none; throws when it is unreadable. */
export function readClusterRecord(dir: string): ClusterRecord | undefined {
  const file = clusterFilePath(dir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let rec: ClusterRecord;
  try {
    rec = JSON.parse(text) as ClusterRecord;
  } catch (err) {
    throw new Error(`${file} is not valid JSON (${(err as Error).message}); remove it if no cluster is running`);
  }
  if (rec?.version !== 1 || !Array.isArray(rec.processes)) throw new Error(`${file} is not a cluster record; remove it if no cluster is running`);
  return rec;
}

/** writeClusterRecord replaces DIR/run/cluster.json atomically. */
export function writeClusterRecord(dir: string, rec: ClusterRecord): void {
  const file = clusterFilePath(dir);
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(rec, null, 2) + '\n');
  renameSync(tmp, file);
}

/** removeClusterRecord deletes DIR/run/cluster.json if present. */
export function removeClusterRecord(dir: string): void {
  rmSync(clusterFilePath(dir), { force: true });
}

/** liveProcesses lists the recorded processes that still run their recorded command. */
export function liveProcesses(rec: ClusterRecord): ProcessRecord[] {
  return rec.processes.filter((p) => isSameProcess(p.pid, p.command));
}

/** cliAlive says whether the recorded foreground CLI still runs. */
export function cliAlive(rec: ClusterRecord): boolean {
  return rec.cli !== undefined && rec.cli.pid !== process.pid && isSameProcess(rec.cli.pid, rec.cli.command);
}

/** STOP_ORDER is the order roles are stopped in: agents first (they stop their pods), then the scheduler, NATS, and last the container engine. */
export const STOP_ORDER: readonly ProcessRole[] = ['agent', 'scheduler', 'nats', 'engine'];

/** stopGroups splits records into the groups to stop one after another (each group in parallel). */
export function stopGroups<T extends { role: ProcessRole }>(records: readonly T[]): T[][] {
  return STOP_ORDER.map((role) => records.filter((r) => r.role === role)).filter((g) => g.length > 0);
}
