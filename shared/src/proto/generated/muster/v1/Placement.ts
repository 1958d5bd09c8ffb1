// Original file: proto/muster/v1/types.proto


export interface Placement {
  'required'?: (string);
  'preferred'?: (string);
  'exclusive'?: (string);
  'sliceRequired'?: (string);
  'sliceSize'?: (number);
}

export interface Placement__Output {
  'required': (string);
  'preferred': (string);
  'exclusive': (string);
  'sliceRequired': (string);
  'sliceSize': (number);
}
