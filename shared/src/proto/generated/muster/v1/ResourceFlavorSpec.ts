// Original file: proto/muster/v1/queues.proto


export interface ResourceFlavorSpec {
  'nodeLabels'?: ({[key: string]: string});
}

export interface ResourceFlavorSpec__Output {
  'nodeLabels': ({[key: string]: string});
}
