// Original file: proto/muster/v1/types.proto

import type { Long } from '@grpc/proto-loader';

export interface ResourceList {
  'cpuMillis'?: (number | string | Long);
  'memoryBytes'?: (number | string | Long);
  'gpus'?: (number);
  'rdma'?: (number);
}

export interface ResourceList__Output {
  'cpuMillis': (number);
  'memoryBytes': (number);
  'gpus': (number);
  'rdma': (number);
}
