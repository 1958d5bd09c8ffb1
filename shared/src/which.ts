/** Finding executables the way a shell does: by name on PATH. */
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/** isExecutable says whether `file` exists and may be executed. */
export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile(); // root may "execute" a directory by access(2)
  } catch {
    return false;
  }
}

/** whichOnPath finds an executable `name` in the directories of `pathVar` (default: this process's PATH). */
export function whichOnPath(name: string, pathVar = process.env.PATH ?? ''): string | undefined {
  for (const dir of pathVar.split(path.delimiter).filter((d) => d !== '')) {
    const file = path.join(dir, name);
    if (isExecutable(file)) return file;
  }
  return undefined;
}
