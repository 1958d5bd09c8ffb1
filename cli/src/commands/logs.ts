/**
 * `muster logs NAME`: a pod's output, fetched through the scheduler from the
 * node it ran on (finished pods too, until the JobSet is deleted). `-f`
 * follows it until the pod has ended; a pod restarted meanwhile (a new
 * generation) is followed from the start of its new output.
 */
import { Command, Option } from 'commander';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { parseDuration } from '../../../shared/src/config/values.js';

/** LogsOptions are the flags of `muster logs`. */
interface LogsOptions {
  replicatedJob?: string;
  index?: string;
  podIndex?: string;
  stderr?: boolean;
  follow?: boolean;
  tail?: string;
  poll?: string;
}

function nonNegative(flag: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag}: must be a whole number ≥ 0, not "${v}"`);
  return n;
}

/** logsCommand builds `muster logs`. */
export function logsCommand(ctx: CliContext): Command {
  return new Command('logs')
    .description("a pod's stdout (or --stderr), read from its node through the scheduler; -f follows it until the pod ends")
    .argument('<name>', 'JobSet name')
    .option('--replicated-job <name>', 'the pod\'s replicatedJob (default: the JobSet\'s first pod, rank 0)')
    .option('--index <n>', 'the Job index within the replicatedJob (default 0)')
    .option('--pod-index <n>', 'the pod index within the Job (default 0)')
    .option('--stderr', 'stderr instead of stdout')
    .option('-f, --follow', 'keep printing new output until the pod has ended')
    .option('--tail <bytes>', 'start this many bytes before the end')
    .addOption(new Option('--poll <duration>', 'how often -f asks for more').default('500ms'))
    .action(async (name: string, opts: LogsOptions) => {
      if (!opts.replicatedJob && (opts.index !== undefined || opts.podIndex !== undefined)) throw new UsageError('--index and --pod-index need --replicated-job');
      const jobIndex = nonNegative('--index', opts.index, 0);
      const podIndex = nonNegative('--pod-index', opts.podIndex, 0);
      const tail = nonNegative('--tail', opts.tail, 0);
      const pollMs = parseDuration(opts.poll ?? '500ms');
      if (pollMs === undefined || pollMs < 50) throw new UsageError(`--poll: must be a duration of at least 50ms, not "${opts.poll}"`);
      const client = ctx.client();
      const stream = opts.stderr ? 'stderr' : 'stdout';
      let offset = opts.tail !== undefined ? -tail : 0;
      let generation: number | undefined;
      let decoder = new TextDecoder('utf-8');
      const target = { jobset: name, replicatedJob: opts.replicatedJob ?? '', jobIndex, podIndex, stream };
      if (opts.tail !== undefined && tail === 0) {
        // Nothing of what is there: start at the end (an offset past it reads nothing and says where the end is).
        const end = await client.getPodLogs({ ...target, offset: Number.MAX_SAFE_INTEGER, maxBytes: 1 });
        if (!opts.follow) return;
        offset = Number(end.nextOffset);
        generation = Number(end.generation);
      }
      for (;;) {
        const chunk = await client.getPodLogs({ ...target, offset, maxBytes: 0 });
        const gen = Number(chunk.generation);
        if (generation !== undefined && gen !== generation) {
          // A new incarnation writes a new file: start over from its beginning.
          ctx.io.err(`--- ${chunk.podId} restarted (generation ${gen}) on ${chunk.node} ---\n`);
          decoder = new TextDecoder('utf-8');
          generation = gen;
          offset = 0;
          continue;
        }
        generation = gen;
        if (offset > 0 && Number(chunk.size) < offset) {
          // The agent rotated the file (copied it to .1 and truncated it): go on from its new start.
          ctx.io.err(`--- ${chunk.podId}: its ${stream} was rotated on ${chunk.node}; reading from its new start ---\n`);
          offset = 0;
          continue;
        }
        const data = Buffer.from(chunk.data);
        if (data.length > 0) ctx.io.out(decoder.decode(data, { stream: true }));
        offset = Number(chunk.nextOffset);
        if (data.length > 0 && offset < Number(chunk.size)) continue; // more is there already
        if (!opts.follow || (chunk.finished && offset >= Number(chunk.size))) {
          if (chunk.missing && !opts.follow) ctx.io.err(`${chunk.podId} has no ${stream} on ${chunk.node} yet (it has not started there)\n`);
          const rest = decoder.decode();
          if (rest) ctx.io.out(rest);
          return;
        }
        await new Promise((r) => setTimeout(r, pollMs));
      }
    });
}
