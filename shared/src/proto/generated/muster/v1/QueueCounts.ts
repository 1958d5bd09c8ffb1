// Original file: proto/muster/v1/scheduler.proto

import type { QueueUsage as _muster_v1_QueueUsage, QueueUsage__Output as _muster_v1_QueueUsage__Output } from '../../muster/v1/QueueUsage.js';

export interface QueueCounts {
  'queue'?: (string);
  'pending'?: (number);
  'admitted'?: (number);
  'usage'?: (_muster_v1_QueueUsage)[];
  'weightedShare'?: (number | string);
  'shareExplanation'?: (string);
}

export interface QueueCounts__Output {
  'queue': (string);
  'pending': (number);
  'admitted': (number);
  'usage': (_muster_v1_QueueUsage__Output)[];
  'weightedShare': (number);
  'shareExplanation': (string);
}
