// Original file: proto/muster/v1/types.proto


export interface Mount {
  'hostPath'?: (string);
  'containerPath'?: (string);
  'readOnly'?: (boolean);
}

export interface Mount__Output {
  'hostPath': (string);
  'containerPath': (string);
  'readOnly': (boolean);
}
