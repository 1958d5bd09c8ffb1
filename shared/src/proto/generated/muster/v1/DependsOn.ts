// Original file: proto/muster/v1/types.proto


export interface DependsOn {
  'name'?: (string);
  'status'?: (string);
}

export interface DependsOn__Output {
  'name': (string);
  'status': (string);
}
