// Original file: proto/muster/v1/events.proto

import type { PodStatus as _muster_v1_PodStatus, PodStatus__Output as _muster_v1_PodStatus__Output } from '../../muster/v1/PodStatus.js';
import type { Long } from '@grpc/proto-loader';

export interface PodEvent {
  'node'?: (string);
  'epoch'?: (number | string | Long);
  'pod'?: (_muster_v1_PodStatus | null);
  'timeMs'?: (number | string | Long);
}

export interface PodEvent__Output {
  'node': (string);
  'epoch': (number);
  'pod': (_muster_v1_PodStatus__Output | null);
  'timeMs': (number);
}
