// Original file: proto/muster/v1/types.proto

import type { JobSetPhase as _muster_v1_JobSetPhase, JobSetPhase__Output as _muster_v1_JobSetPhase__Output } from '../../muster/v1/JobSetPhase.js';
import type { ReplicatedJobStatus as _muster_v1_ReplicatedJobStatus, ReplicatedJobStatus__Output as _muster_v1_ReplicatedJobStatus__Output } from '../../muster/v1/ReplicatedJobStatus.js';
import type { PodStatus as _muster_v1_PodStatus, PodStatus__Output as _muster_v1_PodStatus__Output } from '../../muster/v1/PodStatus.js';
import type { JobSetCondition as _muster_v1_JobSetCondition, JobSetCondition__Output as _muster_v1_JobSetCondition__Output } from '../../muster/v1/JobSetCondition.js';
import type { JobStatus as _muster_v1_JobStatus, JobStatus__Output as _muster_v1_JobStatus__Output } from '../../muster/v1/JobStatus.js';
import type { JobSetHistoryEvent as _muster_v1_JobSetHistoryEvent, JobSetHistoryEvent__Output as _muster_v1_JobSetHistoryEvent__Output } from '../../muster/v1/JobSetHistoryEvent.js';
import type { QueueAdmission as _muster_v1_QueueAdmission, QueueAdmission__Output as _muster_v1_QueueAdmission__Output } from '../../muster/v1/QueueAdmission.js';
import type { RequeueState as _muster_v1_RequeueState, RequeueState__Output as _muster_v1_RequeueState__Output } from '../../muster/v1/RequeueState.js';
import type { Long } from '@grpc/proto-loader';

export interface JobSetStatus {
  'phase'?: (_muster_v1_JobSetPhase);
  'reason'?: (string);
  'message'?: (string);
  'restarts'?: (number | string | Long);
  'admittedMs'?: (number | string | Long);
  'startedMs'?: (number | string | Long);
  'finishedMs'?: (number | string | Long);
  'replicatedJobs'?: (_muster_v1_ReplicatedJobStatus)[];
  'pods'?: (_muster_v1_PodStatus)[];
  'conditions'?: (_muster_v1_JobSetCondition)[];
  'failedPod'?: (string);
  'exitCode'?: (number);
  'coordinatorPort'?: (number);
  'updatedMs'?: (number | string | Long);
  'restartsCountTowardsMax'?: (number | string | Long);
  'terminalState'?: (string);
  'jobs'?: (_muster_v1_JobStatus)[];
  'startedReplicatedJobs'?: (string)[];
  'history'?: (_muster_v1_JobSetHistoryEvent)[];
  'admission'?: (_muster_v1_QueueAdmission | null);
  'requeueState'?: (_muster_v1_RequeueState | null);
  'lostRequeues'?: (number);
  '_exitCode'?: "exitCode";
}

export interface JobSetStatus__Output {
  'phase': (_muster_v1_JobSetPhase__Output);
  'reason': (string);
  'message': (string);
  'restarts': (number);
  'admittedMs': (number);
  'startedMs': (number);
  'finishedMs': (number);
  'replicatedJobs': (_muster_v1_ReplicatedJobStatus__Output)[];
  'pods': (_muster_v1_PodStatus__Output)[];
  'conditions': (_muster_v1_JobSetCondition__Output)[];
  'failedPod': (string);
  'exitCode'?: (number);
  'coordinatorPort': (number);
  'updatedMs': (number);
  'restartsCountTowardsMax': (number);
  'terminalState': (string);
  'jobs': (_muster_v1_JobStatus__Output)[];
  'startedReplicatedJobs': (string)[];
  'history': (_muster_v1_JobSetHistoryEvent__Output)[];
  'admission': (_muster_v1_QueueAdmission__Output | null);
  'requeueState': (_muster_v1_RequeueState__Output | null);
  'lostRequeues': (number);
  '_exitCode'?: "exitCode";
}
