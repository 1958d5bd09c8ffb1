// Original file: proto/muster/v1/types.proto

import type { PodFailurePolicyRule as _muster_v1_PodFailurePolicyRule, PodFailurePolicyRule__Output as _muster_v1_PodFailurePolicyRule__Output } from '../../muster/v1/PodFailurePolicyRule.js';

export interface PodFailurePolicy {
  'rules'?: (_muster_v1_PodFailurePolicyRule)[];
}

export interface PodFailurePolicy__Output {
  'rules': (_muster_v1_PodFailurePolicyRule__Output)[];
}
