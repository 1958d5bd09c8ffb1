// Original file: proto/muster/v1/events.proto

import type { JobSetPhase as _muster_v1_JobSetPhase, JobSetPhase__Output as _muster_v1_JobSetPhase__Output } from '../../muster/v1/JobSetPhase.js';
import type { Long } from '@grpc/proto-loader';

export interface JobSetEvent {
  'name'?: (string);
  'phase'?: (_muster_v1_JobSetPhase);
  'reason'?: (string);
  'message'?: (string);
  'timeMs'?: (number | string | Long);
}

export interface JobSetEvent__Output {
  'name': (string);
  'phase': (_muster_v1_JobSetPhase__Output);
  'reason': (string);
  'message': (string);
  'timeMs': (number);
}
