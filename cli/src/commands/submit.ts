/** `muster submit -f FILE`: parse and validate a JobSet file locally, then SubmitJobSet. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { InvalidArgumentError } from '../../../shared/src/errors.js';
import { parseJobSetText, toSubmitRequest, type JobSetDocument } from '../../../shared/src/spec/document.js';
import { validateJobSet } from '../../../shared/src/spec/validate.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { formatObject } from '../format/output.js';
import { outputOf, outputOption } from './options.js';
import { runWatch } from './watch.js';

/** readJobSetFile reads FILE (or stdin for `-`), parses it and validates it; throws InvalidArgumentError listing every issue. */
export async function readJobSetFile(ctx: CliContext, file: string): Promise<JobSetDocument> {
  let text: string;
  if (file === '-') text = await ctx.io.readStdin();
  else {
    try {
      text = await readFile(path.resolve(ctx.io.cwd, file), 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
  }
  const doc = parseJobSetText(text);
  const issues = validateJobSet(doc.name, doc.spec);
  if (issues.length > 0) throw new InvalidArgumentError(issues, `invalid JobSet file ${file === '-' ? '(stdin)' : file}`);
  return doc;
}

/** submitCommand builds `muster submit`. */
export function submitCommand(ctx: CliContext): Command {
  return new Command('submit')
    .description('submit a JobSet file (YAML or JSON)')
    .requiredOption('-f, --file <file>', 'the JobSet file; - reads standard input')
    .option('--watch', 'then follow the JobSet as `muster watch` does')
    .addOption(outputOption())
    .action(async (opts: { file: string; watch?: boolean; output?: string }) => {
      const output = outputOf(opts);
      const doc = await readJobSetFile(ctx, opts.file);
      const req = toSubmitRequest(doc, { user: ctx.io.username(), submitDir: ctx.io.cwd });
      const js = await ctx.client().submitJobSet(req);
      const name = js.metadata?.name || doc.name;
      if (output === 'table') ctx.io.out(`jobset/${name} submitted\n`);
      else ctx.io.out(formatObject(output, js));
      if (opts.watch) ctx.exitCode = await runWatch(ctx, name, output);
    });
}
