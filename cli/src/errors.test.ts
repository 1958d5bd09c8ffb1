import type { ServiceError } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { fromGrpcError, InvalidArgumentError, NotFoundError, toGrpcStatus, UnavailableError } from '../../shared/src/errors.js';
import { EXIT_FAILURE, EXIT_USAGE, issueHeadline, renderError, transportDetail, UsageError } from './errors.js';

/** overTheWire sends an error through the scheduler's mapping and back through the client's. */
function overTheWire(err: unknown) {
  return fromGrpcError(toGrpcStatus(err) as ServiceError);
}

describe('renderError', () => {
  it('prints an INVALID_ARGUMENT headline and one line per field issue, exit 2', () => {
    const err = overTheWire(
      new InvalidArgumentError(
        [
          { path: 'spec.replicatedJobs[0].replicas', message: 'must be between 0 and 1024' },
          { path: 'metadata.name', message: 'is required' },
        ],
        'invalid JobSet',
      ),
    );
    const r = renderError(err, { address: '127.0.0.1:7070' });
    expect(r.exitCode).toBe(EXIT_USAGE);
    expect(r.text).toBe('error: invalid JobSet\n  spec.replicatedJobs[0].replicas: must be between 0 and 1024\n  metadata.name: is required\n');
  });

  it('renders an issue without a path as its message alone', () => {
    const r = renderError(new InvalidArgumentError([{ path: '', message: 'not valid YAML' }], 'invalid JobSet file'));
    expect(r.text).toBe('error: invalid JobSet file\n  not valid YAML\n');
  });

  it('explains an unreachable scheduler with its address and how to start one, exit 1', () => {
    const transport = Object.assign(new Error('14 UNAVAILABLE: No connection established'), {
      code: 14,
      details: 'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:7070. Resolution note: ',
    });
    const r = renderError(fromGrpcError(transport), { address: '127.0.0.1:7070' });
    expect(r.exitCode).toBe(EXIT_FAILURE);
    expect(r.text).toContain('cannot reach the scheduler at 127.0.0.1:7070 (connect ECONNREFUSED 127.0.0.1:7070)');
    expect(r.text).toContain('muster local up');
  });

  it('prints an UNAVAILABLE raised by the scheduler itself as it is', () => {
    const r = renderError(overTheWire(new UnavailableError('NATS is not connected')), { address: 'x:1' });
    expect(r.text).toBe('error: NATS is not connected\n');
  });

  it('says which deadline passed', () => {
    const r = renderError(fromGrpcError(Object.assign(new Error('deadline'), { code: 4, details: 'Deadline exceeded' })), { address: 'h:1', timeoutMs: 10_000 });
    expect(r.text).toContain('did not answer within 10s');
    expect(r.exitCode).toBe(EXIT_FAILURE);
  });

  it('maps NOT_FOUND to exit 1 and usage errors to exit 2', () => {
    expect(renderError(overTheWire(new NotFoundError('jobset', 'x')))).toEqual({ text: 'error: jobset "x" not found\n', exitCode: EXIT_FAILURE });
    expect(renderError(new UsageError('bad flag'))).toEqual({ text: 'error: bad flag\n', exitCode: EXIT_USAGE });
  });
});

describe('issueHeadline / transportDetail', () => {
  it('keeps a message that does not end with the issues', () => {
    expect(issueHeadline('something else', [{ path: 'a', message: 'b' }])).toBe('something else');
  });
  it('passes through messages that are not grpc-js connection failures', () => {
    expect(transportDetail('plain')).toBe('plain');
  });
});
