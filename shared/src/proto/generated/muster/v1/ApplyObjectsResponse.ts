// Original file: proto/muster/v1/scheduler.proto

import type { AppliedObject as _muster_v1_AppliedObject, AppliedObject__Output as _muster_v1_AppliedObject__Output } from '../../muster/v1/AppliedObject.js';

export interface ApplyObjectsResponse {
  'applied'?: (_muster_v1_AppliedObject)[];
}

export interface ApplyObjectsResponse__Output {
  'applied': (_muster_v1_AppliedObject__Output)[];
}
