// Original file: proto/muster/v1/types.proto


export interface GpuLink {
  'peerIndex'?: (number);
  'kind'?: (string);
  'nvlinks'?: (number);
  'score'?: (number);
}

export interface GpuLink__Output {
  'peerIndex': (number);
  'kind': (string);
  'nvlinks': (number);
  'score': (number);
}
