// Original file: proto/muster/v1/scheduler.proto


export interface QueueCounts {
  'queue'?: (string);
  'pending'?: (number);
  'admitted'?: (number);
}

export interface QueueCounts__Output {
  'queue': (string);
  'pending': (number);
  'admitted': (number);
}
