// Original file: proto/muster/v1/types.proto

import type { Long } from '@grpc/proto-loader';

export interface JobStatus {
  'replicatedJob'?: (string);
  'jobIndex'?: (number);
  'failures'?: (number);
  'ignoredFailures'?: (number);
  'indexFailures'?: (number)[];
  'failedIndexes'?: (number)[];
  'state'?: (string);
  'failureReason'?: (string);
  'failureMessage'?: (string);
  'finishedMs'?: (number | string | Long);
  'restarts'?: (number);
  'restartsCountTowardsMax'?: (number);
  'startedMs'?: (number | string | Long);
}

export interface JobStatus__Output {
  'replicatedJob': (string);
  'jobIndex': (number);
  'failures': (number);
  'ignoredFailures': (number);
  'indexFailures': (number)[];
  'failedIndexes': (number)[];
  'state': (string);
  'failureReason': (string);
  'failureMessage': (string);
  'finishedMs': (number);
  'restarts': (number);
  'restartsCountTowardsMax': (number);
  'startedMs': (number);
}
