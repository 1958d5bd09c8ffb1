// Original file: proto/muster/v1/scheduler.proto

import type { ResourceFlavor as _muster_v1_ResourceFlavor, ResourceFlavor__Output as _muster_v1_ResourceFlavor__Output } from '../../muster/v1/ResourceFlavor.js';
import type { Queue as _muster_v1_Queue, Queue__Output as _muster_v1_Queue__Output } from '../../muster/v1/Queue.js';
import type { Cohort as _muster_v1_Cohort, Cohort__Output as _muster_v1_Cohort__Output } from '../../muster/v1/Cohort.js';
import type { PriorityClass as _muster_v1_PriorityClass, PriorityClass__Output as _muster_v1_PriorityClass__Output } from '../../muster/v1/PriorityClass.js';

export interface ApplyObjectsRequest {
  'flavors'?: (_muster_v1_ResourceFlavor)[];
  'queues'?: (_muster_v1_Queue)[];
  'cohorts'?: (_muster_v1_Cohort)[];
  'priorityClasses'?: (_muster_v1_PriorityClass)[];
}

export interface ApplyObjectsRequest__Output {
  'flavors': (_muster_v1_ResourceFlavor__Output)[];
  'queues': (_muster_v1_Queue__Output)[];
  'cohorts': (_muster_v1_Cohort__Output)[];
  'priorityClasses': (_muster_v1_PriorityClass__Output)[];
}
