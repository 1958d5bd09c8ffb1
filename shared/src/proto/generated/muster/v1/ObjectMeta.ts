// Original file: proto/muster/v1/queues.proto

import type { Long } from '@grpc/proto-loader';

export interface ObjectMeta {
  'name'?: (string);
  'labels'?: ({[key: string]: string});
  'createdMs'?: (number | string | Long);
  'updatedMs'?: (number | string | Long);
}

export interface ObjectMeta__Output {
  'name': (string);
  'labels': ({[key: string]: string});
  'createdMs': (number);
  'updatedMs': (number);
}
