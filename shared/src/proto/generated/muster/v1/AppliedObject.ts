// Original file: proto/muster/v1/scheduler.proto


export interface AppliedObject {
  'kind'?: (string);
  'name'?: (string);
  'action'?: (string);
}

export interface AppliedObject__Output {
  'kind': (string);
  'name': (string);
  'action': (string);
}
