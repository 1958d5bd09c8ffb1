// Original file: proto/muster/v1/types.proto

export const NodeState = {
  NODE_STATE_UNSPECIFIED: 'NODE_STATE_UNSPECIFIED',
  NODE_STATE_READY: 'NODE_STATE_READY',
  NODE_STATE_NOT_READY: 'NODE_STATE_NOT_READY',
  NODE_STATE_LOST: 'NODE_STATE_LOST',
  NODE_STATE_DRAINING: 'NODE_STATE_DRAINING',
  NODE_STATE_DRAINED: 'NODE_STATE_DRAINED',
} as const;

export type NodeState =
  | 'NODE_STATE_UNSPECIFIED'
  | 0
  | 'NODE_STATE_READY'
  | 1
  | 'NODE_STATE_NOT_READY'
  | 2
  | 'NODE_STATE_LOST'
  | 3
  | 'NODE_STATE_DRAINING'
  | 4
  | 'NODE_STATE_DRAINED'
  | 5

export type NodeState__Output = typeof NodeState[keyof typeof NodeState]
