// Original file: proto/muster/v1/types.proto

import type { DependsOn as _muster_v1_DependsOn, DependsOn__Output as _muster_v1_DependsOn__Output } from '../../muster/v1/DependsOn.js';
import type { JobTemplate as _muster_v1_JobTemplate, JobTemplate__Output as _muster_v1_JobTemplate__Output } from '../../muster/v1/JobTemplate.js';
import type { Placement as _muster_v1_Placement, Placement__Output as _muster_v1_Placement__Output } from '../../muster/v1/Placement.js';

export interface ReplicatedJob {
  'name'?: (string);
  'replicas'?: (number);
  'dependsOn'?: (_muster_v1_DependsOn)[];
  'template'?: (_muster_v1_JobTemplate | null);
  'placement'?: (_muster_v1_Placement | null);
  '_replicas'?: "replicas";
}

export interface ReplicatedJob__Output {
  'name': (string);
  'replicas'?: (number);
  'dependsOn': (_muster_v1_DependsOn__Output)[];
  'template': (_muster_v1_JobTemplate__Output | null);
  'placement': (_muster_v1_Placement__Output | null);
  '_replicas'?: "replicas";
}
