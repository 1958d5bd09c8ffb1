/**
 * What every command shares: the global options (--scheduler, --timeout), the
 * resolved scheduler address, and one lazily created client.
 */
import { parseDuration } from '../../shared/src/config/values.js';
import { resolveSchedulerAddress } from './address.js';
import { SchedulerApi } from './client.js';
import { UsageError, type ErrorContext } from './errors.js';
import type { CliIo } from './io.js';

/** DEFAULT_TIMEOUT is the per-call deadline when --timeout is not given. */
export const DEFAULT_TIMEOUT = '10s';

/** GlobalOptions are the options every command accepts. */
export interface GlobalOptions {
  scheduler?: string;
  timeout?: string;
}

/** parseTimeout reads a --timeout value (`10s`, `500ms`, `2m`); throws UsageError when malformed or zero. */
export function parseTimeout(v: string | undefined): number {
  const ms = parseDuration(v ?? DEFAULT_TIMEOUT);
  if (ms === undefined || ms <= 0) throw new UsageError(`--timeout must be a positive duration such as 500ms, 10s or 2m, got "${v}"`);
  return ms;
}

/** CliContext carries the io and global options of one invocation and owns its client. */
export class CliContext {
  private api: SchedulerApi | undefined;
  private resolved: string | undefined;
  private timeout: number | undefined;
  /** The exit code a command chose without throwing (e.g. watch of a Failed JobSet). */
  exitCode = 0;
  /** Where errors are explained from (address and deadline once known). */
  readonly errorContext: ErrorContext = {};

  constructor(
    /** The outside world. */
    readonly io: CliIo,
    private readonly globals: () => GlobalOptions,
  ) {}

  /** address is the scheduler's host:port (flag > env > local file > default). */
  get address(): string {
    this.resolved ??= resolveSchedulerAddress({ flag: this.globals().scheduler, env: this.io.env, cwd: this.io.cwd }).address;
    this.errorContext.address = this.resolved;
    return this.resolved;
  }

  /** timeoutMs is the per-call deadline. */
  get timeoutMs(): number {
    this.timeout ??= parseTimeout(this.globals().timeout);
    this.errorContext.timeoutMs = this.timeout;
    return this.timeout;
  }

  /** client returns the scheduler client, creating it on first use. */
  client(): SchedulerApi {
    if (!this.api) {
      const timeoutMs = this.timeoutMs;
      this.api = new SchedulerApi(this.address, { timeoutMs });
    }
    return this.api;
  }

  /** close releases the client's channel so the process can exit. */
  close(): void {
    this.api?.close();
    this.api = undefined;
  }
}
