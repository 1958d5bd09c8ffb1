// Original file: proto/muster/v1/events.proto


export interface GpuHealthReport {
  'uuid'?: (string);
  'healthy'?: (boolean);
  'reasons'?: (string)[];
}

export interface GpuHealthReport__Output {
  'uuid': (string);
  'healthy': (boolean);
  'reasons': (string)[];
}
