// Original file: proto/muster/v1/scheduler.proto


export interface DrainNodeRequest {
  'name'?: (string);
  'reason'?: (string);
  'evict'?: (boolean);
}

export interface DrainNodeRequest__Output {
  'name': (string);
  'reason': (string);
  'evict': (boolean);
}
