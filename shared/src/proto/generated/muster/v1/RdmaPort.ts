// Original file: proto/muster/v1/types.proto


export interface RdmaPort {
  'port'?: (number);
  'state'?: (string);
  'rateGbps'?: (number | string);
  'linkLayer'?: (string);
}

export interface RdmaPort__Output {
  'port': (number);
  'state': (string);
  'rateGbps': (number);
  'linkLayer': (string);
}
