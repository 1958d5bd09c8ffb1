// Original file: proto/muster/v1/types.proto

import type { Long } from '@grpc/proto-loader';

export interface JobSetCondition {
  'type'?: (string);
  'status'?: (string);
  'reason'?: (string);
  'message'?: (string);
  'lastTransitionMs'?: (number | string | Long);
}

export interface JobSetCondition__Output {
  'type': (string);
  'status': (string);
  'reason': (string);
  'message': (string);
  'lastTransitionMs': (number);
}
