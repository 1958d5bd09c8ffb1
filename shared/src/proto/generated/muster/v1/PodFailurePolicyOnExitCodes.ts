// Original file: proto/muster/v1/types.proto


export interface PodFailurePolicyOnExitCodes {
  'operator'?: (string);
  'values'?: (number)[];
}

export interface PodFailurePolicyOnExitCodes__Output {
  'operator': (string);
  'values': (number)[];
}
