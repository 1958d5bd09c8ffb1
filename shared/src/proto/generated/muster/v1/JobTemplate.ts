// Original file: proto/muster/v1/types.proto

import type { PodTemplate as _muster_v1_PodTemplate, PodTemplate__Output as _muster_v1_PodTemplate__Output } from '../../muster/v1/PodTemplate.js';
import type { PodFailurePolicy as _muster_v1_PodFailurePolicy, PodFailurePolicy__Output as _muster_v1_PodFailurePolicy__Output } from '../../muster/v1/PodFailurePolicy.js';
import type { Long } from '@grpc/proto-loader';

export interface JobTemplate {
  'parallelism'?: (number);
  'completions'?: (number);
  'completionMode'?: (string);
  'backoffLimit'?: (number);
  'template'?: (_muster_v1_PodTemplate | null);
  'activeDeadlineSeconds'?: (number | string | Long);
  'backoffLimitPerIndex'?: (number);
  'maxFailedIndexes'?: (number);
  'podFailurePolicy'?: (_muster_v1_PodFailurePolicy | null);
  '_parallelism'?: "parallelism";
  '_completions'?: "completions";
  '_backoffLimit'?: "backoffLimit";
  '_activeDeadlineSeconds'?: "activeDeadlineSeconds";
  '_backoffLimitPerIndex'?: "backoffLimitPerIndex";
  '_maxFailedIndexes'?: "maxFailedIndexes";
}

export interface JobTemplate__Output {
  'parallelism'?: (number);
  'completions'?: (number);
  'completionMode': (string);
  'backoffLimit'?: (number);
  'template': (_muster_v1_PodTemplate__Output | null);
  'activeDeadlineSeconds'?: (number);
  'backoffLimitPerIndex'?: (number);
  'maxFailedIndexes'?: (number);
  'podFailurePolicy': (_muster_v1_PodFailurePolicy__Output | null);
  '_parallelism'?: "parallelism";
  '_completions'?: "completions";
  '_backoffLimit'?: "backoffLimit";
  '_activeDeadlineSeconds'?: "activeDeadlineSeconds";
  '_backoffLimitPerIndex'?: "backoffLimitPerIndex";
  '_maxFailedIndexes'?: "maxFailedIndexes";
}
