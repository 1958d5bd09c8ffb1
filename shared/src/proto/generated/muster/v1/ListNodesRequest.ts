// Original file: proto/muster/v1/scheduler.proto


export interface ListNodesRequest {
}

export interface ListNodesRequest__Output {
}
