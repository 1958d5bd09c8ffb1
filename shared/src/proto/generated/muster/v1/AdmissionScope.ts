// Original file: proto/muster/v1/queues.proto


export interface AdmissionScope {
  'admissionMode'?: (string);
}

export interface AdmissionScope__Output {
  'admissionMode': (string);
}
