/**
 * Records of the process groups the process driver runs, one file per group
 * (`<stateDir>/running/<pgid>.json`), written when a pod starts and removed
 * once its whole group has exited. They exist so that a new agent process
 * (after kill -9, a crash, or a restart that left its pods running) finds
 * them again: the process driver's `recover` adopts the groups still running
 * whose pods the agent's pod table knows, and stops the others — before the
 * agent registers, so the scheduler never sees a node running pods it cannot
 * account for, and no pod runs twice.
 *
 * A pid can be reused by the kernel once its process is gone, so a record
 * also holds the boot id and the leader's start time (/proc/<pid>/stat field
 * 22): a live process with the recorded pid but another start time is someone
 * else and is left alone.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sleep } from '../backoff.js';
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
  /** Where the pod's exit status shim writes the exit status (exit-status.ts); absent in records of older agents. */
  exitFile?: string;
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
          ...(typeof rec.exitFile === 'string' && path.isAbsolute(rec.exitFile) ? { exitFile: rec.exitFile } : {}),
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

/** stopGroup stops a recorded group: SIGTERM, SIGKILL after the grace period; says how it ended. */
export async function stopGroup(rec: RunningRecord, gracePeriodMs: number, signal?: AbortSignal): Promise<'SIGTERM' | 'SIGKILL' | 'still-running'> {
  if (gracePeriodMs > 0) {
    killGroup(rec.pgid, 'SIGTERM');
    if (await waitGroupGone(rec.pgid, gracePeriodMs, signal)) return 'SIGTERM';
  }
  killGroup(rec.pgid, 'SIGKILL');
  return (await waitGroupGone(rec.pgid, KILL_WAIT_MS, signal)) ? 'SIGKILL' : 'still-running';
}
