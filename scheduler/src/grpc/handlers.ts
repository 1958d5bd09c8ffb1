/**
 * Wrapping handlers: every unary handler runs inside one try/catch that maps
 * errors to gRPC status (shared/src/errors.ts toGrpcStatus) and logs
 * unexpected ones. A handler never crashes the process.
 */
import type * as grpc from '@grpc/grpc-js';
import { MusterError, toGrpcStatus } from '../../../shared/src/errors.js';
import { errorFields, type Logger } from '../../../shared/src/logger.js';

/** unary adapts `fn(request) → response` into a grpc-js unary handler. */
export function unary<Req, Res>(log: Logger, method: string, fn: (req: Req, call: grpc.ServerUnaryCall<Req, Res>) => Res): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    try {
      callback(null, fn(call.request, call));
    } catch (err) {
      if (!(err instanceof MusterError)) log.error('handler failed', { method, ...errorFields(err) });
      else log.debug('request rejected', { method, code: err.code, message: err.message });
      callback(toServiceError(err), null);
    }
  };
}

/** toServiceError turns any thrown value into the error object grpc-js sends as a status. */
export function toServiceError(err: unknown): grpc.ServiceError {
  const st = toGrpcStatus(err);
  return Object.assign(new Error(st.details ?? 'error'), st) as grpc.ServiceError;
}
