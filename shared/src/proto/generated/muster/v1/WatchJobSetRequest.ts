// Original file: proto/muster/v1/scheduler.proto


export interface WatchJobSetRequest {
  'name'?: (string);
}

export interface WatchJobSetRequest__Output {
  'name': (string);
}
