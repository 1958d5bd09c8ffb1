/**
 * JSON payloads checked against the proto schema. NATS carries the proto3 JSON
 * mapping of muster.v1 messages; this module validates a payload field by
 * field (reporting each problem with its path) and fills in defaults exactly as
 * the gRPC loader does, so a message has one shape whichever way it arrived.
 * It never throws on bad input.
 */
import protobuf from 'protobufjs';
import { loadRoot } from './load.js';
import type { FieldIssue } from '../errors.js';

/** DecodeResult is a decoded message or the list of what is wrong with it. */
export type DecodeResult<T> = { ok: true; value: T } | { ok: false; issues: FieldIssue[] };

/** DecodeOptions tune strictness. */
export interface DecodeOptions {
  /** Reject fields the schema does not know (files written by people). Default false: ignore them (newer peers). */
  rejectUnknown?: boolean;
  /** Path prefix for issue paths, e.g. "spec". */
  pathPrefix?: string;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const UINT32_MAX = 4294967295;

/** lookupMessage returns the reflected type of a fully qualified message name. */
export function lookupMessage(fullName: string): protobuf.Type {
  return loadRoot().lookupType(fullName);
}

/** decodeJsonText parses text (or UTF-8 bytes) and validates it as `fullName`. */
export function decodeJsonText<T>(fullName: string, data: string | Uint8Array, opts: DecodeOptions = {}): DecodeResult<T> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof data === 'string' ? data : Buffer.from(data).toString('utf8'));
  } catch (err) {
    return { ok: false, issues: [{ path: opts.pathPrefix ?? '', message: `not valid JSON: ${(err as Error).message}` }] };
  }
  return decodeObject<T>(fullName, parsed, opts);
}

/** decodeObject validates an already-parsed value as `fullName` and fills defaults. */
export function decodeObject<T>(fullName: string, value: unknown, opts: DecodeOptions = {}): DecodeResult<T> {
  const issues: FieldIssue[] = [];
  const out = checkMessage(lookupMessage(fullName), value, opts.pathPrefix ?? '', issues, opts.rejectUnknown ?? false);
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, value: out as T };
}

/** encodeJson serialises a message object for the wire. */
export function encodeJson(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

function join(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base ? `${base}.${key}` : key;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkMessage(type: protobuf.Type, value: unknown, path: string, issues: FieldIssue[], strict: boolean): Record<string, unknown> | null {
  if (!isPlainObject(value)) {
    issues.push({ path, message: `must be an object (${type.name})` });
    return null;
  }
  const out: Record<string, unknown> = {};
  const seen = new Set<string>();
  for (const [key, raw] of Object.entries(value)) {
    const field = fieldNamed(type, key) ?? findBySnakeName(type, key);
    if (!field) {
      if (strict) issues.push({ path: join(path, key), message: `unknown field (${type.name} has: ${Object.keys(type.fields).join(', ')})` });
      continue;
    }
    seen.add(field.name);
    if (raw === null || raw === undefined) continue;
    out[field.name] = checkField(field, raw, join(path, key), issues, strict);
  }
  for (const field of type.fieldsArray) {
    if (seen.has(field.name) && out[field.name] !== undefined) continue;
    const d = defaultFor(field);
    if (d !== undefined) out[field.name] = d;
  }
  return out;
}

/** fieldNamed looks a field up by its own name only (never Object.prototype members such as `constructor`). */
function fieldNamed(type: protobuf.Type, key: string): protobuf.Field | undefined {
  return Object.hasOwn(type.fields, key) ? type.fields[key] : undefined;
}

function findBySnakeName(type: protobuf.Type, key: string): protobuf.Field | undefined {
  const camel = key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
  return fieldNamed(type, camel);
}

function isOptional(field: protobuf.Field): boolean {
  return field.partOf !== null && field.partOf !== undefined;
}

function defaultFor(field: protobuf.Field): unknown {
  if (field.map) return {};
  if (field.repeated) return [];
  if (isOptional(field)) return undefined;
  const rt = field.resolve().resolvedType;
  if (rt instanceof protobuf.Type) return null;
  if (rt instanceof protobuf.Enum) return Object.keys(rt.values)[0];
  switch (field.type) {
    case 'string':
      return '';
    case 'bool':
      return false;
    case 'bytes':
      return Buffer.alloc(0);
    default:
      return 0;
  }
}

function checkField(field: protobuf.Field, raw: unknown, path: string, issues: FieldIssue[], strict: boolean): unknown {
  if (field.map) {
    if (!isPlainObject(raw)) {
      issues.push({ path, message: 'must be an object (map)' });
      return {};
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(raw)) out[k] = checkSingle(field, v, join(path, k), issues, strict);
    return out;
  }
  if (field.repeated) {
    if (!Array.isArray(raw)) {
      issues.push({ path, message: 'must be a list' });
      return [];
    }
    return raw.map((v, i) => checkSingle(field, v, join(path, i), issues, strict));
  }
  return checkSingle(field, raw, path, issues, strict);
}

function checkSingle(field: protobuf.Field, raw: unknown, path: string, issues: FieldIssue[], strict: boolean): unknown {
  const rt = field.resolve().resolvedType;
  if (rt instanceof protobuf.Type) return checkMessage(rt, raw, path, issues, strict);
  if (rt instanceof protobuf.Enum) {
    if (typeof raw === 'string' && Object.hasOwn(rt.values, raw) && typeof rt.values[raw] === 'number') return raw;
    if (typeof raw === 'number' && Number.isInteger(raw) && Object.hasOwn(rt.valuesById, raw)) return rt.valuesById[raw];
    // A value from a newer peer (an enum name this side does not know yet) reads as the zero value when leniency is on,
    // like an unknown field: one new enum value must not make every heartbeat of a newer agent unreadable.
    if (!strict && (typeof raw === 'string' ? /^[A-Z][A-Z0-9_]*$/.test(raw) : Number.isInteger(raw))) return Object.keys(rt.values)[0];
    issues.push({ path, message: `must be one of ${Object.keys(rt.values).join(', ')}` });
    return Object.keys(rt.values)[0];
  }
  switch (field.type) {
    case 'string':
      if (typeof raw === 'string') return raw;
      issues.push({ path, message: 'must be a string' });
      return '';
    case 'bool':
      if (typeof raw === 'boolean') return raw;
      issues.push({ path, message: 'must be true or false' });
      return false;
    case 'double':
    case 'float':
      if (typeof raw === 'number' && Number.isFinite(raw)) return raw;
      issues.push({ path, message: 'must be a number' });
      return 0;
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return checkInt(raw, path, issues, INT32_MIN, INT32_MAX);
    case 'uint32':
    case 'fixed32':
      return checkInt(raw, path, issues, 0, UINT32_MAX);
    case 'int64':
    case 'sint64':
    case 'sfixed64':
      return checkInt(raw, path, issues, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, true);
    case 'uint64':
    case 'fixed64':
      return checkInt(raw, path, issues, 0, Number.MAX_SAFE_INTEGER, true);
    case 'bytes':
      if (typeof raw === 'string') return Buffer.from(raw, 'base64');
      issues.push({ path, message: 'must be a base64 string' });
      return Buffer.alloc(0);
    default:
      issues.push({ path, message: `unsupported field type ${field.type}` });
      return undefined;
  }
}

function checkInt(raw: unknown, path: string, issues: FieldIssue[], min: number, max: number, allowString = false): number {
  let n: number | undefined;
  if (typeof raw === 'number') n = raw;
  else if (allowString && typeof raw === 'string' && /^-?\d+$/.test(raw)) n = Number(raw);
  if (n === undefined || !Number.isInteger(n)) {
    issues.push({ path, message: 'must be an integer' });
    return 0;
  }
  if (n < min || n > max) {
    issues.push({ path, message: `must be between ${min} and ${max}` });
    return 0;
  }
  return n;
}
