import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import {
  AlreadyExistsError,
  fromGrpcError,
  InvalidArgumentError,
  MusterError,
  NotFoundError,
  toGrpcStatus,
  UnavailableError,
  type ErrorCode,
  type FieldIssue,
} from './errors.js';

/** asServiceError completes what toGrpcStatus returns the way grpc-js delivers it to a client. */
function asServiceError(s: Partial<ServiceError>): ServiceError {
  const e = new Error(`${s.code} ${String(s.details)}`) as ServiceError;
  e.code = s.code!;
  e.details = s.details ?? '';
  e.metadata = s.metadata ?? new Metadata();
  return e;
}

function roundTrip(err: unknown): MusterError {
  return fromGrpcError(asServiceError(toGrpcStatus(err)));
}

const ISSUES: FieldIssue[] = [
  { path: 'spec.replicatedJobs[0].replicas', message: 'must be between 0 and 1024' },
  { path: 'metadata.name', message: 'is required' },
];

describe('toGrpcStatus / fromGrpcError', () => {
  const cases: { name: string; err: MusterError; wantGrpc: GrpcStatus; wantCode: ErrorCode }[] = [
    { name: 'invalid argument with field issues', err: new InvalidArgumentError(ISSUES, 'invalid JobSet'), wantGrpc: GrpcStatus.INVALID_ARGUMENT, wantCode: 'INVALID_ARGUMENT' },
    { name: 'not found', err: new NotFoundError('jobset', 'train'), wantGrpc: GrpcStatus.NOT_FOUND, wantCode: 'NOT_FOUND' },
    { name: 'already exists', err: new AlreadyExistsError('jobset', 'train'), wantGrpc: GrpcStatus.ALREADY_EXISTS, wantCode: 'ALREADY_EXISTS' },
    { name: 'unavailable', err: new UnavailableError('nats down'), wantGrpc: GrpcStatus.UNAVAILABLE, wantCode: 'UNAVAILABLE' },
    { name: 'failed precondition', err: new MusterError('FAILED_PRECONDITION', 'jobset is finished'), wantGrpc: GrpcStatus.FAILED_PRECONDITION, wantCode: 'FAILED_PRECONDITION' },
    { name: 'deadline exceeded', err: new MusterError('DEADLINE_EXCEEDED', 'too slow'), wantGrpc: GrpcStatus.DEADLINE_EXCEEDED, wantCode: 'DEADLINE_EXCEEDED' },
    { name: 'permission denied', err: new MusterError('PERMISSION_DENIED', 'not yours'), wantGrpc: GrpcStatus.PERMISSION_DENIED, wantCode: 'PERMISSION_DENIED' },
    { name: 'internal on purpose', err: new MusterError('INTERNAL', 'store corrupt'), wantGrpc: GrpcStatus.INTERNAL, wantCode: 'INTERNAL' },
  ];

  for (const c of cases) {
    it(`${c.name}: maps to gRPC ${GrpcStatus[c.wantGrpc]} and back, keeping code, message and issues`, () => {
      const s = toGrpcStatus(c.err);
      expect(s.code).toBe(c.wantGrpc);
      expect(s.details).toBe(c.err.message);
      const back = roundTrip(c.err);
      expect(back).toBeInstanceOf(MusterError);
      expect(back.code).toBe(c.wantCode);
      expect(back.message).toBe(c.err.message);
      expect(back.issues).toEqual(c.err.issues);
      expect(back.retryable).toBe(c.err.retryable);
    });
  }

  it('field issues survive the round trip in order', () => {
    expect(roundTrip(new InvalidArgumentError(ISSUES)).issues).toEqual(ISSUES);
  });

  it('an unknown error becomes INTERNAL without leaking its message', () => {
    const secret = 'SQLITE_CORRUPT at /var/lib/muster/scheduler.db password=hunter2';
    for (const thrown of [new Error(secret), new TypeError(secret), secret, { message: secret }]) {
      const s = toGrpcStatus(thrown);
      expect(s.code).toBe(GrpcStatus.INTERNAL);
      expect(String(s.details)).not.toContain('hunter2');
      expect(JSON.stringify(s.metadata?.getMap() ?? {})).not.toContain('hunter2');
      const back = fromGrpcError(asServiceError(s));
      expect(back.code).toBe('INTERNAL');
      expect(back.message).not.toContain('hunter2');
    }
  });

  it('a gRPC error from elsewhere (no Muster metadata) keeps its status code', () => {
    const e = asServiceError({ code: GrpcStatus.NOT_FOUND, details: 'no such method' });
    const back = fromGrpcError(e);
    expect(back.code).toBe('NOT_FOUND');
    expect(back.message).toBe('no such method');
    expect(back.issues).toEqual([]);
    expect(back.cause).toBe(e);
  });

  it('a status code Muster does not use becomes INTERNAL', () => {
    expect(fromGrpcError(asServiceError({ code: GrpcStatus.DATA_LOSS, details: 'x' })).code).toBe('INTERNAL');
  });

  it('UNAVAILABLE from the transport (server down) is retryable', () => {
    const back = fromGrpcError(asServiceError({ code: GrpcStatus.UNAVAILABLE, details: 'No connection established' }));
    expect(back.code).toBe('UNAVAILABLE');
    expect(back.retryable).toBe(true);
  });

  it('garbage in the issues metadata gives no issues instead of throwing', () => {
    const md = new Metadata();
    md.set('muster-field-issues-bin', Buffer.from('{not json'));
    const back = fromGrpcError(asServiceError({ code: GrpcStatus.INVALID_ARGUMENT, details: 'bad', metadata: md }));
    expect(back.code).toBe('INVALID_ARGUMENT');
    expect(back.issues).toEqual([]);
  });

  it('a value that is not a gRPC error becomes INTERNAL with it as the cause', () => {
    const back = fromGrpcError('boom');
    expect(back.code).toBe('INTERNAL');
    expect(back.cause).toBe('boom');
  });
});

describe('error classes', () => {
  it('InvalidArgumentError lists every issue with its path', () => {
    const e = new InvalidArgumentError(ISSUES, 'invalid JobSet');
    expect(e.name).toBe('InvalidArgumentError');
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.retryable).toBe(false);
    for (const i of ISSUES) expect(e.message).toContain(`${i.path}: ${i.message}`);
    expect(e.message.startsWith('invalid JobSet: ')).toBe(true);
  });

  it('an issue without a path is rendered by its message alone', () => {
    expect(InvalidArgumentError.format([{ path: '', message: 'not valid YAML' }], 'bad file')).toBe('bad file: not valid YAML');
  });

  it('NotFoundError and AlreadyExistsError carry the kind and the name', () => {
    const nf = new NotFoundError('jobset', 'train');
    expect(nf).toMatchObject({ kind: 'jobset', resourceName: 'train', code: 'NOT_FOUND', name: 'NotFoundError' });
    expect(nf.message).toContain('train');
    const ae = new AlreadyExistsError('node', 'gpu-1');
    expect(ae).toMatchObject({ kind: 'node', resourceName: 'gpu-1', code: 'ALREADY_EXISTS', name: 'AlreadyExistsError' });
  });

  it('retryable defaults by code and can be overridden', () => {
    expect(new MusterError('UNAVAILABLE', 'x').retryable).toBe(true);
    expect(new MusterError('DEADLINE_EXCEEDED', 'x').retryable).toBe(true);
    expect(new MusterError('NOT_FOUND', 'x').retryable).toBe(false);
    expect(new MusterError('INTERNAL', 'x', { retryable: true }).retryable).toBe(true);
    expect(new UnavailableError('x').retryable).toBe(true);
  });

  it('keeps the cause', () => {
    const cause = new Error('socket closed');
    expect(new UnavailableError('nats down', cause).cause).toBe(cause);
    expect(new MusterError('INTERNAL', 'x').cause).toBeUndefined();
  });
});
