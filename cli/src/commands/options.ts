/** Options several commands share. */
import { Option } from 'commander';
import { OUTPUT_FORMATS, parseOutputFormat, type OutputFormat } from '../format/output.js';

/** outputOption is `-o, --output table|json|yaml`. */
export function outputOption(): Option {
  return new Option('-o, --output <format>', `output format: ${OUTPUT_FORMATS.join(', ')}`).default('table');
}

/** outputOf reads and checks the -o value of a command's options. */
export function outputOf(opts: { output?: string }): OutputFormat {
  return parseOutputFormat(opts.output);
}
