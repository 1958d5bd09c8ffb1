import { describe, expect, it } from 'vitest';
import { ManualInterval } from '../../test/helpers/manual-timers.js';
import { nullLogger } from '../../shared/src/logger.js';
import { fenceMargin, monotonicClock, SelfFence } from './self-fence.js';

function setup(afterMs = 5000) {
  let now = 100_000;
  const calls: string[] = [];
  const timers = new ManualInterval();
  const fence = new SelfFence({
    afterMs,
    fence: (why) => void calls.push(`fence: ${why}`),
    unfence: () => void calls.push('unfence'),
    logger: nullLogger,
    clock: { now: () => now },
    timers,
  });
  return { fence, calls, timers, advance: (ms: number) => (now += ms), fences: () => calls.filter((c) => c.startsWith('fence')) };
}

describe('SelfFence', () => {
  it('fences when no heartbeat has been acknowledged for afterMs, saying for how long, and keeps fencing at every check while silent', () => {
    const { fence, fences, advance } = setup(5000);
    fence.start();
    advance(4999);
    expect(fence.check()).toBe(false);
    expect(fences()).toEqual([]);
    advance(1);
    expect(fence.check()).toBe(true);
    expect(fence.isFenced).toBe(true);
    expect(fences()[0]).toContain('5.0s');
    expect(fences()[0]).toContain('fencePodsAfter 5s');
    // Still silent: enforced again (pods adopted or left starting meanwhile are stopped too), but it fenced only once.
    advance(1000);
    expect(fence.check()).toBe(false);
    expect(fences()).toHaveLength(2);
  });

  it('each acknowledgement restarts the count from when its heartbeat was sent; an older stamp never moves it back', () => {
    const { fence, fences, advance } = setup(5000);
    fence.start();
    for (let i = 0; i < 10; i++) {
      advance(4000);
      fence.acknowledged();
      expect(fence.check()).toBe(false);
    }
    const sentAt = fence.now();
    advance(3000);
    fence.acknowledged(sentAt); // a reply that took 3 s: the silence counts from the send
    fence.acknowledged(sentAt - 10_000); // a late reply to an older heartbeat changes nothing
    advance(2000);
    expect(fence.check()).toBe(true);
    expect(fences()).toHaveLength(1);
  });

  it('heard again after fencing: unfenced (pods may start), and a later silence fences again', () => {
    const { fence, calls, advance } = setup(2000);
    fence.start();
    advance(2000);
    fence.check();
    fence.acknowledged();
    expect(fence.isFenced).toBe(false);
    expect(calls.map((c) => c.split(':')[0])).toEqual(['fence', 'unfence']);
    fence.acknowledged(); // not fenced: nothing to undo
    expect(calls).toHaveLength(2);
    advance(1999);
    expect(fence.check()).toBe(false);
    advance(1);
    expect(fence.check()).toBe(true);
  });

  it('checks on its own timer, a quarter of the silence at most a second apart, until stopped; the silence counts from start', () => {
    const { fence, fences, timers, advance } = setup(2000);
    advance(10_000); // before start: not counted
    fence.start();
    expect(timers.ms).toBe(500);
    advance(1000);
    timers.tick();
    expect(fences()).toEqual([]);
    advance(1000);
    timers.tick();
    expect(fences()).toHaveLength(1);
    fence.stop();
    expect(timers.fn).toBeUndefined();
    const long = setup(60_000);
    long.fence.start();
    expect(long.timers.ms).toBe(1000);
  });

  it('setMinimumMs lengthens a fence shorter than three heartbeat intervals (never shortens the setting) and re-arms the timer', () => {
    const { fence, fences, timers, advance } = setup(2000);
    fence.start();
    fence.setMinimumMs(3 * 5000); // the scheduler names a 5 s interval
    expect(fence.effectiveAfterMs).toBe(15_000);
    expect(timers.ms).toBe(1000);
    advance(14_999);
    expect(fence.check()).toBe(false);
    advance(1);
    expect(fence.check()).toBe(true);
    fence.setMinimumMs(3 * 100);
    expect(fence.effectiveAfterMs).toBe(2000);
    expect(fences()).toHaveLength(1);
  });

  it('counts on a monotonic clock by default, and refuses a non-positive afterMs', () => {
    const a = monotonicClock.now();
    expect(monotonicClock.now()).toBeGreaterThanOrEqual(a);
    expect(new SelfFence({ afterMs: 1000, fence: () => undefined, unfence: () => undefined, logger: nullLogger }).now()).toBeGreaterThanOrEqual(a);
    expect(() => new SelfFence({ afterMs: 0, fence: () => undefined, unfence: () => undefined, logger: nullLogger })).toThrow(RangeError);
  });
});

describe('fenceMargin', () => {
  it('the pods are gone at most fence + one check (1 s) + stop grace after the last acknowledged heartbeat; safe only below the lost timeout', () => {
    expect(fenceMargin(15_000, 10_000, 30_000)).toEqual({ worstCaseMs: 26_000, nodeLostTimeoutMs: 30_000, safe: true });
    expect(fenceMargin(25_000, 10_000, 30_000)).toEqual({ worstCaseMs: 36_000, nodeLostTimeoutMs: 30_000, safe: false });
    expect(fenceMargin(3000, 2000, 6000).safe).toBe(false); // equal is not below
    expect(fenceMargin(3000, 2000, 8000).safe).toBe(true); // the partition test's settings
    expect(fenceMargin(60_000, 10_000, 0).safe).toBe(true); // a scheduler that does not say
  });
});
