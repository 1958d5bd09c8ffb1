import { afterEach, describe, expect, it, vi } from 'vitest';
import { nullLogger } from '../../shared/src/logger.js';
import type { RegisterRequestInput, RegisterResponse } from '../../shared/src/proto/types.js';
import { Registration } from './registration.js';

function setup(now: () => number) {
  const calls: RegisterRequestInput[] = [];
  let epoch = 0;
  const registrar = {
    register: async (req: RegisterRequestInput): Promise<RegisterResponse> => {
      calls.push(req);
      return { epoch: ++epoch, heartbeatIntervalMs: epoch === 1 ? 0 : 250, natsDesiredSubject: '', nodeLostTimeoutMs: 30_000 };
    },
  };
  const reg = new Registration({
    registrar,
    request: () => ({ nodeName: 'n1' }),
    defaultHeartbeatIntervalMs: 1000,
    logger: nullLogger,
    signal: new AbortController().signal,
    clock: { now },
  });
  const heard: [number, number][] = [];
  reg.onRegistered((e, i) => heard.push([e, i]));
  return { reg, calls, heard };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('Registration', () => {
  it('keeps the epoch and the interval the scheduler names (the configured one when it names none)', async () => {
    const { reg, heard } = setup(() => 0);
    await reg.register();
    expect([reg.epoch, reg.heartbeatIntervalMs]).toEqual([1, 1000]);
    await reg.register();
    expect([reg.epoch, reg.heartbeatIntervalMs]).toEqual([2, 250]);
    expect(heard).toEqual([
      [1, 1000],
      [2, 250],
    ]);
  });

  it('re-registers no sooner than 5 s after the previous registration, and joins requests made meanwhile', async () => {
    vi.useFakeTimers();
    let now = 10_000;
    const { reg, calls } = setup(() => now);
    await reg.register();
    now += 1000;
    const first = reg.requestReRegister('epoch mismatch');
    const second = reg.requestReRegister('epoch mismatch again');
    expect(second).toBe(first);
    await vi.advanceTimersByTimeAsync(3999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await first;
    expect(calls).toHaveLength(2);
    expect(reg.epoch).toBe(2);
  });

  it('re-registers at once when the last registration is older than 5 s', async () => {
    let now = 0;
    const { reg, calls } = setup(() => now);
    await reg.register();
    now = 6000;
    await reg.requestReRegister('mismatch');
    expect(calls).toHaveLength(2);
  });
});
