// Original file: proto/muster/v1/events.proto

import type { PodTemplate as _muster_v1_PodTemplate, PodTemplate__Output as _muster_v1_PodTemplate__Output } from '../../muster/v1/PodTemplate.js';
import type { Binding as _muster_v1_Binding, Binding__Output as _muster_v1_Binding__Output } from '../../muster/v1/Binding.js';
import type { ResourceList as _muster_v1_ResourceList, ResourceList__Output as _muster_v1_ResourceList__Output } from '../../muster/v1/ResourceList.js';
import type { Long } from '@grpc/proto-loader';

export interface PodAssignment {
  'podId'?: (string);
  'jobset'?: (string);
  'replicatedJob'?: (string);
  'jobIndex'?: (number);
  'podIndex'?: (number);
  'generation'?: (number | string | Long);
  'template'?: (_muster_v1_PodTemplate | null);
  'env'?: ({[key: string]: string});
  'binding'?: (_muster_v1_Binding | null);
  'submitDir'?: (string);
  'user'?: (string);
  'jobsetUid'?: (string);
  'requests'?: (_muster_v1_ResourceList | null);
}

export interface PodAssignment__Output {
  'podId': (string);
  'jobset': (string);
  'replicatedJob': (string);
  'jobIndex': (number);
  'podIndex': (number);
  'generation': (number);
  'template': (_muster_v1_PodTemplate__Output | null);
  'env': ({[key: string]: string});
  'binding': (_muster_v1_Binding__Output | null);
  'submitDir': (string);
  'user': (string);
  'jobsetUid': (string);
  'requests': (_muster_v1_ResourceList__Output | null);
}
