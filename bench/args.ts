/**
 * Command-line plumbing of the benchmark entry points: `--name N` integer
 * flags over defaults, `--help`, and "is this file the main module".
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** IntFlags maps a flag name (without `--`) to its default value. */
export type IntFlags = Record<string, number>;

/**
 * parseIntFlags reads `--name N` or `--name=N` for every name in `defaults`
 * (positive integers only) and returns defaults overridden by what was given.
 * Throws with a usage line on an unknown flag or a bad value.
 */
export function parseIntFlags<T extends IntFlags>(argv: readonly string[], defaults: T, usage: string): T {
  const out: IntFlags = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m || !(m[1]! in defaults)) throw new Error(`unknown argument ${arg}\nusage: ${usage}`);
    const raw = m[2] ?? argv[++i];
    const n = Number(raw);
    if (raw === undefined || !Number.isInteger(n) || n < 1) throw new Error(`--${m[1]} needs a whole number ≥ 1, got ${raw ?? 'nothing'}\nusage: ${usage}`);
    out[m[1]!] = n;
  }
  return out as T;
}

/** isMain says whether the module at `metaUrl` (its import.meta.url) is the script node was started with. */
export function isMain(metaUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(metaUrl));
  } catch {
    return false;
  }
}

/**
 * runMain parses flags (`--help` prints usage), runs `fn` with them and sets
 * the exit code: 0 on success, 1 when it throws, 2 on a usage error.
 */
export function runMain<T extends IntFlags>(defaults: T, usage: string, fn: (opts: T) => Promise<unknown>): void {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(`usage: ${usage}`);
    return;
  }
  let opts: T;
  try {
    opts = parseIntFlags(argv, defaults, usage);
  } catch (err) {
    console.error((err as Error).message);
    process.exitCode = 2;
    return;
  }
  fn(opts).then(
    () => undefined,
    (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
      process.exitCode = 1;
    },
  );
}
