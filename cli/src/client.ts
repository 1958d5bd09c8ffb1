/**
 * The scheduler's user API as promises: one method per RPC, each with a
 * deadline, every failure mapped to a MusterError by fromGrpcError.
 */
import * as grpc from '@grpc/grpc-js';
import { fromGrpcError } from '../../shared/src/errors.js';
import { loadGrpc } from '../../shared/src/proto/load.js';
import type { GetPodLogsRequest, PodLogsChunk } from '../../shared/src/proto/types.js';
import type { ApplyObjectsRequest } from '../../shared/src/proto/generated/muster/v1/ApplyObjectsRequest.js';
import type { ApplyObjectsResponse__Output } from '../../shared/src/proto/generated/muster/v1/ApplyObjectsResponse.js';
import type { ListQueueingResponse__Output } from '../../shared/src/proto/generated/muster/v1/ListQueueingResponse.js';
import type {
  DeleteJobSetResponse, JobSet, ListJobSetsResponse, ListNodesResponse, Node, SchedulerServiceClient, SubmitJobSetRequestInput,
} from '../../shared/src/proto/types.js';

/** The response types of the unary calls, as the loader produces them. */
export type { DeleteJobSetResponse, ListJobSetsResponse, ListNodesResponse };

/** SchedulerApiOptions configure a SchedulerApi. */
export interface SchedulerApiOptions {
  /** Deadline of each unary call in milliseconds. */
  timeoutMs: number;
}

type Unary<Req, Res> = (req: Req, options: grpc.CallOptions, cb: grpc.requestCallback<Res>) => grpc.ClientUnaryCall;

/** SchedulerApi is a client of muster.v1.SchedulerService. */
export class SchedulerApi {
  /** The raw generated client (for streams and tests). */
  readonly client: SchedulerServiceClient;

  constructor(
    /** host:port of the scheduler. */
    readonly address: string,
    private readonly opts: SchedulerApiOptions,
  ) {
    const Ctor = loadGrpc().muster.v1.SchedulerService;
    // Lists of many JobSets can exceed gRPC's default 4 MiB.
    this.client = new Ctor(address, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  }

  private call<Req, Res>(method: Unary<Req, Res>, req: Req): Promise<Res> {
    return new Promise((resolve, reject) => {
      method.call(this.client, req, { deadline: Date.now() + this.opts.timeoutMs }, (err, res) => {
        if (err) reject(fromGrpcError(err));
        else if (res === undefined) reject(fromGrpcError(new Error('empty response')));
        else resolve(res);
      });
    });
  }

  /** submitJobSet stores a JobSet and returns it as the scheduler stored it. */
  submitJobSet(req: SubmitJobSetRequestInput): Promise<JobSet> {
    return this.call<SubmitJobSetRequestInput, JobSet>(this.client.SubmitJobSet, req);
  }

  /** getJobSet returns one JobSet with its status. */
  getJobSet(name: string): Promise<JobSet> {
    return this.call<{ name: string }, JobSet>(this.client.GetJobSet, { name });
  }

  /** listJobSets returns JobSets, newest first, optionally only those in `phase`; `pendingOnly` lists pending ones with their queue positions; `withPods` keeps each JobSet's pods. */
  listJobSets(phase = '', limit = 0, pendingOnly = false, withPods = false): Promise<ListJobSetsResponse> {
    return this.call<{ phase: string; limit: number; pendingOnly: boolean; withPods: boolean }, ListJobSetsResponse>(this.client.ListJobSets, { phase, limit, pendingOnly, withPods });
  }

  /** deleteJobSet stops a JobSet's pods and removes it. */
  deleteJobSet(name: string): Promise<DeleteJobSetResponse> {
    return this.call<{ name: string }, DeleteJobSetResponse>(this.client.DeleteJobSet, { name });
  }

  /** suspendJobSet stops a JobSet's pods and releases its nodes (it is admitted again on resume). */
  suspendJobSet(name: string): Promise<JobSet> {
    return this.call<{ name: string }, JobSet>(this.client.SuspendJobSet, { name });
  }

  /** resumeJobSet lets a suspended JobSet be admitted again. */
  resumeJobSet(name: string): Promise<JobSet> {
    return this.call<{ name: string }, JobSet>(this.client.ResumeJobSet, { name });
  }

  /** applyObjects creates or updates queueing objects (all or none). */
  applyObjects(req: ApplyObjectsRequest): Promise<ApplyObjectsResponse__Output> {
    return this.call<ApplyObjectsRequest, ApplyObjectsResponse__Output>(this.client.ApplyObjects, req);
  }

  /** listQueueing returns every queueing object and each queue's counts. */
  listQueueing(): Promise<ListQueueingResponse__Output> {
    return this.call<Record<string, never>, ListQueueingResponse__Output>(this.client.ListQueueing, {});
  }

  /** listNodes returns every registered node. */
  listNodes(): Promise<ListNodesResponse> {
    return this.call<Record<string, never>, ListNodesResponse>(this.client.ListNodes, {});
  }

  /** drainNode keeps new pods off a node (with evict, stops its pods). */
  drainNode(name: string, reason: string, evict: boolean): Promise<Node> {
    return this.call<{ name: string; reason: string; evict: boolean }, Node>(this.client.DrainNode, { name, reason, evict });
  }

  /** undrainNode lets new pods onto a drained node again. */
  undrainNode(name: string): Promise<Node> {
    return this.call<{ name: string }, Node>(this.client.UndrainNode, { name });
  }

  /** nodes is listNodes().nodes. */
  async nodes(): Promise<Node[]> {
    return (await this.listNodes()).nodes;
  }

  /** getPodLogs reads a chunk of one pod's stdout or stderr from its node. */
  getPodLogs(req: Partial<GetPodLogsRequest>): Promise<PodLogsChunk> {
    return this.call<Partial<GetPodLogsRequest>, PodLogsChunk>(this.client.GetPodLogs, req);
  }

  /** watchJobSet opens the WatchJobSet stream (no deadline: it lasts until the JobSet ends). */
  watchJobSet(name: string): grpc.ClientReadableStream<JobSet> {
    return this.client.WatchJobSet({ name });
  }

  /** close releases the channel. */
  close(): void {
    this.client.close();
  }
}
