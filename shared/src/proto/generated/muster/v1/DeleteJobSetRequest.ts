// Original file: proto/muster/v1/scheduler.proto


export interface DeleteJobSetRequest {
  'name'?: (string);
}

export interface DeleteJobSetRequest__Output {
  'name': (string);
}
