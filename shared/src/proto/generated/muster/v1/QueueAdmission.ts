// Original file: proto/muster/v1/types.proto


export interface QueueAdmission {
  'queue'?: (string);
  'flavors'?: ({[key: string]: string});
}

export interface QueueAdmission__Output {
  'queue': (string);
  'flavors': ({[key: string]: string});
}
