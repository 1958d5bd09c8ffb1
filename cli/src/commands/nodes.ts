/** `muster nodes [NAME]`: every registered node with its state and usage, or one node described. */
import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { describeNode, findNode, NODE_HEADERS, nodeRow } from '../format/nodes.js';
import { formatObject } from '../format/output.js';
import { renderTable } from '../format/table.js';
import { outputOf, outputOption } from './options.js';

/** nodesCommand builds `muster nodes`. */
export function nodesCommand(ctx: CliContext): Command {
  return new Command('nodes')
    .description(
      'list nodes: state, address, allocated/allocatable CPU, memory and GPUs, pods, epoch, last heartbeat; ' +
        'with NAME, describe one node: resources, GPUs, NVLink groups, NUMA, NICs, conditions',
    )
    .argument('[name]', 'node name (describe that node)')
    .addOption(outputOption())
    .action(async (name: string | undefined, opts: { output?: string }) => {
      const output = outputOf(opts);
      const res = await ctx.client().listNodes();
      if (name !== undefined) {
        const node = findNode(res.nodes, name);
        ctx.io.out(output === 'table' ? describeNode(node, ctx.io.now()) + '\n' : formatObject(output, node));
        return;
      }
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
