// Original file: proto/muster/v1/types.proto

import type { PodFailurePolicyOnExitCodes as _muster_v1_PodFailurePolicyOnExitCodes, PodFailurePolicyOnExitCodes__Output as _muster_v1_PodFailurePolicyOnExitCodes__Output } from '../../muster/v1/PodFailurePolicyOnExitCodes.js';
import type { PodFailurePolicyOnPodCondition as _muster_v1_PodFailurePolicyOnPodCondition, PodFailurePolicyOnPodCondition__Output as _muster_v1_PodFailurePolicyOnPodCondition__Output } from '../../muster/v1/PodFailurePolicyOnPodCondition.js';

export interface PodFailurePolicyRule {
  'action'?: (string);
  'onExitCodes'?: (_muster_v1_PodFailurePolicyOnExitCodes | null);
  'onPodConditions'?: (_muster_v1_PodFailurePolicyOnPodCondition)[];
}

export interface PodFailurePolicyRule__Output {
  'action': (string);
  'onExitCodes': (_muster_v1_PodFailurePolicyOnExitCodes__Output | null);
  'onPodConditions': (_muster_v1_PodFailurePolicyOnPodCondition__Output)[];
}
