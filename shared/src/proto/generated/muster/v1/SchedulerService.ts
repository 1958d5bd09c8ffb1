// Original file: proto/muster/v1/scheduler.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ApplyObjectsRequest as _muster_v1_ApplyObjectsRequest, ApplyObjectsRequest__Output as _muster_v1_ApplyObjectsRequest__Output } from '../../muster/v1/ApplyObjectsRequest.js';
import type { ApplyObjectsResponse as _muster_v1_ApplyObjectsResponse, ApplyObjectsResponse__Output as _muster_v1_ApplyObjectsResponse__Output } from '../../muster/v1/ApplyObjectsResponse.js';
import type { DeleteJobSetRequest as _muster_v1_DeleteJobSetRequest, DeleteJobSetRequest__Output as _muster_v1_DeleteJobSetRequest__Output } from '../../muster/v1/DeleteJobSetRequest.js';
import type { DeleteJobSetResponse as _muster_v1_DeleteJobSetResponse, DeleteJobSetResponse__Output as _muster_v1_DeleteJobSetResponse__Output } from '../../muster/v1/DeleteJobSetResponse.js';
import type { DrainNodeRequest as _muster_v1_DrainNodeRequest, DrainNodeRequest__Output as _muster_v1_DrainNodeRequest__Output } from '../../muster/v1/DrainNodeRequest.js';
import type { GetJobSetRequest as _muster_v1_GetJobSetRequest, GetJobSetRequest__Output as _muster_v1_GetJobSetRequest__Output } from '../../muster/v1/GetJobSetRequest.js';
import type { GetPodLogsRequest as _muster_v1_GetPodLogsRequest, GetPodLogsRequest__Output as _muster_v1_GetPodLogsRequest__Output } from '../../muster/v1/GetPodLogsRequest.js';
import type { JobSet as _muster_v1_JobSet, JobSet__Output as _muster_v1_JobSet__Output } from '../../muster/v1/JobSet.js';
import type { ListJobSetsRequest as _muster_v1_ListJobSetsRequest, ListJobSetsRequest__Output as _muster_v1_ListJobSetsRequest__Output } from '../../muster/v1/ListJobSetsRequest.js';
import type { ListJobSetsResponse as _muster_v1_ListJobSetsResponse, ListJobSetsResponse__Output as _muster_v1_ListJobSetsResponse__Output } from '../../muster/v1/ListJobSetsResponse.js';
import type { ListNodesRequest as _muster_v1_ListNodesRequest, ListNodesRequest__Output as _muster_v1_ListNodesRequest__Output } from '../../muster/v1/ListNodesRequest.js';
import type { ListNodesResponse as _muster_v1_ListNodesResponse, ListNodesResponse__Output as _muster_v1_ListNodesResponse__Output } from '../../muster/v1/ListNodesResponse.js';
import type { ListQueueingRequest as _muster_v1_ListQueueingRequest, ListQueueingRequest__Output as _muster_v1_ListQueueingRequest__Output } from '../../muster/v1/ListQueueingRequest.js';
import type { ListQueueingResponse as _muster_v1_ListQueueingResponse, ListQueueingResponse__Output as _muster_v1_ListQueueingResponse__Output } from '../../muster/v1/ListQueueingResponse.js';
import type { Node as _muster_v1_Node, Node__Output as _muster_v1_Node__Output } from '../../muster/v1/Node.js';
import type { PodLogsChunk as _muster_v1_PodLogsChunk, PodLogsChunk__Output as _muster_v1_PodLogsChunk__Output } from '../../muster/v1/PodLogsChunk.js';
import type { ResumeJobSetRequest as _muster_v1_ResumeJobSetRequest, ResumeJobSetRequest__Output as _muster_v1_ResumeJobSetRequest__Output } from '../../muster/v1/ResumeJobSetRequest.js';
import type { SubmitJobSetRequest as _muster_v1_SubmitJobSetRequest, SubmitJobSetRequest__Output as _muster_v1_SubmitJobSetRequest__Output } from '../../muster/v1/SubmitJobSetRequest.js';
import type { SuspendJobSetRequest as _muster_v1_SuspendJobSetRequest, SuspendJobSetRequest__Output as _muster_v1_SuspendJobSetRequest__Output } from '../../muster/v1/SuspendJobSetRequest.js';
import type { UndrainNodeRequest as _muster_v1_UndrainNodeRequest, UndrainNodeRequest__Output as _muster_v1_UndrainNodeRequest__Output } from '../../muster/v1/UndrainNodeRequest.js';
import type { WatchJobSetRequest as _muster_v1_WatchJobSetRequest, WatchJobSetRequest__Output as _muster_v1_WatchJobSetRequest__Output } from '../../muster/v1/WatchJobSetRequest.js';

export interface SchedulerServiceClient extends grpc.Client {
  ApplyObjects(argument: _muster_v1_ApplyObjectsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_ApplyObjectsResponse__Output>): grpc.ClientUnaryCall;
  ApplyObjects(argument: _muster_v1_ApplyObjectsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_muster_v1_ApplyObjectsResponse__Output>): grpc.ClientUnaryCall;
  ApplyObjects(argument: _muster_v1_ApplyObjectsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_ApplyObjectsResponse__Output>): grpc.ClientUnaryCall;
  ApplyObjects(argument: _muster_v1_ApplyObjectsRequest, callback: grpc.requestCallback<_muster_v1_ApplyObjectsResponse__Output>): grpc.ClientUnaryCall;
  applyObjects(argument: _muster_v1_ApplyObjectsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_ApplyObjectsResponse__Output>): grpc.ClientUnaryCall;
  applyObjects(argument: _muster_v1_ApplyObjectsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_muster_v1_ApplyObjectsResponse__Output>): grpc.ClientUnaryCall;
  applyObjects(argument: _muster_v1_ApplyObjectsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_ApplyObjectsResponse__Output>): grpc.ClientUnaryCall;
  applyObjects(argument: _muster_v1_ApplyObjectsRequest, callback: grpc.requestCallback<_muster_v1_ApplyObjectsResponse__Output>): grpc.ClientUnaryCall;
  
  DeleteJobSet(argument: _muster_v1_DeleteJobSetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_DeleteJobSetResponse__Output>): grpc.ClientUnaryCall;
  DeleteJobSet(argument: _muster_v1_DeleteJobSetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_muster_v1_DeleteJobSetResponse__Output>): grpc.ClientUnaryCall;
  DeleteJobSet(argument: _muster_v1_DeleteJobSetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_DeleteJobSetResponse__Output>): grpc.ClientUnaryCall;
  DeleteJobSet(argument: _muster_v1_DeleteJobSetRequest, callback: grpc.requestCallback<_muster_v1_DeleteJobSetResponse__Output>): grpc.ClientUnaryCall;
  deleteJobSet(argument: _muster_v1_DeleteJobSetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_DeleteJobSetResponse__Output>): grpc.ClientUnaryCall;
  deleteJobSet(argument: _muster_v1_DeleteJobSetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_muster_v1_DeleteJobSetResponse__Output>): grpc.ClientUnaryCall;
  deleteJobSet(argument: _muster_v1_DeleteJobSetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_DeleteJobSetResponse__Output>): grpc.ClientUnaryCall;
  deleteJobSet(argument: _muster_v1_DeleteJobSetRequest, callback: grpc.requestCallback<_muster_v1_DeleteJobSetResponse__Output>): grpc.ClientUnaryCall;
  
  DrainNode(argument: _muster_v1_DrainNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_Node__Output>): grpc.ClientUnaryCall;
  DrainNode(argument: _muster_v1_DrainNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_muster_v1_Node__Output>): grpc.ClientUnaryCall;
  DrainNode(argument: _muster_v1_DrainNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_Node__Output>): grpc.ClientUnaryCall;
  DrainNode(argument: _muster_v1_DrainNodeRequest, callback: grpc.requestCallback<_muster_v1_Node__Output>): grpc.ClientUnaryCall;
  drainNode(argument: _muster_v1_DrainNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_Node__Output>): grpc.ClientUnaryCall;
  drainNode(argument: _muster_v1_DrainNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_muster_v1_Node__Output>): grpc.ClientUnaryCall;
  drainNode(argument: _muster_v1_DrainNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_Node__Output>): grpc.ClientUnaryCall;
  drainNode(argument: _muster_v1_DrainNodeRequest, callback: grpc.requestCallback<_muster_v1_Node__Output>): grpc.ClientUnaryCall;
  
  GetJobSet(argument: _muster_v1_GetJobSetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_JobSet__Output>): grpc.ClientUnaryCall;
  GetJobSet(argument: _muster_v1_GetJobSetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_muster_v1_JobSet__Output>): grpc.ClientUnaryCall;
  GetJobSet(argument: _muster_v1_GetJobSetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_JobSet__Output>): grpc.ClientUnaryCall;
  GetJobSet(argument: _muster_v1_GetJobSetRequest, callback: grpc.requestCallback<_muster_v1_JobSet__Output>): grpc.ClientUnaryCall;
  getJobSet(argument: _muster_v1_GetJobSetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_JobSet__Output>): grpc.ClientUnaryCall;
  getJobSet(argument: _muster_v1_GetJobSetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_muster_v1_JobSet__Output>): grpc.ClientUnaryCall;
  getJobSet(argument: _muster_v1_GetJobSetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_JobSet__Output>): grpc.ClientUnaryCall;
  getJobSet(argument: _muster_v1_GetJobSetRequest, callback: grpc.requestCallback<_muster_v1_JobSet__Output>): grpc.ClientUnaryCall;
  
  GetPodLogs(argument: _muster_v1_GetPodLogsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_PodLogsChunk__Output>): grpc.ClientUnaryCall;
  GetPodLogs(argument: _muster_v1_GetPodLogsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_muster_v1_PodLogsChunk__Output>): grpc.ClientUnaryCall;
  GetPodLogs(argument: _muster_v1_GetPodLogsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_PodLogsChunk__Output>): grpc.ClientUnaryCall;
  GetPodLogs(argument: _muster_v1_GetPodLogsRequest, callback: grpc.requestCallback<_muster_v1_PodLogsChunk__Output>): grpc.ClientUnaryCall;
  getPodLogs(argument: _muster_v1_GetPodLogsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_PodLogsChunk__Output>): grpc.ClientUnaryCall;
  getPodLogs(argument: _muster_v1_GetPodLogsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_muster_v1_PodLogsChunk__Output>): grpc.ClientUnaryCall;
  getPodLogs(argument: _muster_v1_GetPodLogsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_PodLogsChunk__Output>): grpc.ClientUnaryCall;
  getPodLogs(argument: _muster_v1_GetPodLogsRequest, callback: grpc.requestCallback<_muster_v1_PodLogsChunk__Output>): grpc.ClientUnaryCall;
  
  ListJobSets(argument: _muster_v1_ListJobSetsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_ListJobSetsResponse__Output>): grpc.ClientUnaryCall;
  ListJobSets(argument: _muster_v1_ListJobSetsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_muster_v1_ListJobSetsResponse__Output>): grpc.ClientUnaryCall;
  ListJobSets(argument: _muster_v1_ListJobSetsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_ListJobSetsResponse__Output>): grpc.ClientUnaryCall;
  ListJobSets(argument: _muster_v1_ListJobSetsRequest, callback: grpc.requestCallback<_muster_v1_ListJobSetsResponse__Output>): grpc.ClientUnaryCall;
  listJobSets(argument: _muster_v1_ListJobSetsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_ListJobSetsResponse__Output>): grpc.ClientUnaryCall;
  listJobSets(argument: _muster_v1_ListJobSetsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_muster_v1_ListJobSetsResponse__Output>): grpc.ClientUnaryCall;
  listJobSets(argument: _muster_v1_ListJobSetsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_ListJobSetsResponse__Output>): grpc.ClientUnaryCall;
  listJobSets(argument: _muster_v1_ListJobSetsRequest, callback: grpc.requestCallback<_muster_v1_ListJobSetsResponse__Output>): grpc.ClientUnaryCall;
  
  ListNodes(argument: _muster_v1_ListNodesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  ListNodes(argument: _muster_v1_ListNodesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_muster_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  ListNodes(argument: _muster_v1_ListNodesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  ListNodes(argument: _muster_v1_ListNodesRequest, callback: grpc.requestCallback<_muster_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  listNodes(argument: _muster_v1_ListNodesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  listNodes(argument: _muster_v1_ListNodesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_muster_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  listNodes(argument: _muster_v1_ListNodesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  listNodes(argument: _muster_v1_ListNodesRequest, callback: grpc.requestCallback<_muster_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  
  ListQueueing(argument: _muster_v1_ListQueueingRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_ListQueueingResponse__Output>): grpc.ClientUnaryCall;
  ListQueueing(argument: _muster_v1_ListQueueingRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_muster_v1_ListQueueingResponse__Output>): grpc.ClientUnaryCall;
  ListQueueing(argument: _muster_v1_ListQueueingRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_ListQueueingResponse__Output>): grpc.ClientUnaryCall;
  ListQueueing(argument: _muster_v1_ListQueueingRequest, callback: grpc.requestCallback<_muster_v1_ListQueueingResponse__Output>): grpc.ClientUnaryCall;
  listQueueing(argument: _muster_v1_ListQueueingRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_ListQueueingResponse__Output>): grpc.ClientUnaryCall;
  listQueueing(argument: _muster_v1_ListQueueingRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_muster_v1_ListQueueingResponse__Output>): grpc.ClientUnaryCall;
  listQueueing(argument: _muster_v1_ListQueueingRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_ListQueueingResponse__Output>): grpc.ClientUnaryCall;
  listQueueing(argument: _muster_v1_ListQueueingRequest, callback: grpc.requestCallback<_muster_v1_ListQueueingResponse__Output>): grpc.ClientUnaryCall;
  
  ResumeJobSet(argument: _muster_v1_ResumeJobSetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_JobSet__Output>): grpc.ClientUnaryCall;
  ResumeJobSet(argument: _muster_v1_ResumeJobSetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_muster_v1_JobSet__Output>): grpc.ClientUnaryCall;
  ResumeJobSet(argument: _muster_v1_ResumeJobSetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_JobSet__Output>): grpc.ClientUnaryCall;
  ResumeJobSet(argument: _muster_v1_ResumeJobSetRequest, callback: grpc.requestCallback<_muster_v1_JobSet__Output>): grpc.ClientUnaryCall;
  resumeJobSet(argument: _muster_v1_ResumeJobSetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_JobSet__Output>): grpc.ClientUnaryCall;
  resumeJobSet(argument: _muster_v1_ResumeJobSetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_muster_v1_JobSet__Output>): grpc.ClientUnaryCall;
  resumeJobSet(argument: _muster_v1_ResumeJobSetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_JobSet__Output>): grpc.ClientUnaryCall;
  resumeJobSet(argument: _muster_v1_ResumeJobSetRequest, callback: grpc.requestCallback<_muster_v1_JobSet__Output>): grpc.ClientUnaryCall;
  
  SubmitJobSet(argument: _muster_v1_SubmitJobSetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_JobSet__Output>): grpc.ClientUnaryCall;
  SubmitJobSet(argument: _muster_v1_SubmitJobSetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_muster_v1_JobSet__Output>): grpc.ClientUnaryCall;
  SubmitJobSet(argument: _muster_v1_SubmitJobSetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_JobSet__Output>): grpc.ClientUnaryCall;
  SubmitJobSet(argument: _muster_v1_SubmitJobSetRequest, callback: grpc.requestCallback<_muster_v1_JobSet__Output>): grpc.ClientUnaryCall;
  submitJobSet(argument: _muster_v1_SubmitJobSetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_JobSet__Output>): grpc.ClientUnaryCall;
  submitJobSet(argument: _muster_v1_SubmitJobSetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_muster_v1_JobSet__Output>): grpc.ClientUnaryCall;
  submitJobSet(argument: _muster_v1_SubmitJobSetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_JobSet__Output>): grpc.ClientUnaryCall;
  submitJobSet(argument: _muster_v1_SubmitJobSetRequest, callback: grpc.requestCallback<_muster_v1_JobSet__Output>): grpc.ClientUnaryCall;
  
  SuspendJobSet(argument: _muster_v1_SuspendJobSetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_JobSet__Output>): grpc.ClientUnaryCall;
  SuspendJobSet(argument: _muster_v1_SuspendJobSetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_muster_v1_JobSet__Output>): grpc.ClientUnaryCall;
  SuspendJobSet(argument: _muster_v1_SuspendJobSetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_JobSet__Output>): grpc.ClientUnaryCall;
  SuspendJobSet(argument: _muster_v1_SuspendJobSetRequest, callback: grpc.requestCallback<_muster_v1_JobSet__Output>): grpc.ClientUnaryCall;
  suspendJobSet(argument: _muster_v1_SuspendJobSetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_JobSet__Output>): grpc.ClientUnaryCall;
  suspendJobSet(argument: _muster_v1_SuspendJobSetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_muster_v1_JobSet__Output>): grpc.ClientUnaryCall;
  suspendJobSet(argument: _muster_v1_SuspendJobSetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_JobSet__Output>): grpc.ClientUnaryCall;
  suspendJobSet(argument: _muster_v1_SuspendJobSetRequest, callback: grpc.requestCallback<_muster_v1_JobSet__Output>): grpc.ClientUnaryCall;
  
  UndrainNode(argument: _muster_v1_UndrainNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_Node__Output>): grpc.ClientUnaryCall;
  UndrainNode(argument: _muster_v1_UndrainNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_muster_v1_Node__Output>): grpc.ClientUnaryCall;
  UndrainNode(argument: _muster_v1_UndrainNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_Node__Output>): grpc.ClientUnaryCall;
  UndrainNode(argument: _muster_v1_UndrainNodeRequest, callback: grpc.requestCallback<_muster_v1_Node__Output>): grpc.ClientUnaryCall;
  undrainNode(argument: _muster_v1_UndrainNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_Node__Output>): grpc.ClientUnaryCall;
  undrainNode(argument: _muster_v1_UndrainNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_muster_v1_Node__Output>): grpc.ClientUnaryCall;
  undrainNode(argument: _muster_v1_UndrainNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_muster_v1_Node__Output>): grpc.ClientUnaryCall;
  undrainNode(argument: _muster_v1_UndrainNodeRequest, callback: grpc.requestCallback<_muster_v1_Node__Output>): grpc.ClientUnaryCall;
  
  WatchJobSet(argument: _muster_v1_WatchJobSetRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_muster_v1_JobSet__Output>;
  WatchJobSet(argument: _muster_v1_WatchJobSetRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_muster_v1_JobSet__Output>;
  watchJobSet(argument: _muster_v1_WatchJobSetRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_muster_v1_JobSet__Output>;
  watchJobSet(argument: _muster_v1_WatchJobSetRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_muster_v1_JobSet__Output>;
  
}

export interface SchedulerServiceHandlers extends grpc.UntypedServiceImplementation {
  ApplyObjects: grpc.handleUnaryCall<_muster_v1_ApplyObjectsRequest__Output, _muster_v1_ApplyObjectsResponse>;
  
  DeleteJobSet: grpc.handleUnaryCall<_muster_v1_DeleteJobSetRequest__Output, _muster_v1_DeleteJobSetResponse>;
  
  DrainNode: grpc.handleUnaryCall<_muster_v1_DrainNodeRequest__Output, _muster_v1_Node>;
  
  GetJobSet: grpc.handleUnaryCall<_muster_v1_GetJobSetRequest__Output, _muster_v1_JobSet>;
  
  GetPodLogs: grpc.handleUnaryCall<_muster_v1_GetPodLogsRequest__Output, _muster_v1_PodLogsChunk>;
  
  ListJobSets: grpc.handleUnaryCall<_muster_v1_ListJobSetsRequest__Output, _muster_v1_ListJobSetsResponse>;
  
  ListNodes: grpc.handleUnaryCall<_muster_v1_ListNodesRequest__Output, _muster_v1_ListNodesResponse>;
  
  ListQueueing: grpc.handleUnaryCall<_muster_v1_ListQueueingRequest__Output, _muster_v1_ListQueueingResponse>;
  
  ResumeJobSet: grpc.handleUnaryCall<_muster_v1_ResumeJobSetRequest__Output, _muster_v1_JobSet>;
  
  SubmitJobSet: grpc.handleUnaryCall<_muster_v1_SubmitJobSetRequest__Output, _muster_v1_JobSet>;
  
  SuspendJobSet: grpc.handleUnaryCall<_muster_v1_SuspendJobSetRequest__Output, _muster_v1_JobSet>;
  
  UndrainNode: grpc.handleUnaryCall<_muster_v1_UndrainNodeRequest__Output, _muster_v1_Node>;
  
  WatchJobSet: grpc.handleServerStreamingCall<_muster_v1_WatchJobSetRequest__Output, _muster_v1_JobSet>;
  
}

export interface SchedulerServiceDefinition extends grpc.ServiceDefinition {
  ApplyObjects: MethodDefinition<_muster_v1_ApplyObjectsRequest, _muster_v1_ApplyObjectsResponse, _muster_v1_ApplyObjectsRequest__Output, _muster_v1_ApplyObjectsResponse__Output>
  DeleteJobSet: MethodDefinition<_muster_v1_DeleteJobSetRequest, _muster_v1_DeleteJobSetResponse, _muster_v1_DeleteJobSetRequest__Output, _muster_v1_DeleteJobSetResponse__Output>
  DrainNode: MethodDefinition<_muster_v1_DrainNodeRequest, _muster_v1_Node, _muster_v1_DrainNodeRequest__Output, _muster_v1_Node__Output>
  GetJobSet: MethodDefinition<_muster_v1_GetJobSetRequest, _muster_v1_JobSet, _muster_v1_GetJobSetRequest__Output, _muster_v1_JobSet__Output>
  GetPodLogs: MethodDefinition<_muster_v1_GetPodLogsRequest, _muster_v1_PodLogsChunk, _muster_v1_GetPodLogsRequest__Output, _muster_v1_PodLogsChunk__Output>
  ListJobSets: MethodDefinition<_muster_v1_ListJobSetsRequest, _muster_v1_ListJobSetsResponse, _muster_v1_ListJobSetsRequest__Output, _muster_v1_ListJobSetsResponse__Output>
  ListNodes: MethodDefinition<_muster_v1_ListNodesRequest, _muster_v1_ListNodesResponse, _muster_v1_ListNodesRequest__Output, _muster_v1_ListNodesResponse__Output>
  ListQueueing: MethodDefinition<_muster_v1_ListQueueingRequest, _muster_v1_ListQueueingResponse, _muster_v1_ListQueueingRequest__Output, _muster_v1_ListQueueingResponse__Output>
  ResumeJobSet: MethodDefinition<_muster_v1_ResumeJobSetRequest, _muster_v1_JobSet, _muster_v1_ResumeJobSetRequest__Output, _muster_v1_JobSet__Output>
  SubmitJobSet: MethodDefinition<_muster_v1_SubmitJobSetRequest, _muster_v1_JobSet, _muster_v1_SubmitJobSetRequest__Output, _muster_v1_JobSet__Output>
  SuspendJobSet: MethodDefinition<_muster_v1_SuspendJobSetRequest, _muster_v1_JobSet, _muster_v1_SuspendJobSetRequest__Output, _muster_v1_JobSet__Output>
  UndrainNode: MethodDefinition<_muster_v1_UndrainNodeRequest, _muster_v1_Node, _muster_v1_UndrainNodeRequest__Output, _muster_v1_Node__Output>
  WatchJobSet: MethodDefinition<_muster_v1_WatchJobSetRequest, _muster_v1_JobSet, _muster_v1_WatchJobSetRequest__Output, _muster_v1_JobSet__Output>
}
