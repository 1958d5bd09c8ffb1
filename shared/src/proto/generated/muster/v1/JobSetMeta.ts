// Original file: proto/muster/v1/types.proto

import type { Long } from '@grpc/proto-loader';

export interface JobSetMeta {
  'name'?: (string);
  'labels'?: ({[key: string]: string});
  'uid'?: (string);
  'createdMs'?: (number | string | Long);
  'user'?: (string);
  'userVerified'?: (boolean);
  'submitDir'?: (string);
}

export interface JobSetMeta__Output {
  'name': (string);
  'labels': ({[key: string]: string});
  'uid': (string);
  'createdMs': (number);
  'user': (string);
  'userVerified': (boolean);
  'submitDir': (string);
}
