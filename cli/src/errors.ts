/**
 * How the CLI reports failures: `error: <message>`, one line per field issue,
 * and an exit code (0 ok, 1 the operation failed, 2 usage or invalid input).
 */
import { MusterError, type FieldIssue } from '../../shared/src/errors.js';

/** EXIT_OK means the command did what was asked. */
export const EXIT_OK = 0;
/** EXIT_FAILURE means the operation failed (scheduler unreachable, not found, JobSet failed…). */
export const EXIT_FAILURE = 1;
/** EXIT_USAGE means bad usage or invalid input (flags, JobSet file, INVALID_ARGUMENT). */
export const EXIT_USAGE = 2;

/** UsageError is a mistake in how the command was called; it exits with EXIT_USAGE. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** CommandFailedError ends a command with a message and EXIT_FAILURE (or the given code). */
export class CommandFailedError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
  ) {
    super(message);
    this.name = 'CommandFailedError';
  }
}

/** ErrorContext is what renderError needs to explain a failure. */
export interface ErrorContext {
  /** The scheduler address the command used, if it got that far. */
  address?: string;
  /** The per-call deadline in milliseconds. */
  timeoutMs?: number;
}

/** RenderedError is the text to print on stderr (newline-terminated) and the exit code. */
export interface RenderedError {
  text: string;
  exitCode: number;
}

function issueLine(i: FieldIssue): string {
  return i.path ? `  ${i.path}: ${i.message}` : `  ${i.message}`;
}

/** issueHeadline strips the `: path: msg; …` tail that InvalidArgumentError.format appends, since the issues get their own lines. */
export function issueHeadline(message: string, issues: readonly FieldIssue[]): string {
  if (issues.length === 0) return message;
  const tail = ': ' + issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  return message.endsWith(tail) && message.length > tail.length ? message.slice(0, -tail.length) : message;
}

function fromServer(err: MusterError): boolean {
  const cause = err.cause as { metadata?: { get(k: string): unknown[] } } | undefined;
  return (cause?.metadata?.get('muster-error-code')?.length ?? 0) > 0;
}

/** transportDetail shortens grpc-js connection failures (`No connection established. Last error: Error: connect ECONNREFUSED …`) to their cause. */
export function transportDetail(message: string): string {
  const m = /Last error: (?:Error: )?(.*?)(?:\.? Resolution note:.*)?$/s.exec(message);
  return (m?.[1] ?? message).trim().replace(/\.$/, '');
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** renderError turns anything thrown by a command into the text to print and the exit code. */
export function renderError(err: unknown, ctx: ErrorContext = {}): RenderedError {
  if (err instanceof UsageError) return { text: `error: ${err.message}\n`, exitCode: EXIT_USAGE };
  if (err instanceof CommandFailedError) return { text: `error: ${err.message}\n`, exitCode: err.exitCode };
  if (err instanceof MusterError) {
    const where = ctx.address ? ` at ${ctx.address}` : '';
    if (err.code === 'UNAVAILABLE' && !fromServer(err)) {
      return {
        text:
          `error: cannot reach the scheduler${where} (${transportDetail(err.message)})\n` +
          '  start a single-machine cluster with `muster local up`, or point --scheduler or MUSTER_SCHEDULER at a running scheduler\n',
        exitCode: EXIT_FAILURE,
      };
    }
    if (err.code === 'DEADLINE_EXCEEDED' && !fromServer(err)) {
      const within = ctx.timeoutMs !== undefined ? ` within ${seconds(ctx.timeoutMs)}` : '';
      return { text: `error: the scheduler${where} did not answer${within} (raise --timeout if it is busy)\n`, exitCode: EXIT_FAILURE };
    }
    const lines = [`error: ${issueHeadline(err.message, err.issues)}`, ...err.issues.map(issueLine)];
    return { text: lines.join('\n') + '\n', exitCode: err.code === 'INVALID_ARGUMENT' ? EXIT_USAGE : EXIT_FAILURE };
  }
  if (err instanceof Error) return { text: `error: ${err.message}\n`, exitCode: EXIT_FAILURE };
  return { text: `error: ${String(err)}\n`, exitCode: EXIT_FAILURE };
}
