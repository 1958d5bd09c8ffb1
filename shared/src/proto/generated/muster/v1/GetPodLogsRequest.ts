// Original file: proto/muster/v1/scheduler.proto

import type { Long } from '@grpc/proto-loader';

export interface GetPodLogsRequest {
  'jobset'?: (string);
  'replicatedJob'?: (string);
  'jobIndex'?: (number);
  'podIndex'?: (number);
  'stream'?: (string);
  'offset'?: (number | string | Long);
  'maxBytes'?: (number);
  'generation'?: (number | string | Long);
  'previous'?: (boolean);
  '_generation'?: "generation";
}

export interface GetPodLogsRequest__Output {
  'jobset': (string);
  'replicatedJob': (string);
  'jobIndex': (number);
  'podIndex': (number);
  'stream': (string);
  'offset': (number);
  'maxBytes': (number);
  'generation'?: (number);
  'previous': (boolean);
  '_generation'?: "generation";
}
