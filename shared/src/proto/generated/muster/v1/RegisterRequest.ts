// Original file: proto/muster/v1/agent.proto

import type { NodeInventory as _muster_v1_NodeInventory, NodeInventory__Output as _muster_v1_NodeInventory__Output } from '../../muster/v1/NodeInventory.js';
import type { PodStatus as _muster_v1_PodStatus, PodStatus__Output as _muster_v1_PodStatus__Output } from '../../muster/v1/PodStatus.js';
import type { Long } from '@grpc/proto-loader';

export interface RegisterRequest {
  'nodeName'?: (string);
  'address'?: (string);
  'labels'?: ({[key: string]: string});
  'inventory'?: (_muster_v1_NodeInventory | null);
  'agentVersion'?: (string);
  'instanceId'?: (string);
  'sessionId'?: (string);
  'epoch'?: (number | string | Long);
  'pods'?: (_muster_v1_PodStatus)[];
}

export interface RegisterRequest__Output {
  'nodeName': (string);
  'address': (string);
  'labels': ({[key: string]: string});
  'inventory': (_muster_v1_NodeInventory__Output | null);
  'agentVersion': (string);
  'instanceId': (string);
  'sessionId': (string);
  'epoch': (number);
  'pods': (_muster_v1_PodStatus__Output)[];
}
