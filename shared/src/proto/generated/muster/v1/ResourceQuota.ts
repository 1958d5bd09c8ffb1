// Original file: proto/muster/v1/queues.proto

import type { Long } from '@grpc/proto-loader';

export interface ResourceQuota {
  'name'?: (string);
  'nominalQuota'?: (number | string | Long);
  'borrowingLimit'?: (number | string | Long);
  'lendingLimit'?: (number | string | Long);
  '_borrowingLimit'?: "borrowingLimit";
  '_lendingLimit'?: "lendingLimit";
}

export interface ResourceQuota__Output {
  'name': (string);
  'nominalQuota': (number);
  'borrowingLimit'?: (number);
  'lendingLimit'?: (number);
  '_borrowingLimit'?: "borrowingLimit";
  '_lendingLimit'?: "lendingLimit";
}
