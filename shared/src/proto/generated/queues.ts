import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AdmissionScope as _muster_v1_AdmissionScope, AdmissionScope__Output as _muster_v1_AdmissionScope__Output } from './muster/v1/AdmissionScope.js';
import type { BorrowWithinCohort as _muster_v1_BorrowWithinCohort, BorrowWithinCohort__Output as _muster_v1_BorrowWithinCohort__Output } from './muster/v1/BorrowWithinCohort.js';
import type { Cohort as _muster_v1_Cohort, Cohort__Output as _muster_v1_Cohort__Output } from './muster/v1/Cohort.js';
import type { CohortSpec as _muster_v1_CohortSpec, CohortSpec__Output as _muster_v1_CohortSpec__Output } from './muster/v1/CohortSpec.js';
import type { FlavorFungibility as _muster_v1_FlavorFungibility, FlavorFungibility__Output as _muster_v1_FlavorFungibility__Output } from './muster/v1/FlavorFungibility.js';
import type { FlavorQuotas as _muster_v1_FlavorQuotas, FlavorQuotas__Output as _muster_v1_FlavorQuotas__Output } from './muster/v1/FlavorQuotas.js';
import type { ObjectMeta as _muster_v1_ObjectMeta, ObjectMeta__Output as _muster_v1_ObjectMeta__Output } from './muster/v1/ObjectMeta.js';
import type { PriorityClass as _muster_v1_PriorityClass, PriorityClass__Output as _muster_v1_PriorityClass__Output } from './muster/v1/PriorityClass.js';
import type { PriorityClassSpec as _muster_v1_PriorityClassSpec, PriorityClassSpec__Output as _muster_v1_PriorityClassSpec__Output } from './muster/v1/PriorityClassSpec.js';
import type { Queue as _muster_v1_Queue, Queue__Output as _muster_v1_Queue__Output } from './muster/v1/Queue.js';
import type { QueuePreemption as _muster_v1_QueuePreemption, QueuePreemption__Output as _muster_v1_QueuePreemption__Output } from './muster/v1/QueuePreemption.js';
import type { QueueSpec as _muster_v1_QueueSpec, QueueSpec__Output as _muster_v1_QueueSpec__Output } from './muster/v1/QueueSpec.js';
import type { ResourceFlavor as _muster_v1_ResourceFlavor, ResourceFlavor__Output as _muster_v1_ResourceFlavor__Output } from './muster/v1/ResourceFlavor.js';
import type { ResourceFlavorSpec as _muster_v1_ResourceFlavorSpec, ResourceFlavorSpec__Output as _muster_v1_ResourceFlavorSpec__Output } from './muster/v1/ResourceFlavorSpec.js';
import type { ResourceGroup as _muster_v1_ResourceGroup, ResourceGroup__Output as _muster_v1_ResourceGroup__Output } from './muster/v1/ResourceGroup.js';
import type { ResourceQuota as _muster_v1_ResourceQuota, ResourceQuota__Output as _muster_v1_ResourceQuota__Output } from './muster/v1/ResourceQuota.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  muster: {
    v1: {
      AdmissionScope: MessageTypeDefinition<_muster_v1_AdmissionScope, _muster_v1_AdmissionScope__Output>
      BorrowWithinCohort: MessageTypeDefinition<_muster_v1_BorrowWithinCohort, _muster_v1_BorrowWithinCohort__Output>
      Cohort: MessageTypeDefinition<_muster_v1_Cohort, _muster_v1_Cohort__Output>
      CohortSpec: MessageTypeDefinition<_muster_v1_CohortSpec, _muster_v1_CohortSpec__Output>
      FlavorFungibility: MessageTypeDefinition<_muster_v1_FlavorFungibility, _muster_v1_FlavorFungibility__Output>
      FlavorQuotas: MessageTypeDefinition<_muster_v1_FlavorQuotas, _muster_v1_FlavorQuotas__Output>
      ObjectMeta: MessageTypeDefinition<_muster_v1_ObjectMeta, _muster_v1_ObjectMeta__Output>
      PriorityClass: MessageTypeDefinition<_muster_v1_PriorityClass, _muster_v1_PriorityClass__Output>
      PriorityClassSpec: MessageTypeDefinition<_muster_v1_PriorityClassSpec, _muster_v1_PriorityClassSpec__Output>
      Queue: MessageTypeDefinition<_muster_v1_Queue, _muster_v1_Queue__Output>
      QueuePreemption: MessageTypeDefinition<_muster_v1_QueuePreemption, _muster_v1_QueuePreemption__Output>
      QueueSpec: MessageTypeDefinition<_muster_v1_QueueSpec, _muster_v1_QueueSpec__Output>
      ResourceFlavor: MessageTypeDefinition<_muster_v1_ResourceFlavor, _muster_v1_ResourceFlavor__Output>
      ResourceFlavorSpec: MessageTypeDefinition<_muster_v1_ResourceFlavorSpec, _muster_v1_ResourceFlavorSpec__Output>
      ResourceGroup: MessageTypeDefinition<_muster_v1_ResourceGroup, _muster_v1_ResourceGroup__Output>
      ResourceQuota: MessageTypeDefinition<_muster_v1_ResourceQuota, _muster_v1_ResourceQuota__Output>
    }
  }
}

