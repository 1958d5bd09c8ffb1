/** Checks over the bindings the scheduler reports, shared by the crash tests. */
import type { JobSet } from '../../shared/src/proto/types.js';

/** gpuClashes lists every (node, GPU) bound to more than one unfinished pod, as the API shows them. */
export function gpuClashes(jobsets: readonly JobSet[]): string[] {
  const owner = new Map<string, string>();
  const clashes: string[] = [];
  for (const js of jobsets)
    for (const p of js.status!.pods) {
      if (p.phase === 'POD_PHASE_SUCCEEDED' || p.phase === 'POD_PHASE_FAILED' || !p.node) continue;
      for (const g of p.binding?.gpuIndices ?? []) {
        const key = `${p.node}/GPU${g}`;
        const other = owner.get(key);
        if (other) clashes.push(`${key}: ${other} and ${js.metadata!.name}/${p.podId}`);
        else owner.set(key, `${js.metadata!.name}/${p.podId}`);
      }
    }
  return clashes;
}
