// Original file: proto/muster/v1/queues.proto


export interface BorrowWithinCohort {
  'policy'?: (string);
  'maxPriorityThreshold'?: (number);
  '_maxPriorityThreshold'?: "maxPriorityThreshold";
}

export interface BorrowWithinCohort__Output {
  'policy': (string);
  'maxPriorityThreshold'?: (number);
  '_maxPriorityThreshold'?: "maxPriorityThreshold";
}
