// Original file: proto/muster/v1/queues.proto

import type { ResourceQuota as _muster_v1_ResourceQuota, ResourceQuota__Output as _muster_v1_ResourceQuota__Output } from '../../muster/v1/ResourceQuota.js';

export interface FlavorQuotas {
  'name'?: (string);
  'resources'?: (_muster_v1_ResourceQuota)[];
}

export interface FlavorQuotas__Output {
  'name': (string);
  'resources': (_muster_v1_ResourceQuota__Output)[];
}
