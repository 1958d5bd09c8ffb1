/**
 * Bad input never crashes a daemon: malformed gRPC requests get
 * INVALID_ARGUMENT naming the field, and garbage published on the heartbeat,
 * event, desired and resync subjects is logged and dropped while both daemons
 * keep working.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../cli/src/util/poll.js';
import { MusterError } from '../../shared/src/errors.js';
import { loadGrpc } from '../../shared/src/proto/load.js';
import { DESIRED_RESYNC_SUBJECT, desiredSubject, heartbeatSubject, podEventSubject } from '../../shared/src/subjects.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let tc: TestCluster;
let nc: NatsConnection;

beforeAll(async () => {
  tc = await startTestCluster({ agents: 1 });
  nc = await connect({ servers: tc.cluster.natsUrl });
});
afterAll(async () => {
  await nc?.close();
  await tc?.stop();
});

async function rejection(p: Promise<unknown>): Promise<MusterError> {
  try {
    await p;
  } catch (err) {
    return err as MusterError;
  }
  throw new Error('expected the call to fail');
}

describe('the standard gRPC health service', () => {
  it('answers SERVING for the server and both services', async () => {
    const def = protoLoader.loadSync(healthProtoPath, { enums: String });
    const { grpc: g } = grpc.loadPackageDefinition(def) as unknown as { grpc: { health: { v1: { Health: new (addr: string, creds: grpc.ChannelCredentials) => grpc.Client & { Check: (req: { service: string }, cb: (err: grpc.ServiceError | null, res: { status: string }) => void) => void } } } } };
    const client = new g.health.v1.Health(tc.schedulerAddress, grpc.credentials.createInsecure());
    for (const service of ['', 'muster.v1.SchedulerService', 'muster.v1.AgentService']) {
      const res = await new Promise<{ status: string }>((resolve, reject) => client.Check({ service }, (err, r) => (err ? reject(err) : resolve(r))));
      expect(res.status, service || '(server)').toBe('SERVING');
    }
    client.close();
  });
});

describe('malformed gRPC requests', () => {
  it('get INVALID_ARGUMENT with the field path, and the scheduler keeps serving', async () => {
    const cases: { what: string; req: unknown; wantPath: string }[] = [
      { what: 'no replicatedJobs', req: { metadata: { name: 'a' }, spec: { replicatedJobs: [] } }, wantPath: 'spec.replicatedJobs' },
      { what: 'bad name', req: { metadata: { name: 'Bad_Name' }, spec: { replicatedJobs: [{ name: 'w', template: { template: { command: ['true'] } } }] } }, wantPath: 'metadata.name' },
      { what: 'no spec', req: { metadata: { name: 'nospec' } }, wantPath: 'spec' },
      { what: 'negative replicas', req: { metadata: { name: 'neg' }, spec: { replicatedJobs: [{ name: 'w', replicas: -1, template: { template: { command: ['true'] } } }] } }, wantPath: 'spec.replicatedJobs[0].replicas' },
      { what: 'no command', req: { metadata: { name: 'nocmd' }, spec: { replicatedJobs: [{ name: 'w', template: { template: {} } }] } }, wantPath: 'spec.replicatedJobs[0].template.template.command' },
      { what: 'negative cpu', req: { metadata: { name: 'negcpu' }, spec: { replicatedJobs: [{ name: 'w', template: { template: { command: ['true'], resources: { cpuMillis: -5 } } } }] } }, wantPath: 'spec.replicatedJobs[0].template.template.resources.cpu' },
    ];
    for (const c of cases) {
      const err = await rejection(tc.api.submitJobSet(c.req as never));
      expect(err.code, c.what).toBe('INVALID_ARGUMENT');
      expect(err.issues.map((i) => i.path), c.what).toContain(c.wantPath);
      expect(err.message, c.what).toContain(c.wantPath);
    }
    expect((await rejection(tc.api.getJobSet(''))).code).toBe('INVALID_ARGUMENT');
    expect((await rejection(tc.api.getJobSet('nope'))).code).toBe('NOT_FOUND');
    expect((await rejection(tc.api.listJobSets('Sleeping'))).issues.map((i) => i.path)).toEqual(['phase']);
  });

  it('rejects a bad Register and bytes that are not a protobuf at all', async () => {
    const proto = loadGrpc();
    const agent = new proto.muster.v1.AgentService(tc.schedulerAddress, grpc.credentials.createInsecure());
    const regErr = await new Promise<grpc.ServiceError>((resolve) =>
      agent.Register({ nodeName: 'has.dots', address: '', inventory: null }, (err) => resolve(err!)),
    );
    expect(regErr.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(regErr.details).toContain('nodeName');
    expect(regErr.details).toContain('address');
    agent.close();

    // Raw garbage on the wire: grpc-js fails to decode and answers INTERNAL; the server survives.
    const raw = new grpc.Client(tc.schedulerAddress, grpc.credentials.createInsecure());
    const rawErr = await new Promise<grpc.ServiceError>((resolve) =>
      raw.makeUnaryRequest('/muster.v1.SchedulerService/SubmitJobSet', (b: Buffer) => b, (b: Buffer) => b, Buffer.from([0xff, 0xff, 0xff, 0x0f, 0x01]), (err) => resolve(err!)),
    );
    expect(rawErr.code).not.toBe(grpc.status.OK);
    raw.close();
    expect((await tc.api.nodes()).length).toBe(1);
  });
});

describe('garbage on NATS subjects', () => {
  it('is logged and dropped; both daemons keep running and a JobSet still succeeds', async () => {
    const node = tc.cluster.nodeNames[0]!;
    const js = jetstream(nc);
    const garbage = ['not json', '{"node": 42}', '[]', '{"node":"' + node + '","epoch":"x","pods":[{"podId":7}]}', '\u0000\u0001'];
    for (const g of garbage) {
      nc.publish(heartbeatSubject(node), g);
      nc.publish(desiredSubject(node), g);
      await js.publish(podEventSubject(node), g);
      nc.publish(DESIRED_RESYNC_SUBJECT, g);
    }
    // A well-formed heartbeat for another node on this node's subject is dropped too.
    nc.publish(heartbeatSubject(node), JSON.stringify({ node: 'someone-else', epoch: 1, timeMs: 1, desiredRevision: 0, pods: [] }));
    await nc.flush();

    await waitFor(() => tc.daemonLog('scheduler').includes('malformed heartbeat dropped') && tc.daemonLog('scheduler').includes('malformed pod event dropped'), {
      timeoutMs: 20_000,
      what: 'scheduler logged the dropped payloads',
    });
    await waitFor(() => /malformed|invalid|dropped/i.test(tc.daemonLog(node)), { timeoutMs: 20_000, what: 'agent logged the dropped desired documents' });
    expect(tc.scheduler().process.running()).toBe(true);
    expect(tc.cluster.agents[0]!.process.running()).toBe(true);

    await tc.submit({ metadata: { name: 'after-garbage' }, spec: { replicatedJobs: [{ name: 'w', template: { template: { command: ['true'], resources: { cpu: '100m' } } } }] } });
    await tc.waitForJobSet('after-garbage', (j) => j.status!.phase === 'JOB_SET_PHASE_SUCCEEDED', 'Succeeded after garbage');
    expect((await tc.api.nodes())[0]!.state).toBe('NODE_STATE_READY');
  });
});

describe('a JobSet whose pods would not fit in one desired document', () => {
  it('stays Pending with TooLargeForTransport instead of being admitted and never started', async () => {
    const bigArg = 'x'.repeat(60 * 1024);
    await tc.submit({ metadata: { name: 'huge-template' }, spec: { replicatedJobs: [{ name: 'w', replicas: 20, template: { template: { command: ['true'], args: [bigArg], resources: { cpu: '10m' } } } }] } });
    const js = await tc.waitForJobSet('huge-template', (j) => j.status!.reason === 'TooLargeForTransport', 'Pending with TooLargeForTransport');
    expect(js.status!.phase).toBe('JOB_SET_PHASE_PENDING');
    expect(js.status!.message).toMatch(/max_payload/);
    expect((await tc.api.nodes())[0]!.allocated?.cpuMillis).toBe(0);
    await tc.api.deleteJobSet('huge-template');
  });
});
