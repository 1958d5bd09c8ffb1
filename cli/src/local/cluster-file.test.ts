import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterFilePath, liveProcesses, readClusterRecord, removeClusterRecord, stopGroups, writeClusterRecord, type ClusterRecord } from './cluster-file.js';
import { commandLineOf } from './processes.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'muster-rec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function record(): ClusterRecord {
  return {
    version: 1,
    dir,
    startedMs: 1,
    detached: true,
    natsUrl: 'nats://127.0.0.1:4222',
    schedulerAddress: '127.0.0.1:7070',
    processes: [
      { name: 'nats-server', role: 'nats', pid: 2 ** 22 + 1, command: ['nats-server'], log: 'a' },
      { name: 'scheduler', role: 'scheduler', pid: 2 ** 22 + 2, command: ['node', 's'], log: 'b' },
      { name: 'local-1', role: 'agent', pid: 2 ** 22 + 3, command: ['node', 'a'], log: 'c' },
      { name: 'local-2', role: 'agent', pid: 2 ** 22 + 4, command: ['node', 'a'], log: 'd' },
    ],
  };
}

describe('cluster.json', () => {
  it('round-trips and is removed', () => {
    expect(readClusterRecord(dir)).toBeUndefined();
    writeClusterRecord(dir, record());
    expect(readClusterRecord(dir)).toEqual(record());
    removeClusterRecord(dir);
    expect(readClusterRecord(dir)).toBeUndefined();
  });

  it('refuses a file that is not a record', () => {
    mkdirSync(path.dirname(clusterFilePath(dir)), { recursive: true });
    writeFileSync(clusterFilePath(dir), '{"hello":1}');
    expect(() => readClusterRecord(dir)).toThrow(/not a cluster record/);
    removeClusterRecord(dir);
  });

  it('stops agents first, then the scheduler, then nats', () => {
    expect(stopGroups(record().processes).map((g) => g.map((p) => p.name))).toEqual([['local-1', 'local-2'], ['scheduler'], ['nats-server']]);
  });

  it('counts only processes that still run their recorded command as live', () => {
    const rec = record();
    expect(liveProcesses(rec)).toEqual([]);
    const me = commandLineOf(process.pid);
    if (me) {
      rec.processes.push({ name: 'me', role: 'agent', pid: process.pid, command: me, log: '' });
      expect(liveProcesses(rec).map((p) => p.name)).toEqual(['me']);
    }
  });
});
