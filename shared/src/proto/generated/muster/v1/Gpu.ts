// Original file: proto/muster/v1/types.proto

import type { Long } from '@grpc/proto-loader';

export interface Gpu {
  'index'?: (number);
  'uuid'?: (string);
  'model'?: (string);
  'memoryBytes'?: (number | string | Long);
  'pciBusId'?: (string);
  'numaNode'?: (number);
  'healthy'?: (boolean);
}

export interface Gpu__Output {
  'index': (number);
  'uuid': (string);
  'model': (string);
  'memoryBytes': (number);
  'pciBusId': (string);
  'numaNode': (number);
  'healthy': (boolean);
}
