import { describe, expect, it } from 'vitest';
import { TimeoutError, waitFor } from './poll.js';

describe('waitFor', () => {
  it('returns the first truthy probe result', async () => {
    let n = 0;
    const v = await waitFor(() => (++n >= 3 ? `done after ${n}` : undefined), { timeoutMs: 5000, intervalMs: 1, what: 'three tries' });
    expect(v).toBe('done after 3');
  });

  it('throws a TimeoutError naming what it waited for', async () => {
    const err = await waitFor(() => false, { timeoutMs: 20, intervalMs: 5, what: 'the moon' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toMatch(/waiting for the moon/);
  });

  it('rethrows a probe error at once unless retryOnError is set', async () => {
    await expect(waitFor(() => Promise.reject(new Error('dead')), { timeoutMs: 5000, what: 'x' })).rejects.toThrow('dead');
    let n = 0;
    const v = await waitFor(
      () => {
        if (++n < 3) throw new Error('not yet');
        return n;
      },
      { timeoutMs: 5000, intervalMs: 1, what: 'x', retryOnError: true },
    );
    expect(v).toBe(3);
  });

  it('reports the last probe error on timeout when retrying errors', async () => {
    const err = await waitFor(
      () => {
        throw new Error('connection refused');
      },
      { timeoutMs: 20, intervalMs: 5, what: 'x', retryOnError: true },
    ).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/last error: connection refused/);
  });

  it('stops when its signal aborts', async () => {
    const ac = new AbortController();
    const p = waitFor(() => undefined, { timeoutMs: 60_000, intervalMs: 10, what: 'x', signal: ac.signal });
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
  });
});
