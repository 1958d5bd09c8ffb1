/** How nodes read in `muster nodes`. */
import { nodeStateName } from '../../../shared/src/phases.js';
import type { Node } from '../../../shared/src/proto/types.js';
import { formatCpu, formatMemory } from '../../../shared/src/resources.js';
import { formatSince } from './age.js';
import type { Cell } from './table.js';

/** NODE_HEADERS are the columns of `muster nodes`. */
export const NODE_HEADERS = ['NAME', 'STATE', 'ADDRESS', 'CPU', 'MEMORY', 'GPUS', 'PODS', 'EPOCH', 'LAST-HEARTBEAT'] as const;

/** nodeRow is one `muster nodes` row; CPU, MEMORY and GPUS read allocated/allocatable. */
export function nodeRow(n: Node, now: number): Cell[] {
  const alloc = n.allocated;
  const total = n.inventory?.allocatable ?? n.inventory?.capacity;
  const state = n.state && n.state !== 'NODE_STATE_UNSPECIFIED' ? nodeStateName(n.state) : 'Unknown';
  return [
    n.name,
    state,
    n.address,
    `${formatCpu(alloc?.cpuMillis ?? 0)}/${formatCpu(total?.cpuMillis ?? 0)}`,
    `${formatMemory(alloc?.memoryBytes ?? 0)}/${formatMemory(total?.memoryBytes ?? 0)}`,
    `${alloc?.gpus ?? 0}/${total?.gpus ?? 0}`,
    n.pods,
    n.epoch,
    formatSince(n.lastHeartbeatMs, now),
  ];
}
