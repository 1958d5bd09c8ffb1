/**
 * Structured logs. JSON lines to stdout (journald and log shippers read them
 * as they are) with the component and ids bound by child loggers;
 * `format: 'pretty'` prints one readable line per record for people.
 */
import { Writable } from 'node:stream';
import pino from 'pino';

/** LogFields are structured fields attached to a record. */
export type LogFields = Record<string, unknown>;

/** Logger is the narrow logging interface every component takes. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** child returns a logger with more bound fields (component, node, jobset…). */
  child(bindings: LogFields): Logger;
}

/** LogLevel is the minimum level written. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** LogFormat selects JSON lines (machines) or pretty lines (people). */
export type LogFormat = 'json' | 'pretty';

/** LoggerOptions configure createLogger. */
export interface LoggerOptions {
  level?: LogLevel;
  format?: LogFormat;
  /** Where records go; default stdout. */
  destination?: NodeJS.WritableStream;
  bindings?: LogFields;
}

class PinoLogger implements Logger {
  private readonly p: pino.Logger;

  /** Bindings are kept merged (a child's `component` replaces its parent's instead of repeating the key). */
  constructor(
    private readonly root: pino.Logger,
    private readonly bindings: LogFields = {},
  ) {
    this.p = Object.keys(bindings).length > 0 ? root.child(bindings) : root;
  }
  debug(msg: string, fields?: LogFields): void {
    this.p.debug(fields ?? {}, msg);
  }
  info(msg: string, fields?: LogFields): void {
    this.p.info(fields ?? {}, msg);
  }
  warn(msg: string, fields?: LogFields): void {
    this.p.warn(fields ?? {}, msg);
  }
  error(msg: string, fields?: LogFields): void {
    this.p.error(fields ?? {}, msg);
  }
  child(bindings: LogFields): Logger {
    return new PinoLogger(this.root, { ...this.bindings, ...bindings });
  }
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** prettyLine renders one pino JSON record as `time LEVEL [component] msg k=v…`. */
export function prettyLine(json: string): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const { time, level, msg, component, pid: _pid, hostname: _host, ...rest } = rec;
  const t = typeof time === 'number' ? new Date(time).toISOString().slice(11, 23) : '';
  const lvl = (LEVEL_NAMES[Number(level)] ?? String(level)).padEnd(5);
  const comp = component ? `[${String(component)}] ` : '';
  const kv = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${t} ${lvl} ${comp}${String(msg ?? '')}${kv ? ' ' + kv : ''}`;
}

function prettyStream(out: NodeJS.WritableStream): Writable {
  let buf = '';
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      buf += chunk.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        out.write(prettyLine(buf.slice(0, i)) + '\n');
        buf = buf.slice(i + 1);
      }
      cb();
    },
  });
}

/**
 * ignoreBrokenPipe keeps a daemon alive when the reader of its stdout goes
 * away (a closed pipe, `| head`): the write error is swallowed instead of
 * becoming an uncaught exception that the next log line would repeat forever.
 */
function ignoreBrokenPipe(stream: NodeJS.WritableStream): void {
  if (stream.listenerCount('error') > 0) return;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
  });
}

/** createLogger builds the process's root logger. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const dest = opts.destination ?? process.stdout;
  ignoreBrokenPipe(dest);
  const stream = opts.format === 'pretty' ? prettyStream(dest) : dest;
  const p = pino(
    {
      level: opts.level ?? 'info',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.epochTime,
      formatters: { level: (_label, number) => ({ level: number }) },
    },
    stream as pino.DestinationStream,
  );
  return new PinoLogger(p, opts.bindings ?? {});
}

/** nullLogger discards everything (pure units and quiet tools). */
export const nullLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => nullLogger,
};

/** errorFields renders an error for a log record. */
export function errorFields(err: unknown): LogFields {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { error: { name: err.name, message: err.message, ...(code !== undefined ? { code } : {}) } };
  }
  return { error: String(err) };
}
