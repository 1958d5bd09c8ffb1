/** `muster cancel NAME`: stop a JobSet's pods and remove it. */
import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { formatObject } from '../format/output.js';
import { outputOf, outputOption } from './options.js';

/** cancelCommand builds `muster cancel`. */
export function cancelCommand(ctx: CliContext): Command {
  return new Command('cancel')
    .description("stop a JobSet's pods and remove it")
    .argument('<name>', 'JobSet name')
    .addOption(outputOption())
    .action(async (name: string, opts: { output?: string }) => {
      const output = outputOf(opts);
      const res = await ctx.client().deleteJobSet(name);
      if (output !== 'table') {
        ctx.io.out(formatObject(output, res));
        return;
      }
      const n = res.stoppedPods;
      ctx.io.out(`jobset/${res.name || name} cancelled (${n} ${n === 1 ? 'pod' : 'pods'} stopped)\n`);
    });
}
