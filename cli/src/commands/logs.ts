/**
 * `muster logs NAME`: a pod's output, fetched through the scheduler from the
 * node it ran on (finished pods too, until the JobSet is deleted). `-f`
 * follows it until the pod has ended; a pod restarted meanwhile (a new
 * generation) is followed from the start of its new output.
 */
import { Command, Option } from 'commander';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { MusterError } from '../../../shared/src/errors.js';
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
      let waitingSaid = false;
      let rotations: number | undefined;
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
        let chunk;
        try {
          // Once following a generation, it is read to its end even after the pod restarted.
          chunk = await client.getPodLogs({ ...target, offset, maxBytes: 0, ...(generation !== undefined ? { generation } : {}) });
        } catch (err) {
          // -f waits for a pod that is not placed (queued, or between a restart's stop and its new placement).
          if (!opts.follow || !(err instanceof MusterError) || err.code !== 'FAILED_PRECONDITION' || !/has not been placed/.test(err.message)) throw err;
          if (!waitingSaid) ctx.io.err(`--- ${err.message}; waiting ---\n`);
          waitingSaid = true;
          await new Promise((r) => setTimeout(r, pollMs));
          continue;
        }
        waitingSaid = false;
        generation ??= Number(chunk.generation);
        if (rotations !== undefined && chunk.rotations > rotations) {
          // The agent rotated the file (copied it to .1, truncated it): the rest of what was read from is in .1.
          if (chunk.rotations === rotations + 1) {
            for (;;) {
              const prev = await client.getPodLogs({ ...target, offset, maxBytes: 0, generation, previous: true });
              if (prev.data.length > 0) ctx.io.out(decoder.decode(Buffer.from(prev.data), { stream: true }));
              offset = Number(prev.nextOffset);
              if (prev.data.length === 0 || offset >= Number(prev.size)) break;
            }
          } else ctx.io.err(`--- ${chunk.podId}: its ${stream} was rotated ${chunk.rotations - rotations} times since the last read on ${chunk.node}; output in between is not shown ---\n`);
          rotations = chunk.rotations;
          offset = 0;
          continue;
        }
        rotations = chunk.rotations;
        const data = Buffer.from(chunk.data);
        if (data.length > 0) ctx.io.out(decoder.decode(data, { stream: true }));
        offset = Number(chunk.nextOffset);
        if (data.length > 0 && offset < Number(chunk.size)) continue; // more is there already
        if (!opts.follow || (chunk.finished && offset >= Number(chunk.size))) {
          if (chunk.missing && !opts.follow) ctx.io.err(`${chunk.podId} has no ${stream} on ${chunk.node} yet (it has not started there)\n`);
          const rest = decoder.decode();
          if (rest) ctx.io.out(rest);
          if (!opts.follow) return;
          // This generation is done: go on with the pod's current one if it restarted, else stop.
          let now;
          try {
            now = await client.getPodLogs({ ...target, offset: 0, maxBytes: 1 });
          } catch (err) {
            if (!(err instanceof MusterError) || err.code !== 'FAILED_PRECONDITION') throw err;
            await new Promise((r) => setTimeout(r, pollMs)); // between a restart's stop and its new placement
            continue;
          }
          if (Number(now.generation) <= generation) return;
          ctx.io.err(`--- ${chunk.podId} restarted (generation ${Number(now.generation)}) on ${now.node} ---\n`);
          generation = Number(now.generation);
          decoder = new TextDecoder('utf-8');
          offset = 0;
          rotations = undefined;
          continue;
        }
        await new Promise((r) => setTimeout(r, pollMs));
      }
    });
}
