import { describe, expect, it } from 'vitest';
import { decodeJsonText, decodeObject, encodeJson, type DecodeResult } from './json-codec.js';
import type { Heartbeat, NodeDesired, PodEvent } from './types.js';
import { PodPhase } from './generated/muster/v1/PodPhase.js';

const POD_PHASES = Object.keys(PodPhase);

function issuePaths<T>(r: DecodeResult<T>): string[] {
  return r.ok ? [] : r.issues.map((i) => i.path);
}

function valueOf<T>(r: DecodeResult<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.issues)}`);
  return r.value;
}

describe('decodeJsonText: valid payloads get defaults', () => {
  it('Heartbeat: int64 as number or decimal string, defaults for the rest', () => {
    const hb = valueOf(
      decodeJsonText<Heartbeat>(
        'muster.v1.Heartbeat',
        JSON.stringify({ node: 'n1', epoch: '7', timeMs: 1700000000000, pods: [{ podId: 'a/w/0/0', phase: 'POD_PHASE_RUNNING', seq: '12' }] }),
      ),
    );
    expect(hb.node).toBe('n1');
    expect(hb.epoch).toBe(7);
    expect(hb.timeMs).toBe(1700000000000);
    expect(hb.desiredRevision).toBe(0);
    expect(hb.pods).toHaveLength(1);
    const p = hb.pods[0]!;
    expect(p).toMatchObject({ podId: 'a/w/0/0', phase: 'POD_PHASE_RUNNING', seq: 12, generation: 0, node: '', signal: '', reason: '', message: '', startedMs: 0, finishedMs: 0, pid: 0, binding: null });
    // proto3 `optional`: absent stays absent.
    expect(p.exitCode).toBeUndefined();
  });

  it('Heartbeat: an empty object is a valid message of defaults', () => {
    expect(valueOf(decodeJsonText<Heartbeat>('muster.v1.Heartbeat', '{}'))).toEqual({ node: '', epoch: 0, timeMs: 0, desiredRevision: 0, pods: [] });
  });

  it('accepts UTF-8 bytes as well as text', () => {
    const bytes = encodeJson({ node: 'n2', epoch: 3 });
    expect(valueOf(decodeJsonText<Heartbeat>('muster.v1.Heartbeat', bytes))).toMatchObject({ node: 'n2', epoch: 3 });
  });

  it('PodEvent: an explicit exit code 0 is kept, enum numbers become names, snake_case keys are accepted', () => {
    const ev = valueOf(
      decodeJsonText<PodEvent>('muster.v1.PodEvent', JSON.stringify({ node: 'n1', time_ms: 5, pod: { pod_id: 'a/w/0/0', phase: 4, exit_code: 0, binding: { gpuIndices: [1, 3] } } })),
    );
    expect(ev.timeMs).toBe(5);
    expect(ev.pod?.podId).toBe('a/w/0/0');
    expect(ev.pod?.phase).toBe(POD_PHASES[4]);
    expect(ev.pod?.exitCode).toBe(0);
    expect(ev.pod?.binding).toEqual({ gpuIndices: [1, 3], gpuUuids: [], cpuset: '', numaNode: 0, nics: [] });
    expect(ev.epoch).toBe(0);
  });

  it('NodeDesired: nested assignments, env map, hosts list', () => {
    const nd = valueOf(
      decodeJsonText<NodeDesired>(
        'muster.v1.NodeDesired',
        JSON.stringify({
          node: 'n1',
          epoch: 2,
          revision: '41',
          pods: [{ podId: 'a/w/0/1', jobIndex: 0, podIndex: 1, env: { RANK: '1', WORLD_SIZE: '2' }, hosts: ['h1', 'h2'], template: { command: ['sleep', '1'] } }],
        }),
      ),
    );
    expect(nd).toMatchObject({ node: 'n1', epoch: 2, revision: 41 });
    const a = nd.pods[0]!;
    expect(a.env).toEqual({ RANK: '1', WORLD_SIZE: '2' });
    expect(a.hosts).toEqual(['h1', 'h2']);
    expect(a.generation).toBe(0);
    expect(a.binding).toBeNull();
    expect(a.template).toMatchObject({ command: ['sleep', '1'], args: [], env: [], image: '', resources: null });
  });

  it('pathPrefix is put in front of every issue path', () => {
    const r = decodeObject('muster.v1.Heartbeat', { epoch: 'x' }, { pathPrefix: 'payload' });
    expect(issuePaths(r)).toEqual(['payload.epoch']);
  });
});

describe('decodeJsonText: garbage gives issues with paths and never throws', () => {
  const cases: { name: string; type: string; text: string; wantPaths: string[] }[] = [
    { name: 'not JSON', type: 'muster.v1.Heartbeat', text: '{node: n1', wantPaths: [''] },
    { name: 'empty text', type: 'muster.v1.Heartbeat', text: '', wantPaths: [''] },
    { name: 'a number', type: 'muster.v1.Heartbeat', text: '42', wantPaths: [''] },
    { name: 'a list', type: 'muster.v1.Heartbeat', text: '[]', wantPaths: [''] },
    { name: 'null', type: 'muster.v1.Heartbeat', text: 'null', wantPaths: [''] },
    { name: 'a string where a string field is a number', type: 'muster.v1.Heartbeat', text: '{"node": 5}', wantPaths: ['node'] },
    { name: 'a fractional int64', type: 'muster.v1.Heartbeat', text: '{"epoch": 1.5}', wantPaths: ['epoch'] },
    { name: 'an int64 string that is not decimal', type: 'muster.v1.Heartbeat', text: '{"epoch": "12abc"}', wantPaths: ['epoch'] },
    { name: 'an int64 beyond what a JS number holds exactly', type: 'muster.v1.Heartbeat', text: '{"epoch": "9007199254740993"}', wantPaths: ['epoch'] },
    { name: 'a boolean for an int64', type: 'muster.v1.Heartbeat', text: '{"timeMs": true}', wantPaths: ['timeMs'] },
    { name: 'a repeated field as an object', type: 'muster.v1.Heartbeat', text: '{"pods": {}}', wantPaths: ['pods'] },
    { name: 'a list element that is not a message', type: 'muster.v1.Heartbeat', text: '{"pods": [{}, 5]}', wantPaths: ['pods[1]'] },
    { name: 'a null list element', type: 'muster.v1.Heartbeat', text: '{"pods": [null]}', wantPaths: ['pods[0]'] },
    { name: 'an enum name not in the enum', type: 'muster.v1.PodEvent', text: '{"pod": {"phase": "RUNNING"}}', wantPaths: ['pod.phase'] },
    { name: 'an enum number not in the enum', type: 'muster.v1.PodEvent', text: '{"pod": {"phase": 99}}', wantPaths: ['pod.phase'] },
    { name: 'an int32 above its range', type: 'muster.v1.PodEvent', text: '{"pod": {"exitCode": 2147483648}}', wantPaths: ['pod.exitCode'] },
    { name: 'an int32 below its range', type: 'muster.v1.PodEvent', text: '{"pod": {"pid": -2147483649}}', wantPaths: ['pod.pid'] },
    { name: 'an int32 given as a string', type: 'muster.v1.PodEvent', text: '{"pod": {"exitCode": "1"}}', wantPaths: ['pod.exitCode'] },
    { name: 'a nested message as a string', type: 'muster.v1.PodEvent', text: '{"pod": "a/w/0/0"}', wantPaths: ['pod'] },
    { name: 'a nested message as a list', type: 'muster.v1.Heartbeat', text: '{"pods": [{"binding": []}]}', wantPaths: ['pods[0].binding'] },
    { name: 'a repeated int32 with a string in it', type: 'muster.v1.PodEvent', text: '{"pod": {"binding": {"gpuIndices": [0, "1"]}}}', wantPaths: ['pod.binding.gpuIndices[1]'] },
    { name: 'a map value that is not a string', type: 'muster.v1.NodeDesired', text: '{"pods": [{"env": {"RANK": 1}}]}', wantPaths: ['pods[0].env.RANK'] },
    { name: 'a map as a list', type: 'muster.v1.NodeDesired', text: '{"pods": [{"env": ["RANK=1"]}]}', wantPaths: ['pods[0].env'] },
    { name: 'an int32 deep inside a pod template given as a string', type: 'muster.v1.NodeDesired', text: '{"pods": [{"template": {"resources": {"gpus": "2"}}}]}', wantPaths: ['pods[0].template.resources.gpus'] },
    {
      name: 'several problems at once',
      type: 'muster.v1.Heartbeat',
      text: '{"node": 1, "epoch": "x", "pods": [{"phase": "NOPE", "seq": 1.1}]}',
      wantPaths: ['node', 'epoch', 'pods[0].phase', 'pods[0].seq'],
    },
  ];
  for (const c of cases) {
    it(`${c.name} (${c.type}) → ${c.wantPaths.map((p) => p || '(root)').join(', ')}`, () => {
      let r: DecodeResult<unknown> | undefined;
      expect(() => (r = decodeJsonText(c.type, c.text))).not.toThrow();
      expect(r!.ok).toBe(false);
      expect(issuePaths(r!).sort()).toEqual([...c.wantPaths].sort());
    });
  }

  it('invalid UTF-8 bytes do not throw', () => {
    let r: DecodeResult<unknown> | undefined;
    expect(() => (r = decodeJsonText('muster.v1.Heartbeat', new Uint8Array([0xff, 0xfe, 0x7b])))).not.toThrow();
    expect(r!.ok).toBe(false);
  });

  // Keys and enum strings that name members of Object.prototype (or of the enum's
  // id table) must be treated like any other unknown name.
  const PROTOTYPE_NAMES = ['constructor', 'toString', 'hasOwnProperty', '__proto__'];

  it('unknown fields named like Object.prototype members do not throw: ignored, or rejected when strict', () => {
    for (const key of PROTOTYPE_NAMES) {
      const text = `{"node": "n1", "${key}": 1}`;
      let lax: DecodeResult<Heartbeat> | undefined;
      let strict: DecodeResult<Heartbeat> | undefined;
      expect(() => (lax = decodeJsonText<Heartbeat>('muster.v1.Heartbeat', text)), key).not.toThrow();
      expect(lax!.ok, key).toBe(true);
      expect(() => (strict = decodeJsonText<Heartbeat>('muster.v1.Heartbeat', text, { rejectUnknown: true })), key).not.toThrow();
      expect(issuePaths(strict!), key).toEqual([key]);
    }
  });

  it('enum strings that are not enum names ("toString", "constructor", "2") never come out as the phase', () => {
    for (const name of ['toString', 'constructor', '2']) {
      const r = decodeJsonText<PodEvent>('muster.v1.PodEvent', `{"pod": {"phase": "${name}"}}`);
      // Rejected at pod.phase, or (for "2" only, as some proto3 JSON parsers do) mapped to the enum name.
      if (r.ok) {
        expect(name, 'only a number may be mapped').toBe('2');
        expect(r.value.pod!.phase).toBe(POD_PHASES[2]);
      } else expect(issuePaths(r), name).toEqual(['pod.phase']);
    }
  });
});

describe('decodeJsonText: unknown fields', () => {
  const text = JSON.stringify({ node: 'n1', futureField: { x: 1 }, pods: [{ podId: 'a/w/0/0', color: 'blue' }] });

  it('are ignored by default (newer peers)', () => {
    const hb = valueOf(decodeJsonText<Heartbeat>('muster.v1.Heartbeat', text));
    expect(hb).not.toHaveProperty('futureField');
    expect(hb.pods[0]).not.toHaveProperty('color');
    expect(hb.node).toBe('n1');
  });

  it('are rejected with their paths when rejectUnknown is set', () => {
    const r = decodeJsonText('muster.v1.Heartbeat', text, { rejectUnknown: true });
    expect(issuePaths(r).sort()).toEqual(['futureField', 'pods[0].color']);
  });
});
