// Original file: proto/muster/v1/events.proto


export interface JobSetHosts {
  'jobsetUid'?: (string);
  'hosts'?: (string)[];
}

export interface JobSetHosts__Output {
  'jobsetUid': (string);
  'hosts': (string)[];
}
