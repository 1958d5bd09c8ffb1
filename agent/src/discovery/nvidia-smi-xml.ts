// Pure parser for `nvidia-smi -q -x` output (schemas nvsmi_device_v10 … v13,
// drivers 418 … 590). No I/O: the caller runs the command and passes its stdout.
// Fields that are absent, renamed away, "N/A", "[N/A]" or "Not Supported" come
// back as `undefined`; nothing is guessed. Never throws.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type {
  DiscoveredEccErrors,
  DiscoveredGpu,
  DiscoveredGpuHost,
  DiscoveredMigDevice,
  DiscoveredModePair,
  DiscoveredRemappedRows,
  DiscoveredRetiredPages,
  GpuHealth,
} from './gpu-types.js';

/** Result of {@link parseNvidiaSmiXml}: the host's GPUs, or why the output could not be read. */
export type NvidiaSmiResult = { ok: true; host: DiscoveredGpuHost } | { ok: false; error: string };

/** Values nvidia-smi prints for "no value"; treated as absent. */
const ABSENT = new Set(['n/a', '[n/a]', 'not supported', '[not supported]', 'none', '']);

/** Values that mean the GPU itself is in an error state (lost from the bus, driver error). */
const ERROR_MARKERS = ['gpu is lost', 'unknown error', 'gpu requires reset', 'unable to determine'];

type Node = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // Keep every value a string: "0" vs "00000000:01:00.0" vs "12.2" must not be coerced.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // Default (XML) entities only; no HTML entities.
  htmlEntities: false,
});

/**
 * Parse the stdout of `nvidia-smi -q -x`. Pure and total: malformed, truncated,
 * empty or non-XML input yields `{ ok: false, error }`, never an exception.
 */
export function parseNvidiaSmiXml(xml: string): NvidiaSmiResult {
  try {
    if (typeof xml !== 'string') return { ok: false, error: 'nvidia-smi XML: input is not a string' };
    if (xml.trim() === '') return { ok: false, error: 'nvidia-smi XML: empty output' };
    const valid = XMLValidator.validate(xml);
    if (valid !== true) {
      const { msg, line, col } = valid.err;
      const where = col === undefined ? `line ${line}` : `line ${line}, column ${col}`;
      return { ok: false, error: `nvidia-smi XML: malformed or truncated XML at ${where}: ${msg}` };
    }
    const doc: unknown = parser.parse(xml);
    const log = isNode(doc) ? child(doc, 'nvidia_smi_log') : undefined;
    if (!isNode(log)) return { ok: false, error: 'nvidia-smi XML: no <nvidia_smi_log> root element' };
    return { ok: true, host: gpuHostFromLog(log) };
  } catch (e) {
    return { ok: false, error: `nvidia-smi XML: cannot parse: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * NvidiaSmiLogTree is the element tree of `<nvidia_smi_log>` as fast-xml-parser
 * builds it: element names as keys, text as strings, repeated elements as arrays,
 * attributes as `@_name`. The text report parser (nvidia-smi-text.ts) builds the
 * same tree so both formats share one reader.
 */
export type NvidiaSmiLogTree = Record<string, unknown>;

/** gpuHostFromLog reads the host's GPUs from an `<nvidia_smi_log>` tree. Pure; never throws on odd shapes. */
export function gpuHostFromLog(log: NvidiaSmiLogTree): DiscoveredGpuHost {
  const gpus = toArray(child(log, 'gpu'))
    .filter(isNode)
    .map((g, i) => parseGpu(g, i));
  return {
    driverVersion: str(child(log, 'driver_version')),
    cudaVersion: str(child(log, 'cuda_version')),
    attachedGpus: int(child(log, 'attached_gpus')),
    gpus,
  };
}

function parseGpu(g: Node, index: number): DiscoveredGpu {
  const errorFields: string[] = [];
  // Key fields: a value that is an error marker is recorded as a health reason and read as absent.
  const key = (name: string, v: unknown): string | undefined => {
    const s = rawText(v);
    if (s !== undefined && ERROR_MARKERS.some((m) => s.toLowerCase().includes(m))) {
      errorFields.push(`${name}: ${s}`);
      return undefined;
    }
    return str(v);
  };

  const productName = key('product_name', child(g, 'product_name'));
  const uuid = key('uuid', child(g, 'uuid'));
  const minorNumber = toInt(key('minor_number', child(g, 'minor_number')));
  const pciBusId = key('pci_bus_id', path(g, 'pci', 'pci_bus_id')) ?? str(child(g, '@_id'));
  const memoryTotalBytes = toBytes(key('fb_memory_usage/total', path(g, 'fb_memory_usage', 'total')));
  const persistenceMode = toEnabled(key('persistence_mode', child(g, 'persistence_mode')));

  const migModeNode = child(g, 'mig_mode');
  const migMode: DiscoveredModePair = {
    current: toEnabled(str(child(migModeNode, 'current_mig'))),
    pending: toEnabled(str(child(migModeNode, 'pending_mig'))),
  };
  const eccModeNode = child(g, 'ecc_mode');
  const eccMode: DiscoveredModePair = {
    current: toEnabled(str(child(eccModeNode, 'current_ecc'))),
    pending: toEnabled(str(child(eccModeNode, 'pending_ecc'))),
  };

  const gpu: DiscoveredGpu = {
    index,
    minorNumber,
    uuid,
    productName,
    productBrand: str(child(g, 'product_brand')),
    architecture: str(child(g, 'product_architecture')),
    memoryTotalBytes,
    pciBusId,
    migMode,
    migDevices: toArray(path(g, 'mig_devices', 'mig_device')).filter(isNode).map(parseMigDevice),
    persistenceMode,
    powerLimitWatts: powerLimit(g),
    eccMode,
    eccErrors: eccErrors(child(g, 'ecc_errors')),
    retiredPages: retiredPages(child(g, 'retired_pages')),
    remappedRows: remappedRows(child(g, 'remapped_rows')),
    health: { healthy: true, reasons: [] },
  };
  gpu.health = deriveHealth(gpu, errorFields);
  return gpu;
}

function parseMigDevice(m: Node): DiscoveredMigDevice {
  return {
    index: int(child(m, 'index')),
    gpuInstanceId: int(child(m, 'gpu_instance_id')),
    computeInstanceId: int(child(m, 'compute_instance_id')),
    profile: str(child(m, 'profile_name')) ?? str(child(m, 'name')),
    memoryTotalBytes: toBytes(str(path(m, 'fb_memory_usage', 'total'))),
    uuid: str(child(m, 'uuid')),
    multiprocessorCount: int(path(m, 'device_attributes', 'shared', 'multiprocessor_count')),
  };
}

/** v12+: gpu_power_readings/current_power_limit; v10–v11: power_readings/power_limit or enforced_power_limit. */
function powerLimit(g: Node): number | undefined {
  const candidates = [
    path(g, 'gpu_power_readings', 'current_power_limit'),
    path(g, 'power_readings', 'power_limit'),
    path(g, 'power_readings', 'enforced_power_limit'),
    path(g, 'power_readings', 'current_power_limit'),
  ];
  for (const c of candidates) {
    const w = toWatts(str(c));
    if (w !== undefined) return w;
  }
  return undefined;
}

/**
 * v10–v11: volatile|aggregate / single_bit|double_bit / total.
 * v12: volatile|aggregate / sram_(un)correctable + dram_(un)correctable.
 * v13: sram_uncorrectable_parity + sram_uncorrectable_secded instead of sram_uncorrectable.
 */
function eccErrors(node: unknown): DiscoveredEccErrors {
  const counts = (scope: unknown, kind: 'correctable' | 'uncorrectable'): number | undefined => {
    if (!isNode(scope)) return undefined;
    const legacy = path(scope, kind === 'correctable' ? 'single_bit' : 'double_bit', 'total');
    const legacyN = int(legacy);
    if (legacyN !== undefined) return legacyN;
    const names =
      kind === 'correctable'
        ? ['sram_correctable', 'dram_correctable']
        : ['sram_uncorrectable', 'sram_uncorrectable_parity', 'sram_uncorrectable_secded', 'dram_uncorrectable'];
    return sumPresent(names.map((n) => int(child(scope, n))));
  };
  const vol = child(node, 'volatile');
  const agg = child(node, 'aggregate');
  return {
    volatileCorrectable: counts(vol, 'correctable'),
    volatileUncorrectable: counts(vol, 'uncorrectable'),
    aggregateCorrectable: counts(agg, 'correctable'),
    aggregateUncorrectable: counts(agg, 'uncorrectable'),
  };
}

function retiredPages(node: unknown): DiscoveredRetiredPages {
  // pending_retirement (v10+) and the older pending_blacklist: pending if either says Yes.
  const flags = [toYes(str(child(node, 'pending_retirement'))), toYes(str(child(node, 'pending_blacklist')))];
  const pending = flags.includes(true) ? true : flags.includes(false) ? false : undefined;
  return {
    singleBitCount: int(path(node, 'multiple_single_bit_retirement', 'retired_count')),
    doubleBitCount: int(path(node, 'double_bit_retirement', 'retired_count')),
    pending,
  };
}

function remappedRows(node: unknown): DiscoveredRemappedRows {
  return {
    correctable: int(child(node, 'remapped_row_corr')),
    uncorrectable: int(child(node, 'remapped_row_unc')),
    pending: toYes(str(child(node, 'remapped_row_pending'))),
    failure: toYes(str(child(node, 'remapped_row_failure'))),
  };
}

function deriveHealth(gpu: DiscoveredGpu, errorFields: string[]): GpuHealth {
  const reasons: string[] = [];
  for (const f of errorFields) reasons.push(`GPU reports an error state (${f})`);
  const vu = gpu.eccErrors.volatileUncorrectable;
  if (vu !== undefined && vu > 0) reasons.push(`${vu} uncorrectable volatile ECC error(s)`);
  if (gpu.retiredPages.pending === true) reasons.push('page retirement pending (GPU reset required)');
  if (gpu.remappedRows.pending === true) reasons.push('row remapping pending (GPU reset required)');
  if (gpu.remappedRows.failure === true) reasons.push('row remapping failure');
  return { healthy: reasons.length === 0, reasons };
}

// ---- value helpers -------------------------------------------------------

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Own property only: element names never reach the prototype chain. */
function child(v: unknown, name: string): unknown {
  if (!isNode(v) || !Object.hasOwn(v, name)) return undefined;
  return v[name];
}

function path(v: unknown, ...names: string[]): unknown {
  let cur = v;
  for (const n of names) cur = child(cur, n);
  return cur;
}

function toArray(v: unknown): unknown[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** Text content of an element (string, or `#text` of an element with attributes); undefined for structures. */
function rawText(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (isNode(v)) return rawText(child(v, '#text'));
  return undefined;
}

/** Text content with the "no value" spellings mapped to undefined. */
function str(v: unknown): string | undefined {
  const s = rawText(v);
  if (s === undefined || ABSENT.has(s.toLowerCase())) return undefined;
  return s;
}

function int(v: unknown): number | undefined {
  return toInt(str(v));
}

function toInt(s: string | undefined): number | undefined {
  if (s === undefined || !/^\d+$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

const BYTE_UNITS: Record<string, number> = { b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 };

/** "81559 MiB" → bytes. Unknown units → undefined. */
function toBytes(s: string | undefined): number | undefined {
  const m = s === undefined ? null : /^(\d+(?:\.\d+)?)\s*([KMGT]?i?B)$/i.exec(s);
  if (!m) return undefined;
  const unit = BYTE_UNITS[m[2]!.toLowerCase()];
  return unit === undefined ? undefined : Math.round(Number(m[1]) * unit);
}

/** "250.00 W" → 250. */
function toWatts(s: string | undefined): number | undefined {
  const m = s === undefined ? null : /^(\d+(?:\.\d+)?)\s*W$/.exec(s);
  return m ? Number(m[1]) : undefined;
}

function toEnabled(s: string | undefined): boolean | undefined {
  if (s === 'Enabled') return true;
  if (s === 'Disabled') return false;
  return undefined;
}

function toYes(s: string | undefined): boolean | undefined {
  if (s === 'Yes') return true;
  if (s === 'No') return false;
  return undefined;
}

function sumPresent(ns: (number | undefined)[]): number | undefined {
  const present = ns.filter((n): n is number => n !== undefined);
  return present.length === 0 ? undefined : present.reduce((a, b) => a + b, 0);
}
