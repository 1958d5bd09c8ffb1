// Original file: proto/muster/v1/types.proto

import type { PodPhase as _muster_v1_PodPhase, PodPhase__Output as _muster_v1_PodPhase__Output } from '../../muster/v1/PodPhase.js';
import type { Binding as _muster_v1_Binding, Binding__Output as _muster_v1_Binding__Output } from '../../muster/v1/Binding.js';
import type { ResourceList as _muster_v1_ResourceList, ResourceList__Output as _muster_v1_ResourceList__Output } from '../../muster/v1/ResourceList.js';
import type { Long } from '@grpc/proto-loader';

export interface PodStatus {
  'podId'?: (string);
  'generation'?: (number | string | Long);
  'node'?: (string);
  'phase'?: (_muster_v1_PodPhase);
  'exitCode'?: (number);
  'signal'?: (string);
  'reason'?: (string);
  'message'?: (string);
  'startedMs'?: (number | string | Long);
  'finishedMs'?: (number | string | Long);
  'seq'?: (number | string | Long);
  'pid'?: (number);
  'binding'?: (_muster_v1_Binding | null);
  'jobsetUid'?: (string);
  'requests'?: (_muster_v1_ResourceList | null);
  'notBeforeMs'?: (number | string | Long);
  '_exitCode'?: "exitCode";
}

export interface PodStatus__Output {
  'podId': (string);
  'generation': (number);
  'node': (string);
  'phase': (_muster_v1_PodPhase__Output);
  'exitCode'?: (number);
  'signal': (string);
  'reason': (string);
  'message': (string);
  'startedMs': (number);
  'finishedMs': (number);
  'seq': (number);
  'pid': (number);
  'binding': (_muster_v1_Binding__Output | null);
  'jobsetUid': (string);
  'requests': (_muster_v1_ResourceList__Output | null);
  'notBeforeMs': (number);
  '_exitCode'?: "exitCode";
}
