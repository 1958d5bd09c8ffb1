// Original file: proto/muster/v1/types.proto

import type { Long } from '@grpc/proto-loader';

export interface NodeDrain {
  'reason'?: (string);
  'sinceMs'?: (number | string | Long);
  'evict'?: (boolean);
}

export interface NodeDrain__Output {
  'reason': (string);
  'sinceMs': (number);
  'evict': (boolean);
}
