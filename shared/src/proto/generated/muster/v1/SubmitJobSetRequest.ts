// Original file: proto/muster/v1/scheduler.proto

import type { JobSetMeta as _muster_v1_JobSetMeta, JobSetMeta__Output as _muster_v1_JobSetMeta__Output } from '../../muster/v1/JobSetMeta.js';
import type { JobSetSpec as _muster_v1_JobSetSpec, JobSetSpec__Output as _muster_v1_JobSetSpec__Output } from '../../muster/v1/JobSetSpec.js';

export interface SubmitJobSetRequest {
  'metadata'?: (_muster_v1_JobSetMeta | null);
  'spec'?: (_muster_v1_JobSetSpec | null);
}

export interface SubmitJobSetRequest__Output {
  'metadata': (_muster_v1_JobSetMeta__Output | null);
  'spec': (_muster_v1_JobSetSpec__Output | null);
}
