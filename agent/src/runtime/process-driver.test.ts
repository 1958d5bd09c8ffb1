import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nullLogger } from '../../../shared/src/logger.js';
import type { PodSpec } from './driver.js';
import { killGroup, ProcessDriver } from './process-driver.js';

/** waitFor polls cond until it holds, failing after deadlineMs (a bound, not a timing assertion). */
async function waitFor(what: string, cond: () => boolean, deadlineMs = 10_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** isAlive says whether pid is a live process (a zombie nobody reaped counts as dead). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function readIf(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

let dir: string;
let driver: ProcessDriver;
const started: number[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'muster-process-driver-'));
  driver = new ProcessDriver({ logger: nullLogger });
});

afterEach(() => {
  for (const pid of started.splice(0)) killGroup(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

let nextGen = 1;
function spec(command: string[], over: Partial<PodSpec> = {}): PodSpec {
  return {
    podId: 'js/rj/0/0',
    generation: nextGen++,
    image: '',
    command,
    args: [],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    workingDir: dir,
    stdoutPath: path.join(dir, 'logs', 'stdout.log'),
    stderrPath: path.join(dir, 'logs', 'stderr.log'),
    user: '',
    ...over,
  };
}

async function startRunning(s: PodSpec) {
  const res = await driver.start(s);
  if (res.kind !== 'running') throw new Error(`expected a running pod, got ${JSON.stringify(res.exit)}`);
  started.push(res.pid);
  return res;
}

describe('ProcessDriver', () => {
  it('reports a non-zero exit as Failed/Error with the code, and appends stdout and stderr to the log files', async () => {
    const s = spec(['sh', '-c', 'echo out; echo err >&2; exit 3']);
    const res = await startRunning(s);
    const exit = await res.exited;
    expect(exit).toMatchObject({ phase: 'POD_PHASE_FAILED', reason: 'Error', exitCode: 3, signal: '' });
    expect(readFileSync(s.stdoutPath, 'utf8')).toBe('out\n');
    expect(readFileSync(s.stderrPath, 'utf8')).toBe('err\n');

    // A second incarnation appends to the same files.
    const again = await startRunning({ ...s, generation: s.generation + 100, command: ['sh', '-c', 'echo again'] });
    await again.exited;
    expect(readFileSync(s.stdoutPath, 'utf8')).toBe('out\nagain\n');
  });

  it('reports exit 0 as Succeeded/Completed', async () => {
    const res = await startRunning(spec(['true']));
    expect(await res.exited).toMatchObject({ phase: 'POD_PHASE_SUCCEEDED', reason: 'Completed', exitCode: 0 });
  });

  it('runs command + args in the working directory with exactly the given environment', async () => {
    const s = spec(['sh', '-c', 'echo "$FOO|$PWD|${HOME:-unset}|$0|$1"'], { args: ['a0', 'a1'], env: { PATH: process.env.PATH ?? '', FOO: 'bar' } });
    await (await startRunning(s)).exited;
    expect(readFileSync(s.stdoutPath, 'utf8')).toBe(`bar|${dir}|unset|a0|a1\n`);
  });

  it('runs the pod as the leader of its own process group', async () => {
    const s = spec(['sh', '-c', 'cut -d" " -f5 /proc/$$/stat; echo ready; sleep 30']);
    const res = await startRunning(s);
    await waitFor('ready', () => readIf(s.stdoutPath).includes('ready'));
    expect(Number(readIf(s.stdoutPath).split('\n')[0]!.trim())).toBe(res.pid);
    await driver.stop(s, 5000, 'test');
  });

  it('stops a pod with SIGTERM: Failed/Stopped, signal SIGTERM, exit code 143', async () => {
    const s = spec(['sleep', '30']);
    const res = await startRunning(s);
    expect(driver.list()).toEqual([{ podId: s.podId, generation: s.generation, pid: res.pid, startedMs: res.startedMs }]);
    const exit = await driver.stop(s, 10_000, 'no longer desired');
    expect(exit).toMatchObject({ phase: 'POD_PHASE_FAILED', reason: 'Stopped', signal: 'SIGTERM', exitCode: 143 });
    expect(exit?.message).toContain('no longer desired');
    expect(await res.exited).toEqual(exit);
    expect(isAlive(res.pid)).toBe(false);
    expect(driver.list()).toEqual([]);
  });

  it('kills a pod that ignores SIGTERM with SIGKILL after the grace period', async () => {
    const s = spec(['sh', '-c', 'trap "" TERM; echo ready; sleep 30; echo survived']);
    const res = await startRunning(s);
    await waitFor('the TERM trap', () => readIf(s.stdoutPath).includes('ready'));
    const exit = await driver.stop(s, 200, 'test');
    expect(exit).toMatchObject({ phase: 'POD_PHASE_FAILED', reason: 'Stopped', signal: 'SIGKILL', exitCode: 137 });
    expect(isAlive(res.pid)).toBe(false);
    expect(readIf(s.stdoutPath)).not.toContain('survived');
  });

  it('stops the whole process group: a child that ignores SIGTERM goes too', async () => {
    const childPidFile = path.join(dir, 'child.pid');
    const s = spec(['sh', '-c', `(trap "" TERM; exec sleep 30) & echo $! > ${childPidFile}; wait`]);
    const res = await startRunning(s);
    await waitFor('the child', () => readIf(childPidFile).trim() !== '');
    const child = Number(readIf(childPidFile).trim());
    started.push(child);
    expect(isAlive(child)).toBe(true);
    await driver.stop(s, 10_000, 'test');
    await waitFor('the child to die', () => !isAlive(child));
    expect(isAlive(res.pid)).toBe(false);
  });

  it('kills what a pod leaves behind in its group when it exits by itself', async () => {
    const childPidFile = path.join(dir, 'orphan.pid');
    const s = spec(['sh', '-c', `sleep 30 & echo $! > ${childPidFile}`]);
    const res = await startRunning(s);
    expect(await res.exited).toMatchObject({ phase: 'POD_PHASE_SUCCEEDED' });
    const orphan = Number(readIf(childPidFile).trim());
    started.push(orphan);
    await waitFor('the orphan to die', () => !isAlive(orphan));
  });

  it('reports a pod killed by a signal it did not get from the agent as Signaled', async () => {
    const s = spec(['sh', '-c', 'kill -KILL $$']);
    const res = await startRunning(s);
    expect(await res.exited).toMatchObject({ phase: 'POD_PHASE_FAILED', reason: 'Signaled', signal: 'SIGKILL', exitCode: 137 });
  });

  it('fails a missing command with StartError naming the command', async () => {
    const res = await driver.start(spec(['no-such-command-muster']));
    expect(res).toMatchObject({ kind: 'failed', exit: { phase: 'POD_PHASE_FAILED', reason: 'StartError' } });
    expect(res.kind === 'failed' && res.exit.message).toContain('"no-such-command-muster"');
    expect(res.kind === 'failed' && res.exit.exitCode).toBeUndefined();
    expect(driver.list()).toEqual([]);
  });

  it('fails a command that is not executable with StartError', async () => {
    const res = await driver.start(spec([path.join(dir)]));
    expect(res).toMatchObject({ kind: 'failed', exit: { reason: 'StartError' } });
    expect(res.kind === 'failed' && res.exit.message).toContain(dir);
  });

  it('fails a missing working directory with StartError naming the directory and the command', async () => {
    const res = await driver.start(spec(['true'], { workingDir: path.join(dir, 'missing') }));
    expect(res).toMatchObject({ kind: 'failed', exit: { reason: 'StartError' } });
    expect(res.kind === 'failed' && res.exit.message).toMatch(/"true".*missing/);
  });

  it('fails an empty command with StartError', async () => {
    const res = await driver.start(spec([]));
    expect(res).toMatchObject({ kind: 'failed', exit: { reason: 'StartError' } });
  });

  it('refuses pods with an image (ImageNotSupported)', async () => {
    const res = await driver.start(spec(['true'], { image: 'localhost/busybox:test' }));
    expect(res).toMatchObject({ kind: 'failed', exit: { phase: 'POD_PHASE_FAILED', reason: 'ImageNotSupported' } });
    expect(res.kind === 'failed' && res.exit.message).toContain('localhost/busybox:test');
  });

  it('stop of a pod it does not run resolves undefined', async () => {
    expect(await driver.stop({ podId: 'x/y/0/0', generation: 1 }, 100, 'test')).toBeUndefined();
  });
});
