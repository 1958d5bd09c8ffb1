/** Reading a command's `-f FILE` input: a path relative to the working directory, or `-` for standard input. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';

/** readInputFile returns the text of FILE (stdin for `-`); a file that cannot be read is a UsageError naming it. */
export async function readInputFile(ctx: CliContext, file: string): Promise<string> {
  if (file === '-') return ctx.io.readStdin();
  try {
    return await readFile(path.resolve(ctx.io.cwd, file), 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}
