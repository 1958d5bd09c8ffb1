import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../util/poll.js';
import { commandLineOf, isAlive, isSameProcess, spawnManaged, stopPid, tailFile } from './processes.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'muster-proc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A node child that logs `ready` once its handlers are installed. */
function script(ignoreTerm: boolean): string {
  return `${ignoreTerm ? "process.on('SIGTERM', () => console.log('ignoring SIGTERM'));" : ''} console.log('ready'); setInterval(() => {}, 1000);`;
}

async function ready(logFile: string): Promise<void> {
  await waitFor(() => {
    try {
      return readFileSync(logFile, 'utf8').includes('ready\n');
    } catch {
      return false;
    }
  }, { timeoutMs: 10_000, what: `${logFile} to say ready` });
}

describe('spawnManaged', () => {
  it('writes output to the log file and stops with SIGTERM', async () => {
    const log = path.join(dir, 'logs', 'term.log');
    const p = await spawnManaged({ name: 'term', command: process.execPath, args: ['-e', script(false)], logFile: log });
    await ready(log);
    expect(p.running()).toBe(true);
    expect(isAlive(p.pid)).toBe(true);
    const info = await p.stop(10_000);
    expect(info.signal).toBe('SIGTERM');
    expect(p.running()).toBe(false);
    expect(isAlive(p.pid)).toBe(false);
    expect(tailFile(log)).toContain('starting term');
  });

  it('escalates to SIGKILL when the grace period passes', async () => {
    const log = path.join(dir, 'logs', 'stubborn.log');
    const p = await spawnManaged({ name: 'stubborn', command: process.execPath, args: ['-e', script(true)], logFile: log, newSession: true });
    await ready(log);
    const info = await p.stop(100);
    expect(info.signal).toBe('SIGKILL');
    expect(await p.exited).toEqual(info);
  });

  it('rejects when the executable does not exist', async () => {
    await expect(spawnManaged({ name: 'ghost', command: path.join(dir, 'nope'), args: [], logFile: path.join(dir, 'logs', 'ghost.log') })).rejects.toThrow(
      /cannot start ghost/,
    );
  });
});

describe('stopPid / isSameProcess', () => {
  it('stops a process it did not keep a handle to and recognises it by its command line', async () => {
    const log = path.join(dir, 'logs', 'detached.log');
    const p = await spawnManaged({ name: 'detached', command: process.execPath, args: ['-e', script(false)], logFile: log, newSession: true });
    await ready(log);
    expect(isSameProcess(p.pid, p.command)).toBe(true);
    expect(isSameProcess(p.pid, [process.execPath, 'something-else'])).toBe(false);
    expect(await stopPid(p.pid, 10_000)).not.toBe('gone');
    await p.exited;
    expect(isAlive(p.pid)).toBe(false);
    expect(await stopPid(p.pid, 10_000)).toBe('gone');
  });

  it('reads its own command line', () => {
    const argv = commandLineOf(process.pid);
    if (argv !== undefined) expect(isSameProcess(process.pid, argv)).toBe(true);
  });

  it('says a non-existent pid is not alive', () => {
    expect(isAlive(0)).toBe(false);
    expect(isAlive(-1)).toBe(false);
    expect(isAlive(2 ** 22 + 12345)).toBe(false);
  });
});

describe('tailFile', () => {
  it('returns the last lines, or empty for a missing file', () => {
    expect(tailFile(path.join(dir, 'missing.log'))).toBe('');
  });
});
