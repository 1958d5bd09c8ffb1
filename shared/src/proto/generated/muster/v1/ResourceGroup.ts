// Original file: proto/muster/v1/queues.proto

import type { FlavorQuotas as _muster_v1_FlavorQuotas, FlavorQuotas__Output as _muster_v1_FlavorQuotas__Output } from '../../muster/v1/FlavorQuotas.js';

export interface ResourceGroup {
  'coveredResources'?: (string)[];
  'flavors'?: (_muster_v1_FlavorQuotas)[];
}

export interface ResourceGroup__Output {
  'coveredResources': (string)[];
  'flavors': (_muster_v1_FlavorQuotas__Output)[];
}
