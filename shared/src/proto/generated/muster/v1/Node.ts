// Original file: proto/muster/v1/types.proto

import type { NodeInventory as _muster_v1_NodeInventory, NodeInventory__Output as _muster_v1_NodeInventory__Output } from '../../muster/v1/NodeInventory.js';
import type { ResourceList as _muster_v1_ResourceList, ResourceList__Output as _muster_v1_ResourceList__Output } from '../../muster/v1/ResourceList.js';
import type { NodeState as _muster_v1_NodeState, NodeState__Output as _muster_v1_NodeState__Output } from '../../muster/v1/NodeState.js';
import type { NodeCondition as _muster_v1_NodeCondition, NodeCondition__Output as _muster_v1_NodeCondition__Output } from '../../muster/v1/NodeCondition.js';
import type { NodeDrain as _muster_v1_NodeDrain, NodeDrain__Output as _muster_v1_NodeDrain__Output } from '../../muster/v1/NodeDrain.js';
import type { Long } from '@grpc/proto-loader';

export interface Node {
  'name'?: (string);
  'address'?: (string);
  'labels'?: ({[key: string]: string});
  'inventory'?: (_muster_v1_NodeInventory | null);
  'allocated'?: (_muster_v1_ResourceList | null);
  'state'?: (_muster_v1_NodeState);
  'epoch'?: (number | string | Long);
  'lastHeartbeatMs'?: (number | string | Long);
  'registeredMs'?: (number | string | Long);
  'conditions'?: (_muster_v1_NodeCondition)[];
  'pods'?: (number);
  'agentVersion'?: (string);
  'instanceId'?: (string);
  'lingering'?: (_muster_v1_ResourceList | null);
  'sessionId'?: (string);
  'drain'?: (_muster_v1_NodeDrain | null);
}

export interface Node__Output {
  'name': (string);
  'address': (string);
  'labels': ({[key: string]: string});
  'inventory': (_muster_v1_NodeInventory__Output | null);
  'allocated': (_muster_v1_ResourceList__Output | null);
  'state': (_muster_v1_NodeState__Output);
  'epoch': (number);
  'lastHeartbeatMs': (number);
  'registeredMs': (number);
  'conditions': (_muster_v1_NodeCondition__Output)[];
  'pods': (number);
  'agentVersion': (string);
  'instanceId': (string);
  'lingering': (_muster_v1_ResourceList__Output | null);
  'sessionId': (string);
  'drain': (_muster_v1_NodeDrain__Output | null);
}
