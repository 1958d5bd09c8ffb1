// Original file: proto/muster/v1/types.proto

import type { Long } from '@grpc/proto-loader';

export interface PodLogsRequest {
  'jobset'?: (string);
  'jobsetUid'?: (string);
  'replicatedJob'?: (string);
  'jobIndex'?: (number);
  'podIndex'?: (number);
  'generation'?: (number | string | Long);
  'stream'?: (string);
  'offset'?: (number | string | Long);
  'maxBytes'?: (number);
  'previous'?: (boolean);
}

export interface PodLogsRequest__Output {
  'jobset': (string);
  'jobsetUid': (string);
  'replicatedJob': (string);
  'jobIndex': (number);
  'podIndex': (number);
  'generation': (number);
  'stream': (string);
  'offset': (number);
  'maxBytes': (number);
  'previous': (boolean);
}
