// Original file: proto/muster/v1/events.proto

import type { PodStatus as _muster_v1_PodStatus, PodStatus__Output as _muster_v1_PodStatus__Output } from '../../muster/v1/PodStatus.js';
import type { GpuHealthReport as _muster_v1_GpuHealthReport, GpuHealthReport__Output as _muster_v1_GpuHealthReport__Output } from '../../muster/v1/GpuHealthReport.js';
import type { Long } from '@grpc/proto-loader';

export interface Heartbeat {
  'node'?: (string);
  'epoch'?: (number | string | Long);
  'timeMs'?: (number | string | Long);
  'desiredRevision'?: (number | string | Long);
  'pods'?: (_muster_v1_PodStatus)[];
  'gpuHealth'?: (_muster_v1_GpuHealthReport)[];
}

export interface Heartbeat__Output {
  'node': (string);
  'epoch': (number);
  'timeMs': (number);
  'desiredRevision': (number);
  'pods': (_muster_v1_PodStatus__Output)[];
  'gpuHealth': (_muster_v1_GpuHealthReport__Output)[];
}
