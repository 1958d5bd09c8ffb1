// Original file: proto/muster/v1/types.proto


export interface SuccessPolicy {
  'operator'?: (string);
  'targetReplicatedJobs'?: (string)[];
}

export interface SuccessPolicy__Output {
  'operator': (string);
  'targetReplicatedJobs': (string)[];
}
