// Original file: proto/muster/v1/types.proto


export interface Coordinator {
  'replicatedJob'?: (string);
  'jobIndex'?: (number);
  'podIndex'?: (number);
}

export interface Coordinator__Output {
  'replicatedJob': (string);
  'jobIndex': (number);
  'podIndex': (number);
}
