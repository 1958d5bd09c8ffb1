import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADDRESS_FILE_NAME, DEFAULT_LOCAL_DIR, DEFAULT_SCHEDULER_ADDRESS, resolveSchedulerAddress } from './address.js';
import { UsageError } from './errors.js';

describe('resolveSchedulerAddress', () => {
  let cwd: string;
  beforeEach(() => {
    cwd = mkdtempSync(path.join(os.tmpdir(), 'muster-addr-'));
  });
  afterEach(() => {
    rmSync(cwd, { recursive: true, force: true });
  });
  const writeLocal = (content: string): void => {
    mkdirSync(path.join(cwd, DEFAULT_LOCAL_DIR), { recursive: true });
    writeFileSync(path.join(cwd, DEFAULT_LOCAL_DIR, ADDRESS_FILE_NAME), content);
  };

  it('uses the default when nothing else is set', () => {
    expect(resolveSchedulerAddress({ env: {}, cwd })).toEqual({ address: DEFAULT_SCHEDULER_ADDRESS, source: 'default' });
  });

  it('uses ./.muster/local/scheduler.addr over the default', () => {
    writeLocal('127.0.0.1:40111\n');
    expect(resolveSchedulerAddress({ env: {}, cwd })).toEqual({ address: '127.0.0.1:40111', source: 'file' });
  });

  it('uses MUSTER_SCHEDULER over the local file', () => {
    writeLocal('127.0.0.1:40111\n');
    expect(resolveSchedulerAddress({ env: { MUSTER_SCHEDULER: 'sched:7070' }, cwd })).toEqual({ address: 'sched:7070', source: 'env' });
  });

  it('uses --scheduler over everything', () => {
    writeLocal('127.0.0.1:40111\n');
    expect(resolveSchedulerAddress({ flag: 'flag-host:9000', env: { MUSTER_SCHEDULER: 'sched:7070' }, cwd })).toEqual({
      address: 'flag-host:9000',
      source: 'flag',
    });
  });

  it('ignores an empty or malformed local file and an empty variable', () => {
    writeLocal('');
    expect(resolveSchedulerAddress({ env: { MUSTER_SCHEDULER: '' }, cwd }).source).toBe('default');
    writeLocal('garbage');
    expect(resolveSchedulerAddress({ env: {}, cwd }).source).toBe('default');
  });

  it('rejects a malformed flag or variable as a usage error', () => {
    expect(() => resolveSchedulerAddress({ flag: 'no-port', env: {}, cwd })).toThrow(UsageError);
    expect(() => resolveSchedulerAddress({ env: { MUSTER_SCHEDULER: 'no-port' }, cwd })).toThrow(UsageError);
  });
});
