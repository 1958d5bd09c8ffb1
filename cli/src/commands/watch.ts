/** `muster watch NAME`: follow a JobSet until it ends; exit 0 when it succeeded, 1 when it failed. */
import { Command } from 'commander';
import type { JobSet } from '../../../shared/src/proto/types.js';
import type { CliContext } from '../context.js';
import { EXIT_FAILURE, EXIT_OK } from '../errors.js';
import { followJobSet } from '../follow.js';
import { formatClock } from '../format/age.js';
import { failureText, progressText } from '../format/jobset.js';
import { formatObjectLine, type OutputFormat } from '../format/output.js';
import { outputOf, outputOption } from './options.js';

/** WatchRunOptions tune runWatch (tests shorten the backoff). */
export interface WatchRunOptions {
  /** Waits between reconnects (default: a real timer). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Stops the watch. */
  signal?: AbortSignal;
}

/**
 * runWatch follows NAME and prints a line whenever its progress changes (or
 * every update as JSON/YAML with -o); returns the exit code: 0 Succeeded, 1 Failed.
 */
export async function runWatch(ctx: CliContext, name: string, output: OutputFormat, opts: WatchRunOptions = {}): Promise<number> {
  const api = ctx.client();
  let last = '';
  let reconnecting = false;
  const onUpdate = (js: JobSet): void => {
    if (reconnecting) {
      ctx.io.err(`${formatClock(ctx.io.now())} reconnected\n`);
      reconnecting = false;
    }
    if (output !== 'table') {
      ctx.io.out(formatObjectLine(output, js));
      return;
    }
    const text = progressText(js);
    if (text === last) return;
    last = text;
    ctx.io.out(`${formatClock(ctx.io.now())} ${text}\n`);
  };
  const final = await followJobSet({
    open: () => api.watchJobSet(name),
    onUpdate,
    onReconnect: (reason, attempt) => {
      if (attempt === 1) ctx.io.err(`${formatClock(ctx.io.now())} lost the watch stream (${reason}); reconnecting to ${api.address}…\n`);
      reconnecting = true;
    },
    ...(opts.sleep ? { sleep: opts.sleep } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  if (final.status?.phase === 'JOB_SET_PHASE_SUCCEEDED') {
    if (output === 'table') ctx.io.out(`jobset/${name} succeeded\n`);
    return EXIT_OK;
  }
  ctx.io.err(failureText(final) + '\n');
  return EXIT_FAILURE;
}

/** watchCommand builds `muster watch`. */
export function watchCommand(ctx: CliContext): Command {
  return new Command('watch')
    .description('follow a JobSet until it ends (exit 0 when it succeeds, 1 when it fails)')
    .argument('<name>', 'JobSet name')
    .addOption(outputOption())
    .action(async (name: string, opts: { output?: string }) => {
      ctx.exitCode = await runWatch(ctx, name, outputOf(opts));
    });
}
