import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nullLogger, type LogFields, type Logger } from '../../../shared/src/logger.js';
import { sameIncarnation, type PodKey, type PodSpec, type RecoveredPod, type RecoverOptions } from './driver.js';
import { exitFileOf } from './exit-status.js';
import { ProcessDriver } from './process-driver.js';
import { GroupWatch, killGroup } from './proc.js';
import { recordFor, RunningRecords, type RunningRecord } from './running-records.js';
import { isAlive, waitFor } from '../testdata/wait.js';

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



/** readPid waits for a file a pod writes its (or a child's) pid into, and reads it. */
async function readPid(file: string): Promise<number> {
  await waitFor(`a pid in ${path.basename(file)}`, () => existsSync(file) && /^\d+\n$/.test(readFileSync(file, 'utf8')));
  return Number(readFileSync(file, 'utf8').trim());
}

let dir: string;
let recordsDir: string;
let records: RunningRecords;
const groups: number[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'muster-recover-'));
  recordsDir = path.join(dir, 'running');
  records = new RunningRecords(recordsDir);
});

afterEach(() => {
  for (const pgid of groups.splice(0)) killGroup(pgid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const KEY = { podId: 'train/workers/0/0', jobsetUid: '0f3c9a7e-0000', generation: 2 };
const WARN_STOPPING = 'stopping a pod left running by a previous agent that the pod table does not know';

/** unknownAll are recover options under which no record is a pod the agent knows. */
function unknownAll(gracePeriodMs: number): RecoverOptions {
  return { known: () => false, filesOf: () => undefined, gracePeriodMs };
}

describe('ProcessDriver.recover: groups of pods the agent does not know are stopped', () => {
  /** startGroup starts `sh -c script` as the leader of its own process group and session (as a previous agent did); resolves how it ended. */
  async function startGroup(script: string): Promise<{ pgid: number; ended: Promise<NodeJS.Signals | number | null> }> {
    const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore', cwd: dir });
    const ended = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    groups.push(child.pid!);
    return { pgid: child.pid!, ended };
  }

  it('stops a recorded process group that still runs (SIGTERM), logs it, and removes the record', async () => {
    const { pgid, ended } = await startGroup('exec sleep 30');
    records.write(recordFor(KEY, pgid, Date.now(), ['sleep', '30']));
    const { logger, lines } = capture();

    expect(await new ProcessDriver({ logger, recordsDir }).recover(unknownAll(10_000))).toEqual([]);

    // recover resolved only once the group was gone.
    expect(isAlive(pgid)).toBe(false);
    expect(await ended).toBe('SIGTERM');
    expect(readdirSync(recordsDir)).toEqual([]);
    const stopping = lines.find((l) => l.msg === WARN_STOPPING);
    expect(stopping?.level).toBe('warn');
    expect(stopping?.fields).toMatchObject({ ...KEY, pgid, command: ['sleep', '30'], gracePeriodMs: 10_000 });
  });

  it('kills a recorded group that ignores SIGTERM once the grace period is over', async () => {
    const termed = path.join(dir, 'termed');
    const { pgid, ended } = await startGroup(`trap "echo > ${termed}" TERM; echo > ready; while :; do sleep 0.05; done`);
    await waitFor('the TERM trap', () => existsSync(path.join(dir, 'ready')));
    records.write(recordFor(KEY, pgid, Date.now(), ['sh']));

    expect(await new ProcessDriver({ logger: nullLogger, recordsDir }).recover(unknownAll(200))).toEqual([]);

    expect(existsSync(termed)).toBe(true); // SIGTERM first…
    expect(await ended).toBe('SIGKILL'); // …then SIGKILL
    expect(isAlive(pgid)).toBe(false);
    expect(readdirSync(recordsDir)).toEqual([]);
  });

  it('stops what is left of a recorded group whose leader has already exited', async () => {
    const go = path.join(dir, 'go');
    const memberFile = path.join(dir, 'member.pid');
    const { pgid, ended } = await startGroup(`sleep 30 & echo $! > ${memberFile}; while [ ! -e ${go} ]; do sleep 0.05; done`);
    const member = await readPid(memberFile);
    records.write(recordFor(KEY, pgid, Date.now(), ['sh']));
    writeFileSync(go, '');
    expect(await ended).toBe(0);
    expect(isAlive(member)).toBe(true);

    await new ProcessDriver({ logger: nullLogger, recordsDir }).recover(unknownAll(10_000));

    expect(isAlive(member)).toBe(false);
    expect(new GroupWatch(pgid).alive()).toBe(false);
    expect(readdirSync(recordsDir)).toEqual([]);
  });

  it('just removes a stale record of a process group that is gone', async () => {
    const { pgid, ended } = await startGroup('exit 0');
    await ended;
    records.write({ ...KEY, pgid, startedMs: 1, procStartTime: '12345', bootId: '', command: ['true'] });
    const { logger, lines } = capture();

    expect(await new ProcessDriver({ logger, recordsDir }).recover(unknownAll(10_000))).toEqual([]);

    expect(readdirSync(recordsDir)).toEqual([]);
    expect(lines.some((l) => l.msg === WARN_STOPPING)).toBe(false);
  });

  it('leaves alone a live process whose pid was reused (another start time), and removes the record', async () => {
    const { pgid } = await startGroup('exec sleep 30');
    const real = recordFor(KEY, pgid, Date.now(), ['sleep', '30']);
    records.write({ ...real, procStartTime: String(BigInt(real.procStartTime) + 1n) });
    const { logger, lines } = capture();

    expect(await new ProcessDriver({ logger, recordsDir }).recover(unknownAll(200))).toEqual([]);

    expect(isAlive(pgid)).toBe(true);
    expect(readdirSync(recordsDir)).toEqual([]);
    expect(lines.some((l) => l.msg === WARN_STOPPING)).toBe(false);
  });

  it('treats a record from before a reboot (another boot id) as gone: the process now holding the pid is left alone', async () => {
    const { pgid } = await startGroup('exec sleep 30');
    records.write({ ...recordFor(KEY, pgid, Date.now(), ['sleep', '30']), bootId: 'another-boot' });

    expect(await new ProcessDriver({ logger: nullLogger, recordsDir }).recover(unknownAll(200))).toEqual([]);

    expect(isAlive(pgid)).toBe(true);
    expect(readdirSync(recordsDir)).toEqual([]);
  });

  it('removes unreadable records, saying which', async () => {
    records.write({ ...KEY, pgid: 4_000_000, startedMs: 1, procStartTime: '1', bootId: '', command: [] }); // a pid beyond pid_max: gone
    writeFileSync(path.join(recordsDir, '777.json'), '{not json');
    writeFileSync(path.join(recordsDir, '778.json.tmp'), '{"pgid":');
    writeFileSync(path.join(recordsDir, '779.json'), JSON.stringify({ ...KEY, pgid: 780 }));
    const { logger, lines } = capture();

    expect(await new ProcessDriver({ logger, recordsDir }).recover(unknownAll(200))).toEqual([]);

    expect(readdirSync(recordsDir)).toEqual([]);
    const removed = lines.filter((l) => l.level === 'warn' && l.msg === 'removing an unreadable record of a running pod').map((l) => path.basename(String(l.fields.file)));
    expect(removed.sort()).toEqual(['777.json', '778.json.tmp', '779.json']);
  });

  it('finds nothing when there is no records directory, or no recordsDir at all', async () => {
    expect(await new ProcessDriver({ logger: nullLogger, recordsDir: path.join(dir, 'missing') }).recover(unknownAll(100))).toEqual([]);
    expect(existsSync(path.join(dir, 'missing'))).toBe(false);
    expect(await new ProcessDriver({ logger: nullLogger }).recover({ known: () => true, filesOf: () => undefined, gracePeriodMs: 100 })).toEqual([]);
  });
});

describe('ProcessDriver.recover: pods the agent knows are adopted, or reported with their recorded exit', () => {
  let nextGen = 1;

  /** specOf is a pod running `sh -c script` in the test's directory. */
  function specOf(script: string): PodSpec {
    const generation = nextGen++;
    const podDir = path.join(dir, 'pods', `g${generation}`);
    return {
      ...KEY,
      generation,
      image: '',
      command: ['sh', '-c', script],
      args: [],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      workingDir: dir,
      podDir,
      stdoutPath: path.join(podDir, 'stdout.log'),
      stderrPath: path.join(podDir, 'stderr.log'),
      user: '',
    };
  }

  /**
   * previousAgentStarts runs a pod with a driver of its own on the records
   * directory: the agent process before the restart. (Its child is still the
   * test process's; the new driver must not need that.)
   */
  async function previousAgentStarts(script: string) {
    // The command says when it runs (and its pid): a stop signal sent before the shim has started it would be
    // lost (see the report on EXIT_SHIM), and the tests are about recovery, not about that.
    const spec = specOf(script);
    spec.command = ['sh', '-c', `echo $$ > ${path.join(spec.podDir, 'cmd.pid')}; ${script}`];
    const previous = new ProcessDriver({ logger: nullLogger, recordsDir });
    const started = await previous.start(spec);
    if (started.kind !== 'running') throw new Error(`expected a running pod, got ${JSON.stringify(started.exit)}`);
    groups.push(started.pid);
    const recordFile = path.join(recordsDir, `${started.pid}.json`);
    const record = readFileSync(recordFile, 'utf8');
    const commandPid = await readPid(path.join(spec.podDir, 'cmd.pid'));
    expect((JSON.parse(record) as RunningRecord).exitFile).toBe(exitFileOf(spec.podDir));
    return {
      spec,
      pid: started.pid,
      /** The pod's command (a child of the shim leading the group). */
      commandPid,
      startedMs: started.startedMs,
      /** previousExited is the old driver seeing the exit (the test waits on it; the agent it stands for was gone). */
      previousExited: started.exited,
      /** crashed puts back the record the old driver removed when it saw the pod end: a crashed agent never saw that. */
      crashed: () => writeFileSync(recordFile, record),
      /** gone makes the old driver stop watching, as its agent process exiting would (it would kill what its pod left behind otherwise). */
      gone: () => previous.close(),
    };
  }

  /** recoverKnown recovers with a new driver that knows exactly `known`. */
  async function recoverKnown(known: PodKey[], gracePeriodMs = 5000): Promise<{ driver: ProcessDriver; recovered: RecoveredPod[]; lines: ReturnType<typeof capture>['lines'] }> {
    const { logger, lines } = capture();
    const driver = new ProcessDriver({ logger, recordsDir });
    const recovered = await driver.recover({
      known: (k) => known.some((x) => sameIncarnation(x, k)),
      filesOf: (k) => {
        const s = known.find((x) => sameIncarnation(x, k)) as PodSpec | undefined;
        return s ? { podDir: s.podDir, stdoutPath: s.stdoutPath, stderrPath: s.stderrPath } : undefined;
      },
      gracePeriodMs,
    });
    return { driver, recovered, lines };
  }

  function runningOf(r: RecoveredPod | undefined): Extract<RecoveredPod, { state: 'running' }> {
    if (r?.state !== 'running') throw new Error(`expected an adopted pod, got ${JSON.stringify(r)}`);
    return r;
  }

  it('adopts a pod still running: same pid and start, listed, and its own exit (code 3) is seen by polling', async () => {
    const go = path.join(dir, 'go');
    const a = await previousAgentStarts(`while [ ! -f ${go} ]; do sleep 0.05; done; echo bye; exit 3`);

    const { driver: b, recovered, lines } = await recoverKnown([a.spec]);

    expect(recovered).toHaveLength(1);
    const r = runningOf(recovered[0]);
    expect(r).toMatchObject({ podId: KEY.podId, jobsetUid: KEY.jobsetUid, generation: a.spec.generation, state: 'running', pid: a.pid, startedMs: a.startedMs });
    expect(b.list()).toEqual([{ podId: KEY.podId, jobsetUid: KEY.jobsetUid, generation: a.spec.generation, pid: a.pid, startedMs: a.startedMs }]);
    expect(isAlive(a.pid)).toBe(true);
    expect(lines.some((l) => l.msg === 'adopted a pod left running by a previous agent' && l.fields.pgid === a.pid)).toBe(true);

    writeFileSync(go, '');
    const exit = await r.exited;
    expect(exit).toMatchObject({ phase: 'POD_PHASE_FAILED', reason: 'Error', exitCode: 3, signal: '' });
    expect(readFileSync(a.spec.stdoutPath, 'utf8')).toBe('bye\n');
    expect(b.list()).toEqual([]);
    expect(readdirSync(recordsDir)).toEqual([]);
  });

  it('adopts only the pods it knows: an unknown one started beside it is stopped', async () => {
    const kept = await previousAgentStarts('exec sleep 30');
    const unknown = await previousAgentStarts('exec sleep 30');

    const { driver: b, recovered } = await recoverKnown([kept.spec]);

    expect(recovered.map((r) => [r.generation, r.state])).toEqual([[kept.spec.generation, 'running']]);
    expect(new GroupWatch(unknown.pid).alive()).toBe(false);
    expect(await unknown.previousExited).toMatchObject({ exitCode: 143, signal: 'SIGTERM' });
    expect(isAlive(kept.pid)).toBe(true);
    expect(readdirSync(recordsDir)).toEqual([`${kept.pid}.json`]);
    await b.stop(kept.spec, 5000, 'test over');
  });

  it('stop on an adopted pod sends SIGTERM to its group: Stopped with SIGTERM (143), and every process of the group is gone', async () => {
    const memberFile = path.join(dir, 'member.pid');
    const a = await previousAgentStarts(`sleep 30 & echo $! > ${memberFile}; wait`);
    const member = await readPid(memberFile);
    const { driver: b, recovered } = await recoverKnown([a.spec]);
    const r = runningOf(recovered[0]);

    const stopped = await b.stop(a.spec, 5000, 'no longer desired');

    expect(stopped).toMatchObject({ phase: 'POD_PHASE_FAILED', reason: 'Stopped', exitCode: 143, signal: 'SIGTERM' });
    expect(stopped?.message).toContain('no longer desired');
    expect(await r.exited).toEqual(stopped);
    expect(isAlive(member)).toBe(false);
    expect(new GroupWatch(a.pid).alive()).toBe(false);
    expect(b.list()).toEqual([]);
    expect(readdirSync(recordsDir)).toEqual([]);
  });

  it('a pod that was being stopped when the previous agent exited gets its grace period to finish, not an instant SIGKILL', async () => {
    const ready = path.join(dir, 'ready');
    const checkpoint = path.join(dir, 'checkpoint');
    // On SIGTERM it writes a checkpoint (slowly), then exits 0.
    const a = await previousAgentStarts(`trap "sleep 0.3; echo saved > ${checkpoint}; exit 0" TERM; echo > ${ready}; while :; do sleep 0.05; done`);
    await waitFor('the TERM trap', () => existsSync(ready));
    // The previous agent began the stop (SIGTERM to the group: the shim dies, the command checkpoints), then exited.
    a.gone();
    killGroup(a.pid, 'SIGTERM');
    await waitFor('the shim gone', () => !isAlive(a.pid));
    expect(existsSync(checkpoint)).toBe(false);

    const { recovered } = await recoverKnown([a.spec], 10_000);

    const exit = await runningOf(recovered[0]).exited;
    expect(readFileSync(checkpoint, 'utf8')).toBe('saved\n');
    expect(exit).toMatchObject({ phase: 'POD_PHASE_FAILED', reason: 'Stopped', signal: 'SIGTERM' });
    expect(exit.message).not.toContain('SIGKILL');
  });

  it('stop on an adopted pod that ignores SIGTERM kills it with SIGKILL once the grace period is over', async () => {
    const ready = path.join(dir, 'ready');
    const a = await previousAgentStarts(`trap "" TERM; echo > ${ready}; while :; do sleep 0.05; done`);
    await waitFor('the TERM trap', () => existsSync(ready));
    a.gone();
    const { driver: b } = await recoverKnown([a.spec]);

    const stopped = await b.stop(a.spec, 200, 'no longer desired');

    expect(stopped).toMatchObject({ phase: 'POD_PHASE_FAILED', reason: 'Stopped', exitCode: 137, signal: 'SIGKILL' });
    expect(new GroupWatch(a.pid).alive()).toBe(false);
  });

  it('reports an adopted pod whose command is killed by a signal from outside as Signaled (SIGKILL, 137)', async () => {
    const a = await previousAgentStarts('while :; do sleep 0.05; done');
    const command = a.commandPid;
    expect(command).not.toBe(a.pid); // the command, not the shim leading the group
    const { recovered } = await recoverKnown([a.spec]);
    const r = runningOf(recovered[0]);

    process.kill(command, 'SIGKILL');

    expect(await r.exited).toMatchObject({ phase: 'POD_PHASE_FAILED', reason: 'Signaled', exitCode: 137, signal: 'SIGKILL' });
    expect(new GroupWatch(a.pid).alive()).toBe(false);
  });

  it('reports a pod that ended while no agent watched with the exit code its shim recorded', async () => {
    const go = path.join(dir, 'go');
    const failed = await previousAgentStarts(`while [ ! -f ${go} ]; do sleep 0.05; done; exit 5`);
    const succeeded = await previousAgentStarts(`while [ ! -f ${go} ]; do sleep 0.05; done; true`);
    const killed = await previousAgentStarts('exec sleep 30');
    writeFileSync(go, '');
    process.kill(killed.commandPid, 'SIGKILL');
    for (const p of [failed, succeeded, killed]) {
      await p.previousExited;
      p.crashed();
    }
    expect(readdirSync(recordsDir)).toHaveLength(3);

    const { driver: b, recovered } = await recoverKnown([failed.spec, succeeded.spec, killed.spec]);

    const byGen = new Map(recovered.map((r) => [r.generation, r]));
    expect(byGen.get(failed.spec.generation)).toMatchObject({ state: 'ended', exit: { phase: 'POD_PHASE_FAILED', reason: 'Error', exitCode: 5, signal: '' } });
    expect(byGen.get(succeeded.spec.generation)).toMatchObject({ state: 'ended', exit: { phase: 'POD_PHASE_SUCCEEDED', reason: 'Completed', exitCode: 0, signal: '' } });
    expect(byGen.get(killed.spec.generation)).toMatchObject({ state: 'ended', exit: { phase: 'POD_PHASE_FAILED', reason: 'Signaled', exitCode: 137, signal: 'SIGKILL' } });
    expect(recovered).toHaveLength(3);
    expect(b.list()).toEqual([]);
    expect(readdirSync(recordsDir)).toEqual([]);
  });

  it('reports ExitUnknown for a pod that ended without an exit status (its shim was killed, or an older agent\'s record)', async () => {
    const shimKilled = await previousAgentStarts('exec sleep 30');
    killGroup(shimKilled.pid, 'SIGKILL');
    await shimKilled.previousExited;
    shimKilled.crashed();
    expect(existsSync(exitFileOf(shimKilled.spec.podDir))).toBe(false);

    const go = path.join(dir, 'go');
    const older = await previousAgentStarts(`while [ ! -f ${go} ]; do sleep 0.05; done; exit 0`);
    writeFileSync(go, '');
    expect(await older.previousExited).toMatchObject({ reason: 'Completed' });
    // It did leave a status, but a record written before exit files existed does not say where.
    expect(readFileSync(exitFileOf(older.spec.podDir), 'utf8')).toBe('0\n');
    records.write(recordFor(older.spec, older.pid, older.startedMs, ['true']));

    const { recovered } = await recoverKnown([shimKilled.spec, older.spec]);

    expect(recovered).toHaveLength(2);
    for (const r of recovered) expect(r).toMatchObject({ state: 'ended', exit: { phase: 'POD_PHASE_FAILED', reason: 'ExitUnknown', signal: '' } });
    for (const r of recovered) expect(r.state === 'ended' ? r.exit.exitCode : 'adopted').toBeUndefined();
    expect(readdirSync(recordsDir)).toEqual([]);
  });
});
