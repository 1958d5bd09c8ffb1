import { describe, expect, it } from 'vitest';
import { AbortedError, Backoff, retryUntilSuccess, sleep } from './backoff.js';

describe('Backoff', () => {
  it('doubles from 200 ms to a 5 s cap, each delay jittered within the upper half of its step', () => {
    const lo = new Backoff({ random: () => 0 });
    const hi = new Backoff({ random: () => 0.999999 });
    const steps = [200, 400, 800, 1600, 3200, 5000, 5000];
    expect(steps.map(() => lo.next())).toEqual(steps.map((s) => s / 2));
    expect(steps.map(() => hi.next())).toEqual(steps);
  });

  it('reset starts over', () => {
    const b = new Backoff({ random: () => 0.999999 });
    b.next();
    b.next();
    b.reset();
    expect(b.next()).toBe(200);
  });
});

describe('retryUntilSuccess', () => {
  it('retries failures until the call succeeds, reporting each failure', async () => {
    const seen: number[] = [];
    const result = await retryUntilSuccess(
      async (attempt) => {
        if (attempt < 3) throw new Error(`fail ${attempt}`);
        return 'ok';
      },
      { backoff: new Backoff({ initialMs: 1, maxMs: 1 }), onError: (_e, attempt) => seen.push(attempt) },
    );
    expect(result).toBe('ok');
    expect(seen).toEqual([1, 2]);
  });

  it('stops with AbortedError when its signal aborts', async () => {
    const ac = new AbortController();
    const p = retryUntilSuccess(
      async () => {
        ac.abort();
        throw new Error('down');
      },
      { signal: ac.signal, backoff: new Backoff({ initialMs: 60_000 }) },
    );
    await expect(p).rejects.toBeInstanceOf(AbortedError);
  });

  it('sleep rejects at once when aborted', async () => {
    const ac = new AbortController();
    const p = sleep(60_000, ac.signal);
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(AbortedError);
  });
});
