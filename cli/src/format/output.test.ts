import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { UsageError } from '../errors.js';
import { formatObject, formatObjectLine, parseOutputFormat, toProtoJson } from './output.js';

describe('parseOutputFormat', () => {
  it('accepts table, json and yaml in any case and defaults to table', () => {
    expect(parseOutputFormat(undefined)).toBe('table');
    expect(parseOutputFormat('JSON')).toBe('json');
    expect(parseOutputFormat('yaml')).toBe('yaml');
  });
  it('rejects anything else as a usage error', () => {
    expect(() => parseOutputFormat('xml')).toThrow(UsageError);
  });
});

describe('toProtoJson', () => {
  it("drops the loader's virtual oneof fields of proto3 optional fields", () => {
    const loaded = { status: { exitCode: 3, _exitCode: 'exitCode', failedPod: 'a/b/0/0', pods: [{ podId: 'x', _exitCode: 'exitCode', exitCode: 0 }] } };
    expect(toProtoJson(loaded)).toEqual({ status: { exitCode: 3, failedPod: 'a/b/0/0', pods: [{ podId: 'x', exitCode: 0 }] } });
  });
  it('keeps ordinary fields that start with an underscore', () => {
    expect(toProtoJson({ _x: 'y' })).toEqual({ _x: 'y' });
  });
  it('writes non-finite doubles as proto3 JSON strings (a weighted share of ∞), not null', () => {
    expect(JSON.stringify(toProtoJson({ weightedShare: Number.POSITIVE_INFINITY, other: 250 }))).toBe('{"weightedShare":"Infinity","other":250}');
  });
});

describe('formatObject', () => {
  const msg = { metadata: { name: 'train', createdMs: 5 }, status: { phase: 'JOB_SET_PHASE_RUNNING' } };
  it('prints indented JSON that parses back to the message', () => {
    const out = formatObject('json', msg);
    expect(out.endsWith('\n')).toBe(true);
    expect(JSON.parse(out)).toEqual(msg);
  });
  it('prints YAML that parses back to the message', () => {
    expect(YAML.parse(formatObject('yaml', msg))).toEqual(msg);
  });
  it('prints one JSON line per streamed message', () => {
    const out = formatObjectLine('json', msg);
    expect(out.trimEnd().includes('\n')).toBe(false);
    expect(JSON.parse(out)).toEqual(msg);
  });
});
