// Original file: proto/muster/v1/types.proto


export interface ReplicatedJobStatus {
  'name'?: (string);
  'pods'?: (number);
  'pending'?: (number);
  'running'?: (number);
  'succeeded'?: (number);
  'failed'?: (number);
  'readyJobs'?: (number);
  'activeJobs'?: (number);
  'succeededJobs'?: (number);
  'failedJobs'?: (number);
  'suspendedJobs'?: (number);
}

export interface ReplicatedJobStatus__Output {
  'name': (string);
  'pods': (number);
  'pending': (number);
  'running': (number);
  'succeeded': (number);
  'failed': (number);
  'readyJobs': (number);
  'activeJobs': (number);
  'succeededJobs': (number);
  'failedJobs': (number);
  'suspendedJobs': (number);
}
