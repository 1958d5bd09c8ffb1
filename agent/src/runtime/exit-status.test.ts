import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearExitFile, decodeShellStatus, EXIT_CODE_FILE, exitFileOf, readExitFile, shimArgv } from './exit-status.js';
import { GroupWatch, killGroup } from './proc.js';
import { waitFor } from '../testdata/wait.js';


let dir: string;
const groups: number[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'muster-exit-status-'));
});

afterEach(() => {
  for (const pgid of groups.splice(0)) killGroup(pgid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('decodeShellStatus', () => {
  it('reads 0 and ordinary exit codes as exit codes, with no signal', () => {
    expect(decodeShellStatus(0)).toEqual({ status: 0, signal: '' });
    expect(decodeShellStatus(3)).toEqual({ status: 3, signal: '' });
    expect(decodeShellStatus(127)).toEqual({ status: 127, signal: '' });
    // 128 + 0: no signal 0.
    expect(decodeShellStatus(128)).toEqual({ status: 128, signal: '' });
  });

  it('reads 128 + N as killed by signal N', () => {
    expect(decodeShellStatus(137)).toEqual({ status: 137, signal: 'SIGKILL' });
    expect(decodeShellStatus(143)).toEqual({ status: 143, signal: 'SIGTERM' });
    expect(decodeShellStatus(129)).toEqual({ status: 129, signal: 'SIGHUP' });
    expect(decodeShellStatus(134)).toEqual({ status: 134, signal: 'SIGABRT' });
  });

  it('keeps 255 (no signal 127) as an exit code', () => {
    expect(decodeShellStatus(255)).toEqual({ status: 255, signal: '' });
  });

  it('refuses what is not a shell status', () => {
    for (const bad of [-1, 256, 1000, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(decodeShellStatus(bad), String(bad)).toBeUndefined();
  });
});

describe('readExitFile', () => {
  const write = (text: string): string => {
    const f = path.join(dir, EXIT_CODE_FILE);
    writeFileSync(f, text);
    return f;
  };

  it('reads the status the shim writes (digits and a newline), and digits alone', () => {
    expect(readExitFile(write('0\n'))).toEqual({ status: 0, signal: '' });
    expect(readExitFile(write('12\n'))).toEqual({ status: 12, signal: '' });
    expect(readExitFile(write('12'))).toEqual({ status: 12, signal: '' });
    expect(readExitFile(write('137\n'))).toEqual({ status: 137, signal: 'SIGKILL' });
    expect(readExitFile(write('143\n'))).toEqual({ status: 143, signal: 'SIGTERM' });
    expect(readExitFile(write('255\n'))).toEqual({ status: 255, signal: '' });
  });

  it('is undefined for a missing file', () => {
    expect(readExitFile(path.join(dir, 'missing', EXIT_CODE_FILE))).toBeUndefined();
    expect(readExitFile(path.join(dir, EXIT_CODE_FILE))).toBeUndefined();
  });

  it('is undefined for a file that does not hold one status 0–255', () => {
    for (const text of ['', '\n', 'abc\n', '-1\n', '256\n', '1234\n', ' 12\n', '12 \n', '12\n\n', '1\n2\n', '0x10\n', '1e2\n', '3.0\n'])
      expect(readExitFile(write(text)), JSON.stringify(text)).toBeUndefined();
  });
});

describe('exit status file helpers', () => {
  it('exitFileOf names exit-code in the pod directory; clearExitFile removes it and a half-written one', () => {
    const podDir = path.join(dir, 'pod');
    expect(exitFileOf(podDir)).toBe(path.join(podDir, 'exit-code'));
    const f = exitFileOf(dir);
    writeFileSync(f, '3\n');
    writeFileSync(f + '.tmp', '4');
    clearExitFile(f);
    expect(readdirSync(dir)).toEqual([]);
    // Nothing to remove is fine.
    expect(() => clearExitFile(f)).not.toThrow();
  });

  it('shimArgv runs the shim with the exit file and the command as its arguments', () => {
    const argv = shimArgv('/bin/sh', '/x/exit-code', ['prog', 'a b', '$HOME']);
    expect(argv[0]).toBe('/bin/sh');
    expect(argv[1]).toBe('-c');
    expect(argv.slice(3)).toEqual(['muster-pod', '/x/exit-code', 'prog', 'a b', '$HOME']);
  });
});

/** runShim starts the shim over argv as a process group leader (as the process driver does); resolves how the shim ended. */
async function runShim(argv: string[]): Promise<{ pid: number; exitFile: string; ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }> }> {
  const exitFile = exitFileOf(dir);
  const [file, ...args] = shimArgv('/bin/sh', exitFile, argv);
  const child = spawn(file!, args, { detached: true, stdio: 'ignore', cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  groups.push(child.pid!);
  return { pid: child.pid!, exitFile, ended };
}

describe('EXIT_SHIM (real /bin/sh)', () => {
  it('records 0 for a command that succeeds, and exits 0', async () => {
    const { exitFile, ended } = await runShim(['true']);
    expect(await ended).toEqual({ code: 0, signal: null });
    expect(readFileSync(exitFile, 'utf8')).toBe('0\n');
    expect(readExitFile(exitFile)).toEqual({ status: 0, signal: '' });
    expect(existsSync(exitFile + '.tmp')).toBe(false);
  });

  it('records the command\'s exit code and exits with it; passes arguments through untouched', async () => {
    const { exitFile, ended } = await runShim(['sh', '-c', 'printf "%s|" "$@" > args; exit 7', 'cmd', 'a b', '$HOME', '*']);
    expect(await ended).toEqual({ code: 7, signal: null });
    expect(readFileSync(exitFile, 'utf8')).toBe('7\n');
    expect(readFileSync(path.join(dir, 'args'), 'utf8')).toBe('a b|$HOME|*|');
  });

  it('ends with its command on SIGTERM to the whole group and records nothing (the agent that sent it reports the stop)', async () => {
    const ready = path.join(dir, 'ready');
    const { pid, exitFile, ended } = await runShim(['sh', '-c', `echo > ${ready}; exec sleep 30`]);
    await waitFor('the command', () => existsSync(ready));
    expect(killGroup(pid, 'SIGTERM')).toBe(true);
    expect(await ended).toEqual({ code: null, signal: 'SIGTERM' });
    expect(readExitFile(exitFile)).toBeUndefined();
  });

  it('a SIGTERM that arrives before the command has started is not lost: the group ends at once', async () => {
    // No trap in the shim: the signal ends it before it could start a command that would never learn of the stop.
    for (let i = 0; i < 20; i++) {
      const { pid, ended } = await runShim(['sleep', '30']);
      killGroup(pid, 'SIGTERM');
      expect((await ended).signal).toBe('SIGTERM');
      // Dead members may linger as zombies until init reaps them (seconds, on some hosts): no live member is what counts.
      const group = new GroupWatch(pid);
      await waitFor('no live process left in the group', () => !group.alive());
    }
  });

  it('records nothing when the group is SIGKILLed (the shim dies too)', async () => {
    const ready = path.join(dir, 'ready');
    const { pid, exitFile, ended } = await runShim(['sh', '-c', `echo > ${ready}; exec sleep 30`]);
    await waitFor('the command', () => existsSync(ready));
    killGroup(pid, 'SIGKILL');
    expect(await ended).toEqual({ code: null, signal: 'SIGKILL' });
    expect(existsSync(exitFile)).toBe(false);
    expect(readExitFile(exitFile)).toBeUndefined();
  });
});
