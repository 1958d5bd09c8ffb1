// Original file: proto/muster/v1/types.proto

import type { PodTemplate as _muster_v1_PodTemplate, PodTemplate__Output as _muster_v1_PodTemplate__Output } from '../../muster/v1/PodTemplate.js';
import type { Long } from '@grpc/proto-loader';

export interface JobTemplate {
  'parallelism'?: (number);
  'completions'?: (number);
  'completionMode'?: (string);
  'backoffLimit'?: (number);
  'template'?: (_muster_v1_PodTemplate | null);
  'activeDeadlineSeconds'?: (number | string | Long);
  '_parallelism'?: "parallelism";
  '_completions'?: "completions";
  '_backoffLimit'?: "backoffLimit";
  '_activeDeadlineSeconds'?: "activeDeadlineSeconds";
}

export interface JobTemplate__Output {
  'parallelism'?: (number);
  'completions'?: (number);
  'completionMode': (string);
  'backoffLimit'?: (number);
  'template': (_muster_v1_PodTemplate__Output | null);
  'activeDeadlineSeconds'?: (number);
  '_parallelism'?: "parallelism";
  '_completions'?: "completions";
  '_backoffLimit'?: "backoffLimit";
  '_activeDeadlineSeconds'?: "activeDeadlineSeconds";
}
