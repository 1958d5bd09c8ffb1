// Original file: proto/muster/v1/scheduler.proto


export interface ListJobSetsRequest {
  'phase'?: (string);
  'limit'?: (number);
  'withPods'?: (boolean);
  'pendingOnly'?: (boolean);
}

export interface ListJobSetsRequest__Output {
  'phase': (string);
  'limit': (number);
  'withPods': (boolean);
  'pendingOnly': (boolean);
}
