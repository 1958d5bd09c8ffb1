/** The outside world of a command (streams, environment, clock), injectable for tests. */
import os from 'node:os';

/** CliIo is everything a command reads from or writes to outside its arguments. */
export interface CliIo {
  /** Writes to standard output. */
  out(text: string): void;
  /** Writes to standard error. */
  err(text: string): void;
  /** Reads all of standard input. */
  readStdin(): Promise<string>;
  /** The environment. */
  env: Record<string, string | undefined>;
  /** The working directory. */
  cwd: string;
  /** The wall clock in unix milliseconds. */
  now(): number;
  /** The submitting user's name. */
  username(): string;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** processIo is the real CliIo of the running process. */
export function processIo(): CliIo {
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    readStdin: () => readAll(process.stdin),
    env: process.env,
    cwd: process.cwd(),
    now: () => Date.now(),
    username: () => {
      try {
        return os.userInfo().username;
      } catch {
        return process.env.USER ?? '';
      }
    },
  };
}
