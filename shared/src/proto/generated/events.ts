import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Binding as _muster_v1_Binding, Binding__Output as _muster_v1_Binding__Output } from './muster/v1/Binding.js';
import type { Coordinator as _muster_v1_Coordinator, Coordinator__Output as _muster_v1_Coordinator__Output } from './muster/v1/Coordinator.js';
import type { DependsOn as _muster_v1_DependsOn, DependsOn__Output as _muster_v1_DependsOn__Output } from './muster/v1/DependsOn.js';
import type { DesiredRequest as _muster_v1_DesiredRequest, DesiredRequest__Output as _muster_v1_DesiredRequest__Output } from './muster/v1/DesiredRequest.js';
import type { EnvVar as _muster_v1_EnvVar, EnvVar__Output as _muster_v1_EnvVar__Output } from './muster/v1/EnvVar.js';
import type { FailurePolicy as _muster_v1_FailurePolicy, FailurePolicy__Output as _muster_v1_FailurePolicy__Output } from './muster/v1/FailurePolicy.js';
import type { FailurePolicyRule as _muster_v1_FailurePolicyRule, FailurePolicyRule__Output as _muster_v1_FailurePolicyRule__Output } from './muster/v1/FailurePolicyRule.js';
import type { Gpu as _muster_v1_Gpu, Gpu__Output as _muster_v1_Gpu__Output } from './muster/v1/Gpu.js';
import type { GpuHealthReport as _muster_v1_GpuHealthReport, GpuHealthReport__Output as _muster_v1_GpuHealthReport__Output } from './muster/v1/GpuHealthReport.js';
import type { GpuLink as _muster_v1_GpuLink, GpuLink__Output as _muster_v1_GpuLink__Output } from './muster/v1/GpuLink.js';
import type { Heartbeat as _muster_v1_Heartbeat, Heartbeat__Output as _muster_v1_Heartbeat__Output } from './muster/v1/Heartbeat.js';
import type { JobSet as _muster_v1_JobSet, JobSet__Output as _muster_v1_JobSet__Output } from './muster/v1/JobSet.js';
import type { JobSetCondition as _muster_v1_JobSetCondition, JobSetCondition__Output as _muster_v1_JobSetCondition__Output } from './muster/v1/JobSetCondition.js';
import type { JobSetEvent as _muster_v1_JobSetEvent, JobSetEvent__Output as _muster_v1_JobSetEvent__Output } from './muster/v1/JobSetEvent.js';
import type { JobSetHistoryEvent as _muster_v1_JobSetHistoryEvent, JobSetHistoryEvent__Output as _muster_v1_JobSetHistoryEvent__Output } from './muster/v1/JobSetHistoryEvent.js';
import type { JobSetHosts as _muster_v1_JobSetHosts, JobSetHosts__Output as _muster_v1_JobSetHosts__Output } from './muster/v1/JobSetHosts.js';
import type { JobSetMeta as _muster_v1_JobSetMeta, JobSetMeta__Output as _muster_v1_JobSetMeta__Output } from './muster/v1/JobSetMeta.js';
import type { JobSetSpec as _muster_v1_JobSetSpec, JobSetSpec__Output as _muster_v1_JobSetSpec__Output } from './muster/v1/JobSetSpec.js';
import type { JobSetStatus as _muster_v1_JobSetStatus, JobSetStatus__Output as _muster_v1_JobSetStatus__Output } from './muster/v1/JobSetStatus.js';
import type { JobStatus as _muster_v1_JobStatus, JobStatus__Output as _muster_v1_JobStatus__Output } from './muster/v1/JobStatus.js';
import type { JobTemplate as _muster_v1_JobTemplate, JobTemplate__Output as _muster_v1_JobTemplate__Output } from './muster/v1/JobTemplate.js';
import type { MigDevice as _muster_v1_MigDevice, MigDevice__Output as _muster_v1_MigDevice__Output } from './muster/v1/MigDevice.js';
import type { Mount as _muster_v1_Mount, Mount__Output as _muster_v1_Mount__Output } from './muster/v1/Mount.js';
import type { Nic as _muster_v1_Nic, Nic__Output as _muster_v1_Nic__Output } from './muster/v1/Nic.js';
import type { Node as _muster_v1_Node, Node__Output as _muster_v1_Node__Output } from './muster/v1/Node.js';
import type { NodeCondition as _muster_v1_NodeCondition, NodeCondition__Output as _muster_v1_NodeCondition__Output } from './muster/v1/NodeCondition.js';
import type { NodeDesired as _muster_v1_NodeDesired, NodeDesired__Output as _muster_v1_NodeDesired__Output } from './muster/v1/NodeDesired.js';
import type { NodeDrain as _muster_v1_NodeDrain, NodeDrain__Output as _muster_v1_NodeDrain__Output } from './muster/v1/NodeDrain.js';
import type { NodeInventory as _muster_v1_NodeInventory, NodeInventory__Output as _muster_v1_NodeInventory__Output } from './muster/v1/NodeInventory.js';
import type { NumaNode as _muster_v1_NumaNode, NumaNode__Output as _muster_v1_NumaNode__Output } from './muster/v1/NumaNode.js';
import type { Placement as _muster_v1_Placement, Placement__Output as _muster_v1_Placement__Output } from './muster/v1/Placement.js';
import type { PodAssignment as _muster_v1_PodAssignment, PodAssignment__Output as _muster_v1_PodAssignment__Output } from './muster/v1/PodAssignment.js';
import type { PodEvent as _muster_v1_PodEvent, PodEvent__Output as _muster_v1_PodEvent__Output } from './muster/v1/PodEvent.js';
import type { PodFailurePolicy as _muster_v1_PodFailurePolicy, PodFailurePolicy__Output as _muster_v1_PodFailurePolicy__Output } from './muster/v1/PodFailurePolicy.js';
import type { PodFailurePolicyOnExitCodes as _muster_v1_PodFailurePolicyOnExitCodes, PodFailurePolicyOnExitCodes__Output as _muster_v1_PodFailurePolicyOnExitCodes__Output } from './muster/v1/PodFailurePolicyOnExitCodes.js';
import type { PodFailurePolicyOnPodCondition as _muster_v1_PodFailurePolicyOnPodCondition, PodFailurePolicyOnPodCondition__Output as _muster_v1_PodFailurePolicyOnPodCondition__Output } from './muster/v1/PodFailurePolicyOnPodCondition.js';
import type { PodFailurePolicyRule as _muster_v1_PodFailurePolicyRule, PodFailurePolicyRule__Output as _muster_v1_PodFailurePolicyRule__Output } from './muster/v1/PodFailurePolicyRule.js';
import type { PodLogsChunk as _muster_v1_PodLogsChunk, PodLogsChunk__Output as _muster_v1_PodLogsChunk__Output } from './muster/v1/PodLogsChunk.js';
import type { PodLogsRequest as _muster_v1_PodLogsRequest, PodLogsRequest__Output as _muster_v1_PodLogsRequest__Output } from './muster/v1/PodLogsRequest.js';
import type { PodStatus as _muster_v1_PodStatus, PodStatus__Output as _muster_v1_PodStatus__Output } from './muster/v1/PodStatus.js';
import type { PodTemplate as _muster_v1_PodTemplate, PodTemplate__Output as _muster_v1_PodTemplate__Output } from './muster/v1/PodTemplate.js';
import type { QueueAdmission as _muster_v1_QueueAdmission, QueueAdmission__Output as _muster_v1_QueueAdmission__Output } from './muster/v1/QueueAdmission.js';
import type { RdmaPort as _muster_v1_RdmaPort, RdmaPort__Output as _muster_v1_RdmaPort__Output } from './muster/v1/RdmaPort.js';
import type { ReplicatedJob as _muster_v1_ReplicatedJob, ReplicatedJob__Output as _muster_v1_ReplicatedJob__Output } from './muster/v1/ReplicatedJob.js';
import type { ReplicatedJobStatus as _muster_v1_ReplicatedJobStatus, ReplicatedJobStatus__Output as _muster_v1_ReplicatedJobStatus__Output } from './muster/v1/ReplicatedJobStatus.js';
import type { RequeueState as _muster_v1_RequeueState, RequeueState__Output as _muster_v1_RequeueState__Output } from './muster/v1/RequeueState.js';
import type { ResourceList as _muster_v1_ResourceList, ResourceList__Output as _muster_v1_ResourceList__Output } from './muster/v1/ResourceList.js';
import type { StartupPolicy as _muster_v1_StartupPolicy, StartupPolicy__Output as _muster_v1_StartupPolicy__Output } from './muster/v1/StartupPolicy.js';
import type { SuccessPolicy as _muster_v1_SuccessPolicy, SuccessPolicy__Output as _muster_v1_SuccessPolicy__Output } from './muster/v1/SuccessPolicy.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  muster: {
    v1: {
      Binding: MessageTypeDefinition<_muster_v1_Binding, _muster_v1_Binding__Output>
      Coordinator: MessageTypeDefinition<_muster_v1_Coordinator, _muster_v1_Coordinator__Output>
      DependsOn: MessageTypeDefinition<_muster_v1_DependsOn, _muster_v1_DependsOn__Output>
      DesiredRequest: MessageTypeDefinition<_muster_v1_DesiredRequest, _muster_v1_DesiredRequest__Output>
      EnvVar: MessageTypeDefinition<_muster_v1_EnvVar, _muster_v1_EnvVar__Output>
      FailurePolicy: MessageTypeDefinition<_muster_v1_FailurePolicy, _muster_v1_FailurePolicy__Output>
      FailurePolicyRule: MessageTypeDefinition<_muster_v1_FailurePolicyRule, _muster_v1_FailurePolicyRule__Output>
      Gpu: MessageTypeDefinition<_muster_v1_Gpu, _muster_v1_Gpu__Output>
      GpuHealthReport: MessageTypeDefinition<_muster_v1_GpuHealthReport, _muster_v1_GpuHealthReport__Output>
      GpuLink: MessageTypeDefinition<_muster_v1_GpuLink, _muster_v1_GpuLink__Output>
      Heartbeat: MessageTypeDefinition<_muster_v1_Heartbeat, _muster_v1_Heartbeat__Output>
      JobSet: MessageTypeDefinition<_muster_v1_JobSet, _muster_v1_JobSet__Output>
      JobSetCondition: MessageTypeDefinition<_muster_v1_JobSetCondition, _muster_v1_JobSetCondition__Output>
      JobSetEvent: MessageTypeDefinition<_muster_v1_JobSetEvent, _muster_v1_JobSetEvent__Output>
      JobSetHistoryEvent: MessageTypeDefinition<_muster_v1_JobSetHistoryEvent, _muster_v1_JobSetHistoryEvent__Output>
      JobSetHosts: MessageTypeDefinition<_muster_v1_JobSetHosts, _muster_v1_JobSetHosts__Output>
      JobSetMeta: MessageTypeDefinition<_muster_v1_JobSetMeta, _muster_v1_JobSetMeta__Output>
      JobSetPhase: EnumTypeDefinition
      JobSetSpec: MessageTypeDefinition<_muster_v1_JobSetSpec, _muster_v1_JobSetSpec__Output>
      JobSetStatus: MessageTypeDefinition<_muster_v1_JobSetStatus, _muster_v1_JobSetStatus__Output>
      JobStatus: MessageTypeDefinition<_muster_v1_JobStatus, _muster_v1_JobStatus__Output>
      JobTemplate: MessageTypeDefinition<_muster_v1_JobTemplate, _muster_v1_JobTemplate__Output>
      MigDevice: MessageTypeDefinition<_muster_v1_MigDevice, _muster_v1_MigDevice__Output>
      Mount: MessageTypeDefinition<_muster_v1_Mount, _muster_v1_Mount__Output>
      Nic: MessageTypeDefinition<_muster_v1_Nic, _muster_v1_Nic__Output>
      Node: MessageTypeDefinition<_muster_v1_Node, _muster_v1_Node__Output>
      NodeCondition: MessageTypeDefinition<_muster_v1_NodeCondition, _muster_v1_NodeCondition__Output>
      NodeDesired: MessageTypeDefinition<_muster_v1_NodeDesired, _muster_v1_NodeDesired__Output>
      NodeDrain: MessageTypeDefinition<_muster_v1_NodeDrain, _muster_v1_NodeDrain__Output>
      NodeInventory: MessageTypeDefinition<_muster_v1_NodeInventory, _muster_v1_NodeInventory__Output>
      NodeState: EnumTypeDefinition
      NumaNode: MessageTypeDefinition<_muster_v1_NumaNode, _muster_v1_NumaNode__Output>
      Placement: MessageTypeDefinition<_muster_v1_Placement, _muster_v1_Placement__Output>
      PodAssignment: MessageTypeDefinition<_muster_v1_PodAssignment, _muster_v1_PodAssignment__Output>
      PodEvent: MessageTypeDefinition<_muster_v1_PodEvent, _muster_v1_PodEvent__Output>
      PodFailurePolicy: MessageTypeDefinition<_muster_v1_PodFailurePolicy, _muster_v1_PodFailurePolicy__Output>
      PodFailurePolicyOnExitCodes: MessageTypeDefinition<_muster_v1_PodFailurePolicyOnExitCodes, _muster_v1_PodFailurePolicyOnExitCodes__Output>
      PodFailurePolicyOnPodCondition: MessageTypeDefinition<_muster_v1_PodFailurePolicyOnPodCondition, _muster_v1_PodFailurePolicyOnPodCondition__Output>
      PodFailurePolicyRule: MessageTypeDefinition<_muster_v1_PodFailurePolicyRule, _muster_v1_PodFailurePolicyRule__Output>
      PodLogsChunk: MessageTypeDefinition<_muster_v1_PodLogsChunk, _muster_v1_PodLogsChunk__Output>
      PodLogsRequest: MessageTypeDefinition<_muster_v1_PodLogsRequest, _muster_v1_PodLogsRequest__Output>
      PodPhase: EnumTypeDefinition
      PodStatus: MessageTypeDefinition<_muster_v1_PodStatus, _muster_v1_PodStatus__Output>
      PodTemplate: MessageTypeDefinition<_muster_v1_PodTemplate, _muster_v1_PodTemplate__Output>
      QueueAdmission: MessageTypeDefinition<_muster_v1_QueueAdmission, _muster_v1_QueueAdmission__Output>
      RdmaPort: MessageTypeDefinition<_muster_v1_RdmaPort, _muster_v1_RdmaPort__Output>
      ReplicatedJob: MessageTypeDefinition<_muster_v1_ReplicatedJob, _muster_v1_ReplicatedJob__Output>
      ReplicatedJobStatus: MessageTypeDefinition<_muster_v1_ReplicatedJobStatus, _muster_v1_ReplicatedJobStatus__Output>
      RequeueState: MessageTypeDefinition<_muster_v1_RequeueState, _muster_v1_RequeueState__Output>
      ResourceList: MessageTypeDefinition<_muster_v1_ResourceList, _muster_v1_ResourceList__Output>
      StartupPolicy: MessageTypeDefinition<_muster_v1_StartupPolicy, _muster_v1_StartupPolicy__Output>
      SuccessPolicy: MessageTypeDefinition<_muster_v1_SuccessPolicy, _muster_v1_SuccessPolicy__Output>
    }
  }
}

