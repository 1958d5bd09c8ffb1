// Original file: proto/muster/v1/types.proto

import type { Long } from '@grpc/proto-loader';

export interface NumaNode {
  'id'?: (number);
  'cpus'?: (string);
  'memoryBytes'?: (number | string | Long);
  'distances'?: (number)[];
}

export interface NumaNode__Output {
  'id': (number);
  'cpus': (string);
  'memoryBytes': (number);
  'distances': (number)[];
}
