import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { closestNics, linkBetween, linkScore, parseTopoMatrix, type TopoMatrix } from './topo-matrix.js';

const DIR = fileURLToPath(new URL('./testdata/topo/', import.meta.url));
const load = (f: string): string => readFileSync(DIR + f, 'utf8');

function ok(text: string): TopoMatrix {
  const r = parseTopoMatrix(text);
  if (!r.ok) throw new Error(r.error);
  return r;
}

/** Independent reading of a capture: rows as whitespace-split tokens, ANSI removed. */
function rawRows(text: string): Map<string, string[]> {
  const clean = text.replace(/\x1b\[[0-9;]*m/g, '');
  const rows = new Map<string, string[]>();
  for (const line of clean.split('\n')) {
    const m = /^(GPU\d+|NIC\d+)\s+(.*)$/.exec(line);
    if (m?.[1] && m[2] !== undefined) rows.set(m[1], m[2].trim().split(/\s+/));
  }
  return rows;
}

describe('parseTopoMatrix over every capture', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.txt'));
  it('has the captures', () => expect(files.length).toBe(10));
  for (const f of files) {
    it(f, () => {
      const text = load(f);
      const r = parseTopoMatrix(text);
      if (f.includes('windows')) {
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.error).toContain('ERROR: Option -m is missing its value');
        return;
      }
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      const rows = rawRows(text);
      const gpuLabels = [...rows.keys()].filter((k) => k.startsWith('GPU'));
      const nicLabels = [...rows.keys()].filter((k) => k.startsWith('NIC'));
      expect(r.gpus.map((g) => g.name)).toEqual(gpuLabels);
      expect(r.nics.map((n) => n.name)).toEqual(nicLabels);
      const n = gpuLabels.length + nicLabels.length;
      expect(r.links).toHaveLength((n * (n - 1)) / 2);
      // NV entries in the upper triangle, counted by regex on the raw text.
      let nvUpper = 0;
      const labels = [...gpuLabels, ...nicLabels];
      labels.forEach((lab, i) => {
        (rows.get(lab) ?? []).slice(i + 1, n).forEach((c) => (nvUpper += /^NV\d+$/.test(c) ? 1 : 0));
      });
      expect(r.links.filter((l) => l.kind === 'NV')).toHaveLength(nvUpper);
      // every cell matches its raw token
      labels.forEach((a, i) =>
        labels.forEach((b, j) => {
          if (i === j) return;
          const raw = rows.get(a)?.[j] ?? '';
          const l = linkBetween(r, a, b);
          expect(l?.kind === 'NV' ? `NV${l.nvlinkCount}` : l?.kind).toBe(raw);
        }),
      );
      // CPU affinity is the first token after the matrix cells
      for (const g of r.gpus) expect(g.cpuAffinity).toBe(rows.get(g.name)?.[n]);
    });
  }
});

describe('8x H100 (ml-engineering)', () => {
  const m = ok(load('ml-engineering__8x-h100-numa-ht.txt'));
  it('NUMA and CPU affinity', () => {
    expect(m.gpus).toHaveLength(8);
    for (const g of m.gpus) {
      const low = g.index < 4;
      expect(g.numaNode).toBe(low ? 0 : 1);
      expect(g.cpuAffinity).toBe(low ? '0-51,104-155' : '52-103,156-207');
      expect(g.cpus).toHaveLength(104);
      expect([g.cpus[0], g.cpus[51], g.cpus[52], g.cpus[103]]).toEqual(low ? [0, 51, 104, 155] : [52, 103, 156, 207]);
    }
    expect(m.gpus[0]?.cpus.slice(50, 54)).toEqual([50, 51, 104, 105]);
    expect(m.gpus[0]?.gpuNumaId).toBeUndefined();
    expect(m.nics).toEqual([]);
  });
  it('NV18 between all 28 pairs', () => {
    expect(m.links).toHaveLength(28);
    expect(m.links.every((l) => l.kind === 'NV' && l.nvlinkCount === 18)).toBe(true);
    expect(closestNics(m, 0)).toEqual([]);
  });
});

describe('8x A100 with 17 NICs', () => {
  const text = load('xuesongtap__8x-a100-nvlink-17nic.txt');
  const m = ok(text);
  it('legend maps NIC0..NIC16', () => {
    expect(m.nics).toHaveLength(17);
    const legend = [...text.matchAll(/^\s+(NIC\d+): (\S+)$/gm)].map((x) => [x[1], x[2]]);
    expect(legend).toHaveLength(17);
    expect(m.nics.map((n) => [n.name, n.device])).toEqual(legend);
    expect(m.nics[0]?.device).toBe('mlx5_2');
    expect(m.nics[16]?.device).toBe('mlx5_bond_0');
  });
  it('GPUs: NV12, NUMA 0, CPUs 0-103, GPU NUMA ID N/A', () => {
    for (const g of m.gpus) {
      expect(g.numaNode).toBe(0);
      expect(g.cpus).toHaveLength(104);
      expect(g.gpuNumaId).toBeUndefined();
      expect(g.columns['GPU NUMA ID']).toBe('N/A');
    }
    const gg = m.links.filter((l) => l.a.startsWith('GPU') && l.b.startsWith('GPU'));
    expect(gg).toHaveLength(28);
    expect(gg.every((l) => l.nvlinkCount === 12)).toBe(true);
  });
  it('closest NICs: each GPU pair shares 4 PXB NICs', () => {
    const rows = rawRows(text);
    for (let g = 0; g < 8; g++) {
      const pxb = (rows.get(`GPU${g}`) ?? []).slice(8, 25).flatMap((c, k) => (c === 'PXB' ? [`NIC${k}`] : []));
      const got = closestNics(m, g);
      expect(got.map((n) => n.name)).toEqual(pxb);
      expect(got.every((n) => n.kind === 'PXB')).toBe(true);
    }
    const base = 2 + 4 * 1;
    expect(closestNics(m, 2).map((n) => n.device)).toEqual([0, 1, 2, 3].map((k) => `mlx5_${base + k}`));
    expect(closestNics(m, 7).map((n) => n.device)).toEqual(['mlx5_14', 'mlx5_15', 'mlx5_16', 'mlx5_17']);
  });
});

describe('8x RTX 4090 PCIe (tab-separated, extra empty column)', () => {
  const m = ok(load('go-gpuallocator-issue17__8x-rtx4090-pcie.txt'));
  it('no NVLink, SYS between GPUs, PHB from GPU6 to both NICs', () => {
    expect(m.links.some((l) => l.kind === 'NV')).toBe(false);
    expect(m.links.filter((l) => l.a.startsWith('GPU') && l.b.startsWith('GPU')).every((l) => l.kind === 'SYS')).toBe(true);
    expect(linkBetween(m, 'NIC0', 'NIC1')?.kind).toBe('PIX');
    expect(closestNics(m, 6).map((n) => [n.name, n.kind])).toEqual([['NIC0', 'PHB'], ['NIC1', 'PHB']]);
    expect(closestNics(m, 0).map((n) => n.kind)).toEqual(['SYS', 'SYS']);
    expect(m.nics.every((n) => n.device === undefined)).toBe(true);
  });
  it('affinity split across two NUMA nodes', () => {
    expect(m.gpus.map((g) => g.numaNode)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(m.gpus[4]?.cpuAffinity).toBe('56-111,168-223');
    expect(m.gpus[0]?.cpus).toHaveLength(112);
  });
});

describe('4x A10 and 2x GTX 1080 Ti', () => {
  it('4x A10: SYS only, two NICs mlx5_0/mlx5_1 with PIX between them', () => {
    const m = ok(load('xuesongtap__4x-a10-no-nvlink.txt'));
    expect(m.gpus).toHaveLength(4);
    expect(m.nics.map((n) => n.device)).toEqual(['mlx5_0', 'mlx5_1']);
    expect(m.links.filter((l) => l.kind !== 'SYS')).toEqual([{ a: 'NIC0', b: 'NIC1', kind: 'PIX' }]);
    expect(m.gpus.every((g) => g.cpuAffinity === '0-127' && g.numaNode === 0 && g.cpus.length === 128)).toBe(true);
  });
  it('2x 1080 Ti: PHB, NUMA Affinity N/A', () => {
    const m = ok(load('xuesongtap__2x-gtx1080ti-desktop.txt'));
    expect(m.links).toEqual([{ a: 'GPU0', b: 'GPU1', kind: 'PHB' }]);
    expect(m.gpus.map((g) => g.numaNode)).toEqual([undefined, undefined]);
    expect(m.gpus[1]?.cpus).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });
});

describe('single-GPU captures with ANSI codes', () => {
  const cases: [string, string][] = [
    ['nvidia_gpu_exporter__linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01__topo-m.txt', '0-19'],
    ['nvidia_gpu_exporter__linux-x86_64__nvidia-h200-mig__590.48.01__topo-m.txt', '0-23'],
    ['nvidia_gpu_exporter__linux-x86_64__nvidia-l40s__595.80__topo-m.txt', '0-7'],
    ['nvidia_gpu_exporter__linux-x86_64__nvidia-geforce-rtx-2080-super__610.57.04__topo-m.txt', '0-23'],
  ];
  for (const [f, cpus] of cases) {
    it(f, () => {
      const text = load(f);
      expect(text).toContain('\x1b[4m');
      const m = ok(text);
      expect(m.gpus).toHaveLength(1);
      expect(m.gpus[0]).toMatchObject({ index: 0, name: 'GPU0', cpuAffinity: cpus, numaNode: 0 });
      expect(m.gpus[0]?.gpuNumaId).toBeUndefined();
      expect(m.links).toEqual([]);
    });
  }
});

describe('edge cases', () => {
  it('empty and whitespace input', () => {
    expect(parseTopoMatrix('')).toEqual({ ok: false, error: 'empty topo -m output' });
    expect(parseTopoMatrix(' \n\t\n').ok).toBe(false);
  });
  it('driver failure text', () => {
    const r = parseTopoMatrix("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain("couldn't communicate");
  });
  it('truncated: missing rows and short rows', () => {
    const text = load('ml-engineering__8x-h100-numa-ht.txt');
    const lines = text.split('\n');
    const r1 = parseTopoMatrix(lines.slice(0, 5).join('\n'));
    expect(r1).toEqual({ ok: false, error: 'topo -m output is truncated: no row for GPU4' });
    const r2 = parseTopoMatrix([...lines.slice(0, 8), (lines[8] ?? '').slice(0, 30)].join('\n'));
    expect(r2.ok).toBe(false);
    if (!r2.ok) expect(r2.error).toMatch(/row GPU7 has \d entries/);
    const r3 = parseTopoMatrix((lines[0] ?? '') + '\n');
    expect(r3.ok).toBe(false);
  });
  it('unknown cell is an error, SOC is read as SYS', () => {
    expect(parseTopoMatrix('\tGPU0\tGPU1\nGPU0\t X \tFOO\nGPU1\tFOO\t X \n').ok).toBe(false);
    const m = ok('\tGPU0\tGPU1\tCPU Affinity\nGPU0\t X \tSOC\t0-3\nGPU1\tSOC\t X \t4-7\n');
    expect(m.links).toEqual([{ a: 'GPU0', b: 'GPU1', kind: 'SYS' }]);
    expect(m.gpus[1]?.cpus).toEqual([4, 5, 6, 7]);
    expect(m.gpus[1]?.numaNode).toBeUndefined();
  });
  it('output whose leading whitespace was trimmed, and a GPU Affinity column', () => {
    const m = ok('GPU0\tNIC0\tCPU Affinity\tNUMA Affinity\tGPU Affinity\nGPU0\t X \tNODE\t0-1\t1\tx\nNIC0\tNODE\t X\n');
    expect(m.gpus[0]).toMatchObject({ numaNode: 1, cpus: [0, 1] });
    expect(m.gpus[0]?.columns['GPU Affinity']).toBe('x');
    expect(closestNics(m, 0)).toEqual([{ index: 0, name: 'NIC0', kind: 'NODE', score: 20 }]);
    expect(closestNics(m, 5)).toEqual([]);
  });
});

describe('linkScore', () => {
  it('orders NV# > PIX > PXB > PHB > NODE > SYS, NV scaled by link count', () => {
    const order = [linkScore('NV', 18), linkScore('NV', 12), linkScore('NV', 1), linkScore('PIX'), linkScore('PXB'), linkScore('PHB'), linkScore('NODE'), linkScore('SYS')];
    expect([...order].sort((a, b) => b - a)).toEqual(order);
    expect(new Set(order).size).toBe(order.length);
    expect(linkScore('X')).toBe(0);
  });
});
