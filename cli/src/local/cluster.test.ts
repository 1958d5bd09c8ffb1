/**
 * startLocalCluster / stopLocalCluster against a real nats-server and fake
 * daemons: a throw-away installation whose bin/muster-scheduler.js serves
 * ListNodes from the agents' `ready` files and whose bin/muster-agent.js
 * writes one. It checks the orchestration (flags, record, readiness, stop
 * order, clean-up on failure), not the real daemons.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findRepoRoot } from './repo.js';
import { readClusterRecord } from './cluster-file.js';
import { ClusterRunningError, startLocalCluster, stopLocalCluster } from './cluster.js';
import { isAlive } from './processes.js';

const FAKE_SCHEDULER = `
import fs from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
const args = process.argv.slice(2);
const flag = (n) => args[args.indexOf(n) + 1];
console.log('args ' + JSON.stringify(args));
const def = protoLoader.loadSync(['muster/v1/scheduler.proto'], { keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true, includeDirs: [process.env.FAKE_PROTO_DIR] });
const pkg = grpc.loadPackageDefinition(def);
const agentsDir = path.join(path.dirname(flag('--db')), 'agents');
const server = new grpc.Server();
server.addService(pkg.muster.v1.SchedulerService.service, {
  ListNodes: (_call, cb) => {
    const names = fs.existsSync(agentsDir) ? fs.readdirSync(agentsDir) : [];
    cb(null, { nodes: names.filter((n) => fs.existsSync(path.join(agentsDir, n, 'ready'))).map((name) => ({ name, state: 'NODE_STATE_READY' })) });
  },
});
server.bindAsync(flag('--listen'), grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) { console.error(err); process.exit(1); }
  fs.writeFileSync(flag('--address-file'), '127.0.0.1:' + port + '\\n');
});
process.on('SIGTERM', () => { server.forceShutdown(); process.exit(0); });
`;

const FAKE_AGENT = `
import fs from 'node:fs';
import path from 'node:path';
const args = process.argv.slice(2);
const flag = (n) => args[args.indexOf(n) + 1];
console.log('args ' + JSON.stringify(args));
const name = flag('--node-name');
if (process.env.FAKE_AGENT_FAIL === name) { console.error('fake agent: cannot start'); process.exit(3); }
const ready = path.join(flag('--state-dir'), 'ready');
if (process.env.FAKE_AGENT_NEVER_READY !== name) fs.writeFileSync(ready, '');
process.on('SIGTERM', () => { fs.rmSync(ready, { force: true }); process.exit(0); });
setInterval(() => {}, 1000);
`;

const tmp = mkdtempSync(path.join(os.tmpdir(), 'muster-cluster-'));
const fakeRoot = path.join(tmp, 'install');
const protoDir = path.join(findRepoRoot(path.dirname(fileURLToPath(import.meta.url))), 'proto');

beforeAll(() => {
  for (const d of ['bin', 'dist/scheduler/src', 'dist/agent/src']) mkdirSync(path.join(fakeRoot, d), { recursive: true });
  writeFileSync(path.join(fakeRoot, 'package.json'), '{"type":"module"}');
  writeFileSync(path.join(fakeRoot, 'bin', 'muster-scheduler.js'), FAKE_SCHEDULER);
  writeFileSync(path.join(fakeRoot, 'bin', 'muster-agent.js'), FAKE_AGENT);
  writeFileSync(path.join(fakeRoot, 'dist/scheduler/src/main.js'), '');
  writeFileSync(path.join(fakeRoot, 'dist/agent/src/main.js'), '');
  symlinkSync(path.join(path.dirname(protoDir), 'node_modules'), path.join(fakeRoot, 'node_modules'));
  writeFileSync(path.join(tmp, 'h100.json'), '{}');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** processesUsing lists live processes whose command line mentions `dir` (Linux /proc). */
function processesUsing(dir: string): number[] {
  if (!existsSync('/proc/self/cmdline')) return [];
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map(Number)
    .filter((pid) => {
      try {
        return isAlive(pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir);
      } catch {
        return false;
      }
    });
}

function argsLogged(logFile: string): string[] {
  const line = readFileSync(logFile, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('args '));
  return JSON.parse(line?.slice(5) ?? '[]') as string[];
}

describe('startLocalCluster', () => {
  it('starts nats, the scheduler and N agents, waits for Ready, and stops agents, scheduler, nats in that order', async () => {
    const dir = path.join(tmp, 'c1');
    const cluster = await startLocalCluster({ runtime: 'process', dir, agents: 2, hardware: [path.join(tmp, 'h100.json')], repoRoot: fakeRoot, env: { FAKE_PROTO_DIR: protoDir } });
    const procs = cluster.processes();
    const order: string[] = [];
    for (const p of procs) void p.exited.then(() => order.push(p.name));
    try {
      expect(cluster.nodeNames).toEqual(['local-1', 'local-2']);
      expect(cluster.nodes.map((n) => n.name).sort()).toEqual(['local-1', 'local-2']);
      expect(readFileSync(path.join(dir, 'scheduler.addr'), 'utf8').trim()).toBe(cluster.schedulerAddress);
      const rec = readClusterRecord(dir);
      expect(rec?.natsUrl).toBe(cluster.natsUrl);
      expect(rec?.schedulerAddress).toBe(cluster.schedulerAddress);
      expect(rec?.processes.map((p) => [p.name, p.role])).toEqual([
        ['nats-server', 'nats'],
        ['scheduler', 'scheduler'],
        ['local-1', 'agent'],
        ['local-2', 'agent'],
      ]);
      const sched = argsLogged(path.join(dir, 'logs', 'scheduler.log'));
      expect(sched).toEqual([
        '--listen', '127.0.0.1:0', '--address-file', path.join(dir, 'scheduler.addr'),
        '--metrics-listen', '127.0.0.1:0', '--metrics-address-file', path.join(dir, 'metrics.addr'), '--nats-url', cluster.natsUrl,
        '--db', path.join(dir, 'scheduler.db'), '--log-format', 'json',
      ]);
      const agent = argsLogged(path.join(dir, 'logs', 'local-2.log'));
      expect(agent).toEqual([
        '--node-name', 'local-2', '--address', '127.0.0.1', '--scheduler', cluster.schedulerAddress, '--nats-url', cluster.natsUrl,
        '--state-dir', path.join(dir, 'agents', 'local-2'), '--hardware', path.join(tmp, 'h100.json'), '--log-format', 'json', '--allow-root-pods',
        '--pods-on-exit', 'stop',
      ]);
      await expect(startLocalCluster({ runtime: 'process', dir, agents: 1, repoRoot: fakeRoot })).rejects.toBeInstanceOf(ClusterRunningError);
    } finally {
      await cluster.stop();
    }
    expect(order.slice(0, 2).sort()).toEqual(['local-1', 'local-2']);
    expect(order.slice(2)).toEqual(['scheduler', 'nats-server']);
    for (const p of procs) expect(isAlive(p.pid)).toBe(false);
    expect(existsSync(path.join(dir, 'run', 'cluster.json'))).toBe(false);
    expect(existsSync(path.join(dir, 'scheduler.addr'))).toBe(false);
    expect(processesUsing(dir)).toEqual([]);
  });

  it('runs detached and is stopped by stopLocalCluster from its record', async () => {
    const dir = path.join(tmp, 'c2');
    const cluster = await startLocalCluster({ runtime: 'process', dir, agents: 1, detach: true, repoRoot: fakeRoot, env: { FAKE_PROTO_DIR: protoDir } });
    const pids = cluster.processes().map((p) => p.pid);
    expect(readClusterRecord(dir)?.cli).toBeUndefined();
    const res = await stopLocalCluster(dir);
    expect(res?.stopped.map((p) => p.name)).toEqual(['nats-server', 'scheduler', 'local-1']);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    expect(readClusterRecord(dir)).toBeUndefined();
    expect(await stopLocalCluster(dir)).toBeUndefined();
    expect(processesUsing(dir)).toEqual([]);
  });

  it('stops everything it started when an agent dies, with the tail of its log', async () => {
    const dir = path.join(tmp, 'c3');
    const err = await startLocalCluster({ runtime: 'process', dir, agents: 2, repoRoot: fakeRoot, env: { FAKE_PROTO_DIR: protoDir, FAKE_AGENT_FAIL: 'local-2' } }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/local-2 exited \(exit code 3\)/);
    expect((err as Error).message).toContain('fake agent: cannot start');
    expect(readClusterRecord(dir)).toBeUndefined();
    expect(existsSync(path.join(dir, 'scheduler.addr'))).toBe(false);
    expect(processesUsing(dir)).toEqual([]);
  });

  it('gives up after the ready deadline, naming the nodes that are not Ready, and stops everything', async () => {
    const dir = path.join(tmp, 'c4');
    const err = await startLocalCluster({
      runtime: 'process',
      dir,
      agents: 2,
      readyTimeoutMs: 1500,
      repoRoot: fakeRoot,
      env: { FAKE_PROTO_DIR: protoDir, FAKE_AGENT_NEVER_READY: 'local-1' },
    }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/waiting for nodes local-1, local-2 to be Ready/);
    expect((err as Error).message).toContain('not Ready: local-1: not registered');
    expect((err as Error).message).toContain(path.join(dir, 'logs', 'local-1.log'));
    expect(readClusterRecord(dir)).toBeUndefined();
    expect(processesUsing(dir)).toEqual([]);
  });
});
