// Original file: proto/muster/v1/queues.proto

import type { ResourceGroup as _muster_v1_ResourceGroup, ResourceGroup__Output as _muster_v1_ResourceGroup__Output } from '../../muster/v1/ResourceGroup.js';
import type { FlavorFungibility as _muster_v1_FlavorFungibility, FlavorFungibility__Output as _muster_v1_FlavorFungibility__Output } from '../../muster/v1/FlavorFungibility.js';
import type { QueuePreemption as _muster_v1_QueuePreemption, QueuePreemption__Output as _muster_v1_QueuePreemption__Output } from '../../muster/v1/QueuePreemption.js';
import type { AdmissionScope as _muster_v1_AdmissionScope, AdmissionScope__Output as _muster_v1_AdmissionScope__Output } from '../../muster/v1/AdmissionScope.js';

export interface QueueSpec {
  'resourceGroups'?: (_muster_v1_ResourceGroup)[];
  'cohort'?: (string);
  'queueingStrategy'?: (string);
  'flavorFungibility'?: (_muster_v1_FlavorFungibility | null);
  'preemption'?: (_muster_v1_QueuePreemption | null);
  'fairSharingWeight'?: (number | string);
  'stopPolicy'?: (string);
  'users'?: (string)[];
  'groups'?: (string)[];
  'admissionScope'?: (_muster_v1_AdmissionScope | null);
  '_fairSharingWeight'?: "fairSharingWeight";
}

export interface QueueSpec__Output {
  'resourceGroups': (_muster_v1_ResourceGroup__Output)[];
  'cohort': (string);
  'queueingStrategy': (string);
  'flavorFungibility': (_muster_v1_FlavorFungibility__Output | null);
  'preemption': (_muster_v1_QueuePreemption__Output | null);
  'fairSharingWeight'?: (number);
  'stopPolicy': (string);
  'users': (string)[];
  'groups': (string)[];
  'admissionScope': (_muster_v1_AdmissionScope__Output | null);
  '_fairSharingWeight'?: "fairSharingWeight";
}
