/**
 * The `-o, --output` formats. json and yaml print the proto3 JSON mapping of a
 * response as the gRPC loader produced it (camelCase fields, enum names, int64
 * as numbers, defaults present).
 */
import YAML from 'yaml';
import { UsageError } from '../errors.js';

/** OUTPUT_FORMATS are the values -o accepts. */
export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;

/** OutputFormat is one of OUTPUT_FORMATS. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** parseOutputFormat checks an -o value; throws UsageError when unknown. */
export function parseOutputFormat(v: string | undefined): OutputFormat {
  const f = (v ?? 'table').trim().toLowerCase();
  if ((OUTPUT_FORMATS as readonly string[]).includes(f)) return f as OutputFormat;
  throw new UsageError(`unknown output format "${v}" (expected ${OUTPUT_FORMATS.join(', ')})`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}

/**
 * toProtoJson returns a plain copy of a loaded message fit for printing: the
 * loader's virtual oneof fields of proto3 `optional` fields (`_exitCode:
 * "exitCode"`) are dropped and bytes become base64, as the proto3 JSON mapping has it.
 */
export function toProtoJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toProtoJson);
  if (Buffer.isBuffer(value)) return value.toString('base64');
  // proto3 JSON writes non-finite doubles as strings ("Infinity"), where JSON.stringify would write null.
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k.startsWith('_') && typeof v === 'string' && v === k.slice(1)) continue;
    if (v === undefined) continue;
    out[k] = toProtoJson(v);
  }
  return out;
}

/** formatObject renders a message as indented JSON or as YAML (ending with a newline). */
export function formatObject(format: 'json' | 'yaml', value: unknown): string {
  const plain = toProtoJson(value);
  if (format === 'json') return JSON.stringify(plain, null, 2) + '\n';
  return YAML.stringify(plain);
}

/** formatObjectLine renders a message as one compact JSON line (streams), or a `---`-led YAML document. */
export function formatObjectLine(format: 'json' | 'yaml', value: unknown): string {
  const plain = toProtoJson(value);
  if (format === 'json') return JSON.stringify(plain) + '\n';
  return '---\n' + YAML.stringify(plain);
}
