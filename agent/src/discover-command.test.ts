import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { execFileRunner } from './discovery/command-runner.js';
import { discoverCommandOutput, rediscoverFunction } from './discover-command.js';
import { loadHardwareFile, type SystemFacts } from './inventory.js';

const TESTDATA = path.join(path.dirname(fileURLToPath(import.meta.url)), 'discovery', 'testdata');
const XML = path.join(TESTDATA, 'nvidia-smi-xml', 'datakit__gtx-8card_8x-tesla-v100s.xml');
const TOPO = path.join(TESTDATA, 'topo', 'xuesongtap__8x-a100-nvlink-17nic.txt');
const FACTS: SystemFacts = {
  cpu: { manufacturer: 'Intel', brand: 'Xeon', physicalCores: 4, cores: 8, processors: 1 },
  memTotal: 17179869184,
  os: { distro: 'Ubuntu', release: '22.04', kernel: '6.5.0', hostname: 'recorded-host' },
};

const tmp = mkdtempSync(path.join(os.tmpdir(), 'muster-discover-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A fake nvidia-smi: a real script printing the fixtures. */
function script(name: string, body: string): string {
  const file = path.join(tmp, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

const SMI = script(
  'nvidia-smi',
  `case "$1" in
  -q) cat '${XML}' ;;
  topo) cat '${TOPO}' ;;
  *) echo "unknown option $1" >&2; exit 2 ;;
esac`,
);

/** A small sys tree: one NUMA node and one PCI NIC. */
function sysTree(): string {
  const root = path.join(tmp, 'root');
  const node = path.join(root, 'sys/devices/system/node/node0');
  mkdirSync(node, { recursive: true });
  writeFileSync(path.join(node, 'cpulist'), '0-7\n');
  writeFileSync(path.join(node, 'meminfo'), 'Node 0 MemTotal:       16777216 kB\n');
  writeFileSync(path.join(node, 'distance'), '10\n');
  const pci = path.join(root, 'sys/devices/pci0000:00/0000:03:00.0');
  mkdirSync(pci, { recursive: true });
  writeFileSync(path.join(pci, 'numa_node'), '0\n');
  const net = path.join(root, 'sys/class/net/eth0');
  mkdirSync(net, { recursive: true });
  symlinkSync('../../../devices/pci0000:00/0000:03:00.0', path.join(net, 'device'));
  writeFileSync(path.join(net, 'mtu'), '1500\n');
  writeFileSync(path.join(net, 'speed'), '10000\n');
  writeFileSync(path.join(net, 'operstate'), 'up\n');
  return root;
}

describe('muster-agent discover (handler, real processes)', () => {
  const root = sysTree();

  it('--json runs the fake nvidia-smi and its output is accepted by --hardware', async () => {
    const text = await discoverCommandOutput(
      { hardwareFile: '', nvidiaSmi: SMI, sysfsRoot: root, json: true },
      { runner: execFileRunner, facts: FACTS },
    );
    const inv = JSON.parse(text);
    expect(inv.gpus).toHaveLength(8);
    expect(inv.gpus[0].uuid).toBe('GPU-76098dc1-d3bc-9a1b-7ea6-f7b48837829e');
    expect(inv.gpus[0].closestNics).toEqual(['mlx5_2', 'mlx5_3', 'mlx5_4', 'mlx5_5']);
    expect(inv.numaNodes).toEqual([{ id: 0, cpus: '0-7', memoryBytes: 17179869184, distances: [10] }]);
    expect(inv.nics).toMatchObject([{ name: 'eth0', pciAddress: '0000:03:00.0', numaNode: 0, mtu: 1500, speedMbps: 10000 }]);

    const file = path.join(tmp, 'recorded.json');
    writeFileSync(file, text);
    const loaded = await loadHardwareFile(file);
    expect({ ...loaded, source: inv.source }).toEqual(inv);
    expect(loaded.source).toBe(file);
  });

  it('prints a table with GPUs, NVLink peers, NUMA nodes, NICs and conditions', async () => {
    const text = await discoverCommandOutput({ hardwareFile: '', nvidiaSmi: SMI, sysfsRoot: root }, { runner: execFileRunner, facts: FACTS });
    expect(text).toContain('Tesla V100S-PCIE-32GB');
    expect(text).toContain('1,2,3,4,5,6,7 (NV12)');
    expect(text).toContain('0-7');
    expect(text).toContain('eth0');
    expect(text).toMatch(/GpuDiscovery\s+True/);
    expect(text).toContain('gpu=8');
  });

  it('a missing nvidia-smi gives a CPU-only inventory with NvidiaSmiNotFound', async () => {
    const text = await discoverCommandOutput(
      { hardwareFile: '', nvidiaSmi: path.join(tmp, 'no-such-nvidia-smi'), sysfsRoot: root, json: true },
      { runner: execFileRunner, facts: FACTS },
    );
    const inv = JSON.parse(text);
    expect(inv.gpus).toEqual([]);
    expect(inv.conditions).toMatchObject([{ type: 'GpuDiscovery', status: 'False', reason: 'NvidiaSmiNotFound' }]);
    expect(inv.capacity.gpus).toBe(0);
  });

  it('a failing nvidia-smi (exit 9, driver text) gives NvidiaSmiFailed', async () => {
    const failing = script('nvidia-smi-failing', `echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running."\nexit 9`);
    const inv = JSON.parse(
      await discoverCommandOutput({ hardwareFile: '', nvidiaSmi: failing, sysfsRoot: root, json: true }, { runner: execFileRunner, facts: FACTS }),
    );
    expect(inv.gpus).toEqual([]);
    expect(inv.conditions[0]).toMatchObject({ status: 'False', reason: 'NvidiaSmiFailed' });
    expect(inv.conditions[0].message).toContain("couldn't communicate with the NVIDIA driver");
  });
});

describe('execFileRunner', () => {
  it('reports a missing binary as ENOENT without rejecting', async () => {
    const r = await execFileRunner(path.join(tmp, 'missing'), [], { timeoutMs: 5000 });
    expect(r).toMatchObject({ code: null, timedOut: false, error: { code: 'ENOENT' } });
  });

  it('reports the exit code and stderr', async () => {
    const r = await execFileRunner(script('exit3', 'echo out; echo err >&2; exit 3'), [], { timeoutMs: 5000 });
    expect(r).toMatchObject({ code: 3, stdout: 'out\n', stderr: 'err\n', timedOut: false });
  });

  it('kills a command that hangs and says it timed out', async () => {
    const r = await execFileRunner(script('hang', 'exec sleep 30'), [], { timeoutMs: 200 });
    expect(r.timedOut).toBe(true);
    expect(r.error).toBeUndefined();
  });
});

describe('rediscoverFunction', () => {
  it('is off with a recorded --hardware file or an interval of 0, on otherwise', () => {
    const src = { hardwareFile: '', nvidiaSmi: 'nvidia-smi', sysfsRoot: '/' };
    expect(rediscoverFunction({ ...src, hardwareFile: 'h.json', rediscoverIntervalMs: 60_000 })).toBeUndefined();
    expect(rediscoverFunction({ ...src, rediscoverIntervalMs: 0 })).toBeUndefined();
    expect(typeof rediscoverFunction({ ...src, rediscoverIntervalMs: 60_000 })).toBe('function');
  });
});
