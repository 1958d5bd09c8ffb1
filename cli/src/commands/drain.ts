/** `muster drain NODE --reason TEXT [--evict]` and `muster undrain NODE` (Slurm's DRAIN and RESUME, Kubernetes' drain and uncordon). */
import { Command } from 'commander';
import { nodeStateName } from '../../../shared/src/phases.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { formatObject } from '../format/output.js';
import { outputOf, outputOption } from './options.js';

/** drainCommand builds `muster drain`. */
export function drainCommand(ctx: CliContext): Command {
  return new Command('drain')
    .description('keep new pods off a node; running ones finish (the node is Draining, then Drained); --evict stops them now and their JobSets treat it as a lost node')
    .argument('<node>', 'node name')
    .requiredOption('--reason <text>', 'why (shown in `muster nodes`)')
    .option('--evict', 'stop the pods on the node now instead of letting them finish')
    .addOption(outputOption())
    .action(async (name: string, opts: { reason: string; evict?: boolean; output?: string }) => {
      const output = outputOf(opts);
      if (opts.reason.trim() === '') throw new UsageError('--reason must say why the node is drained');
      const node = await ctx.client().drainNode(name, opts.reason, opts.evict ?? false);
      ctx.io.out(output === 'table' ? `node/${name} ${nodeStateName(node.state)}${opts.evict ? ' (its pods are being stopped)' : ''}: ${node.drain?.reason ?? opts.reason}\n` : formatObject(output, node));
    });
}

/** undrainCommand builds `muster undrain`. */
export function undrainCommand(ctx: CliContext): Command {
  return new Command('undrain')
    .description('let new pods onto a drained node again')
    .argument('<node>', 'node name')
    .addOption(outputOption())
    .action(async (name: string, opts: { output?: string }) => {
      const output = outputOf(opts);
      const node = await ctx.client().undrainNode(name);
      ctx.io.out(output === 'table' ? `node/${name} ${nodeStateName(node.state)}\n` : formatObject(output, node));
    });
}
