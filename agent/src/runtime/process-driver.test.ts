import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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
  const gen = nextGen++;
  return {
    podId: 'js/rj/0/0',
    jobsetUid: '0123abcd-0000',
    generation: gen,
    image: '',
    command,
    args: [],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    workingDir: dir,
    podDir: path.join(dir, 'pods', `g${gen}`),
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
    expect(driver.list()).toEqual([{ podId: s.podId, jobsetUid: s.jobsetUid, generation: s.generation, pid: res.pid, startedMs: res.startedMs }]);
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
    // The leader dies of TERM at once; the child is killed when the grace period runs out.
    await driver.stop(s, 300, 'test');
    expect(isAlive(child)).toBe(false);
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

  it('with imagePolicy host, runs the command of a pod that names an image on the host', async () => {
    const host = new ProcessDriver({ logger: nullLogger, imagePolicy: 'host' });
    const res = await host.start(spec(['sh', '-c', 'echo on-host'], { image: 'bash:latest' }));
    expect(res.kind).toBe('running');
    if (res.kind !== 'running') return;
    expect(await res.exited).toMatchObject({ phase: 'POD_PHASE_SUCCEEDED', exitCode: 0 });
    expect(readFileSync(spec([]).stdoutPath, 'utf8')).toContain('on-host');
  });

  it('with imagePolicy host, a pod with an image but no command fails with StartError (the entrypoint is unknown)', async () => {
    const host = new ProcessDriver({ logger: nullLogger, imagePolicy: 'host' });
    const res = await host.start(spec([], { image: 'bash:latest' }));
    expect(res).toMatchObject({ kind: 'failed', exit: { reason: 'StartError' } });
    expect(res.kind === 'failed' && res.exit.message).toContain('entrypoint');
  });

  it('stop of a pod it does not run resolves undefined', async () => {
    expect(await driver.stop({ podId: 'x/y/0/0', jobsetUid: '0123abcd', generation: 1 }, 100, 'test')).toBeUndefined();
  });

  it('tells incarnations of one podId apart by JobSet uid: stopping one leaves the other running', async () => {
    const old = spec(['sleep', '30']);
    const other = { ...old, jobsetUid: '4567cdef-0000', stdoutPath: path.join(dir, 'other.log') };
    const a = await startRunning(old);
    const b = await startRunning(other);
    expect(driver.list().map((p) => p.jobsetUid).sort()).toEqual(['0123abcd-0000', '4567cdef-0000']);
    await driver.stop(old, 5000, 'test');
    expect(isAlive(a.pid)).toBe(false);
    expect(isAlive(b.pid)).toBe(true);
    expect(driver.list()).toEqual([expect.objectContaining({ jobsetUid: '4567cdef-0000', pid: b.pid })]);
    await driver.stop(other, 5000, 'test');
  });

  describe('stopping a pod whose first process exits before the rest of its group', () => {
    // The leader (a wrapper shell) dies of SIGTERM at once; its child traps
    // TERM and needs a while to finish (a checkpoint) before it exits.
    const script = (childPidFile: string, onTerm: string) =>
      `(trap '${onTerm}' TERM; sh -c 'echo $PPID' > ${childPidFile}; echo ready; while :; do sleep 0.1; done) & wait`;

    it('lets the rest of the group finish within the grace period, and reports the pod exited only once it has', async () => {
      const childPidFile = path.join(dir, 'child.pid');
      const s = spec(['sh', '-c', script(childPidFile, 'echo child got TERM; sleep 0.5; echo child done; exit 0')]);
      const res = await startRunning(s);
      await waitFor('ready', () => readIf(s.stdoutPath).includes('ready') && readIf(childPidFile).trim() !== '');
      const child = Number(readIf(childPidFile).trim());
      started.push(child);
      const exit = await driver.stop(s, 10_000, 'no longer desired');
      // The exit came after the child's last line, not when the leader died.
      expect(readIf(s.stdoutPath)).toContain('child got TERM\nchild done\n');
      expect(exit).toMatchObject({ phase: 'POD_PHASE_FAILED', reason: 'Stopped', signal: 'SIGTERM', exitCode: 143 });
      expect(exit?.message).not.toContain('SIGKILL');
      expect(isAlive(res.pid)).toBe(false);
      expect(isAlive(child)).toBe(false);
      expect(driver.list()).toEqual([]);
    });

    it('kills the rest of the group when the grace period runs out, and says so', async () => {
      const childPidFile = path.join(dir, 'stubborn.pid');
      const s = spec(['sh', '-c', script(childPidFile, 'echo child ignores TERM')]);
      const res = await startRunning(s);
      await waitFor('ready', () => readIf(s.stdoutPath).includes('ready') && readIf(childPidFile).trim() !== '');
      const child = Number(readIf(childPidFile).trim());
      started.push(child);
      const exit = await driver.stop(s, 300, 'test');
      expect(readIf(s.stdoutPath)).toContain('child ignores TERM');
      // Part of the pod had to be SIGKILLed: that is how the pod ended (its exit-status shim died with the TERM, recording nothing).
      expect(exit).toMatchObject({ phase: 'POD_PHASE_FAILED', reason: 'Stopped', signal: 'SIGKILL', exitCode: 137 });
      expect(exit?.message).toContain('the rest of its process group was killed (SIGKILL)');
      expect(isAlive(child)).toBe(false);
      expect(isAlive(res.pid)).toBe(false);
    });

    it('a second stop without grace kills the waiting group at once', async () => {
      const childPidFile = path.join(dir, 'second.pid');
      const s = spec(['sh', '-c', script(childPidFile, 'echo child ignores TERM')]);
      await startRunning(s);
      await waitFor('ready', () => readIf(s.stdoutPath).includes('ready') && readIf(childPidFile).trim() !== '');
      const child = Number(readIf(childPidFile).trim());
      started.push(child);
      const first = driver.stop(s, 60_000, 'test');
      await waitFor('the child to get TERM', () => readIf(s.stdoutPath).includes('child ignores TERM'));
      const second = await driver.stop(s, 0, 'shutting down');
      expect(second).toEqual(await first);
      expect(isAlive(child)).toBe(false);
    });
  });

  it('records each running process group under recordsDir, and removes the record once the pod has exited', async () => {
    const recordsDir = path.join(dir, 'running');
    const recording = new ProcessDriver({ logger: nullLogger, recordsDir });
    const s = spec(['sh', '-c', 'echo ready; sleep 30'], { stdoutPath: path.join(dir, 'rec.log') });
    const res = await recording.start(s);
    if (res.kind !== 'running') throw new Error('not running');
    started.push(res.pid);
    const file = path.join(recordsDir, `${res.pid}.json`);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      pgid: res.pid,
      podId: s.podId,
      jobsetUid: s.jobsetUid,
      generation: s.generation,
      startedMs: res.startedMs,
      command: ['sh', '-c', 'echo ready; sleep 30'],
      procStartTime: expect.stringMatching(/^\d+$/),
    });
    await recording.stop(s, 5000, 'test');
    expect(readdirSync(recordsDir)).toEqual([]);

    // A pod that ends by itself loses its record too.
    const t = spec(['true']);
    const done = await recording.start(t);
    if (done.kind !== 'running') throw new Error('not running');
    await done.exited;
    expect(readdirSync(recordsDir)).toEqual([]);
  });
});
