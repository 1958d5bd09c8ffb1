/** `muster version`. */
import { Command } from 'commander';
import { VERSION } from '../../../shared/src/version.js';
import type { CliContext } from '../context.js';

/** versionCommand builds `muster version`, which prints the CLI's version. */
export function versionCommand(ctx: CliContext): Command {
  return new Command('version').description('print the version of the muster CLI').action(() => {
    ctx.io.out(`muster ${VERSION}\n`);
  });
}
