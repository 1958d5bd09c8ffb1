// Original file: proto/muster/v1/queues.proto

import type { ResourceGroup as _muster_v1_ResourceGroup, ResourceGroup__Output as _muster_v1_ResourceGroup__Output } from '../../muster/v1/ResourceGroup.js';

export interface CohortSpec {
  'parent'?: (string);
  'resourceGroups'?: (_muster_v1_ResourceGroup)[];
  'fairSharingWeight'?: (number | string);
  '_fairSharingWeight'?: "fairSharingWeight";
}

export interface CohortSpec__Output {
  'parent': (string);
  'resourceGroups': (_muster_v1_ResourceGroup__Output)[];
  'fairSharingWeight'?: (number);
  '_fairSharingWeight'?: "fairSharingWeight";
}
