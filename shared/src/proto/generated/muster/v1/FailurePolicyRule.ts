// Original file: proto/muster/v1/types.proto


export interface FailurePolicyRule {
  'name'?: (string);
  'action'?: (string);
  'onJobFailureReasons'?: (string)[];
  'onJobFailureMessagePatterns'?: (string)[];
  'targetReplicatedJobs'?: (string)[];
}

export interface FailurePolicyRule__Output {
  'name': (string);
  'action': (string);
  'onJobFailureReasons': (string)[];
  'onJobFailureMessagePatterns': (string)[];
  'targetReplicatedJobs': (string)[];
}
