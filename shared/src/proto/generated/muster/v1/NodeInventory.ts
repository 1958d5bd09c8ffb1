// Original file: proto/muster/v1/types.proto

import type { Gpu as _muster_v1_Gpu, Gpu__Output as _muster_v1_Gpu__Output } from '../../muster/v1/Gpu.js';
import type { ResourceList as _muster_v1_ResourceList, ResourceList__Output as _muster_v1_ResourceList__Output } from '../../muster/v1/ResourceList.js';
import type { NumaNode as _muster_v1_NumaNode, NumaNode__Output as _muster_v1_NumaNode__Output } from '../../muster/v1/NumaNode.js';
import type { Nic as _muster_v1_Nic, Nic__Output as _muster_v1_Nic__Output } from '../../muster/v1/Nic.js';
import type { NodeCondition as _muster_v1_NodeCondition, NodeCondition__Output as _muster_v1_NodeCondition__Output } from '../../muster/v1/NodeCondition.js';
import type { Long } from '@grpc/proto-loader';

export interface NodeInventory {
  'hostname'?: (string);
  'cpuModel'?: (string);
  'sockets'?: (number);
  'cores'?: (number);
  'threads'?: (number);
  'memoryBytes'?: (number | string | Long);
  'gpus'?: (_muster_v1_Gpu)[];
  'os'?: (string);
  'kernel'?: (string);
  'capacity'?: (_muster_v1_ResourceList | null);
  'allocatable'?: (_muster_v1_ResourceList | null);
  'source'?: (string);
  'driverVersion'?: (string);
  'cudaVersion'?: (string);
  'numaNodes'?: (_muster_v1_NumaNode)[];
  'nics'?: (_muster_v1_Nic)[];
  'conditions'?: (_muster_v1_NodeCondition)[];
}

export interface NodeInventory__Output {
  'hostname': (string);
  'cpuModel': (string);
  'sockets': (number);
  'cores': (number);
  'threads': (number);
  'memoryBytes': (number);
  'gpus': (_muster_v1_Gpu__Output)[];
  'os': (string);
  'kernel': (string);
  'capacity': (_muster_v1_ResourceList__Output | null);
  'allocatable': (_muster_v1_ResourceList__Output | null);
  'source': (string);
  'driverVersion': (string);
  'cudaVersion': (string);
  'numaNodes': (_muster_v1_NumaNode__Output)[];
  'nics': (_muster_v1_Nic__Output)[];
  'conditions': (_muster_v1_NodeCondition__Output)[];
}
