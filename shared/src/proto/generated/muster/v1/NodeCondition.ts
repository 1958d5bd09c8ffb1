// Original file: proto/muster/v1/types.proto

import type { Long } from '@grpc/proto-loader';

export interface NodeCondition {
  'type'?: (string);
  'status'?: (string);
  'reason'?: (string);
  'message'?: (string);
  'lastTransitionMs'?: (number | string | Long);
}

export interface NodeCondition__Output {
  'type': (string);
  'status': (string);
  'reason': (string);
  'message': (string);
  'lastTransitionMs': (number);
}
