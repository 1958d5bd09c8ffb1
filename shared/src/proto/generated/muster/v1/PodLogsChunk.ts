// Original file: proto/muster/v1/types.proto

import type { Long } from '@grpc/proto-loader';

export interface PodLogsChunk {
  'data'?: (Buffer | Uint8Array | string);
  'offset'?: (number | string | Long);
  'nextOffset'?: (number | string | Long);
  'size'?: (number | string | Long);
  'missing'?: (boolean);
  'node'?: (string);
  'podId'?: (string);
  'generation'?: (number | string | Long);
  'finished'?: (boolean);
  'error'?: (string);
  'rotations'?: (number);
}

export interface PodLogsChunk__Output {
  'data': (Buffer);
  'offset': (number);
  'nextOffset': (number);
  'size': (number);
  'missing': (boolean);
  'node': (string);
  'podId': (string);
  'generation': (number);
  'finished': (boolean);
  'error': (string);
  'rotations': (number);
}
