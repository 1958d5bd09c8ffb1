/** The `muster` command tree and its entry point: parse, run, render errors, return the exit code. */
import { Command, CommanderError } from 'commander';
import { VERSION } from '../../shared/src/version.js';
import { cancelCommand } from './commands/cancel.js';
import { describeCommand } from './commands/describe.js';
import { logsCommand } from './commands/logs.js';
import { applyCommand, cohortsCommand, flavorsCommand, priorityClassesCommand, queuesCommand } from './commands/queues.js';
import { resumeCommand, suspendCommand } from './commands/suspend.js';
import { getCommand } from './commands/get.js';
import { localCommand } from './commands/local.js';
import { lsCommand } from './commands/ls.js';
import { nodesCommand } from './commands/nodes.js';
import { drainCommand, undrainCommand } from './commands/drain.js';
import { submitCommand } from './commands/submit.js';
import { versionCommand } from './commands/version.js';
import { watchCommand } from './commands/watch.js';
import { CliContext, DEFAULT_TIMEOUT, type GlobalOptions } from './context.js';
import { EXIT_OK, EXIT_USAGE, renderError } from './errors.js';
import type { CliIo } from './io.js';

function forEachCommand(cmd: Command, fn: (c: Command) => void): void {
  fn(cmd);
  for (const sub of cmd.commands) forEachCommand(sub, fn);
}

/** buildProgram assembles every command over one context. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('muster')
    .description('Muster: gang-scheduled JobSets on GPU/HPC clusters without Kubernetes')
    .version(VERSION, '-V, --version', 'print the version')
    .option('--scheduler <host:port>', 'scheduler address (default: $MUSTER_SCHEDULER, else ./.muster/local/scheduler.addr, else 127.0.0.1:7070)')
    .option('--timeout <duration>', 'deadline of each call to the scheduler', DEFAULT_TIMEOUT)
    .addCommand(submitCommand(ctx))
    .addCommand(getCommand(ctx))
    .addCommand(lsCommand(ctx))
    .addCommand(describeCommand(ctx))
    .addCommand(logsCommand(ctx))
    .addCommand(cancelCommand(ctx))
    .addCommand(suspendCommand(ctx))
    .addCommand(resumeCommand(ctx))
    .addCommand(nodesCommand(ctx))
    .addCommand(drainCommand(ctx))
    .addCommand(undrainCommand(ctx))
    .addCommand(applyCommand(ctx))
    .addCommand(queuesCommand(ctx))
    .addCommand(flavorsCommand(ctx))
    .addCommand(cohortsCommand(ctx))
    .addCommand(priorityClassesCommand(ctx))
    .addCommand(watchCommand(ctx))
    .addCommand(localCommand(ctx))
    .addCommand(versionCommand(ctx));
  forEachCommand(program, (c) => {
    c.exitOverride();
    c.showHelpAfterError('(run with --help for usage)');
    c.configureOutput({ writeOut: (s) => ctx.io.out(s), writeErr: (s) => ctx.io.err(s) });
  });
  return program;
}

/** runCli runs `muster ARGS…` and returns the exit code (0 ok, 1 the operation failed, 2 usage or invalid input). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let program: Command | undefined;
  const ctx = new CliContext(io, () => program?.opts<GlobalOptions>() ?? {});
  program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE; // commander printed the message
    const r = renderError(err, ctx.errorContext);
    io.err(r.text);
    return r.exitCode;
  } finally {
    ctx.close();
  }
}
