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
    expect(valueOf(decodeJsonText<Heartbeat>('muster.v1.Heartbeat', '{}'))).toEqual({ node: '', epoch: 0, timeMs: 0, desiredRevision: 0, pods: [], gpuHealth: [] });
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

  it('NodeDesired: nested assignments, env map, requests, one hostfile per JobSet', () => {
    const nd = valueOf(
      decodeJsonText<NodeDesired>(
        'muster.v1.NodeDesired',
        JSON.stringify({
          node: 'n1',
          epoch: 2,
          revision: '41',
          pods: [
            {
              podId: 'a/w/0/1',
              jobsetUid: 'uid-a',
              jobIndex: 0,
              podIndex: 1,
              env: { RANK: '1', WORLD_SIZE: '2' },
              requests: { cpuMillis: '2000', gpus: 1 },
              template: { command: ['sleep', '1'] },
            },
          ],
          hostfiles: [{ jobset_uid: 'uid-a', hosts: ['h1', 'h2'] }],
        }),
      ),
    );
    expect(nd).toMatchObject({ node: 'n1', epoch: 2, revision: 41 });
    expect(nd.hostfiles).toEqual([{ jobsetUid: 'uid-a', hosts: ['h1', 'h2'] }]);
    const a = nd.pods[0]!;
    expect(a.env).toEqual({ RANK: '1', WORLD_SIZE: '2' });
    expect(a.jobsetUid).toBe('uid-a');
    expect(a.requests).toEqual({ cpuMillis: 2000, memoryBytes: 0, gpus: 1, rdma: 0 });
    expect(a.generation).toBe(0);
    expect(a.binding).toBeNull();
    expect(a.template).toMatchObject({ command: ['sleep', '1'], args: [], env: [], image: '', resources: null });
  });

  it('NodeDesired from an older scheduler: hosts on an assignment (now reserved) is ignored, the new fields default', () => {
    const nd = valueOf(decodeJsonText<NodeDesired>('muster.v1.NodeDesired', JSON.stringify({ node: 'n1', pods: [{ podId: 'a/w/0/0', hosts: ['h1'] }] })));
    expect(nd.hostfiles).toEqual([]);
    expect(nd.pods[0]).not.toHaveProperty('hosts');
    expect(nd.pods[0]).toMatchObject({ jobsetUid: '', requests: null });
  });

  it('Heartbeat: a pod status carries its JobSet uid and requests', () => {
    const hb = valueOf(
      decodeJsonText<Heartbeat>('muster.v1.Heartbeat', JSON.stringify({ pods: [{ podId: 'a/w/0/0', jobset_uid: 'uid-a', requests: { memoryBytes: '1073741824' } }] })),
    );
    expect(hb.pods[0]).toMatchObject({ jobsetUid: 'uid-a', requests: { cpuMillis: 0, memoryBytes: 2 ** 30, gpus: 0, rdma: 0 } });
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
    { name: 'an enum value that is no enum name (lowercase)', type: 'muster.v1.PodEvent', text: '{"pod": {"phase": "running"}}', wantPaths: ['pod.phase'] },
    { name: 'an enum number given as a string', type: 'muster.v1.PodEvent', text: '{"pod": {"phase": "2"}}', wantPaths: ['pod.phase'] },
    { name: 'a fractional enum number', type: 'muster.v1.PodEvent', text: '{"pod": {"phase": 1.5}}', wantPaths: ['pod.phase'] },
    { name: 'a boolean enum', type: 'muster.v1.PodEvent', text: '{"pod": {"phase": true}}', wantPaths: ['pod.phase'] },
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
      text: '{"node": 1, "epoch": "x", "pods": [{"phase": "nope", "seq": 1.1}]}',
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

  it('enum strings that are not enum names ("toString", "constructor", "2", "running") are issues, lenient or strict', () => {
    for (const name of ['toString', 'constructor', 'hasOwnProperty', '__proto__', '2', 'running', 'Pod_Phase_Running', '', ' POD_PHASE_RUNNING']) {
      for (const rejectUnknown of [false, true]) {
        let r: DecodeResult<PodEvent> | undefined;
        expect(() => (r = decodeJsonText<PodEvent>('muster.v1.PodEvent', JSON.stringify({ pod: { phase: name } }), { rejectUnknown })), name).not.toThrow();
        expect(issuePaths(r!), `${JSON.stringify(name)} rejectUnknown=${rejectUnknown}`).toEqual(['pod.phase']);
      }
    }
  });
});

describe('decodeJsonText: enum values from newer peers', () => {
  const ZERO = POD_PHASES[0]!;
  const phaseOf = (raw: unknown, rejectUnknown?: boolean) => decodeJsonText<PodEvent>('muster.v1.PodEvent', JSON.stringify({ pod: { phase: raw } }), { rejectUnknown });

  it('the zero value is the UNSPECIFIED one', () => expect(ZERO).toBe('POD_PHASE_UNSPECIFIED'));

  // Looks like an enum name (/^[A-Z][A-Z0-9_]*$/) or is an integer, but this side does not know it.
  const future: unknown[] = ['POD_PHASE_EVICTED', 'RUNNING', 'X', 'POD_PHASE_2', 99, -1, 2 ** 31, 1000];

  for (const raw of future) {
    it(`${JSON.stringify(raw)} reads as ${ZERO} by default, and is an issue at its path when strict`, () => {
      expect(valueOf(phaseOf(raw)).pod!.phase).toBe(ZERO);
      expect(valueOf(phaseOf(raw, false)).pod!.phase).toBe(ZERO);
      const strict = phaseOf(raw, true);
      expect(issuePaths(strict)).toEqual(['pod.phase']);
    });
  }

  it('known names and numbers still decode to themselves in both modes', () => {
    for (const rejectUnknown of [false, true]) {
      expect(valueOf(phaseOf('POD_PHASE_RUNNING', rejectUnknown)).pod!.phase).toBe('POD_PHASE_RUNNING');
      expect(valueOf(phaseOf(POD_PHASES.indexOf('POD_PHASE_FAILED'), rejectUnknown)).pod!.phase).toBe('POD_PHASE_FAILED');
    }
  });

  it('inside a list of pods, only the unknown value is replaced; the rest of the heartbeat is kept', () => {
    const hb = valueOf(
      decodeJsonText<Heartbeat>(
        'muster.v1.Heartbeat',
        JSON.stringify({ node: 'n1', pods: [{ podId: 'a/w/0/0', phase: 'POD_PHASE_RUNNING', seq: 3 }, { podId: 'a/w/0/1', phase: 'POD_PHASE_HIBERNATING', seq: 4 }] }),
      ),
    );
    expect(hb.pods.map((p) => [p.podId, p.phase, p.seq])).toEqual([
      ['a/w/0/0', 'POD_PHASE_RUNNING', 3],
      ['a/w/0/1', ZERO, 4],
    ]);
  });

  it('a lenient unknown enum value does not hide other problems of the payload', () => {
    const r = decodeJsonText('muster.v1.Heartbeat', JSON.stringify({ node: 1, pods: [{ phase: 'POD_PHASE_NEW', seq: 'x' }] }));
    expect(issuePaths(r).sort()).toEqual(['node', 'pods[0].seq']);
  });

  it('strict mode reports every unknown enum value with its path', () => {
    const r = decodeJsonText('muster.v1.Heartbeat', JSON.stringify({ pods: [{ phase: 'POD_PHASE_NEW' }, { phase: 'POD_PHASE_RUNNING' }, { phase: 42 }] }), { rejectUnknown: true });
    expect(issuePaths(r)).toEqual(['pods[0].phase', 'pods[2].phase']);
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
