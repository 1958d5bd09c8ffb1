/** Where the Muster installation this CLI belongs to lives (for bin/muster-*.js). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** findRepoRoot walks up from this module (src or dist) to the directory holding bin/muster-scheduler.js. */
export function findRepoRoot(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (let i = 0; i < 10; i++) {
    if (existsSync(path.join(dir, 'bin', 'muster-scheduler.js')) && existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new Error(`cannot find the Muster installation (bin/muster-scheduler.js) above ${from}`);
}

/** DaemonName names a daemon binary under bin/. */
export type DaemonName = 'muster-scheduler' | 'muster-agent';

/** daemonScript is the path of bin/<name>.js. */
export function daemonScript(name: DaemonName, root: string = findRepoRoot()): string {
  return path.join(root, 'bin', `${name}.js`);
}
