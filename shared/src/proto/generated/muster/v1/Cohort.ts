// Original file: proto/muster/v1/queues.proto

import type { ObjectMeta as _muster_v1_ObjectMeta, ObjectMeta__Output as _muster_v1_ObjectMeta__Output } from '../../muster/v1/ObjectMeta.js';
import type { CohortSpec as _muster_v1_CohortSpec, CohortSpec__Output as _muster_v1_CohortSpec__Output } from '../../muster/v1/CohortSpec.js';

export interface Cohort {
  'metadata'?: (_muster_v1_ObjectMeta | null);
  'spec'?: (_muster_v1_CohortSpec | null);
}

export interface Cohort__Output {
  'metadata': (_muster_v1_ObjectMeta__Output | null);
  'spec': (_muster_v1_CohortSpec__Output | null);
}
