// Original file: proto/muster/v1/queues.proto

import type { BorrowWithinCohort as _muster_v1_BorrowWithinCohort, BorrowWithinCohort__Output as _muster_v1_BorrowWithinCohort__Output } from '../../muster/v1/BorrowWithinCohort.js';

export interface QueuePreemption {
  'withinQueue'?: (string);
  'reclaimWithinCohort'?: (string);
  'borrowWithinCohort'?: (_muster_v1_BorrowWithinCohort | null);
  'minRuntimeSeconds'?: (number);
}

export interface QueuePreemption__Output {
  'withinQueue': (string);
  'reclaimWithinCohort': (string);
  'borrowWithinCohort': (_muster_v1_BorrowWithinCohort__Output | null);
  'minRuntimeSeconds': (number);
}
