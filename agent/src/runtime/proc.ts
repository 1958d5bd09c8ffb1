/**
 * What the process driver reads of Linux's /proc, and process-group
 * signalling: a process's state, group, session and start time (to tell a
 * pod's process from a later one that got the same pid), and whether a
 * process group still has a live member. Zombies count as gone: they have
 * finished running, and nobody may reap them soon (an init that does not reap).
 * Where there is no /proc, the functions answer "unknown" and callers say what
 * they do then.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** ProcStat is the part of /proc/<pid>/stat the agent uses. */
export interface ProcStat {
  pid: number;
  /** One letter: R, S, D, Z (zombie), T, … */
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  /** Start time after boot, in clock ticks (field 22): with the pid, it names a process uniquely within one boot. */
  startTime: string;
}

/** parseProcStat reads the text of /proc/<pid>/stat; undefined when malformed. */
export function parseProcStat(pid: number, text: string): ProcStat | undefined {
  // The command name (field 2) is in parentheses and may contain spaces and ")".
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const f = text.slice(close + 2).trim().split(/\s+/);
  // f[0] is field 3 (state); field n is f[n - 3].
  const [state, ppid, pgrp, session, startTime] = [f[0], f[1], f[2], f[3], f[19]];
  if (!state || !ppid || !pgrp || !session || !startTime || !/^\d+$/.test(startTime)) return undefined;
  return { pid, state, ppid: Number(ppid), pgrp: Number(pgrp), session: Number(session), startTime };
}

const PROC = '/proc';

/** readProcStat reads one process's stat; undefined when it does not exist (or there is no /proc). */
export function readProcStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(pid, readFileSync(`${PROC}/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** hasProc says whether /proc can be read here (Linux). */
export function hasProc(): boolean {
  return readProcStat(process.pid) !== undefined;
}

/** bootId is this boot's id (/proc/sys/kernel/random/boot_id), '' when unknown. */
export function bootId(): string {
  try {
    return readFileSync(`${PROC}/sys/kernel/random/boot_id`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** isLive says whether a stat is of a process that still runs (not a zombie). */
function isLive(s: ProcStat | undefined): s is ProcStat {
  return s !== undefined && s.state !== 'Z' && s.state !== 'X';
}

/** groupMembers scans /proc for the live (non-zombie) processes of process group pgid. */
export function groupMembers(pgid: number): ProcStat[] {
  let names: string[];
  try {
    names = readdirSync(PROC);
  } catch {
    return [];
  }
  const out: ProcStat[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const s = readProcStat(Number(name));
    if (isLive(s) && s.pgrp === pgid) out.push(s);
  }
  return out;
}

/** killGroup signals the process group pgid; false when it no longer exists. */
export function killGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  if (!(pgid > 1)) return false; // never -1 (everything) or -0 (our own group)
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    // EPERM: it exists but is not ours to signal.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * GroupWatch answers "does process group pgid still have a live member?"
 * cheaply enough to poll: kill(-pgid, 0) first (ESRCH: empty); when that
 * succeeds, the members found by the last /proc scan are re-checked, and /proc
 * is scanned again only once all of them have ended (a member's children are
 * found then: while their parent lives, the group is alive anyway).
 */
export class GroupWatch {
  private known: ProcStat[] = [];
  private readonly proc = hasProc();

  constructor(readonly pgid: number) {}

  /** alive says whether the group has a live member now. */
  alive(): boolean {
    if (!killGroup(this.pgid, 0)) return false;
    // Without /proc, kill's answer is all there is (zombies count as alive).
    if (!this.proc) return true;
    const stillLive = (m: ProcStat): boolean => {
      const now = readProcStat(m.pid);
      return isLive(now) && now.pgrp === this.pgid && now.startTime === m.startTime;
    };
    if (this.known.some(stillLive)) return true;
    this.known = groupMembers(this.pgid);
    return this.known.length > 0;
  }
}
