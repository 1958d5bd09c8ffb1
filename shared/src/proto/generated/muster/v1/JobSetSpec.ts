// Original file: proto/muster/v1/types.proto

import type { ReplicatedJob as _muster_v1_ReplicatedJob, ReplicatedJob__Output as _muster_v1_ReplicatedJob__Output } from '../../muster/v1/ReplicatedJob.js';
import type { SuccessPolicy as _muster_v1_SuccessPolicy, SuccessPolicy__Output as _muster_v1_SuccessPolicy__Output } from '../../muster/v1/SuccessPolicy.js';
import type { FailurePolicy as _muster_v1_FailurePolicy, FailurePolicy__Output as _muster_v1_FailurePolicy__Output } from '../../muster/v1/FailurePolicy.js';
import type { Coordinator as _muster_v1_Coordinator, Coordinator__Output as _muster_v1_Coordinator__Output } from '../../muster/v1/Coordinator.js';
import type { StartupPolicy as _muster_v1_StartupPolicy, StartupPolicy__Output as _muster_v1_StartupPolicy__Output } from '../../muster/v1/StartupPolicy.js';
import type { Placement as _muster_v1_Placement, Placement__Output as _muster_v1_Placement__Output } from '../../muster/v1/Placement.js';

export interface JobSetSpec {
  'replicatedJobs'?: (_muster_v1_ReplicatedJob)[];
  'successPolicy'?: (_muster_v1_SuccessPolicy | null);
  'failurePolicy'?: (_muster_v1_FailurePolicy | null);
  'coordinator'?: (_muster_v1_Coordinator | null);
  'queue'?: (string);
  'priorityClass'?: (string);
  'suspend'?: (boolean);
  'ttlSecondsAfterFinished'?: (number);
  'startupPolicy'?: (_muster_v1_StartupPolicy | null);
  'placement'?: (_muster_v1_Placement | null);
  '_ttlSecondsAfterFinished'?: "ttlSecondsAfterFinished";
}

export interface JobSetSpec__Output {
  'replicatedJobs': (_muster_v1_ReplicatedJob__Output)[];
  'successPolicy': (_muster_v1_SuccessPolicy__Output | null);
  'failurePolicy': (_muster_v1_FailurePolicy__Output | null);
  'coordinator': (_muster_v1_Coordinator__Output | null);
  'queue': (string);
  'priorityClass': (string);
  'suspend': (boolean);
  'ttlSecondsAfterFinished'?: (number);
  'startupPolicy': (_muster_v1_StartupPolicy__Output | null);
  'placement': (_muster_v1_Placement__Output | null);
  '_ttlSecondsAfterFinished'?: "ttlSecondsAfterFinished";
}
