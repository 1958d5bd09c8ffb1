// Original file: proto/muster/v1/types.proto

import type { FailurePolicyRule as _muster_v1_FailurePolicyRule, FailurePolicyRule__Output as _muster_v1_FailurePolicyRule__Output } from '../../muster/v1/FailurePolicyRule.js';

export interface FailurePolicy {
  'maxRestarts'?: (number);
  'restartStrategy'?: (string);
  'rules'?: (_muster_v1_FailurePolicyRule)[];
}

export interface FailurePolicy__Output {
  'maxRestarts': (number);
  'restartStrategy': (string);
  'rules': (_muster_v1_FailurePolicyRule__Output)[];
}
