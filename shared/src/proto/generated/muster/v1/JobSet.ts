// Original file: proto/muster/v1/types.proto

import type { JobSetMeta as _muster_v1_JobSetMeta, JobSetMeta__Output as _muster_v1_JobSetMeta__Output } from '../../muster/v1/JobSetMeta.js';
import type { JobSetSpec as _muster_v1_JobSetSpec, JobSetSpec__Output as _muster_v1_JobSetSpec__Output } from '../../muster/v1/JobSetSpec.js';
import type { JobSetStatus as _muster_v1_JobSetStatus, JobSetStatus__Output as _muster_v1_JobSetStatus__Output } from '../../muster/v1/JobSetStatus.js';

export interface JobSet {
  'metadata'?: (_muster_v1_JobSetMeta | null);
  'spec'?: (_muster_v1_JobSetSpec | null);
  'status'?: (_muster_v1_JobSetStatus | null);
}

export interface JobSet__Output {
  'metadata': (_muster_v1_JobSetMeta__Output | null);
  'spec': (_muster_v1_JobSetSpec__Output | null);
  'status': (_muster_v1_JobSetStatus__Output | null);
}
