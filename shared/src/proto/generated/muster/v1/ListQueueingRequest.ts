// Original file: proto/muster/v1/scheduler.proto


export interface ListQueueingRequest {
}

export interface ListQueueingRequest__Output {
}
