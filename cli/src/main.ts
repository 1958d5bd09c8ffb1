/** The `muster` CLI entry point (bin/muster.js imports the built copy of this file). */
import { processIo } from './io.js';
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv.slice(2), processIo());
