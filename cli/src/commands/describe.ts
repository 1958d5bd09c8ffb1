/** `muster describe NAME`: one JobSet in full — spec in short, progress, Jobs, pods with GPUs, conditions, events. */
import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { describeFull } from '../format/describe.js';
import { formatObject } from '../format/output.js';
import { outputOf, outputOption } from './options.js';

/** describeCommand builds `muster describe`. */
export function describeCommand(ctx: CliContext): Command {
  return new Command('describe')
    .description('a JobSet in full: spec summary, per-replicatedJob and per-Job progress, restarts, pods (node, GPUs, generation, exit), conditions and event history')
    .argument('<name>', 'JobSet name')
    .addOption(outputOption())
    .action(async (name: string, opts: { output?: string }) => {
      const output = outputOf(opts);
      const js = await ctx.client().getJobSet(name);
      ctx.io.out(output === 'table' ? describeFull(js, ctx.io.now()) + '\n' : formatObject(output, js));
    });
}
