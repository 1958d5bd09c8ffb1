// Original file: proto/muster/v1/types.proto

export const PodPhase = {
  POD_PHASE_UNSPECIFIED: 'POD_PHASE_UNSPECIFIED',
  POD_PHASE_PENDING: 'POD_PHASE_PENDING',
  POD_PHASE_RUNNING: 'POD_PHASE_RUNNING',
  POD_PHASE_SUCCEEDED: 'POD_PHASE_SUCCEEDED',
  POD_PHASE_FAILED: 'POD_PHASE_FAILED',
} as const;

export type PodPhase =
  | 'POD_PHASE_UNSPECIFIED'
  | 0
  | 'POD_PHASE_PENDING'
  | 1
  | 'POD_PHASE_RUNNING'
  | 2
  | 'POD_PHASE_SUCCEEDED'
  | 3
  | 'POD_PHASE_FAILED'
  | 4

export type PodPhase__Output = typeof PodPhase[keyof typeof PodPhase]
