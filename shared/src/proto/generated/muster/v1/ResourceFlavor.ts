// Original file: proto/muster/v1/queues.proto

import type { ObjectMeta as _muster_v1_ObjectMeta, ObjectMeta__Output as _muster_v1_ObjectMeta__Output } from '../../muster/v1/ObjectMeta.js';
import type { ResourceFlavorSpec as _muster_v1_ResourceFlavorSpec, ResourceFlavorSpec__Output as _muster_v1_ResourceFlavorSpec__Output } from '../../muster/v1/ResourceFlavorSpec.js';

export interface ResourceFlavor {
  'metadata'?: (_muster_v1_ObjectMeta | null);
  'spec'?: (_muster_v1_ResourceFlavorSpec | null);
}

export interface ResourceFlavor__Output {
  'metadata': (_muster_v1_ObjectMeta__Output | null);
  'spec': (_muster_v1_ResourceFlavorSpec__Output | null);
}
