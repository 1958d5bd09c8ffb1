/**
 * The commands end to end against an in-process fake SchedulerService (gRPC
 * on 127.0.0.1, port 0): what they send, print and exit with.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, NotFoundError, toGrpcStatus } from '../../shared/src/errors.js';
import { loadGrpc } from '../../shared/src/proto/load.js';
import type { JobSetInput } from '../../shared/src/proto/types.js';
import type { CliIo } from './io.js';
import { runCli } from './program.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

const JOBSET_YAML = `apiVersion: muster.dev/v1
kind: JobSet
metadata: {name: train}
spec:
  replicatedJobs:
    - name: workers
      replicas: 2
      template:
        parallelism: 2
        completions: 2
        template:
          command: ["python", "train.py"]
          resources: {cpu: 2, memory: 1Gi}
`;

function jobset(phase: string, rj: Partial<Record<'pods' | 'pending' | 'running' | 'succeeded' | 'failed', number>>, extra: Record<string, unknown> = {}): JobSetInput {
  return {
    metadata: { name: 'train', createdMs: NOW - 5 * 60_000, user: 'alice' },
    spec: { replicatedJobs: [{ name: 'workers', replicas: 2 }] },
    status: {
      phase: phase as never,
      replicatedJobs: [{ name: 'workers', pods: 4, pending: 0, running: 0, succeeded: 0, failed: 0, ...rj }],
      pods: [
        { podId: 'train/workers/0/0', node: 'local-1', phase: 'POD_PHASE_RUNNING', reason: '' },
        { podId: 'train/workers/0/1', node: 'local-2', phase: 'POD_PHASE_FAILED', exitCode: 3, reason: 'Error' },
      ],
      ...extra,
    },
  };
}

type Method = 'SubmitJobSet' | 'GetJobSet' | 'ListJobSets' | 'DeleteJobSet' | 'ListNodes' | 'WatchJobSet';
type Handler = (call: grpc.ServerWritableStream<unknown, JobSetInput>, cb: grpc.sendUnaryData<unknown>) => void;
type Behaviour = Partial<Record<Method, Handler>>;

let server: grpc.Server;
let address: string;
let behaviour: Behaviour = {};
const requests: { method: string; req: unknown }[] = [];

function handler(name: Method) {
  return (call: grpc.ServerWritableStream<unknown, JobSetInput>, cb: grpc.sendUnaryData<unknown>) => {
    requests.push({ method: name, req: call.request });
    const h = behaviour[name];
    if (h) h(call, cb);
    else if (typeof cb === 'function') cb({ code: grpc.status.UNIMPLEMENTED, details: `${name} not scripted` });
    else call.emit('error', { code: grpc.status.UNIMPLEMENTED });
  };
}

beforeAll(async () => {
  server = new grpc.Server();
  const names: Method[] = ['SubmitJobSet', 'GetJobSet', 'ListJobSets', 'DeleteJobSet', 'ListNodes', 'WatchJobSet'];
  server.addService(loadGrpc().muster.v1.SchedulerService.service, Object.fromEntries(names.map((n) => [n, handler(n)])) as grpc.UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  address = `127.0.0.1:${port}`;
});

afterAll(() => {
  server.forceShutdown();
});

let cwd: string;
beforeEach(() => {
  behaviour = {};
  requests.length = 0;
});
beforeAll(() => {
  cwd = mkdtempSync(path.join(os.tmpdir(), 'muster-cli-'));
  writeFileSync(path.join(cwd, 'train.yaml'), JOBSET_YAML);
  writeFileSync(path.join(cwd, 'bad.yaml'), JOBSET_YAML.replace('replicas: 2', 'replicas: -1'));
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

async function run(args: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    readStdin: async () => stdin,
    env: {},
    cwd,
    now: () => NOW,
    username: () => 'alice',
  };
  const code = await runCli(['--scheduler', address, ...args], io);
  return { code, out, err };
}

const ok = (v: unknown): Handler => (_call, cb) => cb(null, v);
const fail = (e: unknown): Handler => (_call, cb) => cb(toGrpcStatus(e) as grpc.ServiceError);

describe('muster submit', () => {
  it('validates, sends the JobSet with the user and submit dir, and prints jobset/NAME submitted', async () => {
    behaviour.SubmitJobSet = ok(jobset('JOB_SET_PHASE_PENDING', {}));
    const r = await run(['submit', '-f', 'train.yaml']);
    expect(r).toMatchObject({ code: 0, out: 'jobset/train submitted\n' });
    const req = requests[0]?.req as { metadata: { name: string; user: string; submitDir: string }; spec: { replicatedJobs: { template: { template: { resources: { cpuMillis: number } } } }[] } };
    expect(req.metadata).toMatchObject({ name: 'train', user: 'alice', submitDir: cwd });
    expect(req.spec.replicatedJobs[0]?.template.template.resources.cpuMillis).toBe(2000);
  });

  it('reads the file from stdin with -f - and prints the object with -o json', async () => {
    behaviour.SubmitJobSet = ok(jobset('JOB_SET_PHASE_PENDING', {}));
    const r = await run(['submit', '-f', '-', '-o', 'json'], JOBSET_YAML);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).metadata.name).toBe('train');
  });

  it('prints every local validation issue and exits 2 without calling the scheduler', async () => {
    const r = await run(['submit', '-f', 'bad.yaml']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('error: invalid JobSet file bad.yaml\n');
    expect(r.err).toContain('  spec.replicatedJobs[0].replicas: must be between 0 and 1024\n');
    expect(requests).toEqual([]);
  });

  it('exits 2 for a missing file', async () => {
    const r = await run(['submit', '-f', 'nope.yaml']);
    expect(r).toMatchObject({ code: 2, err: 'error: cannot read nope.yaml: no such file\n' });
  });

  it("prints the scheduler's INVALID_ARGUMENT issues one per line and exits 2", async () => {
    behaviour.SubmitJobSet = fail(new InvalidArgumentError([{ path: 'spec.queue', message: 'no queue named "gpu"' }], 'invalid JobSet'));
    const r = await run(['submit', '-f', 'train.yaml']);
    expect(r).toMatchObject({ code: 2, err: 'error: invalid JobSet\n  spec.queue: no queue named "gpu"\n' });
  });

  it('follows the JobSet with --watch and exits with its outcome', async () => {
    behaviour.SubmitJobSet = ok(jobset('JOB_SET_PHASE_PENDING', {}));
    behaviour.WatchJobSet = (call: grpc.ServerWritableStream<unknown, JobSetInput>) => {
      call.write(jobset('JOB_SET_PHASE_SUCCEEDED', { succeeded: 4 }));
      call.end();
    };
    const r = await run(['submit', '-f', 'train.yaml', '--watch']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^jobset\/train submitted\n.*Succeeded workers: 0\/4 running, 4 succeeded, 0 failed\njobset\/train succeeded\n$/);
  });
});

describe('muster get', () => {
  it('describes the JobSet', async () => {
    behaviour.GetJobSet = ok(jobset('JOB_SET_PHASE_RUNNING', { running: 3, failed: 1 }, { reason: 'Running', restarts: 1 }));
    const r = await run(['get', 'train']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Phase:');
    expect(r.out).toMatch(/User: +alice \(unverified\)/);
    expect(r.out).toMatch(/Created: +5m ago/);
    expect(r.out).toMatch(/workers +4 +0 +3 +0 +1/);
    expect(r.out).toMatch(/train\/workers\/0\/1 +local-2 +Failed +3 +Error/);
    expect(requests[0]?.req).toEqual({ name: 'train' });
  });

  it('prints the proto3 JSON mapping with -o json and YAML with -o yaml', async () => {
    behaviour.GetJobSet = ok(jobset('JOB_SET_PHASE_RUNNING', {}));
    const json = JSON.parse((await run(['get', 'train', '-o', 'json'])).out);
    expect(json.status.phase).toBe('JOB_SET_PHASE_RUNNING');
    expect(json.status.pods[1].exitCode).toBe(3);
    expect(JSON.stringify(json)).not.toContain('_exitCode');
    expect((await run(['get', 'train', '-o', 'yaml'])).out).toContain('phase: JOB_SET_PHASE_RUNNING');
  });

  it('exits 1 when the JobSet does not exist', async () => {
    behaviour.GetJobSet = fail(new NotFoundError('jobset', 'nope'));
    expect(await run(['get', 'nope'])).toMatchObject({ code: 1, err: 'error: jobset "nope" not found\n' });
  });
});

describe('muster ls', () => {
  it('prints NAME PHASE PODS AGE REASON', async () => {
    behaviour.ListJobSets = ok({ jobsets: [jobset('JOB_SET_PHASE_RUNNING', { running: 3 }, { reason: 'Running' })] });
    const r = await run(['list']);
    expect(r.out.split('\n')[0]).toMatch(/^NAME +PHASE +PODS +AGE +REASON$/);
    expect(r.out.split('\n')[1]).toMatch(/^train +Running +3\/4 +5m +Running$/);
  });

  it('passes --phase as the phase word and rejects unknown phases', async () => {
    behaviour.ListJobSets = ok({ jobsets: [] });
    expect((await run(['ls', '--phase', 'running'])).code).toBe(0);
    expect(requests[0]?.req).toMatchObject({ phase: 'Running' });
    expect((await run(['ls', '--phase', 'sleeping'])).code).toBe(2);
  });

  it('--pending asks for pending_only and prints each JobSet\'s queue, position and priority; plain ls does not ask', async () => {
    const pending = jobset('JOB_SET_PHASE_PENDING', {}, { reason: 'WaitingForQuota' });
    behaviour.ListJobSets = ok({ jobsets: [{ ...pending, spec: { ...pending.spec, queue: 'nlp' } }], positions: [{ jobset: 'train', position: 2, priority: 1000 }] });
    const r = await run(['ls', '--pending']);
    expect(requests[0]?.req).toMatchObject({ pendingOnly: true });
    expect(r.out.split('\n')[0]).toMatch(/^NAME +QUEUE +POSITION +PRIORITY +AGE +REASON$/);
    expect(r.out.split('\n')[1]).toMatch(/^train +nlp +2 +1000 +5m +WaitingForQuota$/);
    await run(['ls']);
    expect(requests[1]?.req).toMatchObject({ pendingOnly: false });
  });

  it('--pending refuses another --phase and says so when nothing is pending', async () => {
    behaviour.ListJobSets = ok({ jobsets: [], positions: [] });
    expect(await run(['ls', '--pending'])).toMatchObject({ code: 0, out: '', err: 'no Pending JobSets\n' });
    expect((await run(['ls', '--pending', '--phase', 'pending'])).code).toBe(0);
    expect(await run(['ls', '--pending', '--phase', 'running'])).toMatchObject({ code: 2, err: expect.stringContaining('--pending lists Pending JobSets') });
    expect(requests).toHaveLength(2);
  });
});

describe('muster cancel', () => {
  it('prints how many pods were stopped', async () => {
    behaviour.DeleteJobSet = ok({ name: 'train', stoppedPods: 3 });
    expect(await run(['cancel', 'train'])).toMatchObject({ code: 0, out: 'jobset/train cancelled (3 pods stopped)\n' });
  });
});

describe('muster nodes', () => {
  it('prints state, address and allocated/allocatable resources', async () => {
    behaviour.ListNodes = ok({
      nodes: [
        {
          name: 'local-1',
          address: '127.0.0.1',
          state: 'NODE_STATE_READY',
          allocated: { cpuMillis: 2000, memoryBytes: 2 ** 30, gpus: 1 },
          inventory: { allocatable: { cpuMillis: 8000, memoryBytes: 16 * 2 ** 30, gpus: 8 } },
          pods: 1,
          epoch: 2,
          lastHeartbeatMs: NOW - 1000,
        },
      ],
    });
    const r = await run(['nodes']);
    expect(r.out.split('\n')[0]).toMatch(/^NAME +STATE +ADDRESS +CPU +MEMORY +GPUS +PODS +EPOCH +LAST-HEARTBEAT +REASON$/);
    expect(r.out.split('\n')[1]).toMatch(/^local-1 +Ready +127\.0\.0\.1 +2\/8 +1Gi\/16Gi +1\/8 +1 +2 +1s$/);
  });

  it('describes one node by name, and exits 1 naming the known nodes when it is not there', async () => {
    behaviour.ListNodes = ok({
      nodes: [
        { name: 'local-1', address: '127.0.0.1', state: 'NODE_STATE_READY', inventory: { gpus: [{ index: 0, model: 'H100', healthy: true }] } },
        { name: 'local-2', state: 'NODE_STATE_LOST' },
      ],
    });
    const r = await run(['nodes', 'local-1']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Name: +local-1$/m);
    expect(r.out).toMatch(/^NVLink groups: +none \(PCIe only\)$/m);
    const j = await run(['nodes', 'local-1', '-o', 'json']);
    expect(JSON.parse(j.out)).toMatchObject({ name: 'local-1', address: '127.0.0.1' });
    const missing = await run(['nodes', 'nope']);
    expect(missing).toMatchObject({ code: 1, err: 'error: node "nope" not found; known nodes: local-1, local-2\n' });
  });
});

describe('muster watch', () => {
  it('prints a line per progress change and exits 0 on Succeeded', async () => {
    behaviour.WatchJobSet = (call: grpc.ServerWritableStream<unknown, JobSetInput>) => {
      call.write(jobset('JOB_SET_PHASE_PENDING', { pending: 4 }, { reason: 'WaitingForQuota', message: 'needs 4 GPUs' }));
      call.write(jobset('JOB_SET_PHASE_RUNNING', { running: 4 }));
      call.write(jobset('JOB_SET_PHASE_RUNNING', { running: 4 }));
      call.write(jobset('JOB_SET_PHASE_SUCCEEDED', { succeeded: 4 }));
      call.end();
    };
    const r = await run(['watch', 'train']);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d Pending workers: 0\/4 running, 0 succeeded, 0 failed, 4 pending — WaitingForQuota: needs 4 GPUs$/);
    expect(lines[1]).toMatch(/Running workers: 4\/4 running/);
    expect(lines[2]).toMatch(/Succeeded workers: 0\/4 running, 4 succeeded, 0 failed$/);
    expect(lines[3]).toBe('jobset/train succeeded');
  });

  it('exits 1 on Failed and names the failed pod and its exit code', async () => {
    behaviour.WatchJobSet = (call: grpc.ServerWritableStream<unknown, JobSetInput>) => {
      call.write(jobset('JOB_SET_PHASE_FAILED', { failed: 1 }, { reason: 'BackoffLimitExceeded', failedPod: 'train/workers/0/1', exitCode: 3 }));
      call.end();
    };
    const r = await run(['watch', 'train']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('jobset/train failed: pod train/workers/0/1 on local-2 exited with code 3');
  });

  it('reconnects when the stream breaks before a terminal phase', async () => {
    let calls = 0;
    behaviour.WatchJobSet = (call: grpc.ServerWritableStream<unknown, JobSetInput>) => {
      calls++;
      if (calls === 1) {
        call.write(jobset('JOB_SET_PHASE_RUNNING', { running: 4 }));
        call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'scheduler shutting down' });
        return;
      }
      call.write(jobset('JOB_SET_PHASE_SUCCEEDED', { succeeded: 4 }));
      call.end();
    };
    const r = await run(['watch', 'train']);
    expect(r.code).toBe(0);
    expect(calls).toBe(2);
    expect(r.err).toContain('reconnecting');
    expect(r.out).toContain('jobset/train succeeded');
  });

  it('ends with the error when the JobSet does not exist', async () => {
    behaviour.WatchJobSet = (call: grpc.ServerWritableStream<unknown, JobSetInput>) => {
      call.emit('error', toGrpcStatus(new NotFoundError('jobset', 'nope')));
    };
    expect(await run(['watch', 'nope'])).toMatchObject({ code: 1, err: 'error: jobset "nope" not found\n' });
  });
});

describe('errors and usage', () => {
  it('explains an unreachable scheduler and exits 1', async () => {
    let out = '';
    let err = '';
    const io: CliIo = { out: (t) => void (out += t), err: (t) => void (err += t), readStdin: async () => '', env: {}, cwd, now: () => NOW, username: () => 'a' };
    const code = await runCli(['--scheduler', '127.0.0.1:1', '--timeout', '5s', 'ls'], io);
    expect(code).toBe(1);
    expect(err).toContain('cannot reach the scheduler at 127.0.0.1:1');
    expect(err).toContain('muster local up');
    expect(out).toBe('');
  });

  it('exits 2 for unknown options, bad -o and bad --timeout', async () => {
    expect((await run(['ls', '--nope'])).code).toBe(2);
    expect((await run(['ls', '-o', 'xml'])).code).toBe(2);
    expect((await run(['--timeout', 'soon', 'ls'])).code).toBe(2);
    expect((await run(['local', 'up', '--agents', '0'])).code).toBe(2);
    expect((await run(['local', 'up', '--agents', '1', '--hardware', 'a.json', '--hardware', 'b.json'])).code).toBe(2);
  });

  it('prints the version', async () => {
    expect((await run(['version'])).out).toMatch(/^muster \d+\.\d+\.\d+\n$/);
  });
});
