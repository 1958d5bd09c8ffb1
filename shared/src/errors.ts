/**
 * Typed errors with stable codes, and the one mapping between them and gRPC
 * status codes. Handlers throw MusterError subclasses; the gRPC layer calls
 * toGrpcStatus; clients call fromGrpcError. Codes never change meaning.
 */
import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';

/** FieldIssue is one problem with an input, located by its field path. */
export interface FieldIssue {
  /** Dotted path with [index] for lists, e.g. `spec.replicatedJobs[0].replicas`. */
  path: string;
  message: string;
}

/** ErrorCode is the stable, machine-readable code of a MusterError. */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION'
  | 'UNAVAILABLE'
  | 'DEADLINE_EXCEEDED'
  | 'PERMISSION_DENIED'
  | 'INTERNAL';

/** MusterErrorOptions are the optional parts of a MusterError. */
export interface MusterErrorOptions {
  cause?: unknown;
  retryable?: boolean;
  issues?: FieldIssue[];
}

/** MusterError is the base of every error Muster raises on purpose. */
export class MusterError extends Error {
  /** code is stable and machine-readable. */
  readonly code: ErrorCode;
  /** retryable says whether the same call may succeed later. */
  readonly retryable: boolean;
  /** issues lists field problems (INVALID_ARGUMENT). */
  readonly issues: FieldIssue[];

  constructor(code: ErrorCode, message: string, opts: MusterErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'MusterError';
    this.code = code;
    this.retryable = opts.retryable ?? (code === 'UNAVAILABLE' || code === 'DEADLINE_EXCEEDED');
    this.issues = opts.issues ?? [];
  }
}

/** InvalidArgumentError is bad input; its message lists every issue with its path. */
export class InvalidArgumentError extends MusterError {
  constructor(issues: FieldIssue[], what = 'invalid input') {
    super('INVALID_ARGUMENT', InvalidArgumentError.format(issues, what), { issues });
    this.name = 'InvalidArgumentError';
  }

  /** format renders issues as `what: path: message; path: message`. */
  static format(issues: FieldIssue[], what = 'invalid input'): string {
    return `${what}: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`;
  }
}

/** NotFoundError names the kind and name of what does not exist. */
export class NotFoundError extends MusterError {
  constructor(
    readonly kind: string,
    readonly resourceName: string,
  ) {
    super('NOT_FOUND', `${kind} "${resourceName}" not found`);
    this.name = 'NotFoundError';
  }
}

/** AlreadyExistsError names the kind and name that is taken. */
export class AlreadyExistsError extends MusterError {
  constructor(
    readonly kind: string,
    readonly resourceName: string,
  ) {
    super('ALREADY_EXISTS', `${kind} "${resourceName}" already exists`);
    this.name = 'AlreadyExistsError';
  }
}

/** UnavailableError is a dependency that cannot be reached now (retryable). */
export class UnavailableError extends MusterError {
  constructor(message: string, cause?: unknown) {
    super('UNAVAILABLE', message, { cause, retryable: true });
    this.name = 'UnavailableError';
  }
}

const TO_GRPC: Record<ErrorCode, GrpcStatus> = {
  INVALID_ARGUMENT: GrpcStatus.INVALID_ARGUMENT,
  NOT_FOUND: GrpcStatus.NOT_FOUND,
  ALREADY_EXISTS: GrpcStatus.ALREADY_EXISTS,
  FAILED_PRECONDITION: GrpcStatus.FAILED_PRECONDITION,
  UNAVAILABLE: GrpcStatus.UNAVAILABLE,
  DEADLINE_EXCEEDED: GrpcStatus.DEADLINE_EXCEEDED,
  PERMISSION_DENIED: GrpcStatus.PERMISSION_DENIED,
  INTERNAL: GrpcStatus.INTERNAL,
};

const ISSUES_KEY = 'muster-field-issues-bin';

/** toGrpcStatus maps any thrown value to a gRPC error; unknown errors become INTERNAL. */
export function toGrpcStatus(err: unknown): Partial<ServiceError> {
  if (err instanceof MusterError) {
    const metadata = new Metadata();
    metadata.set('muster-error-code', err.code);
    if (err.issues.length > 0) metadata.set(ISSUES_KEY, Buffer.from(JSON.stringify(err.issues)));
    return { code: TO_GRPC[err.code], details: err.message, metadata };
  }
  return { code: GrpcStatus.INTERNAL, details: 'internal error' };
}

/** fromGrpcError turns a gRPC client error back into a MusterError. */
export function fromGrpcError(err: unknown): MusterError {
  const se = err as Partial<ServiceError>;
  if (typeof se?.code !== 'number') return new MusterError('INTERNAL', String(err), { cause: err });
  const code = (Object.entries(TO_GRPC).find(([, v]) => v === se.code)?.[0] as ErrorCode | undefined) ?? 'INTERNAL';
  let issues: FieldIssue[] = [];
  const raw = se.metadata?.get(ISSUES_KEY)?.[0];
  if (Buffer.isBuffer(raw)) {
    try {
      issues = JSON.parse(raw.toString('utf8')) as FieldIssue[];
    } catch {
      issues = [];
    }
  }
  const message = se.details || se.message || 'error';
  const mapped: ErrorCode = se.code === GrpcStatus.UNAVAILABLE ? 'UNAVAILABLE' : code;
  return new MusterError(mapped, message, { cause: err, issues });
}
