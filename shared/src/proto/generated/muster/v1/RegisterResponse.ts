// Original file: proto/muster/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface RegisterResponse {
  'epoch'?: (number | string | Long);
  'heartbeatIntervalMs'?: (number | string | Long);
  'natsDesiredSubject'?: (string);
  'nodeLostTimeoutMs'?: (number | string | Long);
}

export interface RegisterResponse__Output {
  'epoch': (number);
  'heartbeatIntervalMs': (number);
  'natsDesiredSubject': (string);
  'nodeLostTimeoutMs': (number);
}
