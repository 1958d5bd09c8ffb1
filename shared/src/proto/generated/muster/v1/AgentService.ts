// Original file: proto/muster/v1/agent.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { RegisterRequest as _muster_v1_RegisterRequest, RegisterRequest__Output as _muster_v1_RegisterRequest__Output } from '../../muster/v1/RegisterRequest.js';
import type { RegisterResponse as _muster_v1_RegisterResponse, RegisterResponse__Output as _muster_v1_RegisterResponse__Output } from '../../muster/v1/RegisterResponse.js';

export interface AgentServiceClient extends grpc.Client {
  Register(argument: _muster_v1_RegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _muster_v1_RegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_muster_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _muster_v1_RegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _muster_v1_RegisterRequest, callback: grpc.requestCallback<_muster_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _muster_v1_RegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _muster_v1_RegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_muster_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _muster_v1_RegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _muster_v1_RegisterRequest, callback: grpc.requestCallback<_muster_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface AgentServiceHandlers extends grpc.UntypedServiceImplementation {
  Register: grpc.handleUnaryCall<_muster_v1_RegisterRequest__Output, _muster_v1_RegisterResponse>;
  
}

export interface AgentServiceDefinition extends grpc.ServiceDefinition {
  Register: MethodDefinition<_muster_v1_RegisterRequest, _muster_v1_RegisterResponse, _muster_v1_RegisterRequest__Output, _muster_v1_RegisterResponse__Output>
}
