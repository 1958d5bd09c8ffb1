import { describe, expect, it } from 'vitest';
import { nullLogger } from '../../shared/src/logger.js';
import type { NodeDesired } from '../../shared/src/proto/types.js';
import { DESIRED_RESYNC_SUBJECT, desiredSubject } from '../../shared/src/subjects.js';
import { Backoff } from './backoff.js';
import { DesiredFollower, type DesiredTransport } from './desired-follower.js';

const NODE = 'gpu-01';

function doc(epoch: number, revision: number, podIds: string[] = [], node = NODE): string {
  return JSON.stringify({ node, epoch, revision, pods: podIds.map((podId) => ({ podId, generation: 1 })) });
}

class FakeTransport implements DesiredTransport {
  handler: ((data: Uint8Array) => void) | undefined;
  subject = '';
  requests: unknown[] = [];
  /** Replies served in order; an Error is thrown as a failed request. */
  replies: (string | Error)[] = [];

  subscribe(subject: string, handler: (data: Uint8Array) => void) {
    this.subject = subject;
    this.handler = handler;
    return () => (this.handler = undefined);
  }

  async request(subject: string, data: Uint8Array): Promise<Uint8Array> {
    expect(subject).toBe(DESIRED_RESYNC_SUBJECT);
    this.requests.push(JSON.parse(Buffer.from(data).toString('utf8')));
    const r = this.replies.shift() ?? new Error('no responders');
    if (r instanceof Error) throw r;
    return Buffer.from(r);
  }

  push(text: string): void {
    this.handler?.(Buffer.from(text));
  }
}

function setup(epoch = 5) {
  const transport = new FakeTransport();
  const registration = { epoch, reRegisters: [] as string[], requestReRegister: async (r: string) => void registration.reRegisters.push(r) };
  const applied: NodeDesired[] = [];
  const follower = new DesiredFollower({
    node: NODE,
    transport,
    registration,
    onDesired: (d) => applied.push(d),
    logger: nullLogger,
    backoff: () => new Backoff({ initialMs: 1, maxMs: 2 }),
  });
  return { transport, registration, applied, follower };
}

async function until(cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 1));
  }
}

describe('DesiredFollower', () => {
  it('subscribes to its node subject and resyncs with {node, epoch}, retrying until a valid reply', async () => {
    const { transport, applied, follower } = setup();
    transport.replies = [new Error('no responders'), 'not json', doc(5, 7, ['a/b/0/0'])];
    follower.start();
    expect(transport.subject).toBe(desiredSubject(NODE));
    await until(() => applied.length === 1);
    expect(transport.requests).toEqual([{ node: NODE, epoch: 5 }, { node: NODE, epoch: 5 }, { node: NODE, epoch: 5 }]);
    expect(applied[0]).toMatchObject({ revision: 7, pods: [{ podId: 'a/b/0/0', generation: 1 }] });
    expect(follower.appliedRevision).toBe(7);
    follower.stop();
  });

  it('applies only newer revisions of the current epoch', () => {
    const { applied, follower } = setup();
    expect(follower.handle(doc(5, 3), 'push')).toBe('applied');
    expect(follower.handle(doc(5, 3), 'push')).toBe('old');
    expect(follower.handle(doc(5, 2), 'push')).toBe('old');
    expect(follower.handle(doc(5, 4), 'push')).toBe('applied');
    expect(applied.map((d) => d.revision)).toEqual([3, 4]);
    expect(follower.appliedRevision).toBe(4);
  });

  it('drops invalid documents and documents for other nodes without throwing', () => {
    const { applied, follower, transport } = setup();
    follower.start();
    transport.push('{"node": 42}');
    transport.push('garbage');
    transport.push(doc(5, 9, [], 'other-node'));
    expect(follower.handle('{"node":"gpu-01","epoch":5,"revision":"x"}', 'push')).toBe('invalid');
    expect(applied).toEqual([]);
    follower.stop();
  });

  it('ignores a pushed document of an older epoch (sent before the scheduler saw the latest Register)', () => {
    const { applied, follower, registration } = setup(5);
    expect(follower.handle(doc(4, 100), 'push')).toBe('stale-epoch');
    expect(applied).toEqual([]);
    expect(registration.reRegisters).toEqual([]);
  });

  it('registers again on a pushed document of a newer epoch or of epoch 0, and on a resync reply of any other epoch', () => {
    const { applied, follower, registration } = setup(5);
    expect(follower.handle(doc(6, 1), 'push')).toBe('re-register');
    // Epoch 0 is the scheduler's "register again" (unknown node, or declared Lost).
    expect(follower.handle(doc(0, 0), 'push')).toBe('re-register');
    expect(follower.handle(doc(4, 1), 'resync')).toBe('re-register');
    expect(follower.handle(doc(0, 0), 'resync')).toBe('re-register');
    expect(applied).toEqual([]);
    expect(registration.reRegisters).toHaveLength(4);
  });

  it('after a new epoch, accepts that epoch’s revisions even if they are lower', () => {
    const { applied, follower, registration } = setup(5);
    follower.handle(doc(5, 10), 'push');
    registration.epoch = 6;
    expect(follower.handle(doc(6, 2), 'resync')).toBe('applied');
    expect(applied.map((d) => `${d.epoch}/${d.revision}`)).toEqual(['5/10', '6/2']);
  });

  it('a newer resync replaces the one in progress; a stopped follower applies no late reply', async () => {
    const { transport, applied, follower } = setup();
    const pending: ((text: string) => void)[] = [];
    transport.request = (_subject: string, data: Uint8Array) => {
      transport.requests.push(JSON.parse(Buffer.from(data).toString('utf8')));
      return new Promise<Uint8Array>((resolve) => pending.push((t) => resolve(Buffer.from(t))));
    };
    follower.resync();
    follower.resync();
    expect(pending).toHaveLength(2);
    pending[0]!(doc(5, 1)); // the abandoned resync's reply
    pending[1]!(doc(5, 2));
    await until(() => applied.length === 1);
    expect(applied.map((d) => d.revision)).toEqual([2]);

    follower.resync();
    follower.stop();
    pending[2]!(doc(5, 3));
    await new Promise((r) => setImmediate(r)); // let every pending continuation run
    expect(applied.map((d) => d.revision)).toEqual([2]);
  });
});
