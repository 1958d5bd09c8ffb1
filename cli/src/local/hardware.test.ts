import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { expandHardware, resolveHardwareFiles } from './hardware.js';

describe('expandHardware', () => {
  it('gives every agent discovery when no file is given', () => {
    expect(expandHardware([], 3)).toEqual([undefined, undefined, undefined]);
  });
  it('gives every agent the one file given once', () => {
    expect(expandHardware(['h100.json'], 3)).toEqual(['h100.json', 'h100.json', 'h100.json']);
  });
  it('assigns N files to N agents in order', () => {
    expect(expandHardware(['a.json', 'b.json', 'c.json'], 3)).toEqual(['a.json', 'b.json', 'c.json']);
  });
  it('lets agents beyond a shorter list discover', () => {
    expect(expandHardware(['a.json', 'b.json'], 3)).toEqual(['a.json', 'b.json', undefined]);
  });
  it('rejects more files than agents', () => {
    expect(() => expandHardware(['a.json', 'b.json', 'c.json'], 2)).toThrow(UsageError);
    expect(() => expandHardware(['a.json', 'b.json'], 1)).toThrow(/given 2 times but there is 1 agent/);
  });
});

describe('resolveHardwareFiles', () => {
  it('makes paths absolute and rejects missing files', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'muster-hw-'));
    try {
      writeFileSync(path.join(dir, 'a.json'), '{}');
      expect(resolveHardwareFiles(['a.json'], dir)).toEqual([path.join(dir, 'a.json')]);
      expect(() => resolveHardwareFiles(['missing.json'], dir)).toThrow(UsageError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
