// Original file: proto/muster/v1/scheduler.proto


export interface QueuePosition {
  'jobset'?: (string);
  'position'?: (number);
  'priority'?: (number);
}

export interface QueuePosition__Output {
  'jobset': (string);
  'position': (number);
  'priority': (number);
}
