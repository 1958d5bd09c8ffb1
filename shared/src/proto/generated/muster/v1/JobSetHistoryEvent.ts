// Original file: proto/muster/v1/types.proto

import type { Long } from '@grpc/proto-loader';

export interface JobSetHistoryEvent {
  'timeMs'?: (number | string | Long);
  'type'?: (string);
  'message'?: (string);
}

export interface JobSetHistoryEvent__Output {
  'timeMs': (number);
  'type': (string);
  'message': (string);
}
