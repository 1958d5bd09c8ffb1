// Original file: proto/muster/v1/scheduler.proto

import type { JobSet as _muster_v1_JobSet, JobSet__Output as _muster_v1_JobSet__Output } from '../../muster/v1/JobSet.js';

export interface ListJobSetsResponse {
  'jobsets'?: (_muster_v1_JobSet)[];
}

export interface ListJobSetsResponse__Output {
  'jobsets': (_muster_v1_JobSet__Output)[];
}
