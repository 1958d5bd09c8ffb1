import { describe, expect, it } from 'vitest';
import { nullLogger, type LogFields, type Logger } from '../../shared/src/logger.js';
import { withProtoDefaults } from '../../shared/src/proto/defaults.js';
import type { NodeInventory } from '../../shared/src/proto/types.js';
import { ManualTimers } from '../../test/helpers/manual-timers.js';
import { Rediscovery } from './rediscovery.js';

class RecordingLogger implements Logger {
  constructor(readonly lines: { level: string; msg: string; fields?: LogFields }[] = []) {}
  debug(msg: string, fields?: LogFields) { this.lines.push({ level: 'debug', msg, fields }); }
  info(msg: string, fields?: LogFields) { this.lines.push({ level: 'info', msg, fields }); }
  warn(msg: string, fields?: LogFields) { this.lines.push({ level: 'warn', msg, fields }); }
  error(msg: string, fields?: LogFields) { this.lines.push({ level: 'error', msg, fields }); }
  child(): Logger { return this; }
}

const INTERVAL = 60_000;
const ROUND_TIMEOUT = 30_000;

function inventory(unhealthy = false): NodeInventory {
  return withProtoDefaults<NodeInventory>('muster.v1.NodeInventory', {
    hostname: 'h',
    gpus: [0, 1, 2, 3].map((index) =>
      withProtoDefaults('muster.v1.Gpu', {
        index,
        uuid: `GPU-${index}`,
        healthy: !(unhealthy && index === 3),
        healthReasons: unhealthy && index === 3 ? ['retired pages pending'] : [],
      }),
    ),
    capacity: { cpuMillis: 1000, memoryBytes: 1, gpus: unhealthy ? 3 : 4, rdma: 0 },
    allocatable: { cpuMillis: 1000, memoryBytes: 1, gpus: unhealthy ? 3 : 4, rdma: 0 },
  });
}

function setup(discover: () => Promise<NodeInventory>, logger: Logger = nullLogger) {
  const timers = new ManualTimers();
  const changed: { inv: NodeInventory; changes: string[] }[] = [];
  let calls = 0;
  const r = new Rediscovery({
    discover: () => {
      calls++;
      return discover();
    },
    initial: inventory(),
    intervalMs: INTERVAL,
    roundTimeoutMs: ROUND_TIMEOUT,
    logger,
    timers,
    onChanged: (inv, changes) => changed.push({ inv, changes }),
  });
  return { r, timers, changed, calls: () => calls };
}

/** tick fires the interval timer and waits for the round it started. */
async function tick(r: Rediscovery, timers: ManualTimers): Promise<void> {
  expect(timers.fire(INTERVAL)).toBe(1);
  await r.inFlight;
}

describe('Rediscovery', () => {
  it('does nothing while the inventory is unchanged', async () => {
    const { r, timers, changed, calls } = setup(async () => inventory());
    r.start();
    for (let i = 0; i < 3; i++) await tick(r, timers);
    expect(calls()).toBe(3);
    expect(changed).toEqual([]);
    expect(timers.count(INTERVAL)).toBe(1); // the next round is scheduled
  });

  it('hands on a changed inventory exactly once, with its changes logged', async () => {
    const log = new RecordingLogger();
    const { r, timers, changed } = setup(async () => inventory(true), log);
    r.start();
    await tick(r, timers);
    await tick(r, timers); // still unhealthy: compared with the new inventory, nothing changed
    expect(changed).toHaveLength(1);
    expect(changed[0]!.inv).toEqual(inventory(true));
    expect(changed[0]!.changes).toContain('GPU 3 unhealthy: retired pages pending');
    expect(r.inventory).toEqual(inventory(true));
    expect(log.lines.filter((l) => l.level === 'warn').map((l) => l.msg)).toContain('inventory changed: GPU 3 unhealthy: retired pages pending');
  });

  it('logs a discovery that throws and keeps going', async () => {
    const log = new RecordingLogger();
    let fail = true;
    const { r, timers, changed } = setup(async () => {
      if (fail) throw new Error('sysfs vanished');
      return inventory(true);
    }, log);
    r.start();
    await tick(r, timers);
    expect(changed).toEqual([]);
    expect(log.lines.some((l) => l.level === 'error' && l.msg.includes('re-discovery failed'))).toBe(true);
    fail = false;
    await tick(r, timers);
    expect(changed).toHaveLength(1);
  });

  it('never runs two discoveries at once, even when one hangs', async () => {
    const log = new RecordingLogger();
    let release!: (inv: NodeInventory) => void;
    const { r, timers, calls } = setup(() => new Promise<NodeInventory>((res) => (release = res)), log);
    r.start();
    expect(timers.fire(INTERVAL)).toBe(1);
    expect(calls()).toBe(1);
    // The watchdog reports the hang; no next round is scheduled while it runs.
    expect(timers.fire(ROUND_TIMEOUT)).toBe(1);
    expect(log.lines.some((l) => l.level === 'error' && l.msg.includes('hanging'))).toBe(true);
    expect(timers.count(INTERVAL)).toBe(0);
    release(inventory());
    await r.inFlight;
    expect(timers.count(INTERVAL)).toBe(1);
    expect(calls()).toBe(1);
  });

  it('stops on stop(): no timer left, and a round finishing afterwards changes nothing', async () => {
    let release!: (inv: NodeInventory) => void;
    const { r, timers, changed, calls } = setup(() => new Promise<NodeInventory>((res) => (release = res)));
    r.start();
    expect(timers.fire(INTERVAL)).toBe(1);
    const round = r.inFlight;
    r.stop();
    release(inventory(true));
    await round;
    expect(changed).toEqual([]);
    expect(timers.pending.size).toBe(0);
    expect(calls()).toBe(1);

    const idle = setup(async () => inventory(true));
    idle.r.start();
    idle.r.stop();
    expect(idle.timers.pending.size).toBe(0);
  });
});
