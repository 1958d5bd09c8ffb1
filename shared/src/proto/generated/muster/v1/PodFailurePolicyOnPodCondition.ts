// Original file: proto/muster/v1/types.proto


export interface PodFailurePolicyOnPodCondition {
  'type'?: (string);
  'status'?: (string);
}

export interface PodFailurePolicyOnPodCondition__Output {
  'type': (string);
  'status': (string);
}
