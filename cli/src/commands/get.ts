/** `muster get NAME`: one JobSet described for people, or as JSON/YAML. */
import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { describeJobSet } from '../format/jobset.js';
import { formatObject } from '../format/output.js';
import { outputOf, outputOption } from './options.js';

/** getCommand builds `muster get`. */
export function getCommand(ctx: CliContext): Command {
  return new Command('get')
    .description('describe a JobSet: phase, times, pod counts, pods, conditions')
    .argument('<name>', 'JobSet name')
    .addOption(outputOption())
    .action(async (name: string, opts: { output?: string }) => {
      const output = outputOf(opts);
      const js = await ctx.client().getJobSet(name);
      ctx.io.out(output === 'table' ? describeJobSet(js, ctx.io.now()) + '\n' : formatObject(output, js));
    });
}
