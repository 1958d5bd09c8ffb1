// Original file: proto/muster/v1/types.proto

import type { MigDevice as _muster_v1_MigDevice, MigDevice__Output as _muster_v1_MigDevice__Output } from '../../muster/v1/MigDevice.js';
import type { GpuLink as _muster_v1_GpuLink, GpuLink__Output as _muster_v1_GpuLink__Output } from '../../muster/v1/GpuLink.js';
import type { Long } from '@grpc/proto-loader';

export interface Gpu {
  'index'?: (number);
  'uuid'?: (string);
  'model'?: (string);
  'memoryBytes'?: (number | string | Long);
  'pciBusId'?: (string);
  'numaNode'?: (number);
  'healthy'?: (boolean);
  'minorNumber'?: (number);
  'architecture'?: (string);
  'migEnabled'?: (boolean);
  'migDevices'?: (_muster_v1_MigDevice)[];
  'healthReasons'?: (string)[];
  'links'?: (_muster_v1_GpuLink)[];
  'closestNics'?: (string)[];
  'cpuAffinity'?: (string);
  'powerLimitWatts'?: (number | string);
  'eccEnabled'?: (boolean);
  'persistenceMode'?: (boolean);
}

export interface Gpu__Output {
  'index': (number);
  'uuid': (string);
  'model': (string);
  'memoryBytes': (number);
  'pciBusId': (string);
  'numaNode': (number);
  'healthy': (boolean);
  'minorNumber': (number);
  'architecture': (string);
  'migEnabled': (boolean);
  'migDevices': (_muster_v1_MigDevice__Output)[];
  'healthReasons': (string)[];
  'links': (_muster_v1_GpuLink__Output)[];
  'closestNics': (string)[];
  'cpuAffinity': (string);
  'powerLimitWatts': (number);
  'eccEnabled': (boolean);
  'persistenceMode': (boolean);
}
