// Original file: proto/muster/v1/scheduler.proto


export interface ResumeJobSetRequest {
  'name'?: (string);
}

export interface ResumeJobSetRequest__Output {
  'name': (string);
}
