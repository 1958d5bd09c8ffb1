// Pure parser for the text report of `nvidia-smi -q` (no -x): the form most real
// captures in bug reports, support bundles and other tools contain. The report is
// an indented tree of `Key   : value` lines and section headers; this file turns
// it into the same element tree fast-xml-parser builds from `nvidia-smi -q -x`
// (XML element names, repeated siblings as arrays, `@_id` on each `gpu`) and hands
// that to the XML reader `gpuHostFromLog`, so both formats share one reader and
// one notion of absent values and health. No I/O; never throws.
//
// Truncation: a GPU section with no fields, or without the "Processes" entry that
// every complete GPU section carries (drivers 418 … 610), is an error. Fewer GPU
// sections than "Attached GPUs" is NOT an error: `nvidia-smi -q -i N` prints the
// full count and one section; the caller can compare `attachedGpus` with
// `gpus.length` (as with the XML parser). Partial reports (`-q -d MEMORY`, …)
// have no "Processes" entry and are therefore rejected: run plain `nvidia-smi -q`.
import { gpuHostFromLog, type NvidiaSmiLogTree, type NvidiaSmiResult } from './nvidia-smi-xml.js';

type Node = Record<string, unknown>;

/** Rename target meaning "no element of its own: the section's entries belong to the enclosing element". */
const HOIST = '';

/**
 * Text names (after normalisation) whose XML element name differs, keyed by the XML
 * name of the enclosing element. A target with '/' creates the intermediate elements
 * (the text prints "Single Bit ECC : 0" where the XML nests retired_count).
 */
const RENAMES = new Map<string, Map<string, string>>(
  Object.entries({
    gpu: { gpu_uuid: 'uuid', mig_device: 'mig_devices/mig_device' },
    pci: { bus_id: 'pci_bus_id' },
    mig_mode: { current: 'current_mig', pending: 'pending_mig' },
    ecc_mode: { current: 'current_ecc', pending: 'pending_ecc' },
    volatile: { sram_uncorrectable_sec_ded: 'sram_uncorrectable_secded' },
    aggregate: { sram_uncorrectable_sec_ded: 'sram_uncorrectable_secded' },
    retired_pages: {
      single_bit_ecc: 'multiple_single_bit_retirement/retired_count',
      double_bit_ecc: 'double_bit_retirement/retired_count',
      pending_page_blacklist: 'pending_blacklist',
      pending_page_retirement: 'pending_retirement',
      pending: 'pending_retirement', // drivers ≤ 418 print a bare "Pending"
    },
    remapped_rows: {
      correctable_error: 'remapped_row_corr',
      uncorrectable_error: 'remapped_row_unc',
      pending: 'remapped_row_pending',
      remapping_failure_occurred: 'remapped_row_failure',
    },
    mig_device: { shared_fb_memory_usage: 'fb_memory_usage', shared_bar1_memory: 'bar1_memory_usage' },
    // Driver 610 nests the enforced limit: GPU Power Readings / GPU Ceiling Power Limit / Current Power Limit.
    gpu_power_readings: { gpu_ceiling_power_limit: HOIST },
  }).map(([parent, m]) => [parent, new Map(Object.entries(m))]),
);

const GPU_HEADER = /^GPU\s+([0-9A-Fa-f]+:[0-9A-Fa-f]+:[0-9A-Fa-f]+\.[0-9A-Fa-f]+)$/;

/** One open element on the indentation stack. A `Key : value` line stays a string until a deeper line needs it as a parent. */
interface Frame {
  indent: number;
  name: string;
  node: Node | undefined;
  container: Node;
  value: string;
}

interface GpuSection {
  node: Node;
  header: string;
  line: number;
}

/**
 * looksLikeNvidiaSmiText: true when the output is the text report of `nvidia-smi -q`,
 * i.e. the "==============NVSMI LOG==============" banner or a "Driver Version  : …"
 * line appears before any '<' (so `-q -x` XML is never taken for text). Never throws.
 */
export function looksLikeNvidiaSmiText(text: string): boolean {
  if (typeof text !== 'string') return false;
  const lt = text.indexOf('<');
  const head = lt < 0 ? text : text.slice(0, lt);
  return head.split('\n').some((l) => {
    const t = l.trim();
    return isBanner(t) || /^Driver Version\s+:/.test(t);
  });
}

/**
 * parseNvidiaSmiText parses `nvidia-smi -q` text. Pure and total: never throws.
 * Returns the same {@link NvidiaSmiResult} as `parseNvidiaSmiXml`; errors read
 * `nvidia-smi text: …` (empty output, not a `-q` report, truncated output).
 */
export function parseNvidiaSmiText(text: string): NvidiaSmiResult {
  try {
    if (typeof text !== 'string') return fail('input is not a string');
    if (text.trim() === '') return fail('empty output');
    if (!looksLikeNvidiaSmiText(text)) {
      const first = text.trim().split('\n', 1)[0]!.trim();
      const shown = first.length > 200 ? `${first.slice(0, 200)}…` : first;
      return fail(`not an nvidia-smi -q report (no "NVSMI LOG" banner or "Driver Version" line): ${JSON.stringify(shown)}`);
    }
    const { root, gpus } = buildTree(text);
    for (const g of gpus) {
      const fields = Object.keys(g.node).filter((k) => k !== '@_id');
      if (fields.length === 0) return fail(`truncated output: GPU section "${g.header}" at line ${g.line} has no fields`);
      if (!Object.hasOwn(g.node, 'processes')) {
        return fail(`truncated output: GPU section "${g.header}" at line ${g.line} has no "Processes" entry (every complete GPU section has one)`);
      }
    }
    if (gpus.length === 0) {
      const attached = typeof root['attached_gpus'] === 'string' ? root['attached_gpus'] : undefined;
      if (attached === undefined) return fail('truncated output: no "Attached GPUs" line and no GPU section');
      if (attached !== '0') return fail(`truncated output: "Attached GPUs : ${attached}" but no GPU section`);
    }
    // Driver 610 deprecates "Driver Version"/"CUDA Version" for "KMD Version"/"CUDA UMD Version".
    if (!Object.hasOwn(root, 'driver_version') && Object.hasOwn(root, 'kmd_version')) root['driver_version'] = root['kmd_version'];
    if (!Object.hasOwn(root, 'cuda_version') && Object.hasOwn(root, 'cuda_umd_version')) root['cuda_version'] = root['cuda_umd_version'];
    return { ok: true, host: gpuHostFromLog(root as NvidiaSmiLogTree) };
  } catch (e) {
    return fail(`cannot parse: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function buildTree(text: string): { root: Node; gpus: GpuSection[] } {
  const root = newNode();
  const gpus: GpuSection[] = [];
  const stack: Frame[] = [{ indent: -1, name: 'nvidia_smi_log', node: root, container: root, value: '' }];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    const t = raw.trim();
    if (t === '' || isBanner(t)) continue;
    const indent = raw.length - raw.trimStart().length;
    while (stack.length > 1 && stack[stack.length - 1]!.indent >= indent) stack.pop();
    const parent = stack[stack.length - 1]!;
    const parentNode = nodeOf(parent);

    const gpuId = parent.node === root ? GPU_HEADER.exec(t)?.[1] : undefined;
    if (gpuId !== undefined) {
      const node = newNode();
      node['@_id'] = gpuId;
      addChild(root, 'gpu', node);
      gpus.push({ node, header: t, line: i + 1 });
      stack.push({ indent, name: 'gpu', node, container: root, value: '' });
      continue;
    }

    const kv = splitKeyValue(t);
    const name = normalize(kv ? kv[0] : t);
    if (name === '') continue;
    const target = RENAMES.get(parent.name)?.get(name) ?? name;
    if (target === HOIST) {
      if (kv === undefined) stack.push({ indent, name: parent.name, node: parentNode, container: parent.container, value: '' });
      continue;
    }
    const segments = target.split('/');
    const leafName = segments.pop()!;
    const container = segments.reduce(ensureChild, parentNode);
    if (kv === undefined) {
      const node = newNode();
      addChild(container, leafName, node);
      stack.push({ indent, name: leafName, node, container, value: '' });
    } else {
      const value = stripDeprecation(kv[1]);
      addChild(container, leafName, value);
      stack.push({ indent, name: leafName, node: undefined, container, value });
    }
  }
  return { root, gpus };
}

/** The element of a frame, turning a `Key : value` leaf into `{ '#text': value, … }` when it gains children. */
function nodeOf(f: Frame): Node {
  if (f.node !== undefined) return f.node;
  const node = newNode();
  node['#text'] = f.value;
  const cur = f.container[f.name];
  if (Array.isArray(cur)) cur[cur.length - 1] = node;
  else f.container[f.name] = node;
  f.node = node;
  return node;
}

/** Repeated siblings become an array, as fast-xml-parser does for repeated elements. */
function addChild(node: Node, name: string, value: unknown): void {
  if (!Object.hasOwn(node, name)) node[name] = value;
  else {
    const cur = node[name];
    if (Array.isArray(cur)) cur.push(value);
    else node[name] = [cur, value];
  }
}

function ensureChild(node: Node, name: string): Node {
  const cur = Object.hasOwn(node, name) ? node[name] : undefined;
  if (typeof cur === 'object' && cur !== null && !Array.isArray(cur)) return cur as Node;
  const fresh = newNode();
  node[name] = fresh;
  return fresh;
}

/** Prototype-free objects: a key such as "constructor" can never reach Object.prototype. */
function newNode(): Node {
  return Object.create(null) as Node;
}

/** Split at the first ':' with whitespace before it and whitespace or end after it ("Bus Id : 00000000:53:00.0"). */
function splitKeyValue(t: string): [string, string] | undefined {
  for (let i = t.indexOf(':'); i >= 0; i = t.indexOf(':', i + 1)) {
    const before = t[i - 1];
    const after = t[i + 1];
    if ((before === ' ' || before === '\t') && (after === undefined || after === ' ' || after === '\t')) {
      return [t.slice(0, i).trim(), t.slice(i + 1).trim()];
    }
  }
  return undefined;
}

/** "FB Memory Usage" → fb_memory_usage, "SRAM Uncorrectable SEC-DED" → sram_uncorrectable_sec_ded. */
function normalize(key: string): string {
  return key
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

/** Driver 610: "610.57.04 [Deprecated; will be removed in CUDA 14.0. Use KMD Version instead]" → "610.57.04". */
function stripDeprecation(v: string): string {
  const i = v.lastIndexOf(' [Deprecated');
  return i > 0 && v.endsWith(']') && v.indexOf(']', i) === v.length - 1 ? v.slice(0, i).trimEnd() : v;
}

function isBanner(t: string): boolean {
  return t.startsWith('=') && t.endsWith('=') && t.includes('NVSMI LOG');
}

function fail(msg: string): NvidiaSmiResult {
  return { ok: false, error: `nvidia-smi text: ${msg}` };
}
