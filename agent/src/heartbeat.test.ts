import { describe, expect, it } from 'vitest';
import { ManualInterval } from '../../test/helpers/manual-timers.js';
import { nullLogger } from '../../shared/src/logger.js';
import type { Heartbeat, PodStatus } from '../../shared/src/proto/types.js';
import { heartbeatSubject } from '../../shared/src/subjects.js';
import { Heartbeater } from './heartbeat.js';

const POD: PodStatus = {
  podId: 'a/w/0/0',
  generation: 1,
  node: 'n1',
  notBeforeMs: 0,
  phase: 'POD_PHASE_SUCCEEDED',
  exitCode: 0,
  signal: '',
  reason: 'Completed',
  message: '',
  startedMs: 10,
  finishedMs: 20,
  seq: 3,
  pid: 99,
  binding: { gpuIndices: [0], gpuUuids: ['GPU-0'], cpuset: '0-3', numaNode: 0, nics: [] },
  jobsetUid: 'c0ffee00-1',
  requests: { cpuMillis: 4000, memoryBytes: 1024, gpus: 1, rdma: 0 },
};

function setup() {
  const timers = new ManualInterval();
  const sent: { subject: string; hb: Heartbeat }[] = [];
  const transport = {
    connected: true,
    isConnected() {
      return this.connected;
    },
    publish(subject: string, data: Uint8Array) {
      sent.push({ subject, hb: JSON.parse(Buffer.from(data).toString('utf8')) as Heartbeat });
    },
  };
  let now = 1000;
  const hb = new Heartbeater({
    node: 'n1',
    transport,
    epoch: () => 4,
    desiredRevision: () => 17,
    pods: () => [POD],
    gpuHealth: () => [{ uuid: 'GPU-1', healthy: false, reasons: ['uncorrectable ECC'] }],
    intervalMs: 1000,
    logger: nullLogger,
    clock: { now: () => now++ },
    timers,
  });
  return { timers, sent, transport, hb };
}

describe('Heartbeater', () => {
  it('beats at start and on every tick with node, epoch, time, applied revision, every pod and GPU health', () => {
    const { timers, sent, hb } = setup();
    hb.start();
    timers.tick();
    expect(timers.ms).toBe(1000);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toEqual({ subject: heartbeatSubject('n1'), hb: { node: 'n1', epoch: 4, timeMs: 1000, desiredRevision: 17, pods: [POD], gpuHealth: [{ uuid: 'GPU-1', healthy: false, reasons: ['uncorrectable ECC'] }] } });
    expect(sent[1]!.hb.timeMs).toBe(1001);
  });

  it('skips beats silently while disconnected', () => {
    const { timers, sent, transport, hb } = setup();
    transport.connected = false;
    hb.start();
    timers.tick();
    expect(sent).toEqual([]);
    transport.connected = true;
    timers.tick();
    expect(sent).toHaveLength(1);
  });

  it('re-arms with the interval the scheduler names, and stops', () => {
    const { timers, sent, hb } = setup();
    hb.start();
    hb.setIntervalMs(250);
    expect(timers.ms).toBe(250);
    hb.stop();
    timers.tick();
    expect(sent).toHaveLength(1);
  });

  it('survives a publish that throws (closed connection)', () => {
    const { transport, hb } = setup();
    transport.publish = () => {
      throw new Error('closed');
    };
    expect(hb.beat()).toBe(false);
  });
});

describe('Heartbeater with acknowledgements (self-fencing)', () => {
  function acked(reply: () => Promise<Uint8Array>) {
    const requests: { subject: string; timeoutMs: number; hb: Heartbeat }[] = [];
    const published: string[] = [];
    const acked: number[] = [];
    let stamp = 500;
    const hb = new Heartbeater({
      node: 'n1',
      transport: {
        isConnected: () => true,
        publish: (subject) => void published.push(subject),
        request: (subject, data, timeoutMs) => {
          requests.push({ subject, timeoutMs, hb: JSON.parse(Buffer.from(data).toString('utf8')) as Heartbeat });
          return reply();
        },
      },
      epoch: () => 4,
      desiredRevision: () => 17,
      pods: () => [POD],
      intervalMs: 1000,
      logger: nullLogger,
      timers: new ManualInterval(),
      acks: { stamp: () => stamp++, onAck: (sent) => void acked.push(sent) },
    });
    return { hb, requests, published, acked };
  }

  it('sends each heartbeat as a request on the heartbeat subject (reply awaited two intervals, at least 2 s) and reports each reply with the stamp taken when it was sent', async () => {
    const { hb, requests, published, acked: acks } = acked(() => Promise.resolve(new Uint8Array(0)));
    expect(hb.beat()).toBe(true);
    expect(hb.beat()).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(published).toEqual([]);
    expect(requests.map((r) => [r.subject, r.timeoutMs, r.hb.epoch, r.hb.pods.length])).toEqual([
      [heartbeatSubject('n1'), 2000, 4, 1],
      [heartbeatSubject('n1'), 2000, 4, 1],
    ]);
    expect(acks).toEqual([500, 501]);
    hb.setIntervalMs(5000);
    hb.beat();
    expect(requests[2]!.timeoutMs).toBe(10_000);
  });

  it('a request that fails (timeout, no responder) is no acknowledgement, and nothing escapes', async () => {
    const { hb, acked: acks } = acked(() => Promise.reject(new Error('TIMEOUT')));
    expect(hb.beat()).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(acks).toEqual([]);
  });
});
