import { describe, expect, it } from 'vitest';
import { MusterError, UnavailableError } from '../../shared/src/errors.js';
import type { LogFields, Logger } from '../../shared/src/logger.js';
import type { RegisterRequestInput, RegisterResponse } from '../../shared/src/proto/types.js';
import { Backoff } from './backoff.js';
import { registerWithRetry } from './scheduler-client.js';

function capture(): { logger: Logger; lines: { level: string; msg: string; fields: LogFields }[] } {
  const lines: { level: string; msg: string; fields: LogFields }[] = [];
  const make = (): Logger => ({
    debug: (msg, fields = {}) => lines.push({ level: 'debug', msg, fields }),
    info: (msg, fields = {}) => lines.push({ level: 'info', msg, fields }),
    warn: (msg, fields = {}) => lines.push({ level: 'warn', msg, fields }),
    error: (msg, fields = {}) => lines.push({ level: 'error', msg, fields }),
    child: () => make(),
  });
  return { logger: make(), lines };
}

const REQ: RegisterRequestInput = { nodeName: 'gpu-07', instanceId: 'inst-a' };
const OK: RegisterResponse = { epoch: 3, heartbeatIntervalMs: 1000, natsDesiredSubject: 'x', nodeLostTimeoutMs: 30_000 };
const conflict = () => new MusterError('ALREADY_EXISTS', 'node "gpu-07" is held by another live agent instance (inst-b)');
const fast = () => new Backoff({ initialMs: 1, maxMs: 2 });

describe('registerWithRetry', () => {
  it('on ALREADY_EXISTS says two hosts use the same node name, and keeps retrying until accepted', async () => {
    const { logger, lines } = capture();
    const answers: (() => Promise<RegisterResponse>)[] = [
      () => Promise.reject(conflict()),
      () => Promise.reject(conflict()),
      () => Promise.reject(new UnavailableError('scheduler restarting')),
      () => Promise.resolve(OK),
    ];
    let calls = 0;
    const res = await registerWithRetry(REQ, async (req) => {
      expect(req).toBe(REQ);
      return answers[calls++]!();
    }, { signal: new AbortController().signal, log: logger, backoff: fast(), conflictBackoff: fast() });
    expect(res).toEqual(OK);
    expect(calls).toBe(4);
    const errors = lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1); // the first refusal; the next ones are quieter until the tenth
    expect(errors[0]!.msg).toMatch(/two hosts use the same node name "gpu-07"/);
    expect(errors[0]!.fields).toMatchObject({ node: 'gpu-07', instanceId: 'inst-a', code: 'ALREADY_EXISTS' });
    expect(errors[0]!.msg).toContain('inst-b'); // the scheduler's message names the other instance
    expect(lines.some((l) => l.level === 'info' && l.msg.includes('name conflict ended'))).toBe(true);
  });

  it('repeats the error every tenth refusal and stops when the agent shuts down (no crash)', async () => {
    const { logger, lines } = capture();
    const stop = new AbortController();
    let calls = 0;
    const p = registerWithRetry(REQ, async () => {
      if (++calls === 25) stop.abort();
      throw conflict();
    }, { signal: stop.signal, log: logger, conflictBackoff: fast() });
    await expect(p).rejects.toMatchObject({ name: 'AbortedError' });
    expect(lines.filter((l) => l.level === 'error').map((l) => l.fields.refusals)).toEqual([1, 10, 20]);
  });
});
