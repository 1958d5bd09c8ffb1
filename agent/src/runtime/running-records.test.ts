import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogFields, Logger } from '../../../shared/src/logger.js';
import { killGroup, readProcStat } from './proc.js';
import { recordFor, RunningRecords, stopOrphans, type RunningRecord } from './running-records.js';

/** A logger that keeps every record (level, message, fields). */
function capture(): { logger: Logger; lines: { level: string; msg: string; fields: LogFields }[] } {
  const lines: { level: string; msg: string; fields: LogFields }[] = [];
  const make = (bound: LogFields): Logger => ({
    debug: (msg, f) => lines.push({ level: 'debug', msg, fields: { ...bound, ...f } }),
    info: (msg, f) => lines.push({ level: 'info', msg, fields: { ...bound, ...f } }),
    warn: (msg, f) => lines.push({ level: 'warn', msg, fields: { ...bound, ...f } }),
    error: (msg, f) => lines.push({ level: 'error', msg, fields: { ...bound, ...f } }),
    child: (b) => make({ ...bound, ...b }),
  });
  return { logger: make({}), lines };
}

/** isAlive says whether pid is a live process (a zombie counts as dead). */
function isAlive(pid: number): boolean {
  const s = readProcStat(pid);
  return s !== undefined && s.state !== 'Z';
}

async function waitFor(what: string, cond: () => boolean, deadlineMs = 10_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let dir: string;
let records: RunningRecords;
const groups: number[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'muster-running-'));
  records = new RunningRecords(path.join(dir, 'running'));
});

afterEach(() => {
  for (const pgid of groups.splice(0)) killGroup(pgid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** startGroup starts `sh -c script` as the leader of its own process group and session, as the process driver does. */
async function startGroup(script: string): Promise<number> {
  const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore', cwd: dir });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const pid = child.pid!;
  groups.push(pid);
  return pid;
}

const KEY = { podId: 'train/workers/0/0', jobsetUid: '0f3c9a7e-0000', generation: 2 };

describe('stopOrphans', () => {
  it('stops a recorded process group that still runs (SIGTERM), logs it, and removes the record', async () => {
    const pgid = await startGroup('exec sleep 30');
    records.write(recordFor(KEY, pgid, Date.now(), ['sleep', '30']));
    const { logger, lines } = capture();

    const outcomes = await stopOrphans({ records, gracePeriodMs: 10_000, logger });

    expect(outcomes).toEqual([expect.objectContaining({ verdict: expect.objectContaining({ kind: 'ours' }), stopped: 'SIGTERM' })]);
    expect(isAlive(pgid)).toBe(false);
    expect(readdirSync(records.dir)).toEqual([]);
    const stopped = lines.find((l) => l.msg.startsWith('stopped a pod left running by a previous agent'));
    expect(stopped?.fields).toMatchObject({ ...KEY, pgid, by: 'SIGTERM', command: ['sleep', '30'] });
  });

  it('kills a recorded group that ignores SIGTERM once the grace period is over', async () => {
    const pgid = await startGroup('trap "" TERM; echo > ready; while :; do sleep 0.1; done');
    await waitFor('the TERM trap', () => existsSync(path.join(dir, 'ready')));
    records.write(recordFor(KEY, pgid, Date.now(), ['sh']));
    const outcomes = await stopOrphans({ records, gracePeriodMs: 200, logger: capture().logger });
    expect(outcomes[0]?.stopped).toBe('SIGKILL');
    expect(isAlive(pgid)).toBe(false);
    expect(readdirSync(records.dir)).toEqual([]);
  });

  it('stops what is left of a recorded group whose leader has already exited', async () => {
    const go = path.join(dir, 'go');
    const memberFile = path.join(dir, 'member.pid');
    const pgid = await startGroup(`sleep 30 & echo $! > ${memberFile}; while [ ! -e ${go} ]; do sleep 0.05; done`);
    await waitFor('the member', () => existsSync(memberFile) && readFileSync(memberFile, 'utf8').trim() !== '');
    const member = Number(readFileSync(memberFile, 'utf8').trim());
    records.write(recordFor(KEY, pgid, Date.now(), ['sh']));
    writeFileSync(go, '');
    await waitFor('the leader to exit', () => !isAlive(pgid));
    expect(isAlive(member)).toBe(true);

    const outcomes = await stopOrphans({ records, gracePeriodMs: 10_000, logger: capture().logger });
    expect(outcomes[0]).toMatchObject({ verdict: { kind: 'ours' }, stopped: 'SIGTERM' });
    expect(isAlive(member)).toBe(false);
  });

  it('just removes a stale record of a process group that is gone', async () => {
    const pgid = await startGroup('exit 0');
    await waitFor('the process to exit', () => !isAlive(pgid));
    const stale: RunningRecord = { ...KEY, pgid, startedMs: 1, procStartTime: '12345', bootId: '', command: ['true'] };
    records.write(stale);
    const { logger, lines } = capture();
    const outcomes = await stopOrphans({ records, gracePeriodMs: 10_000, logger });
    expect(outcomes).toEqual([expect.objectContaining({ verdict: expect.objectContaining({ kind: 'gone' }) })]);
    expect(outcomes[0]?.stopped).toBeUndefined();
    expect(readdirSync(records.dir)).toEqual([]);
    expect(lines.some((l) => l.level === 'warn' && l.msg.startsWith('stopping'))).toBe(false);
  });

  it('leaves alone a live process whose pid was reused (another start time), and removes the record', async () => {
    const pgid = await startGroup('exec sleep 30');
    const real = recordFor(KEY, pgid, Date.now(), ['sleep', '30']);
    records.write({ ...real, procStartTime: String(BigInt(real.procStartTime) + 1n) });
    const outcomes = await stopOrphans({ records, gracePeriodMs: 200, logger: capture().logger });
    expect(outcomes[0]?.verdict.kind).toBe('foreign');
    expect(isAlive(pgid)).toBe(true);
    expect(readdirSync(records.dir)).toEqual([]);
  });

  it('treats a record from before a reboot as gone, and removes unreadable records', async () => {
    const pgid = await startGroup('exec sleep 30');
    records.write({ ...recordFor(KEY, pgid, Date.now(), ['sleep', '30']), bootId: 'another-boot' });
    writeFileSync(path.join(records.dir, '777.json'), '{not json');
    writeFileSync(path.join(records.dir, '778.json.tmp'), '{"pgid":');
    const outcomes = await stopOrphans({ records, gracePeriodMs: 200, logger: capture().logger });
    expect(outcomes.map((o) => o.verdict.kind)).toEqual(['gone']);
    expect(isAlive(pgid)).toBe(true);
    expect(readdirSync(records.dir)).toEqual([]);
  });

  it('does nothing when there is no records directory', async () => {
    expect(await stopOrphans({ records: new RunningRecords(path.join(dir, 'missing')), gracePeriodMs: 100, logger: capture().logger })).toEqual([]);
  });
});
