// Parser for `nvidia-smi topo -m`: the GPU/NIC connection matrix, the NIC legend, and
// per-GPU CPU/NUMA affinity, plus a link score and closest-NIC lookup for placement.
// Pure: takes the command's text, never runs anything.
import { parseCpuList } from './sysfs-numa.js';

/**
 * Connection kinds printed by `nvidia-smi topo -m` (see its legend):
 * X = self; NV = a bonded set of NVLinks (count in nvlinkCount); PIX = at most one PCIe
 * bridge; PXB = several PCIe bridges, no host bridge; PHB = through a PCIe host bridge;
 * NODE = between host bridges within a NUMA node; SYS = across the SMP interconnect
 * between NUMA nodes. Old drivers print SOC for SYS; it is read as SYS.
 */
export type TopoLinkKind = 'X' | 'NV' | 'PIX' | 'PXB' | 'PHB' | 'NODE' | 'SYS';

/** One GPU row of the matrix. */
export interface TopoGpu {
  /** GPU index N from the label "GPU<N>" (nvidia-smi's index, as in `-i`). */
  index: number;
  /** Row/column label, e.g. "GPU0". */
  name: string;
  /** The "CPU Affinity" cell as printed ("0-51,104-155"); undefined when absent or N/A. */
  cpuAffinity?: string;
  /** CPUs of cpuAffinity, ascending; empty when absent or unparsable. */
  cpus: number[];
  /** The "NUMA Affinity" cell as printed; undefined when absent or N/A. */
  numaAffinity?: string;
  /** NUMA node when "NUMA Affinity" is a single node number; undefined otherwise (N/A, absent on old drivers). */
  numaNode?: number;
  /** "GPU NUMA ID" (the GPU's own memory NUMA node on coherent systems); undefined when absent or N/A. */
  gpuNumaId?: number;
  /** Every trailing (non-matrix) column of the row by header name, as printed (e.g. "GPU Affinity"). */
  columns: Record<string, string>;
}

/** One NIC of the matrix. */
export interface TopoNic {
  /** NIC index N from the label "NIC<N>". */
  index: number;
  /** Row/column label, e.g. "NIC0". */
  name: string;
  /** Device name from the NIC legend ("mlx5_0"); undefined when the output has no legend. */
  device?: string;
}

/** The connection between two distinct devices (GPU or NIC labels). */
export interface TopoLink {
  /** First device label (the one earlier in the header). */
  a: string;
  /** Second device label. */
  b: string;
  /** Connection kind. */
  kind: TopoLinkKind;
  /** Number of bonded NVLinks when kind is NV ("NV18" → 18). */
  nvlinkCount?: number;
}

/** A parsed `nvidia-smi topo -m` matrix. */
export interface TopoMatrix {
  /** GPUs in header order. */
  gpus: TopoGpu[];
  /** NICs in header order. */
  nics: TopoNic[];
  /** One entry per unordered pair of distinct devices, read from the row of `a`. */
  links: TopoLink[];
}

/** Result of parseTopoMatrix: the matrix, or an error saying why there is none. */
export type TopoParseResult = ({ ok: true } & TopoMatrix) | { ok: false; error: string };

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
const DEVICE = /^(GPU|NIC)(\d+)$/;

/** Parses one matrix cell; undefined for anything that is not a known link kind. */
export function parseLinkCell(cell: string): { kind: TopoLinkKind; nvlinkCount?: number } | undefined {
  const c = cell.trim().toUpperCase();
  const nv = /^NV(\d+)$/.exec(c);
  if (nv) return { kind: 'NV', nvlinkCount: Number(nv[1]) };
  switch (c) {
    case 'X':
    case 'PIX':
    case 'PXB':
    case 'PHB':
    case 'NODE':
    case 'SYS':
      return { kind: c };
    case 'SOC':
      return { kind: 'SYS' };
    default:
      return undefined;
  }
}

function naToUndefined(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const t = v.trim();
  return t === '' || t.toUpperCase() === 'N/A' ? undefined : t;
}

/**
 * Parses `nvidia-smi topo -m` output. Accepts ANSI colour/underline codes, tab- or
 * space-separated columns, NIC rows/columns with or without the "NIC Legend:" block,
 * and any set of trailing affinity columns (CPU Affinity, NUMA Affinity, GPU NUMA ID,
 * GPU Affinity…; old drivers print no NUMA column). Returns ok:false for empty input,
 * an nvidia-smi error message (e.g. "ERROR: Option -m is missing its value…" from
 * Windows drivers), a missing header, a missing or short row, or an unknown cell.
 */
export function parseTopoMatrix(text: string): TopoParseResult {
  const lines = text.replace(ANSI, '').replace(/\r/g, '').split('\n');
  if (lines.every((l) => l.trim() === '')) return { ok: false, error: 'empty topo -m output' };

  // The header starts with a device label followed by another label or a column name;
  // a row starts with a device label followed by a link cell ("X", "NV18", "SYS").
  const isRow = (l: string): boolean => {
    const t = l.trim().split(/\s+/);
    return DEVICE.test(t[0] ?? '') && parseLinkCell(t[1] ?? '') !== undefined;
  };
  const headerIdx = lines.findIndex((l) => DEVICE.test(l.trim().split(/\s+/)[0] ?? '') && !isRow(l));
  if (headerIdx < 0) {
    const err = lines.find((l) => /^\s*(ERROR|Error|NVIDIA-SMI has failed|Failed|No devices were found)/.test(l));
    const msg = err?.trim() ?? lines.find((l) => l.trim() !== '')?.trim() ?? '';
    return { ok: false, error: `no topology matrix in nvidia-smi output: ${msg}` };
  }

  const header = (lines[headerIdx] ?? '').trim().split(/\t+|\s{2,}/).map((s) => s.trim()).filter((s) => s !== '');
  const devices: string[] = [];
  let i = 0;
  while (i < header.length && DEVICE.test(header[i] ?? '')) devices.push(header[i++] ?? '');
  const trailing = header.slice(i);
  if (!devices.some((d) => d.startsWith('GPU'))) return { ok: false, error: 'topo -m header lists no GPU' };

  const rows = new Map<string, string[]>();
  for (let l = headerIdx + 1; l < lines.length; l++) {
    const tokens = (lines[l] ?? '').trim().split(/\s+/);
    const label = tokens[0] ?? '';
    if (!isRow(lines[l] ?? '')) {
      if (label === 'Legend:') break;
      continue;
    }
    if (!rows.has(label)) rows.set(label, tokens.slice(1));
  }

  const legend = new Map<string, string>();
  const legendIdx = lines.findIndex((l) => /^\s*NIC Legend:\s*$/.test(l));
  if (legendIdx >= 0) {
    for (let l = legendIdx + 1; l < lines.length; l++) {
      const m = /^\s*(NIC\d+):\s*(\S+)\s*$/.exec(lines[l] ?? '');
      if (m?.[1] && m[2]) legend.set(m[1], m[2]);
    }
  }

  const gpus: TopoGpu[] = [];
  const nics: TopoNic[] = [];
  const links: TopoLink[] = [];
  const cells = new Map<string, { kind: TopoLinkKind; nvlinkCount?: number }[]>();
  for (const dev of devices) {
    const row = rows.get(dev);
    if (!row) return { ok: false, error: `topo -m output is truncated: no row for ${dev}` };
    if (row.length < devices.length) {
      return { ok: false, error: `topo -m row ${dev} has ${row.length} entries, expected at least ${devices.length}` };
    }
    const parsed: { kind: TopoLinkKind; nvlinkCount?: number }[] = [];
    for (let c = 0; c < devices.length; c++) {
      const cell = row[c] ?? '';
      const p = parseLinkCell(cell);
      if (!p) return { ok: false, error: `topo -m row ${dev}, column ${devices[c] ?? c}: unknown link kind '${cell}'` };
      parsed.push(p);
    }
    cells.set(dev, parsed);
    const m = DEVICE.exec(dev);
    const index = Number(m?.[2]);
    if (m?.[1] === 'GPU') {
      const columns: Record<string, string> = {};
      const rest = row.slice(devices.length);
      trailing.forEach((name, k) => {
        const v = rest[k];
        if (v !== undefined) columns[name] = v;
      });
      const gpu: TopoGpu = { index, name: dev, cpus: [], columns };
      const cpuAff = naToUndefined(columns['CPU Affinity']);
      if (cpuAff !== undefined) {
        gpu.cpuAffinity = cpuAff;
        gpu.cpus = parseCpuList(cpuAff) ?? [];
      }
      const numaAff = naToUndefined(columns['NUMA Affinity']);
      if (numaAff !== undefined) {
        gpu.numaAffinity = numaAff;
        if (/^\d+$/.test(numaAff)) gpu.numaNode = Number(numaAff);
      }
      const gpuNuma = naToUndefined(columns['GPU NUMA ID']);
      if (gpuNuma !== undefined && /^\d+$/.test(gpuNuma)) gpu.gpuNumaId = Number(gpuNuma);
      gpus.push(gpu);
    } else {
      const nic: TopoNic = { index, name: dev };
      const device = legend.get(dev);
      if (device !== undefined) nic.device = device;
      nics.push(nic);
    }
  }

  for (let r = 0; r < devices.length; r++) {
    const a = devices[r] ?? '';
    const row = cells.get(a) ?? [];
    for (let c = r + 1; c < devices.length; c++) {
      const cell = row[c];
      if (!cell) continue;
      const link: TopoLink = { a, b: devices[c] ?? '', kind: cell.kind };
      if (cell.nvlinkCount !== undefined) link.nvlinkCount = cell.nvlinkCount;
      links.push(link);
    }
  }
  return { ok: true, gpus, nics, links };
}

/** The link between two device labels ("GPU0", "NIC3"); X for a device with itself; undefined if unknown. */
export function linkBetween(matrix: TopoMatrix, a: string, b: string): TopoLink | undefined {
  if (a === b) return matrix.gpus.some((g) => g.name === a) || matrix.nics.some((n) => n.name === a) ? { a, b, kind: 'X' } : undefined;
  return matrix.links.find((l) => (l.a === a && l.b === b) || (l.a === b && l.b === a));
}

/**
 * Scores a connection for placement; higher is closer. Order, best first:
 * NV# (100 per bonded NVLink, so NV18 = 1800 > NV12 = 1200 > NV1 = 100)
 * > PIX (50) > PXB (40) > PHB (30) > NODE (20) > SYS (10).
 * X (self) is not a link between two devices and scores 0.
 */
export function linkScore(kind: TopoLinkKind, nvlinks = 0): number {
  switch (kind) {
    case 'NV':
      return 100 * Math.max(1, nvlinks);
    case 'PIX':
      return 50;
    case 'PXB':
      return 40;
    case 'PHB':
      return 30;
    case 'NODE':
      return 20;
    case 'SYS':
      return 10;
    case 'X':
      return 0;
  }
}

/** A NIC together with its link to a given GPU. */
export interface ClosestNic extends TopoNic {
  /** Kind of the GPU–NIC link. */
  kind: TopoLinkKind;
  /** linkScore of that link. */
  score: number;
}

/**
 * The NIC(s) with the best-scoring link to GPU `gpuIndex` (all ties, in header order).
 * Empty when the matrix has no NICs or no such GPU.
 */
export function closestNics(matrix: TopoMatrix, gpuIndex: number): ClosestNic[] {
  const gpu = matrix.gpus.find((g) => g.index === gpuIndex);
  if (!gpu) return [];
  const scored: ClosestNic[] = [];
  for (const nic of matrix.nics) {
    const l = linkBetween(matrix, gpu.name, nic.name);
    if (!l) continue;
    scored.push({ ...nic, kind: l.kind, score: linkScore(l.kind, l.nvlinkCount) });
  }
  const best = Math.max(...scored.map((s) => s.score));
  return scored.filter((s) => s.score === best);
}
