import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nullLogger } from '../../shared/src/logger.js';
import type { PodAssignment, PodStatus } from '../../shared/src/proto/types.js';
import { podPaths } from './pod-paths.js';
import { PodSupervisor } from './pod-supervisor.js';
import { PodTable } from './pod-table.js';
import { ProcessDriver } from './runtime/process-driver.js';

let stateDir: string;
let table: PodTable;
let sup: PodSupervisor;
let changes: PodStatus[];

beforeEach(() => {
  stateDir = mkdtempSync(path.join(os.tmpdir(), 'muster-supervisor-'));
  table = new PodTable('n1');
  changes = [];
  table.onChange((s) => changes.push(s));
  sup = new PodSupervisor({
    nodeName: 'n1',
    stateDir,
    stopGracePeriodMs: 5000,
    driver: new ProcessDriver({ logger: nullLogger }),
    table,
    logger: nullLogger,
    agentEnv: { PATH: process.env.PATH, SECRET: 'no' },
  });
});

afterEach(async () => {
  await sup.shutdown();
  rmSync(stateDir, { recursive: true, force: true });
});

function pod(jobIndex: number, generation: number, script: string, over: Partial<PodAssignment> = {}): PodAssignment {
  return {
    podId: `train/workers/${jobIndex}/0`,
    jobset: 'train',
    replicatedJob: 'workers',
    jobIndex,
    podIndex: 0,
    generation,
    template: { image: '', command: ['sh', '-c', script], args: [], env: [{ name: 'FROM_TEMPLATE', value: 't' }], workingDir: '', resources: null, user: '' },
    env: { RANK: String(jobIndex) },
    hosts: ['h0', 'h1'],
    binding: null,
    submitDir: '',
    user: '',
    ...over,
  };
}

async function until(what: string, cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const phaseOf = (podId: string, generation: number) => table.get({ podId, generation })?.status.phase;
const history = (podId: string, generation: number) =>
  changes.filter((c) => c.podId === podId && c.generation === generation).map((c) => `${c.seq}:${c.phase.replace('POD_PHASE_', '')}`);

describe('PodSupervisor', () => {
  it('runs a desired pod with its hostfile, environment and logs; reports Pending → Running → Succeeded with growing seq', async () => {
    const a = pod(0, 1, 'echo "$RANK $FROM_TEMPLATE $MUSTER_NODE ${SECRET:-none} $PWD"; cat "$MUSTER_HOSTFILE"');
    sup.apply([a]);
    await until('success', () => phaseOf(a.podId, 1) === 'POD_PHASE_SUCCEEDED');
    const paths = podPaths(stateDir, a);
    expect(readFileSync(paths.stdout, 'utf8')).toBe(`0 t n1 none ${paths.dir}\nh0\nh1\n`);
    expect(history(a.podId, 1)).toEqual(['1:PENDING', '2:RUNNING', '3:SUCCEEDED']);
    const running = changes.find((c) => c.phase === 'POD_PHASE_RUNNING')!;
    expect(running.pid).toBeGreaterThan(0);
    expect(running.node).toBe('n1');
  });

  it('keeps a finished desired pod in the table and never restarts it; forgets it once undesired', async () => {
    const a = pod(0, 1, 'exit 4');
    sup.apply([a]);
    await until('failure', () => phaseOf(a.podId, 1) === 'POD_PHASE_FAILED');
    expect(table.get(a)?.status).toMatchObject({ reason: 'Error', exitCode: 4 });
    sup.apply([a]);
    expect(table.size).toBe(1);
    expect(history(a.podId, 1)).toHaveLength(3);
    sup.apply([]);
    expect(table.size).toBe(0);
  });

  it('replaces a generation: stops the old one first and starts the new one only after it exited', async () => {
    const g1 = pod(0, 1, 'echo ready; sleep 30');
    sup.apply([g1]);
    await until('g1 running', () => phaseOf(g1.podId, 1) === 'POD_PHASE_RUNNING');
    const g2 = pod(0, 2, 'echo g2');
    sup.apply([g2]);
    await until('g2 done', () => phaseOf(g2.podId, 2) === 'POD_PHASE_SUCCEEDED');
    // g1 ended (as Stopped) before g2 was even Pending.
    const order = changes.map((c) => `g${c.generation}:${c.phase.replace('POD_PHASE_', '')}${c.reason ? '/' + c.reason : ''}`);
    expect(order).toEqual(['g1:PENDING', 'g1:RUNNING', 'g1:FAILED/Stopped', 'g2:PENDING', 'g2:RUNNING', 'g2:SUCCEEDED/Completed']);
    expect(table.get(g1)).toBeUndefined();
  });

  it('fails a pod it cannot prepare or start with StartError, without affecting others', async () => {
    const bad = pod(0, 1, 'true', { template: { image: '', command: ['no-such-command-muster'], args: [], env: [], workingDir: '', resources: null, user: '' } });
    const noTemplate = pod(1, 1, 'true', { template: null });
    const good = pod(2, 1, 'true');
    sup.apply([bad, noTemplate, good]);
    await until('all done', () => table.records().every((r) => r.status.phase === 'POD_PHASE_SUCCEEDED' || r.status.phase === 'POD_PHASE_FAILED'));
    expect(table.get(bad)?.status).toMatchObject({ phase: 'POD_PHASE_FAILED', reason: 'StartError' });
    expect(table.get(bad)?.status.message).toContain('no-such-command-muster');
    expect(table.get(noTemplate)?.status).toMatchObject({ phase: 'POD_PHASE_FAILED', reason: 'StartError' });
    expect(table.get(good)?.status.phase).toBe('POD_PHASE_SUCCEEDED');
  });

  it('shutdown stops every running pod and starts nothing more', async () => {
    const a = pod(0, 1, 'sleep 30');
    const b = pod(1, 1, 'sleep 30');
    sup.apply([a, b]);
    await until('both running', () => phaseOf(a.podId, 1) === 'POD_PHASE_RUNNING' && phaseOf(b.podId, 1) === 'POD_PHASE_RUNNING');
    await sup.shutdown();
    for (const p of [a, b]) expect(table.get(p)?.status).toMatchObject({ phase: 'POD_PHASE_FAILED', reason: 'Stopped', signal: 'SIGTERM' });
    sup.apply([pod(2, 1, 'true')]);
    expect(table.size).toBe(2);
  });
});
