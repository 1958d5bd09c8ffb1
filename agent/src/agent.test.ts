import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nullLogger } from '../../shared/src/logger.js';
import { withProtoDefaults } from '../../shared/src/proto/defaults.js';
import type { Heartbeat, NodeDesired, NodeInventory, PodAssignment, PodEvent, RegisterRequestInput } from '../../shared/src/proto/types.js';
import { DESIRED_RESYNC_SUBJECT, desiredSubject, heartbeatSubject, podEventSubject } from '../../shared/src/subjects.js';
import { Agent, type AgentLink } from './agent.js';
import { agentConfigSchema, agentDefaults } from './config.js';
import { inventoryFromFacts } from './inventory.js';
import type { RediscoveryTimers } from './rediscovery.js';
import { killGroup, readProcStat } from './runtime/proc.js';
import { recordFor, RunningRecords } from './runtime/running-records.js';

const NODE = 'unit-node';

/** An in-memory NATS: records what the agent publishes and lets the test push desired documents. */
class FakeLink implements AgentLink {
  desiredHandler: ((data: Uint8Array) => void) | undefined;
  current: NodeDesired | undefined;
  heartbeats: Heartbeat[] = [];
  events: { subject: string; msgID: string; ev: PodEvent }[] = [];
  resyncs = 0;
  drained = false;

  subscribe(subject: string, handler: (data: Uint8Array) => void) {
    expect(subject).toBe(desiredSubject(NODE));
    this.desiredHandler = handler;
    return () => (this.desiredHandler = undefined);
  }
  async request(subject: string): Promise<Uint8Array> {
    expect(subject).toBe(DESIRED_RESYNC_SUBJECT);
    this.resyncs++;
    if (!this.current) throw new Error('no responders');
    return Buffer.from(JSON.stringify(this.current));
  }
  isConnected(): boolean {
    return true;
  }
  publish(subject: string, data: Uint8Array): void {
    expect(subject).toBe(heartbeatSubject(NODE));
    this.heartbeats.push(JSON.parse(Buffer.from(data).toString('utf8')) as Heartbeat);
  }
  async publishDurable(subject: string, data: Uint8Array, msgID: string): Promise<void> {
    this.events.push({ subject, msgID, ev: JSON.parse(Buffer.from(data).toString('utf8')) as PodEvent });
  }
  onReconnect(): void {}
  serve(): () => void {
    return () => undefined;
  }
  async drain(): Promise<void> {
    this.drained = true;
  }
  push(doc: NodeDesired): void {
    this.current = doc;
    this.desiredHandler?.(Buffer.from(JSON.stringify(doc)));
  }
}

const UID = 'abcdef01-2345-4678-9abc-def012345678';

function pod(jobIndex: number, script: string): PodAssignment {
  return {
    podId: `job/w/${jobIndex}/0`,
    jobset: 'job',
    jobsetUid: UID,
    replicatedJob: 'w',
    jobIndex,
    podIndex: 0,
    generation: 1,
    template: { image: '', command: ['sh', '-c', script], args: [], env: [], workingDir: '', resources: null, user: '', migProfile: '', imagePullPolicy: '', mounts: [], shmSizeBytes: 0 },
    env: {},
    binding: { gpuIndices: [], gpuUuids: [], cpuset: '', numaNode: 0, nics: [] },
    submitDir: '',
    user: '',
    requests: { cpuMillis: 500, memoryBytes: 0, gpus: 0, rdma: 0 },
  };
}

const INVENTORY = inventoryFromFacts({ cpu: { manufacturer: '', brand: '', physicalCores: 1, cores: 1, processors: 1 }, memTotal: 1, os: { distro: '', release: '', kernel: '', hostname: 'h' } });

function gpuOf(index: number): NodeInventory['gpus'][number] {
  return withProtoDefaults<NodeInventory['gpus'][number]>('muster.v1.Gpu', { index, uuid: `GPU-${index}` });
}

async function until(what: string, cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let stateDir: string;
beforeEach(() => {
  stateDir = mkdtempSync(path.join(os.tmpdir(), 'muster-agent-'));
});
afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

describe('Agent', () => {
  it('registers, follows its desired document, runs pods, reports them, and (podsOnExit: stop) stops them all on shutdown', async () => {
    const link = new FakeLink();
    const registrations: RegisterRequestInput[] = [];
    const config = agentConfigSchema.parse({ ...agentDefaults(), nodeName: NODE, stateDir, labels: 'rack=r1', stopGracePeriodMs: 5000, runPodsAs: 'agent', allowRootPods: true, podsOnExit: 'stop' });
    const agent = new Agent({
      config,
      logger: nullLogger,
      inventory: inventoryFromFacts({
        cpu: { manufacturer: 'X', brand: 'Y', physicalCores: 4, cores: 8, processors: 1 },
        memTotal: 1 << 30,
        os: { distro: 'D', release: '1', kernel: 'k', hostname: 'h' },
      }),
      env: { PATH: process.env.PATH },
      registrar: {
        register: async (req) => {
          registrations.push(req);
          return { epoch: 7, heartbeatIntervalMs: 3_600_000, natsDesiredSubject: desiredSubject(NODE), nodeLostTimeoutMs: 30_000 };
        },
      },
      connectNats: async () => link,
    });
    const running = agent.run();

    await until('subscription', () => link.desiredHandler !== undefined);
    expect(registrations).toHaveLength(1);
    expect(registrations[0]).toMatchObject({ nodeName: NODE, labels: { rack: 'r1' }, inventory: { threads: 8, capacity: { cpuMillis: 8000 } } });
    expect(link.heartbeats[0]).toMatchObject({ node: NODE, epoch: 7, desiredRevision: 0, pods: [] });

    link.push({ node: NODE, epoch: 7, revision: 1, pods: [pod(0, 'cat "$MUSTER_HOSTFILE"'), pod(1, 'sleep 30')], hostfiles: [{ jobsetUid: UID, hosts: ['n1', 'n2'] }] });
    await until('pod 0 done and pod 1 running', () => {
      const phases = link.events.map((e) => `${e.msgID}:${e.ev.pod?.phase}`);
      return phases.includes(`job/w/0/0@${UID}@1#3:POD_PHASE_SUCCEEDED`) && phases.includes(`job/w/1/0@${UID}@1#2:POD_PHASE_RUNNING`);
    });
    expect(link.events.every((e) => e.subject === podEventSubject(NODE) && e.ev.epoch === 7 && e.ev.node === NODE)).toBe(true);
    // Every event says which JobSet incarnation the pod is of, and what it holds.
    for (const e of link.events) expect(e.ev.pod).toMatchObject({ jobsetUid: UID, requests: { cpuMillis: 500 }, binding: { cpuset: '' } });
    expect(readFileSync(path.join(stateDir, 'pods', 'job', UID.slice(0, 8), 'w-0-0', 'g1', 'stdout.log'), 'utf8')).toBe('n1\nn2\n');
    // The running pod is recorded (for a restarted agent to stop, should this one crash).
    expect(readdirSync(path.join(stateDir, 'running'))).toHaveLength(1);

    await agent.shutdown('test');
    await running;
    const last = link.events.at(-1)!;
    expect(last.msgID).toBe(`job/w/1/0@${UID}@1#3`);
    expect(last.ev.pod).toMatchObject({ phase: 'POD_PHASE_FAILED', reason: 'Stopped', signal: 'SIGTERM' });
    // The final heartbeat reports both pods terminal, with the revision applied.
    const hb = link.heartbeats.at(-1)!;
    expect(hb.desiredRevision).toBe(1);
    expect(hb.pods.map((p) => `${p.podId}:${p.phase}`).sort()).toEqual(['job/w/0/0:POD_PHASE_SUCCEEDED', 'job/w/1/0:POD_PHASE_FAILED']);
    for (const p of hb.pods) expect(p).toMatchObject({ jobsetUid: UID, requests: { cpuMillis: 500 } });
    expect(link.drained).toBe(true);
    expect(readdirSync(path.join(stateDir, 'running'))).toEqual([]);
  });

  it('sends a random instance id kept in <stateDir>/instance-id, the same after a restart', async () => {
    const nested = path.join(stateDir, 'not', 'yet', 'there');
    const ids: string[] = [];
    for (let run = 0; run < 2; run++) {
      const link = new FakeLink();
      const agent = new Agent({
        config: agentConfigSchema.parse({ ...agentDefaults(), nodeName: NODE, stateDir: nested }),
        logger: nullLogger,
        inventory: INVENTORY,
        registrar: {
          register: async (req) => {
            ids.push(req.instanceId ?? '');
            return { epoch: 1, heartbeatIntervalMs: 3_600_000, natsDesiredSubject: desiredSubject(NODE), nodeLostTimeoutMs: 30_000 };
          },
        },
        connectNats: async () => link,
      });
      const running = agent.run();
      await until('subscription', () => link.desiredHandler !== undefined);
      await agent.shutdown('test');
      await running;
    }
    expect(ids).toHaveLength(2);
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[1]).toBe(ids[0]);
    expect(readFileSync(path.join(nested, 'instance-id'), 'utf8').trim()).toBe(ids[0]);
  });

  it('stops the pods a crashed predecessor left running that its pod table does not know, before it registers', async () => {
    // A pod of the previous agent: its own process group, recorded, still running.
    const orphan = spawn('sh', ['-c', 'exec sleep 30'], { detached: true, stdio: 'ignore' });
    await new Promise((r) => orphan.once('spawn', r));
    const pgid = orphan.pid!;
    try {
      new RunningRecords(path.join(stateDir, 'running')).write(recordFor({ podId: 'job/w/0/0', jobsetUid: UID, generation: 1 }, pgid, Date.now(), ['sleep', '30']));
      const alive = () => {
        const st = readProcStat(pgid);
        return st !== undefined && st.state !== 'Z';
      };
      expect(alive()).toBe(true);
      let aliveAtRegister: boolean | undefined;
      const link = new FakeLink();
      const agent = new Agent({
        config: agentConfigSchema.parse({ ...agentDefaults(), nodeName: NODE, stateDir, stopGracePeriodMs: 5000, runPodsAs: 'agent', allowRootPods: true }),
        logger: nullLogger,
        inventory: INVENTORY,
        registrar: {
          register: async () => {
            aliveAtRegister = alive();
            return { epoch: 1, heartbeatIntervalMs: 3_600_000, natsDesiredSubject: desiredSubject(NODE), nodeLostTimeoutMs: 30_000 };
          },
        },
        connectNats: async () => link,
      });
      const running = agent.run();
      await until('subscription', () => link.desiredHandler !== undefined);
      expect(aliveAtRegister).toBe(false);
      expect(readdirSync(path.join(stateDir, 'running'))).toEqual([]);
      await agent.shutdown('test');
      await running;
    } finally {
      killGroup(pgid, 'SIGKILL');
    }
  });

  it('podsOnExit keep: a running pod outlives the agent; the next agent process adopts it (Register carries it, no second copy) and reports its end', async () => {
    const go = path.join(stateDir, 'go');
    const a = pod(0, `while [ ! -f ${go} ]; do sleep 0.05; done`);
    const key = `${a.podId}@${UID}@1`;
    /** podGroups are the process groups running the pod's command (its shim and command name the go file). */
    const podGroups = (): number[] => {
      const pgids = new Set<number>();
      for (const name of readdirSync('/proc')) {
        if (!/^\d+$/.test(name)) continue;
        let cmdline: string;
        try {
          cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
        } catch {
          continue;
        }
        const st = readProcStat(Number(name));
        if (cmdline.includes(go) && st && st.state !== 'Z') pgids.add(st.pgrp);
      }
      return [...pgids];
    };
    const alive = (pid: number) => {
      const st = readProcStat(pid);
      return st !== undefined && st.state !== 'Z';
    };
    const config = agentConfigSchema.parse({ ...agentDefaults(), nodeName: NODE, stateDir, stopGracePeriodMs: 5000, runPodsAs: 'agent', allowRootPods: true });
    expect(config.podsOnExit).toBe('keep');
    const start = (link: FakeLink, epoch: number, registrations: RegisterRequestInput[]) => {
      const agent = new Agent({
        config,
        logger: nullLogger,
        inventory: INVENTORY,
        env: { PATH: process.env.PATH },
        registrar: {
          register: async (req) => {
            registrations.push(structuredClone(req));
            return { epoch, heartbeatIntervalMs: 3_600_000, natsDesiredSubject: desiredSubject(NODE), nodeLostTimeoutMs: 30_000 };
          },
        },
        connectNats: async () => link,
      });
      return { agent, running: agent.run() };
    };

    let pid = 0;
    try {
      // Agent 1 runs the pod, then exits leaving it running.
      const link1 = new FakeLink();
      const regs1: RegisterRequestInput[] = [];
      const one = start(link1, 1, regs1);
      await until('agent 1 subscribed', () => link1.desiredHandler !== undefined);
      expect(regs1[0]?.pods).toEqual([]);
      link1.push({ node: NODE, epoch: 1, revision: 1, pods: [a], hostfiles: [{ jobsetUid: UID, hosts: ['h0'] }] });
      await until('the pod running', () => link1.events.some((e) => e.msgID === `${key}#2` && e.ev.pod?.phase === 'POD_PHASE_RUNNING'));
      pid = link1.events.find((e) => e.msgID === `${key}#2`)!.ev.pod!.pid;
      expect(pid).toBeGreaterThan(0);
      await one.agent.shutdown('test');
      await one.running;
      expect(alive(pid)).toBe(true);
      expect(podGroups()).toEqual([pid]);
      expect(link1.events.map((e) => e.msgID)).toEqual([`${key}#1`, `${key}#2`]);

      // Agent 2, same state dir: registers with the pod as agent 1 left it, running with its pid.
      const link2 = new FakeLink();
      const regs2: RegisterRequestInput[] = [];
      const two = start(link2, 2, regs2);
      await until('agent 2 subscribed', () => link2.desiredHandler !== undefined);
      expect(regs2).toHaveLength(1);
      expect(regs2[0]!.pods).toEqual([expect.objectContaining({ podId: a.podId, jobsetUid: UID, generation: 1, node: NODE, phase: 'POD_PHASE_RUNNING', pid, seq: 2 })]);
      expect(alive(pid)).toBe(true);
      // The scheduler kept the pod: the desired document of the new epoch still has it. It is not started again.
      link2.push({ node: NODE, epoch: 2, revision: 1, pods: [a], hostfiles: [{ jobsetUid: UID, hosts: ['h0'] }] });
      expect(podGroups()).toEqual([pid]);

      // The pod ends: agent 2 (not its parent) sees it and publishes the exit as the pod's next change.
      writeFileSync(go, '');
      await until('the Succeeded event', () => link2.events.some((e) => e.ev.pod?.phase === 'POD_PHASE_SUCCEEDED'));
      expect(link2.events.map((e) => `${e.msgID}:${e.ev.pod?.phase}:${e.ev.pod?.reason}`)).toEqual([`${key}#3:POD_PHASE_SUCCEEDED:Completed`]);
      expect(link2.events[0]!.ev).toMatchObject({ epoch: 2, node: NODE, pod: { exitCode: 0, pid } });
      expect(podGroups()).toEqual([]);
      await until('the record removed', () => !existsSync(path.join(stateDir, 'running', `${pid}.json`)));
      await two.agent.shutdown('test');
      await two.running;
    } finally {
      if (pid > 0) killGroup(pid, 'SIGKILL');
    }
  });

  it('shuts down cleanly while still trying to register', async () => {
    const config = agentConfigSchema.parse({ ...agentDefaults(), nodeName: NODE, stateDir });
    let attempts = 0;
    const agent = new Agent({
      config,
      logger: nullLogger,
      inventory: INVENTORY,
      registrar: {
        register: (_req, signal) =>
          new Promise((_resolve, reject) => {
            attempts++;
            signal.addEventListener('abort', () => reject(new (class extends Error {})('aborted')));
          }),
      },
      connectNats: async () => {
        throw new Error('must not connect before registering');
      },
    });
    const running = agent.run();
    await until('a registration attempt', () => attempts === 1);
    await agent.shutdown('test');
    await expect(running).resolves.toBeUndefined();
  });
  it('re-discovers on its interval and re-registers (Register, a new epoch) only when the inventory changed; shutdown stops it', async () => {
    // Manual timers for the re-discovery loop; a clock far past the re-register throttle.
    const timers: { fn: () => void; ms: number }[] = [];
    const fakeTimers: RediscoveryTimers = {
      setTimeout: (fn, ms) => {
        const t = { fn, ms };
        timers.push(t);
        return t;
      },
      clearTimeout: (h) => {
        const i = timers.indexOf(h as (typeof timers)[number]);
        if (i >= 0) timers.splice(i, 1);
      },
    };
    const fireInterval = () => {
      const t = timers.find((x) => x.ms === 60_000);
      expect(t).toBeDefined();
      timers.splice(timers.indexOf(t!), 1);
      t!.fn();
    };
    let now = 1_000_000;
    const healthy = structuredClone(INVENTORY);
    healthy.gpus = [0, 1].map((index) => ({ ...gpuOf(index), healthy: true }));
    const unhealthy = structuredClone(healthy);
    unhealthy.gpus[1] = { ...unhealthy.gpus[1]!, healthy: false, healthReasons: ['retired pages pending'] };
    let discovered = healthy;
    let discoveries = 0;
    const registrations: RegisterRequestInput[] = [];
    const link = new FakeLink();
    const agent = new Agent({
      config: agentConfigSchema.parse({ ...agentDefaults(), nodeName: NODE, stateDir }),
      logger: nullLogger,
      inventory: healthy,
      clock: { now: () => now },
      rediscover: async () => {
        discoveries++;
        return structuredClone(discovered);
      },
      rediscoveryTimers: fakeTimers,
      registrar: {
        register: async (req) => {
          registrations.push(req);
          return { epoch: registrations.length, heartbeatIntervalMs: 3_600_000, natsDesiredSubject: desiredSubject(NODE), nodeLostTimeoutMs: 30_000 };
        },
      },
      connectNats: async () => link,
    });
    const running = agent.run();
    await until('subscription', () => link.desiredHandler !== undefined);
    expect(registrations).toHaveLength(1);

    fireInterval();
    await until('first re-discovery', () => discoveries === 1 && timers.some((t) => t.ms === 60_000));
    expect(registrations).toHaveLength(1);

    now += 3_600_000;
    discovered = unhealthy;
    fireInterval();
    await until('re-registration', () => registrations.length === 2);
    expect(registrations[1]!.inventory).toEqual(unhealthy);
    await until('next round scheduled', () => timers.some((t) => t.ms === 60_000));
    fireInterval();
    await until('third re-discovery', () => discoveries === 3 && timers.some((t) => t.ms === 60_000));
    expect(registrations).toHaveLength(2);

    await agent.shutdown('test');
    await running;
    expect(timers).toEqual([]);
  });
});
