// Original file: proto/muster/v1/queues.proto


export interface PriorityClassSpec {
  'value'?: (number);
  'globalDefault'?: (boolean);
  'description'?: (string);
}

export interface PriorityClassSpec__Output {
  'value': (number);
  'globalDefault': (boolean);
  'description': (string);
}
