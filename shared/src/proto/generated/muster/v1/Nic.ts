// Original file: proto/muster/v1/types.proto

import type { RdmaPort as _muster_v1_RdmaPort, RdmaPort__Output as _muster_v1_RdmaPort__Output } from '../../muster/v1/RdmaPort.js';
import type { Long } from '@grpc/proto-loader';

export interface Nic {
  'name'?: (string);
  'speedMbps'?: (number | string | Long);
  'mtu'?: (number);
  'state'?: (string);
  'pciAddress'?: (string);
  'numaNode'?: (number);
  'rdmaDevice'?: (string);
  'rdmaPorts'?: (_muster_v1_RdmaPort)[];
}

export interface Nic__Output {
  'name': (string);
  'speedMbps': (number);
  'mtu': (number);
  'state': (string);
  'pciAddress': (string);
  'numaNode': (number);
  'rdmaDevice': (string);
  'rdmaPorts': (_muster_v1_RdmaPort__Output)[];
}
