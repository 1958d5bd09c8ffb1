/**
 * `muster logs -f` against a scripted scheduler: a pod that writes, fails,
 * is unplaced for a while and restarts as a new generation — the follower
 * prints every byte of both generations, in order, and stops when the last
 * one has ended; `--tail 0` prints nothing.
 */
import { describe, expect, it } from 'vitest';
import { MusterError } from '../../../shared/src/errors.js';
import type { PodLogsChunk } from '../../../shared/src/proto/types.js';
import type { CliContext } from '../context.js';
import { logsCommand } from './logs.js';

/** scripted is a fake client whose pod changes as calls come in (`steps[i]` runs before call i). */
function scripted(steps: Record<number, (s: State) => void>) {
  const s: State = { files: { 0: '' }, prev: {}, rotations: 0, current: 0, placed: true, ended: false };
  let calls = 0;
  return {
    state: s,
    getPodLogs: async (req: { offset?: number; maxBytes?: number; generation?: number; previous?: boolean }): Promise<PodLogsChunk> => {
      steps[calls++]?.(s);
      if (!s.placed) throw new MusterError('FAILED_PRECONDITION', 'pod t/w/0/0 has not been placed on a node yet (the JobSet is pending: Restarting)');
      const gen = req.generation ?? s.current;
      const file = Buffer.from((req.previous ? s.prev[gen] : s.files[gen]) ?? '');
      const off = Number(req.offset ?? 0);
      const start = off < 0 ? Math.max(0, file.length + off) : Math.min(off, file.length);
      const data = file.subarray(start, start + (req.maxBytes || 1 << 20));
      return { data, offset: start, nextOffset: start + data.length, size: file.length, missing: s.files[gen] === undefined, node: 'n1', podId: 't/w/0/0', generation: gen, finished: gen < s.current || s.ended, error: '', rotations: s.rotations };
    },
  };
}
interface State {
  files: Record<number, string>;
  /** What the last rotation copied to .1, per generation. */
  prev: Record<number, string>;
  rotations: number;
  current: number;
  placed: boolean;
  ended: boolean;
}

async function run(client: ReturnType<typeof scripted>, args: string[]): Promise<{ out: string; err: string }> {
  let out = '';
  let err = '';
  const ctx = { io: { out: (t: string) => (out += t), err: (t: string) => (err += t) }, client: () => client } as unknown as CliContext;
  await logsCommand(ctx).parseAsync(args, { from: 'user' });
  return { out, err };
}

describe('muster logs -f', () => {
  it('finishes a generation that restarted, waits while the pod is unplaced, then follows the new one to its end', async () => {
    const c = scripted({
      0: (s) => (s.files[0] = 'starting\n'),
      2: (s) => {
        s.files[0] += 'FATAL: stack trace\n'; // written just before the pod failed
        s.current = 1;
        s.placed = false;
      },
      5: (s) => {
        s.placed = true;
        s.files[1] = 'again\n';
      },
      7: (s) => {
        s.files[1] += 'done\n';
        s.ended = true;
      },
    });
    const { out, err } = await run(c, ['t', '-f', '--poll', '50ms']);
    expect(out).toBe('starting\nFATAL: stack trace\nagain\ndone\n');
    expect(err).toContain('--- t/w/0/0 restarted (generation 1) on n1 ---');
  });

  it('a rotation between two reads: the rest of .1 first, then the new file, even when it has grown past the old offset', async () => {
    const c = scripted({
      0: (s) => (s.files[0] = 'aaaa\nbbbb\n'),
      2: (s) => {
        s.prev[0] = s.files[0] + 'cccc\n'; // written, then copied to .1 and truncated
        s.files[0] = 'dddd\n' + 'e'.repeat(20) + '\n';
        s.rotations = 1;
      },
      4: (s) => (s.ended = true),
    });
    expect((await run(c, ['t', '-f', '--poll', '50ms'])).out).toBe('aaaa\nbbbb\ncccc\ndddd\n' + 'e'.repeat(20) + '\n');
  });

  it('a multi-byte character split across chunks is printed whole; --tail 0 prints nothing', async () => {
    const c = scripted({ 0: (s) => ((s.files[0] = 'héllo\n'), (s.ended = true)) });
    // Reading one byte at a time would split "é": the decoder keeps it whole.
    const orig = c.getPodLogs;
    c.getPodLogs = (req) => orig({ ...req, maxBytes: 1 });
    expect((await run(c, ['t', '-f', '--poll', '50ms'])).out).toBe('héllo\n');
    expect((await run(scripted({ 0: (s) => ((s.files[0] = 'old\n'), (s.ended = true)) }), ['t', '--tail', '0'])).out).toBe('');
  });

  it('without -f, a pod that is not placed is an error', async () => {
    const c = scripted({ 0: (s) => (s.placed = false) });
    await expect(run(c, ['t'])).rejects.toThrow('has not been placed');
  });
});
