// Original file: proto/muster/v1/types.proto


export interface Binding {
  'gpuIndices'?: (number)[];
  'gpuUuids'?: (string)[];
  'cpuset'?: (string);
  'numaNode'?: (number);
  'nics'?: (string)[];
}

export interface Binding__Output {
  'gpuIndices': (number)[];
  'gpuUuids': (string)[];
  'cpuset': (string);
  'numaNode': (number);
  'nics': (string)[];
}
