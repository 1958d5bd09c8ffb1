// Original file: proto/muster/v1/types.proto


export interface StartupPolicy {
  'startupPolicyOrder'?: (string);
}

export interface StartupPolicy__Output {
  'startupPolicyOrder': (string);
}
