// Original file: proto/muster/v1/scheduler.proto


export interface UndrainNodeRequest {
  'name'?: (string);
}

export interface UndrainNodeRequest__Output {
  'name': (string);
}
