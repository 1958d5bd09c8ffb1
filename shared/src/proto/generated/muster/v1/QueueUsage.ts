// Original file: proto/muster/v1/scheduler.proto

import type { Long } from '@grpc/proto-loader';

export interface QueueUsage {
  'flavor'?: (string);
  'resource'?: (string);
  'used'?: (number | string | Long);
}

export interface QueueUsage__Output {
  'flavor': (string);
  'resource': (string);
  'used': (number);
}
