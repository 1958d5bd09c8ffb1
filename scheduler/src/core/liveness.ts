/**
 * Node liveness, pure: how long since the last heartbeat decides the state.
 *
 *   READY ──no heartbeat for nodeGracePeriod──▶ NOT_READY ──for nodeLostTimeout──▶ LOST
 *
 * Only the ageing is decided here; a heartbeat brings a NOT_READY node back to
 * READY (controller/heartbeats.ts) and a LOST node must register again.
 */
import type { NodeState } from '../../../shared/src/proto/types.js';

/** LivenessSettings are the two timeouts. */
export interface LivenessSettings {
  nodeGracePeriodMs: number;
  nodeLostTimeoutMs: number;
}

/** nextNodeState returns the state a node should be in at `now`. */
export function nextNodeState(current: NodeState, lastHeartbeatMs: number, now: number, s: LivenessSettings): NodeState {
  if (current === 'NODE_STATE_LOST') return current;
  const age = now - lastHeartbeatMs;
  if (age > s.nodeLostTimeoutMs) return 'NODE_STATE_LOST';
  if (age > s.nodeGracePeriodMs) return current === 'NODE_STATE_READY' ? 'NODE_STATE_NOT_READY' : current;
  return current;
}
