/** `muster nodes`: every registered node with its state and usage. */
import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { NODE_HEADERS, nodeRow } from '../format/nodes.js';
import { formatObject } from '../format/output.js';
import { renderTable } from '../format/table.js';
import { outputOf, outputOption } from './options.js';

/** nodesCommand builds `muster nodes`. */
export function nodesCommand(ctx: CliContext): Command {
  return new Command('nodes')
    .description('list nodes: state, address, allocated/allocatable CPU, memory and GPUs, pods, epoch, last heartbeat')
    .addOption(outputOption())
    .action(async (opts: { output?: string }) => {
      const output = outputOf(opts);
      const res = await ctx.client().listNodes();
      if (output !== 'table') {
        ctx.io.out(formatObject(output, res));
        return;
      }
      if (res.nodes.length === 0) {
        ctx.io.err('no nodes registered\n');
        return;
      }
      const now = ctx.io.now();
      ctx.io.out(renderTable(NODE_HEADERS, res.nodes.map((n) => nodeRow(n, now))) + '\n');
    });
}
