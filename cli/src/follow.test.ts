import { EventEmitter } from 'node:events';
import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import type { JobSet } from '../../shared/src/proto/types.js';
import { followJobSet, type JobSetStream } from './follow.js';

function js(phase: string, running = 0): JobSet {
  return { metadata: { name: 'x' }, status: { phase, replicatedJobs: [{ name: 'w', pods: 1, pending: 0, running, succeeded: 0, failed: 0 }] } } as unknown as JobSet;
}

type Step = { data: JobSet[]; then: 'end' | { code: number; details: string } };

/** scripted returns an open() whose n-th stream emits script[n] asynchronously. */
function scripted(script: Step[]) {
  let n = 0;
  const cancelled: number[] = [];
  const open = (): JobSetStream => {
    const i = n++;
    const step = script[i] ?? { data: [], then: { code: status.UNAVAILABLE, details: 'no more script' } };
    const em = new EventEmitter() as EventEmitter & { cancel(): void };
    em.cancel = () => cancelled.push(i);
    setImmediate(() => {
      for (const d of step.data) em.emit('data', d);
      if (step.then === 'end') em.emit('end');
      else em.emit('error', Object.assign(new Error(step.then.details), step.then));
    });
    return em as unknown as JobSetStream;
  };
  return { open, opened: () => n, cancelled };
}

const instant = async (): Promise<void> => undefined;

describe('followJobSet', () => {
  it('returns the first terminal JobSet and cancels the stream', async () => {
    const s = scripted([{ data: [js('JOB_SET_PHASE_RUNNING', 1), js('JOB_SET_PHASE_SUCCEEDED'), js('JOB_SET_PHASE_SUCCEEDED')], then: 'end' }]);
    const seen: string[] = [];
    const final = await followJobSet({ open: s.open, onUpdate: (j) => seen.push(j.status!.phase), sleep: instant });
    expect(final.status?.phase).toBe('JOB_SET_PHASE_SUCCEEDED');
    expect(seen).toEqual(['JOB_SET_PHASE_RUNNING', 'JOB_SET_PHASE_SUCCEEDED']);
    expect(s.cancelled).toEqual([0]);
  });

  it('throws the first connection error as it is (nothing to reconnect to)', async () => {
    const s = scripted([{ data: [], then: { code: status.UNAVAILABLE, details: 'connect ECONNREFUSED' } }]);
    await expect(followJobSet({ open: s.open, onUpdate: () => undefined, sleep: instant })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(s.opened()).toBe(1);
  });

  it('reconnects with growing backoff after a break, and resets it once data flows again', async () => {
    const s = scripted([
      { data: [js('JOB_SET_PHASE_RUNNING', 1)], then: { code: status.UNAVAILABLE, details: 'gone' } },
      { data: [], then: { code: status.UNAVAILABLE, details: 'still gone' } },
      { data: [], then: 'end' },
      { data: [js('JOB_SET_PHASE_RUNNING', 1)], then: { code: status.INTERNAL, details: 'blip' } },
      { data: [js('JOB_SET_PHASE_FAILED')], then: 'end' },
    ]);
    const waits: number[] = [];
    const final = await followJobSet({
      open: s.open,
      onUpdate: () => undefined,
      onReconnect: (_r, _a, ms) => waits.push(ms),
      initialBackoffMs: 100,
      maxBackoffMs: 300,
      sleep: instant,
    });
    expect(final.status?.phase).toBe('JOB_SET_PHASE_FAILED');
    expect(waits).toEqual([100, 200, 300, 100]);
  });

  it('ends on NOT_FOUND even after it was connected', async () => {
    const s = scripted([
      { data: [js('JOB_SET_PHASE_RUNNING', 1)], then: 'end' },
      { data: [], then: { code: status.NOT_FOUND, details: 'jobset "x" not found' } },
    ]);
    await expect(followJobSet({ open: s.open, onUpdate: () => undefined, sleep: instant })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('stops when its signal aborts', async () => {
    const ac = new AbortController();
    const open = (): JobSetStream => {
      const em = new EventEmitter() as EventEmitter & { cancel(): void };
      em.cancel = () => undefined;
      setImmediate(() => ac.abort(new Error('interrupted')));
      return em as unknown as JobSetStream;
    };
    await expect(followJobSet({ open, onUpdate: () => undefined, signal: ac.signal })).rejects.toThrow('interrupted');
  });
});
