// Original file: proto/muster/v1/scheduler.proto


export interface DeleteJobSetResponse {
  'name'?: (string);
  'stoppedPods'?: (number);
}

export interface DeleteJobSetResponse__Output {
  'name': (string);
  'stoppedPods': (number);
}
