// Original file: proto/muster/v1/queues.proto

import type { ObjectMeta as _muster_v1_ObjectMeta, ObjectMeta__Output as _muster_v1_ObjectMeta__Output } from '../../muster/v1/ObjectMeta.js';
import type { QueueSpec as _muster_v1_QueueSpec, QueueSpec__Output as _muster_v1_QueueSpec__Output } from '../../muster/v1/QueueSpec.js';

export interface Queue {
  'metadata'?: (_muster_v1_ObjectMeta | null);
  'spec'?: (_muster_v1_QueueSpec | null);
}

export interface Queue__Output {
  'metadata': (_muster_v1_ObjectMeta__Output | null);
  'spec': (_muster_v1_QueueSpec__Output | null);
}
