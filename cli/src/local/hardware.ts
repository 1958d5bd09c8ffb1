/** The `--hardware FILE` list of `muster local up`: which recorded inventory each agent gets. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';

/**
 * expandHardware assigns inventories to `agents` agents: none given → every
 * agent discovers its hardware (undefined); one given → every agent uses it;
 * several → agent i uses file i in order, and agents beyond the list discover.
 * More files than agents is a UsageError.
 */
export function expandHardware(files: readonly string[], agents: number): (string | undefined)[] {
  if (files.length > agents)
    throw new UsageError(`--hardware was given ${files.length} times but there ${agents === 1 ? 'is 1 agent' : `are ${agents} agents`} (use --agents ${files.length})`);
  if (files.length === 1) return Array.from({ length: agents }, () => files[0]);
  return Array.from({ length: agents }, (_, i) => files[i]);
}

/** resolveHardwareFiles makes the files absolute (relative to `cwd`) and checks they exist; throws UsageError. */
export function resolveHardwareFiles(files: readonly string[], cwd: string): string[] {
  return files.map((f) => {
    const abs = path.resolve(cwd, f);
    if (!existsSync(abs)) throw new UsageError(`--hardware ${f}: no such file`);
    return abs;
  });
}
