/**
 * The recorded machines of deploy/hardware/: `muster-agent discover --json`
 * run against each machine's recorded nvidia-smi and /sys + /proc tree gives
 * exactly the committed inventory (so tests, the demo and benchmarks use what
 * discovery really produces), each inventory loads as a --hardware file, and
 * each shows the facts of its captures.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { NodeInventory } from '../../shared/src/proto/types.js';
import { discoverCommandOutput } from './discover-command.js';
import { loadHardwareFile } from './inventory.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const HARDWARE = 'deploy/hardware';
const machines = readdirSync(path.join(repo, HARDWARE, 'machines'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

/** discover runs the discover command the way generate.sh does (paths relative to the repository). */
async function discover(machine: string): Promise<NodeInventory> {
  const rel = `${HARDWARE}/machines/${machine}`;
  const cwd = process.cwd();
  process.chdir(repo);
  try {
    const out = await discoverCommandOutput({ hardwareFile: '', nvidiaSmi: `${rel}/nvidia-smi`, sysfsRoot: rel, json: true });
    const inv = JSON.parse(out) as NodeInventory;
    for (const c of inv.conditions) c.lastTransitionMs = 0;
    return inv;
  } finally {
    process.chdir(cwd);
  }
}

function committed(machine: string): NodeInventory {
  const inv = JSON.parse(readFileSync(path.join(repo, HARDWARE, `${machine}.json`), 'utf8')) as NodeInventory;
  for (const c of inv.conditions) c.lastTransitionMs = 0;
  return inv;
}

it('has the five recorded machines the docs name', () => {
  expect(machines).toEqual(['a100-sxm-8gpu', 'cpu-only', 'h100-mig', 'h100-sxm-8gpu', 'rtx4090-pcie-8gpu']);
});

describe.each(machines)('%s', (machine) => {
  it('is what discover --json prints for the recorded machine (run deploy/hardware/generate.sh after changing discovery)', async () => {
    // JSON round trip: int64 fields are strings in the file, numbers in memory.
    expect(JSON.parse(JSON.stringify(await discover(machine)))).toEqual(JSON.parse(JSON.stringify(committed(machine))));
  });

  it('loads as a --hardware file', async () => {
    const inv = await loadHardwareFile(path.join(repo, HARDWARE, `${machine}.json`));
    expect(inv.gpus.length).toBe(committed(machine).gpus.length);
    expect(inv.source).toContain(`${machine}.json`);
  });
});

describe('what each recorded machine shows', () => {
  it('h100-sxm-8gpu: 8 H100s all joined by NV18 (NVSwitch), 4 per NUMA node, 8 active 400G InfiniBand HCAs', async () => {
    const inv = committed('h100-sxm-8gpu');
    expect(inv.gpus.map((g) => g.model)).toEqual(Array(8).fill('NVIDIA H100 80GB HBM3'));
    expect(inv.gpus[0]).toMatchObject({ uuid: 'GPU-566e6f65-c38e-b12f-4824-6944218668b9', pciBusId: '00000000:53:00.0', memoryBytes: 81559 * 2 ** 20 });
    expect(inv.gpus.every((g) => g.links.length === 7 && g.links.every((l) => l.kind === 'NV' && l.nvlinks === 18))).toBe(true);
    expect(inv.gpus.map((g) => g.numaNode)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(inv.numaNodes.map((n) => n.cpus)).toEqual(['0-51,104-155', '52-103,156-207']);
    const ib = inv.nics.filter((n) => n.rdmaPorts.some((p) => p.linkLayer === 'InfiniBand' && p.state === 'ACTIVE' && p.rateGbps === 400));
    expect(ib).toHaveLength(8);
    expect(inv.capacity).toMatchObject({ gpus: 8, cpuMillis: 208_000 });
  });

  it('a100-sxm-8gpu: 8 A100-SXM4-40GB joined by NV12, each GPU pair sharing 4 closest NICs', () => {
    const inv = committed('a100-sxm-8gpu');
    expect(inv.driverVersion).toBe('535.129.03');
    expect(inv.gpus.map((g) => g.pciBusId)).toEqual(['2F', '35', '62', '67', '9F', 'A5', 'C8', 'CD'].map((b) => `00000000:${b}:00.0`));
    expect(inv.gpus.every((g) => g.memoryBytes === 40960 * 2 ** 20 && g.links.every((l) => l.nvlinks === 12))).toBe(true);
    expect(inv.gpus[0]!.closestNics).toEqual(['mlx5_2', 'mlx5_3', 'mlx5_4', 'mlx5_5']);
    expect(inv.gpus[7]!.closestNics).toEqual(['mlx5_14', 'mlx5_15', 'mlx5_16', 'mlx5_17']);
  });

  it('rtx4090-pcie-8gpu: 8 PCIe GPUs, no NVLink, split over 2 NUMA nodes', () => {
    const inv = committed('rtx4090-pcie-8gpu');
    expect(inv.gpus.every((g) => g.model === 'NVIDIA GeForce RTX 4090' && g.links.every((l) => l.kind === 'SYS'))).toBe(true);
    expect(inv.gpus.map((g) => g.numaNode)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
  });

  it('h100-mig: one H100 in MIG mode with its 4 MIG devices', () => {
    const inv = committed('h100-mig');
    expect(inv.gpus).toHaveLength(1);
    expect(inv.gpus[0]!.migEnabled).toBe(true);
    expect(inv.gpus[0]!.migDevices).toHaveLength(4);
  });

  it('cpu-only: no nvidia-smi, a condition that says so, 2 NUMA nodes and one InfiniBand port from the real sysfs snapshot', () => {
    const inv = committed('cpu-only');
    expect(inv.gpus).toEqual([]);
    expect(inv.conditions).toEqual([expect.objectContaining({ type: 'GpuDiscovery', status: 'False', reason: 'NvidiaSmiNotFound' })]);
    expect(inv.numaNodes.map((n) => n.cpus)).toEqual(['0-7', '8-15']);
    expect(inv.nics.find((n) => n.name === 'ib0')).toMatchObject({ rdmaDevice: 'mlx4_0', numaNode: 1 });
    expect(inv.capacity).toMatchObject({ cpuMillis: 16_000, gpus: 0, rdma: 1 });
  });
});
