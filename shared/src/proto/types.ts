/**
 * Friendly names for the generated muster.v1 types. `X` is the shape the
 * loader produces (every field present, per LOADER_OPTIONS); `XInput` is the
 * permissive shape accepted when sending.
 */
export type { JobSet__Output as JobSet, JobSet as JobSetInput } from './generated/muster/v1/JobSet.js';
export type { JobSetSpec__Output as JobSetSpec, JobSetSpec as JobSetSpecInput } from './generated/muster/v1/JobSetSpec.js';
export type { JobSetMeta__Output as JobSetMeta, JobSetMeta as JobSetMetaInput } from './generated/muster/v1/JobSetMeta.js';
export type { JobSetStatus__Output as JobSetStatus } from './generated/muster/v1/JobSetStatus.js';
export type { JobSetCondition__Output as JobSetCondition } from './generated/muster/v1/JobSetCondition.js';
export type { ReplicatedJob__Output as ReplicatedJob, ReplicatedJob as ReplicatedJobInput } from './generated/muster/v1/ReplicatedJob.js';
export type { ReplicatedJobStatus__Output as ReplicatedJobStatus } from './generated/muster/v1/ReplicatedJobStatus.js';
export type { JobTemplate__Output as JobTemplate } from './generated/muster/v1/JobTemplate.js';
export type { PodTemplate__Output as PodTemplate, PodTemplate as PodTemplateInput } from './generated/muster/v1/PodTemplate.js';
export type { ResourceList__Output as ResourceList } from './generated/muster/v1/ResourceList.js';
export type { EnvVar__Output as EnvVar } from './generated/muster/v1/EnvVar.js';
export type { Mount__Output as Mount } from './generated/muster/v1/Mount.js';
export type { PodStatus__Output as PodStatus, PodStatus as PodStatusInput } from './generated/muster/v1/PodStatus.js';
export type { Binding__Output as Binding } from './generated/muster/v1/Binding.js';
export type { PodLogsRequest__Output as PodLogsRequest } from './generated/muster/v1/PodLogsRequest.js';
export type { PodLogsChunk__Output as PodLogsChunk } from './generated/muster/v1/PodLogsChunk.js';
export type { GetPodLogsRequest__Output as GetPodLogsRequest } from './generated/muster/v1/GetPodLogsRequest.js';
export type { Node__Output as Node } from './generated/muster/v1/Node.js';
export type { NodeInventory__Output as NodeInventory, NodeInventory as NodeInventoryInput } from './generated/muster/v1/NodeInventory.js';
export type { NodeCondition__Output as NodeCondition } from './generated/muster/v1/NodeCondition.js';
export type { NodeDrain__Output as NodeDrain } from './generated/muster/v1/NodeDrain.js';
export type { DrainNodeRequest__Output as DrainNodeRequest } from './generated/muster/v1/DrainNodeRequest.js';
export type { UndrainNodeRequest__Output as UndrainNodeRequest } from './generated/muster/v1/UndrainNodeRequest.js';
export type { Gpu__Output as Gpu } from './generated/muster/v1/Gpu.js';
export type { Heartbeat__Output as Heartbeat } from './generated/muster/v1/Heartbeat.js';
export type { GpuHealthReport__Output as GpuHealthReport } from './generated/muster/v1/GpuHealthReport.js';
export type { PodEvent__Output as PodEvent } from './generated/muster/v1/PodEvent.js';
export type { PodAssignment__Output as PodAssignment } from './generated/muster/v1/PodAssignment.js';
export type { NodeDesired__Output as NodeDesired } from './generated/muster/v1/NodeDesired.js';
export type { DesiredRequest__Output as DesiredRequest } from './generated/muster/v1/DesiredRequest.js';
export type { JobSetEvent__Output as JobSetEvent } from './generated/muster/v1/JobSetEvent.js';
export type { RegisterRequest__Output as RegisterRequest, RegisterRequest as RegisterRequestInput } from './generated/muster/v1/RegisterRequest.js';
export type { RegisterResponse__Output as RegisterResponse } from './generated/muster/v1/RegisterResponse.js';
export type { SubmitJobSetRequest__Output as SubmitJobSetRequest, SubmitJobSetRequest as SubmitJobSetRequestInput } from './generated/muster/v1/SubmitJobSetRequest.js';
export type { SchedulerServiceClient } from './generated/muster/v1/SchedulerService.js';
export type { SchedulerServiceHandlers } from './generated/muster/v1/SchedulerService.js';
export type { AgentServiceClient, AgentServiceHandlers } from './generated/muster/v1/AgentService.js';
export type { JobSetPhase__Output as JobSetPhase } from './generated/muster/v1/JobSetPhase.js';
export type { PodPhase__Output as PodPhase } from './generated/muster/v1/PodPhase.js';
export type { NodeState__Output as NodeState } from './generated/muster/v1/NodeState.js';
export type { DeleteJobSetResponse__Output as DeleteJobSetResponse } from './generated/muster/v1/DeleteJobSetResponse.js';
export type { ListJobSetsResponse__Output as ListJobSetsResponse } from './generated/muster/v1/ListJobSetsResponse.js';
export type { ListNodesResponse__Output as ListNodesResponse } from './generated/muster/v1/ListNodesResponse.js';
export type { JobStatus__Output as JobStatus } from './generated/muster/v1/JobStatus.js';
export type { FailurePolicy__Output as FailurePolicy } from './generated/muster/v1/FailurePolicy.js';
export type { FailurePolicyRule__Output as FailurePolicyRule } from './generated/muster/v1/FailurePolicyRule.js';
export type { PodFailurePolicyRule__Output as PodFailurePolicyRule } from './generated/muster/v1/PodFailurePolicyRule.js';
export type { JobSetHistoryEvent__Output as JobSetHistoryEvent } from './generated/muster/v1/JobSetHistoryEvent.js';
export type { ResourceFlavor__Output as ResourceFlavor } from './generated/muster/v1/ResourceFlavor.js';
export type { Queue__Output as Queue } from './generated/muster/v1/Queue.js';
export type { QueueSpec__Output as QueueSpec } from './generated/muster/v1/QueueSpec.js';
export type { Cohort__Output as Cohort } from './generated/muster/v1/Cohort.js';
export type { PriorityClass__Output as PriorityClass } from './generated/muster/v1/PriorityClass.js';
export type { ResourceGroup__Output as ResourceGroup } from './generated/muster/v1/ResourceGroup.js';
