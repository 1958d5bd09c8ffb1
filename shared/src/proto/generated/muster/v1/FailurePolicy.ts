// Original file: proto/muster/v1/types.proto


export interface FailurePolicy {
  'maxRestarts'?: (number);
  'restartStrategy'?: (string);
}

export interface FailurePolicy__Output {
  'maxRestarts': (number);
  'restartStrategy': (string);
}
