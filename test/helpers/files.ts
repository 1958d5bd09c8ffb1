/** Small file readers of the integration tests. */
import { readFileSync } from 'node:fs';

/** readInt reads a file holding one positive integer (a pid a pod wrote); undefined until it is there and whole. */
export function readInt(file: string): number | undefined {
  try {
    return Number(readFileSync(file, 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}
