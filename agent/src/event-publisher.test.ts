import { describe, expect, it } from 'vitest';
import { nullLogger } from '../../shared/src/logger.js';
import type { PodEvent, PodStatus } from '../../shared/src/proto/types.js';
import { podEventSubject } from '../../shared/src/subjects.js';
import { Backoff } from './backoff.js';
import { EventPublisher, eventMsgId, MemoryEventQueue, type DurablePublisher } from './event-publisher.js';

function status(podId: string, seq: number): PodStatus {
  return {
    podId,
    generation: 2,
    node: 'n1',
    notBeforeMs: 0,
    phase: 'POD_PHASE_RUNNING',
    signal: '',
    reason: '',
    message: '',
    startedMs: 0,
    finishedMs: 0,
    seq,
    pid: 1,
    binding: null,
    jobsetUid: 'c0ffee00-1',
    requests: { cpuMillis: 1000, memoryBytes: 0, gpus: 1, rdma: 0 },
  };
}

/** A JetStream stand-in that fails while `down` and records what it accepted. */
class FakeStream implements DurablePublisher {
  down = false;
  attempts = 0;
  accepted: { subject: string; msgID: string; event: PodEvent }[] = [];
  async publishDurable(subject: string, data: Uint8Array, msgID: string): Promise<void> {
    this.attempts++;
    if (this.down) throw new Error('no responders: stream not found');
    this.accepted.push({ subject, msgID, event: JSON.parse(Buffer.from(data).toString('utf8')) as PodEvent });
  }
}

function publisher(epoch = 3) {
  return new EventPublisher({
    node: 'n1',
    epoch: () => epoch,
    logger: nullLogger,
    clock: { now: () => 1234 },
    backoff: () => new Backoff({ initialMs: 1, maxMs: 2 }),
  });
}

describe('EventPublisher', () => {
  it('publishes each change as a PodEvent on the node subject, in order, with msgID podId@jobsetUid@generation#seq', async () => {
    const stream = new FakeStream();
    const p = publisher();
    p.connect(stream);
    p.enqueue(status('a/w/0/0', 1));
    p.enqueue(status('a/w/0/0', 2));
    p.enqueue(status('a/w/0/1', 1));
    expect(await p.flush(5000)).toBe(true);
    expect(stream.accepted.map((a) => a.msgID)).toEqual(['a/w/0/0@c0ffee00-1@2#1', 'a/w/0/0@c0ffee00-1@2#2', 'a/w/0/1@c0ffee00-1@2#1']);
    expect(stream.accepted[0]).toEqual({
      subject: podEventSubject('n1'),
      msgID: 'a/w/0/0@c0ffee00-1@2#1',
      event: { node: 'n1', epoch: 3, pod: status('a/w/0/0', 1), timeMs: 1234 },
    });
  });

  it('keeps events queued before NATS is connected and while the stream is unavailable, then delivers them in order', async () => {
    const stream = new FakeStream();
    const p = publisher();
    p.enqueue(status('a/w/0/0', 1));
    stream.down = true;
    p.connect(stream);
    p.enqueue(status('a/w/0/0', 2));
    while (stream.attempts < 3) await new Promise((r) => setImmediate(r));
    expect(p.pending).toBe(2);
    stream.down = false;
    expect(await p.flush(5000)).toBe(true);
    expect(stream.accepted.map((a) => a.msgID)).toEqual(['a/w/0/0@c0ffee00-1@2#1', 'a/w/0/0@c0ffee00-1@2#2']);
  });

  it('flush gives up after its timeout when events cannot be published', async () => {
    const stream = new FakeStream();
    stream.down = true;
    const p = publisher();
    p.connect(stream);
    p.enqueue(status('a/w/0/0', 1));
    expect(await p.flush(20)).toBe(false);
    expect(p.pending).toBe(1);
    p.stop();
  });

  it('eventMsgId is podId@jobsetUid@generation#seq: a resubmitted JobSet (new uid) never collides with the old one', () => {
    expect(eventMsgId({ podId: 'js/rj/1/2', jobsetUid: 'aaaa-1', generation: 7, seq: 3 })).toBe('js/rj/1/2@aaaa-1@7#3');
    expect(eventMsgId({ podId: 'js/rj/1/2', jobsetUid: 'bbbb-2', generation: 7, seq: 3 })).not.toBe(
      eventMsgId({ podId: 'js/rj/1/2', jobsetUid: 'aaaa-1', generation: 7, seq: 3 }),
    );
  });
});

describe('MemoryEventQueue', () => {
  const ev = (seq: number): PodEvent => ({ node: 'n1', epoch: 1, pod: status('a/w/0/0', seq), timeMs: 0 });

  it('drops the oldest event when full', () => {
    const q = new MemoryEventQueue(2);
    expect(q.push(ev(1))).toBeUndefined();
    expect(q.push(ev(2))).toBeUndefined();
    expect(q.push(ev(3))?.pod?.seq).toBe(1);
    expect(q.size).toBe(2);
    expect(q.peek()?.pod?.seq).toBe(2);
  });

  it('stays first-in first-out across many pushes and shifts', () => {
    const q = new MemoryEventQueue(10_000);
    const seen: number[] = [];
    for (let i = 1; i <= 5000; i++) {
      q.push(ev(i));
      if (i % 2 === 0) {
        seen.push(q.peek()!.pod!.seq);
        q.shift();
      }
    }
    expect(seen).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));
    expect(q.size).toBe(2500);
    expect(q.peek()?.pod?.seq).toBe(2501);
  });
});
