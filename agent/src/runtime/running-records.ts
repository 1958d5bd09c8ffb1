/**
 * Records of the process groups the process driver runs, one file per group
 * (`<stateDir>/running/<pgid>.json`), written when a pod starts and removed
 * once its whole group has exited. They exist so that an agent that died
 * without stopping its pods (kill -9, OOM, a crash) finds them when it starts
 * again: until the agent can adopt running pods (DESIGN §6, a later issue),
 * `stopOrphans` stops each recorded group that still lives — before the agent
 * registers, so the scheduler never sees a node running pods it cannot account
 * for — and no pod runs twice.
 *
 * A pid can be reused by the kernel once its process is gone, so a record
 * also holds the boot id and the leader's start time (/proc/<pid>/stat field
 * 22): a live process with the recorded pid but another start time is someone
 * else and is left alone.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { errorFields, type Logger } from '../../../shared/src/logger.js';
import { isAborted, sleep } from '../backoff.js';
import type { PodKey } from './driver.js';
import { bootId, groupMembers, GroupWatch, hasProc, killGroup, readProcStat } from './proc.js';

/** RUNNING_DIR is the records' directory under the state dir. */
export const RUNNING_DIR = 'running';

/** RunningRecord is one recorded process group. */
export interface RunningRecord extends PodKey {
  /** Process group id (= the pod's first process, its group leader). */
  pgid: number;
  /** When the agent started it (unix ms). */
  startedMs: number;
  /** The leader's start time in clock ticks after boot (/proc/<pid>/stat field 22); '' where there is no /proc. */
  procStartTime: string;
  /** The boot the process was started in; '' when unknown. */
  bootId: string;
  /** The pod's command, for people reading the log. */
  command: string[];
}

/** GROUP_POLL_MS is how often a group is checked while waiting for it to empty. */
export const GROUP_POLL_MS = 50;

/** KILL_WAIT_MS bounds the wait for a group to empty after SIGKILL (a process in uninterruptible sleep may take long). */
export const KILL_WAIT_MS = 5000;

/** RunningRecords reads and writes the records of one state dir. */
export class RunningRecords {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = path.resolve(dir);
  }

  private file(pgid: number): string {
    return path.join(this.dir, `${pgid}.json`);
  }

  /** write records a started group (atomically: a crash never leaves half a record). */
  write(rec: RunningRecord): void {
    mkdirSync(this.dir, { recursive: true });
    const tmp = this.file(rec.pgid) + '.tmp';
    writeFileSync(tmp, JSON.stringify(rec) + '\n');
    renameSync(tmp, this.file(rec.pgid));
  }

  /** remove forgets a group. */
  remove(pgid: number): void {
    rmSync(this.file(pgid), { force: true });
  }

  /** list reads every record; unreadable or malformed files are returned as problems (with their file). */
  list(): { records: RunningRecord[]; bad: { file: string; problem: string }[] } {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return { records: [], bad: [] };
    }
    const records: RunningRecord[] = [];
    const bad: { file: string; problem: string }[] = [];
    for (const name of names.sort()) {
      const file = path.join(this.dir, name);
      if (name.endsWith('.tmp')) {
        bad.push({ file, problem: 'an unfinished record' });
        continue;
      }
      const m = /^(\d+)\.json$/.exec(name);
      if (!m) continue;
      try {
        const rec = JSON.parse(readFileSync(file, 'utf8')) as Partial<RunningRecord>;
        if (rec.pgid !== Number(m[1]) || !Number.isInteger(rec.pgid) || rec.pgid! <= 1) throw new Error(`pgid ${String(rec.pgid)} does not match the file name`);
        records.push({
          pgid: rec.pgid!,
          podId: String(rec.podId ?? ''),
          jobsetUid: String(rec.jobsetUid ?? ''),
          generation: Number(rec.generation ?? 0),
          startedMs: Number(rec.startedMs ?? 0),
          procStartTime: String(rec.procStartTime ?? ''),
          bootId: String(rec.bootId ?? ''),
          command: Array.isArray(rec.command) ? rec.command.map(String) : [],
        });
      } catch (err) {
        bad.push({ file, problem: (err as Error).message });
      }
    }
    return { records, bad };
  }

  /** removeFile deletes a file of the records' directory (a bad record). */
  removeFile(file: string): void {
    rmSync(file, { force: true });
  }
}

/** recordFor builds the record of a process group just started (reads the leader's start time now). */
export function recordFor(key: PodKey, pgid: number, startedMs: number, command: string[]): RunningRecord {
  return {
    podId: key.podId,
    jobsetUid: key.jobsetUid,
    generation: key.generation,
    pgid,
    startedMs,
    procStartTime: readProcStat(pgid)?.startTime ?? '',
    bootId: bootId(),
    command,
  };
}

/**
 * OrphanVerdict says what a record's group is now: gone (nothing to do), ours
 * (the recorded group still runs: stop it), or foreign (the pid now belongs to
 * someone else, or it cannot be told: leave it alone), with why.
 */
export type OrphanVerdict = { kind: 'gone' | 'ours' | 'foreign'; why: string };

/** judge decides whether a recorded group is still the pod's. */
export function judge(rec: RunningRecord, currentBootId = bootId()): OrphanVerdict {
  if (rec.bootId && currentBootId && rec.bootId !== currentBootId) return { kind: 'gone', why: 'recorded before the host rebooted' };
  if (!killGroup(rec.pgid, 0)) return { kind: 'gone', why: 'the process group no longer exists' };
  if (!hasProc() || !rec.procStartTime) return { kind: 'foreign', why: 'cannot tell whether the process group is the pod\'s (no /proc start time)' };
  const leader = readProcStat(rec.pgid);
  if (leader && leader.state !== 'Z') {
    if (leader.startTime !== rec.procStartTime) return { kind: 'foreign', why: `pid ${rec.pgid} now belongs to another process (started at tick ${leader.startTime}, the pod's at ${rec.procStartTime})` };
    if (leader.pgrp !== rec.pgid) return { kind: 'foreign', why: `process ${rec.pgid} is no longer a group leader` };
    return { kind: 'ours', why: 'its leader still runs' };
  }
  // The leader has ended but its group lives on: the pid cannot have been
  // reused while the group holds it, so the members are the pod's — those
  // started after it, in the session the pod was started in.
  const members = groupMembers(rec.pgid).filter((m) => m.session === rec.pgid && BigInt(m.startTime) >= BigInt(rec.procStartTime));
  if (members.length === 0) return { kind: 'gone', why: 'no live process is left in the group' };
  return { kind: 'ours', why: `its leader has exited, ${members.length} process(es) of it still run` };
}

/** waitGroupGone polls until the group has no live member or maxMs passes; true when it emptied. */
export async function waitGroupGone(pgid: number, maxMs: number, signal?: AbortSignal): Promise<boolean> {
  const watch = new GroupWatch(pgid);
  const deadline = Date.now() + maxMs;
  while (watch.alive()) {
    if (Date.now() >= deadline) return false;
    await sleep(GROUP_POLL_MS, signal);
  }
  return true;
}

/** StopOrphansOptions configure stopOrphans. */
export interface StopOrphansOptions {
  records: RunningRecords;
  /** Time between SIGTERM and SIGKILL. */
  gracePeriodMs: number;
  logger: Logger;
  signal?: AbortSignal;
}

/** OrphanOutcome is what stopOrphans did with one record. */
export interface OrphanOutcome {
  record: RunningRecord;
  verdict: OrphanVerdict;
  /** For `ours`: how it ended (SIGTERM was enough, SIGKILL was needed, or it outlived even SIGKILL's wait). */
  stopped?: 'SIGTERM' | 'SIGKILL' | 'still-running';
}

async function stopGroup(rec: RunningRecord, gracePeriodMs: number, signal?: AbortSignal): Promise<OrphanOutcome['stopped']> {
  if (gracePeriodMs > 0) {
    killGroup(rec.pgid, 'SIGTERM');
    if (await waitGroupGone(rec.pgid, gracePeriodMs, signal)) return 'SIGTERM';
  }
  killGroup(rec.pgid, 'SIGKILL');
  return (await waitGroupGone(rec.pgid, KILL_WAIT_MS, signal)) ? 'SIGKILL' : 'still-running';
}

/**
 * stopOrphans stops every recorded process group still running (SIGTERM to
 * the group, SIGKILL after the grace period; all groups at once), logs what
 * it found and did, and removes the records. Groups whose pid now belongs to
 * another process are left alone (and their records removed).
 */
export async function stopOrphans(opts: StopOrphansOptions): Promise<OrphanOutcome[]> {
  const log = opts.logger.child({ component: 'orphans' });
  const { records, bad } = opts.records.list();
  for (const b of bad) {
    log.warn('removing an unreadable record of a running pod', { file: b.file, problem: b.problem });
    opts.records.removeFile(b.file);
  }
  const current = bootId();
  const outcomes = await Promise.all(
    records.map(async (record): Promise<OrphanOutcome> => {
      const verdict = judge(record, current);
      const fields = { podId: record.podId, jobsetUid: record.jobsetUid, generation: record.generation, pgid: record.pgid, command: record.command, why: verdict.why };
      const out: OrphanOutcome = { record, verdict };
      try {
        if (verdict.kind === 'ours') {
          log.warn('stopping a pod left running by a previous agent (no adoption yet)', { ...fields, gracePeriodMs: opts.gracePeriodMs });
          out.stopped = await stopGroup(record, opts.gracePeriodMs, opts.signal);
          if (out.stopped === 'still-running') log.error('a pod left by a previous agent is still running after SIGKILL', fields);
          else log.warn('stopped a pod left running by a previous agent', { ...fields, by: out.stopped });
        } else if (verdict.kind === 'foreign') {
          log.warn('not stopping a recorded pod: its process group cannot be confirmed to be the pod\'s', fields);
        } else {
          log.info('a recorded pod is no longer running', fields);
        }
      } catch (err) {
        if (isAborted(err)) throw err;
        log.error('cannot stop a pod left by a previous agent', { ...fields, ...errorFields(err) });
      }
      if (out.stopped !== 'still-running') opts.records.remove(record.pgid);
      return out;
    }),
  );
  return outcomes;
}
