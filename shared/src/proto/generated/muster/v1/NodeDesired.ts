// Original file: proto/muster/v1/events.proto

import type { PodAssignment as _muster_v1_PodAssignment, PodAssignment__Output as _muster_v1_PodAssignment__Output } from '../../muster/v1/PodAssignment.js';
import type { JobSetHosts as _muster_v1_JobSetHosts, JobSetHosts__Output as _muster_v1_JobSetHosts__Output } from '../../muster/v1/JobSetHosts.js';
import type { Long } from '@grpc/proto-loader';

export interface NodeDesired {
  'node'?: (string);
  'epoch'?: (number | string | Long);
  'revision'?: (number | string | Long);
  'pods'?: (_muster_v1_PodAssignment)[];
  'hostfiles'?: (_muster_v1_JobSetHosts)[];
}

export interface NodeDesired__Output {
  'node': (string);
  'epoch': (number);
  'revision': (number);
  'pods': (_muster_v1_PodAssignment__Output)[];
  'hostfiles': (_muster_v1_JobSetHosts__Output)[];
}
