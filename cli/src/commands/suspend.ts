/** `muster suspend NAME` and `muster resume NAME` (JobSet's spec.suspend). */
import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { formatObject } from '../format/output.js';
import { outputOf, outputOption } from './options.js';

/** suspendCommand builds `muster suspend`. */
export function suspendCommand(ctx: CliContext): Command {
  return new Command('suspend')
    .description("stop a JobSet's pods and release its nodes, keeping it and its status; `muster resume` admits it again")
    .argument('<name>', 'JobSet name')
    .addOption(outputOption())
    .action(async (name: string, opts: { output?: string }) => {
      const output = outputOf(opts);
      const js = await ctx.client().suspendJobSet(name);
      ctx.io.out(output === 'table' ? `jobset/${name} suspended\n` : formatObject(output, js));
    });
}

/** resumeCommand builds `muster resume`. */
export function resumeCommand(ctx: CliContext): Command {
  return new Command('resume')
    .description('let a suspended JobSet be admitted again (as a whole, through the queue)')
    .argument('<name>', 'JobSet name')
    .addOption(outputOption())
    .action(async (name: string, opts: { output?: string }) => {
      const output = outputOf(opts);
      const js = await ctx.client().resumeJobSet(name);
      ctx.io.out(output === 'table' ? `jobset/${name} resumed\n` : formatObject(output, js));
    });
}
