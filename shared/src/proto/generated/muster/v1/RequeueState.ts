// Original file: proto/muster/v1/types.proto

import type { Long } from '@grpc/proto-loader';

export interface RequeueState {
  'count'?: (number);
  'requeueAtMs'?: (number | string | Long);
}

export interface RequeueState__Output {
  'count': (number);
  'requeueAtMs': (number);
}
