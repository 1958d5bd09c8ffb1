// Original file: proto/muster/v1/queues.proto


export interface FlavorFungibility {
  'whenCanBorrow'?: (string);
  'whenCanPreempt'?: (string);
}

export interface FlavorFungibility__Output {
  'whenCanBorrow': (string);
  'whenCanPreempt': (string);
}
