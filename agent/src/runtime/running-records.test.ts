import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bootId, killGroup, readProcStat } from './proc.js';
import { judge, recordFor, RunningRecords, type RunningRecord } from './running-records.js';
import { isAlive, waitFor } from '../testdata/wait.js';

// What ProcessDriver.recover does with the records (adopt, report, stop) is in process-recover.test.ts.



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

describe('RunningRecords', () => {
  it('writes a record atomically and lists it back, exit file included', async () => {
    const pgid = await startGroup('exec sleep 30');
    const rec: RunningRecord = { ...recordFor(KEY, pgid, 1234, ['sleep', '30']), exitFile: path.join(dir, 'pod', 'exit-code') };
    records.write(rec);
    expect(readdirSync(records.dir)).toEqual([`${pgid}.json`]);
    expect(records.list()).toEqual({ records: [rec], bad: [] });
    expect(rec.procStartTime).toBe(readProcStat(pgid)!.startTime);
    expect(rec.bootId).toBe(bootId());
  });

  it('drops an exit file that is not an absolute path (the record stays usable)', () => {
    records.write({ ...KEY, pgid: 4242, startedMs: 1, procStartTime: '1', bootId: '', command: [], exitFile: 'relative/exit-code' });
    const { records: list, bad } = records.list();
    expect(bad).toEqual([]);
    expect(list).toHaveLength(1);
    expect(list[0]).not.toHaveProperty('exitFile');
  });

  it('reports malformed, unfinished and mismatched records as bad, and ignores other files', () => {
    records.write({ ...KEY, pgid: 4242, startedMs: 1, procStartTime: '1', bootId: '', command: ['x'] });
    writeFileSync(path.join(records.dir, '777.json'), '{not json');
    writeFileSync(path.join(records.dir, '778.json.tmp'), '{"pgid":');
    writeFileSync(path.join(records.dir, '779.json'), JSON.stringify({ ...KEY, pgid: 780 }));
    writeFileSync(path.join(records.dir, '1.json'), JSON.stringify({ ...KEY, pgid: 1 }));
    writeFileSync(path.join(records.dir, 'README'), 'not a record');
    const { records: list, bad } = records.list();
    expect(list.map((r) => r.pgid)).toEqual([4242]);
    expect(bad.map((b) => path.basename(b.file)).sort()).toEqual(['1.json', '777.json', '778.json.tmp', '779.json']);
    expect(bad.find((b) => b.file.endsWith('779.json'))?.problem).toContain('does not match');
    records.removeFile(path.join(records.dir, '777.json'));
    expect(existsSync(path.join(records.dir, '777.json'))).toBe(false);
  });

  it('lists nothing when the directory does not exist; remove forgets a record', () => {
    expect(new RunningRecords(path.join(dir, 'missing')).list()).toEqual({ records: [], bad: [] });
    records.write({ ...KEY, pgid: 4242, startedMs: 1, procStartTime: '1', bootId: '', command: [] });
    records.remove(4242);
    records.remove(4242);
    expect(readdirSync(records.dir)).toEqual([]);
  });
});

describe('judge', () => {
  it('says ours for a recorded group whose leader still runs', async () => {
    const pgid = await startGroup('exec sleep 30');
    expect(judge(recordFor(KEY, pgid, Date.now(), ['sleep'])).kind).toBe('ours');
  });

  it('says foreign when the pid now belongs to a process started at another time', async () => {
    const pgid = await startGroup('exec sleep 30');
    const real = recordFor(KEY, pgid, Date.now(), ['sleep']);
    expect(judge({ ...real, procStartTime: String(BigInt(real.procStartTime) + 1n) })).toMatchObject({ kind: 'foreign', why: expect.stringContaining('another process') });
  });

  it('says foreign when the start time is unknown (cannot tell)', async () => {
    const pgid = await startGroup('exec sleep 30');
    expect(judge({ ...recordFor(KEY, pgid, Date.now(), ['sleep']), procStartTime: '' }).kind).toBe('foreign');
  });

  it('says gone for a record of another boot, even while the pid lives', async () => {
    const pgid = await startGroup('exec sleep 30');
    expect(judge({ ...recordFor(KEY, pgid, Date.now(), ['sleep']), bootId: 'another-boot' }, 'this-boot')).toMatchObject({ kind: 'gone', why: expect.stringContaining('rebooted') });
    expect(isAlive(pgid)).toBe(true);
  });

  it('says gone once the whole group has exited', async () => {
    const pgid = await startGroup('exit 0');
    await waitFor('the process to exit', () => !isAlive(pgid));
    expect(judge({ ...KEY, pgid, startedMs: 1, procStartTime: '12345', bootId: '', command: ['true'] }).kind).toBe('gone');
  });

  it('says ours while members of the group live on after their leader', async () => {
    const go = path.join(dir, 'go');
    const memberFile = path.join(dir, 'member.pid');
    const pgid = await startGroup(`sleep 30 & echo $! > ${memberFile}; while [ ! -e ${go} ]; do sleep 0.05; done`);
    await waitFor('the member', () => existsSync(memberFile) && readFileSync(memberFile, 'utf8').trim() !== '');
    const rec = recordFor(KEY, pgid, Date.now(), ['sh']);
    writeFileSync(go, '');
    await waitFor('the leader to exit', () => !isAlive(pgid));
    expect(judge(rec)).toMatchObject({ kind: 'ours', why: expect.stringContaining('leader has exited') });
    killGroup(pgid, 'SIGKILL');
    await waitFor('the member to die', () => !isAlive(Number(readFileSync(memberFile, 'utf8').trim())));
    expect(judge(rec).kind).toBe('gone');
  });
});
