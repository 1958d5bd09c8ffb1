import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AdmissionScope as _muster_v1_AdmissionScope, AdmissionScope__Output as _muster_v1_AdmissionScope__Output } from './muster/v1/AdmissionScope.js';
import type { AppliedObject as _muster_v1_AppliedObject, AppliedObject__Output as _muster_v1_AppliedObject__Output } from './muster/v1/AppliedObject.js';
import type { ApplyObjectsRequest as _muster_v1_ApplyObjectsRequest, ApplyObjectsRequest__Output as _muster_v1_ApplyObjectsRequest__Output } from './muster/v1/ApplyObjectsRequest.js';
import type { ApplyObjectsResponse as _muster_v1_ApplyObjectsResponse, ApplyObjectsResponse__Output as _muster_v1_ApplyObjectsResponse__Output } from './muster/v1/ApplyObjectsResponse.js';
import type { Binding as _muster_v1_Binding, Binding__Output as _muster_v1_Binding__Output } from './muster/v1/Binding.js';
import type { BorrowWithinCohort as _muster_v1_BorrowWithinCohort, BorrowWithinCohort__Output as _muster_v1_BorrowWithinCohort__Output } from './muster/v1/BorrowWithinCohort.js';
import type { Cohort as _muster_v1_Cohort, Cohort__Output as _muster_v1_Cohort__Output } from './muster/v1/Cohort.js';
import type { CohortSpec as _muster_v1_CohortSpec, CohortSpec__Output as _muster_v1_CohortSpec__Output } from './muster/v1/CohortSpec.js';
import type { Coordinator as _muster_v1_Coordinator, Coordinator__Output as _muster_v1_Coordinator__Output } from './muster/v1/Coordinator.js';
import type { DeleteJobSetRequest as _muster_v1_DeleteJobSetRequest, DeleteJobSetRequest__Output as _muster_v1_DeleteJobSetRequest__Output } from './muster/v1/DeleteJobSetRequest.js';
import type { DeleteJobSetResponse as _muster_v1_DeleteJobSetResponse, DeleteJobSetResponse__Output as _muster_v1_DeleteJobSetResponse__Output } from './muster/v1/DeleteJobSetResponse.js';
import type { DependsOn as _muster_v1_DependsOn, DependsOn__Output as _muster_v1_DependsOn__Output } from './muster/v1/DependsOn.js';
import type { DrainNodeRequest as _muster_v1_DrainNodeRequest, DrainNodeRequest__Output as _muster_v1_DrainNodeRequest__Output } from './muster/v1/DrainNodeRequest.js';
import type { EnvVar as _muster_v1_EnvVar, EnvVar__Output as _muster_v1_EnvVar__Output } from './muster/v1/EnvVar.js';
import type { FailurePolicy as _muster_v1_FailurePolicy, FailurePolicy__Output as _muster_v1_FailurePolicy__Output } from './muster/v1/FailurePolicy.js';
import type { FailurePolicyRule as _muster_v1_FailurePolicyRule, FailurePolicyRule__Output as _muster_v1_FailurePolicyRule__Output } from './muster/v1/FailurePolicyRule.js';
import type { FlavorFungibility as _muster_v1_FlavorFungibility, FlavorFungibility__Output as _muster_v1_FlavorFungibility__Output } from './muster/v1/FlavorFungibility.js';
import type { FlavorQuotas as _muster_v1_FlavorQuotas, FlavorQuotas__Output as _muster_v1_FlavorQuotas__Output } from './muster/v1/FlavorQuotas.js';
import type { GetJobSetRequest as _muster_v1_GetJobSetRequest, GetJobSetRequest__Output as _muster_v1_GetJobSetRequest__Output } from './muster/v1/GetJobSetRequest.js';
import type { GetPodLogsRequest as _muster_v1_GetPodLogsRequest, GetPodLogsRequest__Output as _muster_v1_GetPodLogsRequest__Output } from './muster/v1/GetPodLogsRequest.js';
import type { Gpu as _muster_v1_Gpu, Gpu__Output as _muster_v1_Gpu__Output } from './muster/v1/Gpu.js';
import type { GpuLink as _muster_v1_GpuLink, GpuLink__Output as _muster_v1_GpuLink__Output } from './muster/v1/GpuLink.js';
import type { JobSet as _muster_v1_JobSet, JobSet__Output as _muster_v1_JobSet__Output } from './muster/v1/JobSet.js';
import type { JobSetCondition as _muster_v1_JobSetCondition, JobSetCondition__Output as _muster_v1_JobSetCondition__Output } from './muster/v1/JobSetCondition.js';
import type { JobSetHistoryEvent as _muster_v1_JobSetHistoryEvent, JobSetHistoryEvent__Output as _muster_v1_JobSetHistoryEvent__Output } from './muster/v1/JobSetHistoryEvent.js';
import type { JobSetMeta as _muster_v1_JobSetMeta, JobSetMeta__Output as _muster_v1_JobSetMeta__Output } from './muster/v1/JobSetMeta.js';
import type { JobSetSpec as _muster_v1_JobSetSpec, JobSetSpec__Output as _muster_v1_JobSetSpec__Output } from './muster/v1/JobSetSpec.js';
import type { JobSetStatus as _muster_v1_JobSetStatus, JobSetStatus__Output as _muster_v1_JobSetStatus__Output } from './muster/v1/JobSetStatus.js';
import type { JobStatus as _muster_v1_JobStatus, JobStatus__Output as _muster_v1_JobStatus__Output } from './muster/v1/JobStatus.js';
import type { JobTemplate as _muster_v1_JobTemplate, JobTemplate__Output as _muster_v1_JobTemplate__Output } from './muster/v1/JobTemplate.js';
import type { ListJobSetsRequest as _muster_v1_ListJobSetsRequest, ListJobSetsRequest__Output as _muster_v1_ListJobSetsRequest__Output } from './muster/v1/ListJobSetsRequest.js';
import type { ListJobSetsResponse as _muster_v1_ListJobSetsResponse, ListJobSetsResponse__Output as _muster_v1_ListJobSetsResponse__Output } from './muster/v1/ListJobSetsResponse.js';
import type { ListNodesRequest as _muster_v1_ListNodesRequest, ListNodesRequest__Output as _muster_v1_ListNodesRequest__Output } from './muster/v1/ListNodesRequest.js';
import type { ListNodesResponse as _muster_v1_ListNodesResponse, ListNodesResponse__Output as _muster_v1_ListNodesResponse__Output } from './muster/v1/ListNodesResponse.js';
import type { ListQueueingRequest as _muster_v1_ListQueueingRequest, ListQueueingRequest__Output as _muster_v1_ListQueueingRequest__Output } from './muster/v1/ListQueueingRequest.js';
import type { ListQueueingResponse as _muster_v1_ListQueueingResponse, ListQueueingResponse__Output as _muster_v1_ListQueueingResponse__Output } from './muster/v1/ListQueueingResponse.js';
import type { MigDevice as _muster_v1_MigDevice, MigDevice__Output as _muster_v1_MigDevice__Output } from './muster/v1/MigDevice.js';
import type { Mount as _muster_v1_Mount, Mount__Output as _muster_v1_Mount__Output } from './muster/v1/Mount.js';
import type { Nic as _muster_v1_Nic, Nic__Output as _muster_v1_Nic__Output } from './muster/v1/Nic.js';
import type { Node as _muster_v1_Node, Node__Output as _muster_v1_Node__Output } from './muster/v1/Node.js';
import type { NodeCondition as _muster_v1_NodeCondition, NodeCondition__Output as _muster_v1_NodeCondition__Output } from './muster/v1/NodeCondition.js';
import type { NodeDrain as _muster_v1_NodeDrain, NodeDrain__Output as _muster_v1_NodeDrain__Output } from './muster/v1/NodeDrain.js';
import type { NodeInventory as _muster_v1_NodeInventory, NodeInventory__Output as _muster_v1_NodeInventory__Output } from './muster/v1/NodeInventory.js';
import type { NumaNode as _muster_v1_NumaNode, NumaNode__Output as _muster_v1_NumaNode__Output } from './muster/v1/NumaNode.js';
import type { ObjectMeta as _muster_v1_ObjectMeta, ObjectMeta__Output as _muster_v1_ObjectMeta__Output } from './muster/v1/ObjectMeta.js';
import type { Placement as _muster_v1_Placement, Placement__Output as _muster_v1_Placement__Output } from './muster/v1/Placement.js';
import type { PodFailurePolicy as _muster_v1_PodFailurePolicy, PodFailurePolicy__Output as _muster_v1_PodFailurePolicy__Output } from './muster/v1/PodFailurePolicy.js';
import type { PodFailurePolicyOnExitCodes as _muster_v1_PodFailurePolicyOnExitCodes, PodFailurePolicyOnExitCodes__Output as _muster_v1_PodFailurePolicyOnExitCodes__Output } from './muster/v1/PodFailurePolicyOnExitCodes.js';
import type { PodFailurePolicyOnPodCondition as _muster_v1_PodFailurePolicyOnPodCondition, PodFailurePolicyOnPodCondition__Output as _muster_v1_PodFailurePolicyOnPodCondition__Output } from './muster/v1/PodFailurePolicyOnPodCondition.js';
import type { PodFailurePolicyRule as _muster_v1_PodFailurePolicyRule, PodFailurePolicyRule__Output as _muster_v1_PodFailurePolicyRule__Output } from './muster/v1/PodFailurePolicyRule.js';
import type { PodLogsChunk as _muster_v1_PodLogsChunk, PodLogsChunk__Output as _muster_v1_PodLogsChunk__Output } from './muster/v1/PodLogsChunk.js';
import type { PodLogsRequest as _muster_v1_PodLogsRequest, PodLogsRequest__Output as _muster_v1_PodLogsRequest__Output } from './muster/v1/PodLogsRequest.js';
import type { PodStatus as _muster_v1_PodStatus, PodStatus__Output as _muster_v1_PodStatus__Output } from './muster/v1/PodStatus.js';
import type { PodTemplate as _muster_v1_PodTemplate, PodTemplate__Output as _muster_v1_PodTemplate__Output } from './muster/v1/PodTemplate.js';
import type { PriorityClass as _muster_v1_PriorityClass, PriorityClass__Output as _muster_v1_PriorityClass__Output } from './muster/v1/PriorityClass.js';
import type { PriorityClassSpec as _muster_v1_PriorityClassSpec, PriorityClassSpec__Output as _muster_v1_PriorityClassSpec__Output } from './muster/v1/PriorityClassSpec.js';
import type { Queue as _muster_v1_Queue, Queue__Output as _muster_v1_Queue__Output } from './muster/v1/Queue.js';
import type { QueueAdmission as _muster_v1_QueueAdmission, QueueAdmission__Output as _muster_v1_QueueAdmission__Output } from './muster/v1/QueueAdmission.js';
import type { QueueCounts as _muster_v1_QueueCounts, QueueCounts__Output as _muster_v1_QueueCounts__Output } from './muster/v1/QueueCounts.js';
import type { QueuePosition as _muster_v1_QueuePosition, QueuePosition__Output as _muster_v1_QueuePosition__Output } from './muster/v1/QueuePosition.js';
import type { QueuePreemption as _muster_v1_QueuePreemption, QueuePreemption__Output as _muster_v1_QueuePreemption__Output } from './muster/v1/QueuePreemption.js';
import type { QueueSpec as _muster_v1_QueueSpec, QueueSpec__Output as _muster_v1_QueueSpec__Output } from './muster/v1/QueueSpec.js';
import type { QueueUsage as _muster_v1_QueueUsage, QueueUsage__Output as _muster_v1_QueueUsage__Output } from './muster/v1/QueueUsage.js';
import type { RdmaPort as _muster_v1_RdmaPort, RdmaPort__Output as _muster_v1_RdmaPort__Output } from './muster/v1/RdmaPort.js';
import type { ReplicatedJob as _muster_v1_ReplicatedJob, ReplicatedJob__Output as _muster_v1_ReplicatedJob__Output } from './muster/v1/ReplicatedJob.js';
import type { ReplicatedJobStatus as _muster_v1_ReplicatedJobStatus, ReplicatedJobStatus__Output as _muster_v1_ReplicatedJobStatus__Output } from './muster/v1/ReplicatedJobStatus.js';
import type { RequeueState as _muster_v1_RequeueState, RequeueState__Output as _muster_v1_RequeueState__Output } from './muster/v1/RequeueState.js';
import type { ResourceFlavor as _muster_v1_ResourceFlavor, ResourceFlavor__Output as _muster_v1_ResourceFlavor__Output } from './muster/v1/ResourceFlavor.js';
import type { ResourceFlavorSpec as _muster_v1_ResourceFlavorSpec, ResourceFlavorSpec__Output as _muster_v1_ResourceFlavorSpec__Output } from './muster/v1/ResourceFlavorSpec.js';
import type { ResourceGroup as _muster_v1_ResourceGroup, ResourceGroup__Output as _muster_v1_ResourceGroup__Output } from './muster/v1/ResourceGroup.js';
import type { ResourceList as _muster_v1_ResourceList, ResourceList__Output as _muster_v1_ResourceList__Output } from './muster/v1/ResourceList.js';
import type { ResourceQuota as _muster_v1_ResourceQuota, ResourceQuota__Output as _muster_v1_ResourceQuota__Output } from './muster/v1/ResourceQuota.js';
import type { ResumeJobSetRequest as _muster_v1_ResumeJobSetRequest, ResumeJobSetRequest__Output as _muster_v1_ResumeJobSetRequest__Output } from './muster/v1/ResumeJobSetRequest.js';
import type { SchedulerServiceClient as _muster_v1_SchedulerServiceClient, SchedulerServiceDefinition as _muster_v1_SchedulerServiceDefinition } from './muster/v1/SchedulerService.js';
import type { StartupPolicy as _muster_v1_StartupPolicy, StartupPolicy__Output as _muster_v1_StartupPolicy__Output } from './muster/v1/StartupPolicy.js';
import type { SubmitJobSetRequest as _muster_v1_SubmitJobSetRequest, SubmitJobSetRequest__Output as _muster_v1_SubmitJobSetRequest__Output } from './muster/v1/SubmitJobSetRequest.js';
import type { SuccessPolicy as _muster_v1_SuccessPolicy, SuccessPolicy__Output as _muster_v1_SuccessPolicy__Output } from './muster/v1/SuccessPolicy.js';
import type { SuspendJobSetRequest as _muster_v1_SuspendJobSetRequest, SuspendJobSetRequest__Output as _muster_v1_SuspendJobSetRequest__Output } from './muster/v1/SuspendJobSetRequest.js';
import type { UndrainNodeRequest as _muster_v1_UndrainNodeRequest, UndrainNodeRequest__Output as _muster_v1_UndrainNodeRequest__Output } from './muster/v1/UndrainNodeRequest.js';
import type { WatchJobSetRequest as _muster_v1_WatchJobSetRequest, WatchJobSetRequest__Output as _muster_v1_WatchJobSetRequest__Output } from './muster/v1/WatchJobSetRequest.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  muster: {
    v1: {
      AdmissionScope: MessageTypeDefinition<_muster_v1_AdmissionScope, _muster_v1_AdmissionScope__Output>
      AppliedObject: MessageTypeDefinition<_muster_v1_AppliedObject, _muster_v1_AppliedObject__Output>
      ApplyObjectsRequest: MessageTypeDefinition<_muster_v1_ApplyObjectsRequest, _muster_v1_ApplyObjectsRequest__Output>
      ApplyObjectsResponse: MessageTypeDefinition<_muster_v1_ApplyObjectsResponse, _muster_v1_ApplyObjectsResponse__Output>
      Binding: MessageTypeDefinition<_muster_v1_Binding, _muster_v1_Binding__Output>
      BorrowWithinCohort: MessageTypeDefinition<_muster_v1_BorrowWithinCohort, _muster_v1_BorrowWithinCohort__Output>
      Cohort: MessageTypeDefinition<_muster_v1_Cohort, _muster_v1_Cohort__Output>
      CohortSpec: MessageTypeDefinition<_muster_v1_CohortSpec, _muster_v1_CohortSpec__Output>
      Coordinator: MessageTypeDefinition<_muster_v1_Coordinator, _muster_v1_Coordinator__Output>
      DeleteJobSetRequest: MessageTypeDefinition<_muster_v1_DeleteJobSetRequest, _muster_v1_DeleteJobSetRequest__Output>
      DeleteJobSetResponse: MessageTypeDefinition<_muster_v1_DeleteJobSetResponse, _muster_v1_DeleteJobSetResponse__Output>
      DependsOn: MessageTypeDefinition<_muster_v1_DependsOn, _muster_v1_DependsOn__Output>
      DrainNodeRequest: MessageTypeDefinition<_muster_v1_DrainNodeRequest, _muster_v1_DrainNodeRequest__Output>
      EnvVar: MessageTypeDefinition<_muster_v1_EnvVar, _muster_v1_EnvVar__Output>
      FailurePolicy: MessageTypeDefinition<_muster_v1_FailurePolicy, _muster_v1_FailurePolicy__Output>
      FailurePolicyRule: MessageTypeDefinition<_muster_v1_FailurePolicyRule, _muster_v1_FailurePolicyRule__Output>
      FlavorFungibility: MessageTypeDefinition<_muster_v1_FlavorFungibility, _muster_v1_FlavorFungibility__Output>
      FlavorQuotas: MessageTypeDefinition<_muster_v1_FlavorQuotas, _muster_v1_FlavorQuotas__Output>
      GetJobSetRequest: MessageTypeDefinition<_muster_v1_GetJobSetRequest, _muster_v1_GetJobSetRequest__Output>
      GetPodLogsRequest: MessageTypeDefinition<_muster_v1_GetPodLogsRequest, _muster_v1_GetPodLogsRequest__Output>
      Gpu: MessageTypeDefinition<_muster_v1_Gpu, _muster_v1_Gpu__Output>
      GpuLink: MessageTypeDefinition<_muster_v1_GpuLink, _muster_v1_GpuLink__Output>
      JobSet: MessageTypeDefinition<_muster_v1_JobSet, _muster_v1_JobSet__Output>
      JobSetCondition: MessageTypeDefinition<_muster_v1_JobSetCondition, _muster_v1_JobSetCondition__Output>
      JobSetHistoryEvent: MessageTypeDefinition<_muster_v1_JobSetHistoryEvent, _muster_v1_JobSetHistoryEvent__Output>
      JobSetMeta: MessageTypeDefinition<_muster_v1_JobSetMeta, _muster_v1_JobSetMeta__Output>
      JobSetPhase: EnumTypeDefinition
      JobSetSpec: MessageTypeDefinition<_muster_v1_JobSetSpec, _muster_v1_JobSetSpec__Output>
      JobSetStatus: MessageTypeDefinition<_muster_v1_JobSetStatus, _muster_v1_JobSetStatus__Output>
      JobStatus: MessageTypeDefinition<_muster_v1_JobStatus, _muster_v1_JobStatus__Output>
      JobTemplate: MessageTypeDefinition<_muster_v1_JobTemplate, _muster_v1_JobTemplate__Output>
      ListJobSetsRequest: MessageTypeDefinition<_muster_v1_ListJobSetsRequest, _muster_v1_ListJobSetsRequest__Output>
      ListJobSetsResponse: MessageTypeDefinition<_muster_v1_ListJobSetsResponse, _muster_v1_ListJobSetsResponse__Output>
      ListNodesRequest: MessageTypeDefinition<_muster_v1_ListNodesRequest, _muster_v1_ListNodesRequest__Output>
      ListNodesResponse: MessageTypeDefinition<_muster_v1_ListNodesResponse, _muster_v1_ListNodesResponse__Output>
      ListQueueingRequest: MessageTypeDefinition<_muster_v1_ListQueueingRequest, _muster_v1_ListQueueingRequest__Output>
      ListQueueingResponse: MessageTypeDefinition<_muster_v1_ListQueueingResponse, _muster_v1_ListQueueingResponse__Output>
      MigDevice: MessageTypeDefinition<_muster_v1_MigDevice, _muster_v1_MigDevice__Output>
      Mount: MessageTypeDefinition<_muster_v1_Mount, _muster_v1_Mount__Output>
      Nic: MessageTypeDefinition<_muster_v1_Nic, _muster_v1_Nic__Output>
      Node: MessageTypeDefinition<_muster_v1_Node, _muster_v1_Node__Output>
      NodeCondition: MessageTypeDefinition<_muster_v1_NodeCondition, _muster_v1_NodeCondition__Output>
      NodeDrain: MessageTypeDefinition<_muster_v1_NodeDrain, _muster_v1_NodeDrain__Output>
      NodeInventory: MessageTypeDefinition<_muster_v1_NodeInventory, _muster_v1_NodeInventory__Output>
      NodeState: EnumTypeDefinition
      NumaNode: MessageTypeDefinition<_muster_v1_NumaNode, _muster_v1_NumaNode__Output>
      ObjectMeta: MessageTypeDefinition<_muster_v1_ObjectMeta, _muster_v1_ObjectMeta__Output>
      Placement: MessageTypeDefinition<_muster_v1_Placement, _muster_v1_Placement__Output>
      PodFailurePolicy: MessageTypeDefinition<_muster_v1_PodFailurePolicy, _muster_v1_PodFailurePolicy__Output>
      PodFailurePolicyOnExitCodes: MessageTypeDefinition<_muster_v1_PodFailurePolicyOnExitCodes, _muster_v1_PodFailurePolicyOnExitCodes__Output>
      PodFailurePolicyOnPodCondition: MessageTypeDefinition<_muster_v1_PodFailurePolicyOnPodCondition, _muster_v1_PodFailurePolicyOnPodCondition__Output>
      PodFailurePolicyRule: MessageTypeDefinition<_muster_v1_PodFailurePolicyRule, _muster_v1_PodFailurePolicyRule__Output>
      PodLogsChunk: MessageTypeDefinition<_muster_v1_PodLogsChunk, _muster_v1_PodLogsChunk__Output>
      PodLogsRequest: MessageTypeDefinition<_muster_v1_PodLogsRequest, _muster_v1_PodLogsRequest__Output>
      PodPhase: EnumTypeDefinition
      PodStatus: MessageTypeDefinition<_muster_v1_PodStatus, _muster_v1_PodStatus__Output>
      PodTemplate: MessageTypeDefinition<_muster_v1_PodTemplate, _muster_v1_PodTemplate__Output>
      PriorityClass: MessageTypeDefinition<_muster_v1_PriorityClass, _muster_v1_PriorityClass__Output>
      PriorityClassSpec: MessageTypeDefinition<_muster_v1_PriorityClassSpec, _muster_v1_PriorityClassSpec__Output>
      Queue: MessageTypeDefinition<_muster_v1_Queue, _muster_v1_Queue__Output>
      QueueAdmission: MessageTypeDefinition<_muster_v1_QueueAdmission, _muster_v1_QueueAdmission__Output>
      QueueCounts: MessageTypeDefinition<_muster_v1_QueueCounts, _muster_v1_QueueCounts__Output>
      QueuePosition: MessageTypeDefinition<_muster_v1_QueuePosition, _muster_v1_QueuePosition__Output>
      QueuePreemption: MessageTypeDefinition<_muster_v1_QueuePreemption, _muster_v1_QueuePreemption__Output>
      QueueSpec: MessageTypeDefinition<_muster_v1_QueueSpec, _muster_v1_QueueSpec__Output>
      QueueUsage: MessageTypeDefinition<_muster_v1_QueueUsage, _muster_v1_QueueUsage__Output>
      RdmaPort: MessageTypeDefinition<_muster_v1_RdmaPort, _muster_v1_RdmaPort__Output>
      ReplicatedJob: MessageTypeDefinition<_muster_v1_ReplicatedJob, _muster_v1_ReplicatedJob__Output>
      ReplicatedJobStatus: MessageTypeDefinition<_muster_v1_ReplicatedJobStatus, _muster_v1_ReplicatedJobStatus__Output>
      RequeueState: MessageTypeDefinition<_muster_v1_RequeueState, _muster_v1_RequeueState__Output>
      ResourceFlavor: MessageTypeDefinition<_muster_v1_ResourceFlavor, _muster_v1_ResourceFlavor__Output>
      ResourceFlavorSpec: MessageTypeDefinition<_muster_v1_ResourceFlavorSpec, _muster_v1_ResourceFlavorSpec__Output>
      ResourceGroup: MessageTypeDefinition<_muster_v1_ResourceGroup, _muster_v1_ResourceGroup__Output>
      ResourceList: MessageTypeDefinition<_muster_v1_ResourceList, _muster_v1_ResourceList__Output>
      ResourceQuota: MessageTypeDefinition<_muster_v1_ResourceQuota, _muster_v1_ResourceQuota__Output>
      ResumeJobSetRequest: MessageTypeDefinition<_muster_v1_ResumeJobSetRequest, _muster_v1_ResumeJobSetRequest__Output>
      SchedulerService: SubtypeConstructor<typeof grpc.Client, _muster_v1_SchedulerServiceClient> & { service: _muster_v1_SchedulerServiceDefinition }
      StartupPolicy: MessageTypeDefinition<_muster_v1_StartupPolicy, _muster_v1_StartupPolicy__Output>
      SubmitJobSetRequest: MessageTypeDefinition<_muster_v1_SubmitJobSetRequest, _muster_v1_SubmitJobSetRequest__Output>
      SuccessPolicy: MessageTypeDefinition<_muster_v1_SuccessPolicy, _muster_v1_SuccessPolicy__Output>
      SuspendJobSetRequest: MessageTypeDefinition<_muster_v1_SuspendJobSetRequest, _muster_v1_SuspendJobSetRequest__Output>
      UndrainNodeRequest: MessageTypeDefinition<_muster_v1_UndrainNodeRequest, _muster_v1_UndrainNodeRequest__Output>
      WatchJobSetRequest: MessageTypeDefinition<_muster_v1_WatchJobSetRequest, _muster_v1_WatchJobSetRequest__Output>
    }
  }
}

