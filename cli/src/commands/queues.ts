/** `muster apply -f FILE` and the queueing listings: `queues [NAME]`, `flavors`, `cohorts`, `priorityclasses`. */
import { Command } from 'commander';
import { InvalidArgumentError } from '../../../shared/src/errors.js';
import { applyRequest, parseObjectsText } from '../../../shared/src/queues/document.js';
import { validateObjects } from '../../../shared/src/queues/validate.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { formatObject } from '../format/output.js';
import { cohortsTable, describeQueue, flavorsTable, priorityClassesTable, queuesTable } from '../format/queues.js';
import { readInputFile } from './input-file.js';
import { outputOf, outputOption } from './options.js';

/** applyCommand builds `muster apply`. */
export function applyCommand(ctx: CliContext): Command {
  return new Command('apply')
    .description('create or update queueing objects (ResourceFlavor, Queue, Cohort, PriorityClass) from a YAML file; rejected whole on any error')
    .requiredOption('-f, --file <file>', 'the file (several documents separated by ---); - reads standard input')
    .addOption(outputOption())
    .action(async (opts: { file: string; output?: string }) => {
      const output = outputOf(opts);
      const objects = parseObjectsText(await readInputFile(ctx, opts.file));
      // Early feedback on the file alone; the scheduler checks again against what it stores.
      const issues = validateObjects(objects);
      if (issues.length > 0) throw new InvalidArgumentError(issues, `invalid queueing objects file ${opts.file === '-' ? '(stdin)' : opts.file}`);
      const res = await ctx.client().applyObjects(applyRequest(objects));
      if (output !== 'table') ctx.io.out(formatObject(output, res));
      else for (const a of res.applied) ctx.io.out(`${a.kind.toLowerCase()}/${a.name} ${a.action}\n`);
    });
}

/** queuesCommand builds `muster queues [NAME]`. */
export function queuesCommand(ctx: CliContext): Command {
  return new Command('queues')
    .alias('queue')
    .description('queues with cohort, strategy, pending and admitted JobSets, quota, what each borrows and its fair share; with NAME one queue in detail')
    .argument('[name]', 'a queue')
    .addOption(outputOption())
    .action(async (name: string | undefined, opts: { output?: string }) => {
      const output = outputOf(opts);
      const res = await ctx.client().listQueueing();
      if (name) {
        const q = res.queues.find((x) => x.metadata?.name === name);
        if (!q) throw new UsageError(`no queue named "${name}"`);
        ctx.io.out(output === 'table' ? describeQueue(q, res.counts.find((c) => c.queue === name), ctx.io.now()) + '\n' : formatObject(output, q));
        return;
      }
      ctx.io.out(output === 'table' ? queuesTable(res.queues, res.counts) + '\n' : formatObject(output, { queues: res.queues, counts: res.counts }));
    });
}

/** flavorsCommand builds `muster flavors`. */
export function flavorsCommand(ctx: CliContext): Command {
  return new Command('flavors')
    .description('resource flavors and the node labels that select them')
    .addOption(outputOption())
    .action(async (opts: { output?: string }) => {
      const output = outputOf(opts);
      const res = await ctx.client().listQueueing();
      ctx.io.out(output === 'table' ? flavorsTable(res.flavors) + '\n' : formatObject(output, { flavors: res.flavors }));
    });
}

/** cohortsCommand builds `muster cohorts`. */
export function cohortsCommand(ctx: CliContext): Command {
  return new Command('cohorts')
    .description('cohorts with their parent, member queues and own quota')
    .addOption(outputOption())
    .action(async (opts: { output?: string }) => {
      const output = outputOf(opts);
      const res = await ctx.client().listQueueing();
      ctx.io.out(output === 'table' ? cohortsTable(res.cohorts, res.queues) + '\n' : formatObject(output, { cohorts: res.cohorts }));
    });
}

/** priorityClassesCommand builds `muster priorityclasses`. */
export function priorityClassesCommand(ctx: CliContext): Command {
  return new Command('priorityclasses')
    .description('priority classes, highest first')
    .addOption(outputOption())
    .action(async (opts: { output?: string }) => {
      const output = outputOf(opts);
      const res = await ctx.client().listQueueing();
      ctx.io.out(output === 'table' ? priorityClassesTable(res.priorityClasses) + '\n' : formatObject(output, { priorityClasses: res.priorityClasses }));
    });
}
