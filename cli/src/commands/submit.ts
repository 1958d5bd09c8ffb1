/** `muster submit -f FILE`: parse and validate a JobSet file locally, then SubmitJobSet. */
import { Command } from 'commander';
import { InvalidArgumentError } from '../../../shared/src/errors.js';
import { documentPath, parseJobSetText, toSubmitRequest, type JobSetDocument } from '../../../shared/src/spec/document.js';
import { validateJobSet } from '../../../shared/src/spec/validate.js';
import type { CliContext } from '../context.js';
import { formatObject } from '../format/output.js';
import { readInputFile } from './input-file.js';
import { outputOf, outputOption } from './options.js';
import { runWatch } from './watch.js';

/** IGNORED_SHOWN is how many ignored paths the warning names before "and N more". */
const IGNORED_SHOWN = 10;

/** ignoredWarning is the one warning line for what a Kubernetes JobSet manifest had that Muster ignored; '' when nothing was. */
export function ignoredWarning(ignored: readonly string[]): string {
  if (ignored.length === 0) return '';
  const shown = ignored.slice(0, IGNORED_SHOWN).join(', ');
  const more = ignored.length > IGNORED_SHOWN ? ` and ${ignored.length - IGNORED_SHOWN} more` : '';
  return `muster: warning: ignored (no meaning outside Kubernetes): ${shown}${more}\n`;
}

/**
 * readJobSetFile reads FILE (or stdin for `-`), parses it and validates it;
 * throws InvalidArgumentError listing every issue (at its path in the file,
 * also for a Kubernetes JobSet manifest). What a manifest had that Muster
 * ignores is one warning on stderr, never an error.
 */
export async function readJobSetFile(ctx: CliContext, file: string): Promise<JobSetDocument> {
  const doc = parseJobSetText(await readInputFile(ctx, file));
  const warning = ignoredWarning(doc.ignored);
  if (warning) ctx.io.err(warning);
  const issues = validateJobSet(doc.name, doc.spec).map((i) => ({ ...i, path: documentPath(doc, i.path) }));
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
