// Original file: proto/muster/v1/types.proto

import type { EnvVar as _muster_v1_EnvVar, EnvVar__Output as _muster_v1_EnvVar__Output } from '../../muster/v1/EnvVar.js';
import type { ResourceList as _muster_v1_ResourceList, ResourceList__Output as _muster_v1_ResourceList__Output } from '../../muster/v1/ResourceList.js';
import type { Mount as _muster_v1_Mount, Mount__Output as _muster_v1_Mount__Output } from '../../muster/v1/Mount.js';
import type { Long } from '@grpc/proto-loader';

export interface PodTemplate {
  'image'?: (string);
  'command'?: (string)[];
  'args'?: (string)[];
  'env'?: (_muster_v1_EnvVar)[];
  'workingDir'?: (string);
  'resources'?: (_muster_v1_ResourceList | null);
  'user'?: (string);
  'migProfile'?: (string);
  'imagePullPolicy'?: (string);
  'mounts'?: (_muster_v1_Mount)[];
  'shmSizeBytes'?: (number | string | Long);
}

export interface PodTemplate__Output {
  'image': (string);
  'command': (string)[];
  'args': (string)[];
  'env': (_muster_v1_EnvVar__Output)[];
  'workingDir': (string);
  'resources': (_muster_v1_ResourceList__Output | null);
  'user': (string);
  'migProfile': (string);
  'imagePullPolicy': (string);
  'mounts': (_muster_v1_Mount__Output)[];
  'shmSizeBytes': (number);
}
