// Original file: proto/muster/v1/scheduler.proto


export interface GetJobSetRequest {
  'name'?: (string);
}

export interface GetJobSetRequest__Output {
  'name': (string);
}
