import { describe, expect, it } from 'vitest';
import { ManualInterval } from '../../test/helpers/manual-timers.js';
import { nullLogger } from '../../shared/src/logger.js';
import { SelfFence } from './self-fence.js';

function setup(afterMs = 5000) {
  let now = 100_000;
  const fenced: string[] = [];
  const timers = new ManualInterval();
  const fence = new SelfFence({ afterMs, fence: (why) => fenced.push(why), logger: nullLogger, clock: { now: () => now }, timers });
  return { fence, fenced, timers, advance: (ms: number) => (now += ms) };
}

describe('SelfFence', () => {
  it('fences once when no heartbeat has been acknowledged for afterMs, saying for how long', () => {
    const { fence, fenced, advance } = setup(5000);
    fence.start();
    advance(4999);
    expect(fence.check()).toBe(false);
    expect(fenced).toEqual([]);
    advance(1);
    expect(fence.check()).toBe(true);
    expect(fence.isFenced).toBe(true);
    expect(fenced).toHaveLength(1);
    expect(fenced[0]).toContain('5.0s');
    expect(fenced[0]).toContain('fencePodsAfter 5s');
    // Still silent: not fenced twice.
    advance(60_000);
    expect(fence.check()).toBe(false);
    expect(fenced).toHaveLength(1);
  });

  it('each acknowledgement restarts the count', () => {
    const { fence, fenced, advance } = setup(5000);
    fence.start();
    for (let i = 0; i < 10; i++) {
      advance(4000);
      fence.acknowledged();
      expect(fence.check()).toBe(false);
    }
    expect(fenced).toEqual([]);
  });

  it('heard again after fencing, it is no longer fenced, and a later silence fences again', () => {
    const { fence, fenced, advance } = setup(2000);
    fence.start();
    advance(2000);
    fence.check();
    fence.acknowledged();
    expect(fence.isFenced).toBe(false);
    advance(1999);
    expect(fence.check()).toBe(false);
    advance(1);
    expect(fence.check()).toBe(true);
    expect(fenced).toHaveLength(2);
  });

  it('checks on its own timer, a quarter of afterMs at most a second apart, until stopped; the silence counts from start', () => {
    const { fence, fenced, timers, advance } = setup(2000);
    advance(10_000); // before start: not counted
    fence.start();
    expect(timers.ms).toBe(500);
    advance(1000);
    timers.tick();
    expect(fenced).toEqual([]);
    advance(1000);
    timers.tick();
    expect(fenced).toHaveLength(1);
    fence.stop();
    expect(timers.fn).toBeUndefined();
    const long = setup(60_000);
    long.fence.start();
    expect(long.timers.ms).toBe(1000);
  });

  it('refuses a non-positive afterMs', () => {
    expect(() => new SelfFence({ afterMs: 0, fence: () => undefined, logger: nullLogger })).toThrow(RangeError);
  });
});
