// Original file: proto/muster/v1/queues.proto

import type { ObjectMeta as _muster_v1_ObjectMeta, ObjectMeta__Output as _muster_v1_ObjectMeta__Output } from '../../muster/v1/ObjectMeta.js';
import type { PriorityClassSpec as _muster_v1_PriorityClassSpec, PriorityClassSpec__Output as _muster_v1_PriorityClassSpec__Output } from '../../muster/v1/PriorityClassSpec.js';

export interface PriorityClass {
  'metadata'?: (_muster_v1_ObjectMeta | null);
  'spec'?: (_muster_v1_PriorityClassSpec | null);
}

export interface PriorityClass__Output {
  'metadata': (_muster_v1_ObjectMeta__Output | null);
  'spec': (_muster_v1_PriorityClassSpec__Output | null);
}
