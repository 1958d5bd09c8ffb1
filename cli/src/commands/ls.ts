/** `muster ls` (alias `list`): JobSets, newest first; `--pending`: pending JobSets with their positions in their queues. */
import { Command } from 'commander';
import { jobSetPhaseName, parseJobSetPhase } from '../../../shared/src/phases.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { LIST_HEADERS, listRow } from '../format/jobset.js';
import { formatObject } from '../format/output.js';
import { pendingTable } from '../format/pending.js';
import { renderTable } from '../format/table.js';
import { outputOf, outputOption } from './options.js';

/** PHASE_WORDS are the values --phase accepts. */
export const PHASE_WORDS = ['Pending', 'Admitted', 'Running', 'Succeeded', 'Failed'] as const;

/** phaseFilter checks a --phase value and returns the word the scheduler filters by ('' = all); throws UsageError. */
export function phaseFilter(v: string | undefined): string {
  if (v === undefined || v === '') return '';
  const p = parseJobSetPhase(v);
  if (!p) throw new UsageError(`--phase must be one of ${PHASE_WORDS.join(', ')}, got "${v}"`);
  return jobSetPhaseName(p);
}

/** lsCommand builds `muster ls`. */
export function lsCommand(ctx: CliContext): Command {
  return new Command('ls')
    .alias('list')
    .description('list JobSets, newest first; with --pending, pending JobSets by queue with their positions')
    .option('--phase <phase>', `only JobSets in this phase (${PHASE_WORDS.join(', ')})`)
    .option('--pending', 'only pending JobSets, each with its position in its queue (1 = next), priority and reason')
    .addOption(outputOption())
    .action(async (opts: { phase?: string; pending?: boolean; output?: string }) => {
      const output = outputOf(opts);
      const phase = phaseFilter(opts.phase);
      if (opts.pending && phase && phase !== 'Pending') throw new UsageError(`--pending lists Pending JobSets; it cannot be combined with --phase ${phase}`);
      const now = ctx.io.now();
      if (opts.pending) {
        const res = await ctx.client().listJobSets('', 0, true);
        if (output !== 'table') ctx.io.out(formatObject(output, res));
        else if (res.jobsets.length === 0) ctx.io.err('no Pending JobSets\n');
        else ctx.io.out(pendingTable(res.jobsets, res.positions, now) + '\n');
        return;
      }
      const res = await ctx.client().listJobSets(phase);
      if (output !== 'table') {
        ctx.io.out(formatObject(output, res));
        return;
      }
      if (res.jobsets.length === 0) {
        ctx.io.err(phase ? `no ${phase} JobSets\n` : 'no JobSets\n');
        return;
      }
      ctx.io.out(renderTable(LIST_HEADERS, res.jobsets.map((js) => listRow(js, now))) + '\n');
    });
}
