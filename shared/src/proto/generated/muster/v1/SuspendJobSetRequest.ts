// Original file: proto/muster/v1/scheduler.proto


export interface SuspendJobSetRequest {
  'name'?: (string);
}

export interface SuspendJobSetRequest__Output {
  'name': (string);
}
