import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../shared/src/errors.js';
import { decodeObject } from '../../shared/src/proto/json-codec.js';
import { deriveCapacity, inventoryFromFacts, loadHardwareFile, parseHardwareText, readSystemFacts, type SystemFacts } from './inventory.js';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata', 'hardware-dgx-h100.json');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'muster-inventory-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function hardwareFile(name: string, content: unknown): string {
  const file = path.join(tmp, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidArgumentError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  throw new Error('expected an InvalidArgumentError');
}

describe('recorded inventory (--hardware FILE)', () => {
  it('accepts the DGX H100 fixture and derives capacity and allocatable from its counts', async () => {
    const inv = await loadHardwareFile(FIXTURE);
    expect(inv.hostname).toBe('dgx-h100-01');
    expect(inv.gpus).toHaveLength(8);
    expect(inv.capacity).toEqual({ cpuMillis: 224_000, memoryBytes: 2164203290624, gpus: 8, rdma: 0 });
    expect(inv.allocatable).toEqual(inv.capacity);
    expect(inv.source).toBe(FIXTURE);
  });

  it('counts only healthy GPUs and falls back to cores when threads are absent', () => {
    const inv = parseHardwareText(
      JSON.stringify({ cores: 16, memoryBytes: '68719476736', gpus: [{ index: 0, healthy: true }, { index: 1, healthy: false }] }),
      'h.json',
    );
    expect(inv.capacity).toEqual({ cpuMillis: 16_000, memoryBytes: 68719476736, gpus: 1, rdma: 0 });
  });

  it('keeps a capacity and allocatable given in the file', () => {
    const inv = parseHardwareText(
      JSON.stringify({ cores: 4, memoryBytes: 1000, capacity: { cpuMillis: 3500, memoryBytes: 900 }, allocatable: { cpuMillis: 3000 } }),
      'h.json',
    );
    expect(inv.capacity).toEqual({ cpuMillis: 3500, memoryBytes: 900, gpus: 0, rdma: 0 });
    expect(inv.allocatable).toEqual({ cpuMillis: 3000, memoryBytes: 0, gpus: 0, rdma: 0 });
  });

  it('the source is always the file, whatever the file says', () => {
    expect(parseHardwareText(JSON.stringify({ cores: 1, memoryBytes: 1, source: 'discovered' }), '/x/h.json').source).toBe('/x/h.json');
  });

  it('rejects a field of the wrong type, naming its path', async () => {
    const file = hardwareFile('bad-cores.json', { cores: 'x', memoryBytes: 1 });
    await expect(loadHardwareFile(file)).rejects.toThrow(`hardware file ${file}: cores: must be an integer`);
  });

  it('rejects unknown and nested bad fields with their paths, all at once', () => {
    const text = JSON.stringify({ cores: 2, memoryBytes: 1, gpu: [], gpus: [{ index: 0, healthy: 'yes' }] });
    expect(issuesOf(() => parseHardwareText(text, 'h.json'))).toEqual([
      expect.stringMatching(/^gpu: unknown field/),
      'gpus[0].healthy: must be true or false',
    ]);
  });

  it('rejects a file without the counts needed to derive capacity', () => {
    expect(issuesOf(() => parseHardwareText('{}', 'h.json'))).toEqual([
      'threads: threads or cores must be positive when capacity is not given',
      'memoryBytes: must be positive when capacity is not given',
    ]);
  });

  it('rejects text that is not JSON and a file that cannot be read', async () => {
    expect(() => parseHardwareText('{nope', 'h.json')).toThrow(/not valid JSON/);
    await expect(loadHardwareFile(path.join(tmp, 'missing.json'))).rejects.toThrow(/missing\.json: cannot read/);
  });
});

describe('discovered inventory', () => {
  const facts: SystemFacts = {
    cpu: { manufacturer: 'AMD', brand: 'EPYC 9654', physicalCores: 192, cores: 384, processors: 2 },
    memTotal: 1_649_267_441_664,
    os: { distro: 'Ubuntu', release: '24.04', kernel: '6.8.0-45-generic', hostname: 'gpu-01' },
  };

  it('maps systeminformation facts onto NodeInventory with capacity = allocatable', () => {
    expect(inventoryFromFacts(facts)).toMatchObject({
      hostname: 'gpu-01',
      cpuModel: 'AMD EPYC 9654',
      sockets: 2,
      cores: 192,
      threads: 384,
      memoryBytes: 1_649_267_441_664,
      gpus: [],
      os: 'Ubuntu 24.04',
      kernel: '6.8.0-45-generic',
      capacity: { cpuMillis: 384_000, memoryBytes: 1_649_267_441_664, gpus: 0, rdma: 0 },
      allocatable: { cpuMillis: 384_000, memoryBytes: 1_649_267_441_664, gpus: 0, rdma: 0 },
      source: 'discovered',
    });
  });

  it('discovers this host as a valid NodeInventory', async () => {
    const inv = inventoryFromFacts(await readSystemFacts());
    expect(inv.threads).toBeGreaterThan(0);
    expect(inv.memoryBytes).toBeGreaterThan(0);
    expect(inv.capacity).toEqual(deriveCapacity(inv));
    expect(decodeObject('muster.v1.NodeInventory', JSON.parse(JSON.stringify(inv)), { rejectUnknown: true }).ok).toBe(true);
  });
});
