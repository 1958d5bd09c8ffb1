// Original file: proto/muster/v1/types.proto

import type { Long } from '@grpc/proto-loader';

export interface MigDevice {
  'index'?: (number);
  'gpuInstanceId'?: (number);
  'computeInstanceId'?: (number);
  'profile'?: (string);
  'memoryBytes'?: (number | string | Long);
  'uuid'?: (string);
}

export interface MigDevice__Output {
  'index': (number);
  'gpuInstanceId': (number);
  'computeInstanceId': (number);
  'profile': (string);
  'memoryBytes': (number);
  'uuid': (string);
}
