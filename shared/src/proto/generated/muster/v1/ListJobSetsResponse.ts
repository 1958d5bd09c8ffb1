// Original file: proto/muster/v1/scheduler.proto

import type { JobSet as _muster_v1_JobSet, JobSet__Output as _muster_v1_JobSet__Output } from '../../muster/v1/JobSet.js';
import type { QueuePosition as _muster_v1_QueuePosition, QueuePosition__Output as _muster_v1_QueuePosition__Output } from '../../muster/v1/QueuePosition.js';

export interface ListJobSetsResponse {
  'jobsets'?: (_muster_v1_JobSet)[];
  'positions'?: (_muster_v1_QueuePosition)[];
}

export interface ListJobSetsResponse__Output {
  'jobsets': (_muster_v1_JobSet__Output)[];
  'positions': (_muster_v1_QueuePosition__Output)[];
}
