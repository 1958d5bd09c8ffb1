/** gRPC handlers of muster.v1.SchedulerService (the user API). */
import { InvalidArgumentError, MusterError, NotFoundError } from '../../../shared/src/errors.js';
import { errorFields } from '../../../shared/src/logger.js';
import { getPodLogs } from '../service/pod-logs.js';
import { isTerminalJobSet } from '../../../shared/src/phases.js';
import type { SchedulerServiceHandlers } from '../../../shared/src/proto/types.js';
import type { SchedulerContext } from '../context.js';
import { deleteJobSet, getJobSet, listJobSets, submitJobSet } from '../service/jobsets.js';
import { resumeJobSet, suspendJobSet } from '../service/suspend.js';
import { applyObjects, listQueueing } from '../service/objects.js';
import { listPendingJobSets } from '../service/queue-positions.js';
import { drainNode, nodeView, undrainNode } from '../service/drain.js';
import { toServiceError, unary } from './handlers.js';

function requireName(name: string | undefined): string {
  if (!name) throw new InvalidArgumentError([{ path: 'name', message: 'is required' }]);
  return name;
}

/** schedulerServiceHandlers binds the user API to a scheduler context. */
export function schedulerServiceHandlers(ctx: SchedulerContext): SchedulerServiceHandlers {
  const log = ctx.log.child({ component: 'grpc' });
  return {
    SubmitJobSet: unary(log, 'SubmitJobSet', (req) => submitJobSet(ctx, { metadata: req.metadata, spec: req.spec })),
    GetJobSet: unary(log, 'GetJobSet', (req) => getJobSet(ctx, requireName(req.name))),
    ListJobSets: unary(log, 'ListJobSets', (req) =>
      req.pendingOnly ? listPendingJobSets(ctx, req.phase, req.limit, req.withPods) : { jobsets: listJobSets(ctx, req.phase, req.limit, req.withPods) },
    ),
    DeleteJobSet: unary(log, 'DeleteJobSet', (req) => deleteJobSet(ctx, requireName(req.name))),
    SuspendJobSet: unary(log, 'SuspendJobSet', (req) => suspendJobSet(ctx, requireName(req.name))),
    ResumeJobSet: unary(log, 'ResumeJobSet', (req) => resumeJobSet(ctx, requireName(req.name))),
    ApplyObjects: unary(log, 'ApplyObjects', (req) => applyObjects(ctx, req)),
    ListQueueing: unary(log, 'ListQueueing', () => listQueueing(ctx)),
    ListNodes: unary(log, 'ListNodes', () => ({ nodes: ctx.store.allNodes().map(nodeView) })),
    DrainNode: unary(log, 'DrainNode', (req) => drainNode(ctx, req)),
    UndrainNode: unary(log, 'UndrainNode', (req) => undrainNode(ctx, req)),
    GetPodLogs: (call, callback) => {
      getPodLogs(ctx, call.request).then(
        (chunk) => callback(null, chunk),
        (err: unknown) => {
          if (!(err instanceof MusterError)) log.error('handler failed', { method: 'GetPodLogs', ...errorFields(err) });
          callback(toServiceError(err), null);
        },
      );
    },
    WatchJobSet: (call) => {
      let unsubscribe = (): void => undefined;
      const finish = (): void => {
        unsubscribe();
        call.end();
      };
      try {
        const name = requireName(call.request.name);
        const first = getJobSet(ctx, name);
        call.write(first);
        if (isTerminalJobSet(first.status!.phase)) return finish();
        unsubscribe = ctx.hub.subscribe(name, (js) => {
          if (!js) {
            unsubscribe();
            call.emit('error', toServiceError(new NotFoundError('jobset', name)));
            return;
          }
          call.write(js);
          if (isTerminalJobSet(js.status!.phase)) finish();
        });
        call.on('cancelled', unsubscribe);
        call.on('close', unsubscribe);
      } catch (err) {
        call.emit('error', toServiceError(err));
      }
    },
  };
}
