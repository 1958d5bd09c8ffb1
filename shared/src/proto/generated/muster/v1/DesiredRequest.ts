// Original file: proto/muster/v1/events.proto

import type { Long } from '@grpc/proto-loader';

export interface DesiredRequest {
  'node'?: (string);
  'epoch'?: (number | string | Long);
}

export interface DesiredRequest__Output {
  'node': (string);
  'epoch': (number);
}
