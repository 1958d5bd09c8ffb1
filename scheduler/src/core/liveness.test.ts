import { describe, expect, it } from 'vitest';
import { nextNodeState, type LivenessSettings } from './liveness.js';
import type { NodeState } from '../../../shared/src/proto/types.js';

const S: LivenessSettings = { nodeGracePeriodMs: 3_000, nodeLostTimeoutMs: 30_000 };
const LAST = 1_000_000;

describe('nextNodeState', () => {
  const cases: { name: string; current: NodeState; sinceHeartbeatMs: number; want: NodeState }[] = [
    { name: 'a Ready node with a fresh heartbeat stays Ready', current: 'NODE_STATE_READY', sinceHeartbeatMs: 500, want: 'NODE_STATE_READY' },
    { name: 'exactly the grace period is still Ready', current: 'NODE_STATE_READY', sinceHeartbeatMs: S.nodeGracePeriodMs, want: 'NODE_STATE_READY' },
    { name: 'just past the grace period: NotReady', current: 'NODE_STATE_READY', sinceHeartbeatMs: S.nodeGracePeriodMs + 1, want: 'NODE_STATE_NOT_READY' },
    { name: 'NotReady until the lost timeout', current: 'NODE_STATE_NOT_READY', sinceHeartbeatMs: S.nodeLostTimeoutMs, want: 'NODE_STATE_NOT_READY' },
    { name: 'NotReady past the lost timeout: Lost', current: 'NODE_STATE_NOT_READY', sinceHeartbeatMs: S.nodeLostTimeoutMs + 1, want: 'NODE_STATE_LOST' },
    { name: 'a Ready node silent past the lost timeout goes straight to Lost', current: 'NODE_STATE_READY', sinceHeartbeatMs: S.nodeLostTimeoutMs + 1, want: 'NODE_STATE_LOST' },
    { name: 'Lost stays Lost even with a fresh heartbeat (it must register again)', current: 'NODE_STATE_LOST', sinceHeartbeatMs: 0, want: 'NODE_STATE_LOST' },
    { name: 'Lost stays Lost when silent', current: 'NODE_STATE_LOST', sinceHeartbeatMs: 10 * S.nodeLostTimeoutMs, want: 'NODE_STATE_LOST' },
    { name: 'a Draining node past the grace period keeps its administrative state', current: 'NODE_STATE_DRAINING', sinceHeartbeatMs: S.nodeGracePeriodMs + 1, want: 'NODE_STATE_DRAINING' },
    { name: 'a Draining node silent past the lost timeout is Lost', current: 'NODE_STATE_DRAINING', sinceHeartbeatMs: S.nodeLostTimeoutMs + 1, want: 'NODE_STATE_LOST' },
    { name: 'a Drained node silent past the lost timeout is Lost', current: 'NODE_STATE_DRAINED', sinceHeartbeatMs: S.nodeLostTimeoutMs + 1, want: 'NODE_STATE_LOST' },
  ];
  for (const c of cases) it(c.name, () => expect(nextNodeState(c.current, LAST, LAST + c.sinceHeartbeatMs, S)).toBe(c.want));

  it('uses the settings it is given, not built-in timeouts', () => {
    const tight: LivenessSettings = { nodeGracePeriodMs: 10, nodeLostTimeoutMs: 20 };
    expect(nextNodeState('NODE_STATE_READY', LAST, LAST + 11, tight)).toBe('NODE_STATE_NOT_READY');
    expect(nextNodeState('NODE_STATE_READY', LAST, LAST + 21, tight)).toBe('NODE_STATE_LOST');
  });
});
