/**
 * Draining nodes (Slurm's DRAIN, Kubernetes' cordon/drain): `muster drain
 * NODE --reason TEXT` keeps new pods off the node while the ones running
 * there finish; `--evict` stops them at once — they fail with reason
 * NodeDrained, a disruption like NodeLost (a podFailurePolicy rule on
 * DisruptionTarget can ignore it; without one it is a counted failure, and
 * the Job replaces the pod on another node within backoffLimit); `muster
 * undrain NODE` opens the node again. The drain is persisted with the node and outlives agent and
 * scheduler restarts. ListNodes shows a drained Ready node as DRAINING while
 * pods remain on it and DRAINED once none do.
 */
import { InvalidArgumentError, NotFoundError, type FieldIssue } from '../../../shared/src/errors.js';
import type { DrainNodeRequest, Node, UndrainNodeRequest } from '../../../shared/src/proto/types.js';
import type { SchedulerContext } from '../context.js';
import { failPodsOn } from '../controller/pod-status.js';
import type { NodeRecord } from '../store/store.js';

/** MAX_DRAIN_REASON is the longest drain reason accepted (bytes). */
export const MAX_DRAIN_REASON = 256;

/** DRAINED_REASON is the reason of pods a drain with evict stopped. */
export const DRAINED_REASON = 'NodeDrained';

function nodeOrThrow(ctx: SchedulerContext, name: string): NodeRecord {
  if (!name) throw new InvalidArgumentError([{ path: 'name', message: 'is required' }]);
  const rec = ctx.store.getNode(name);
  if (!rec) throw new NotFoundError('node', name);
  return rec;
}

/** drainNode drains a node (see the file comment) and returns its view. */
export function drainNode(ctx: SchedulerContext, req: DrainNodeRequest): Node {
  const issues: FieldIssue[] = [];
  const reason = req.reason.trim();
  if (reason === '') issues.push({ path: 'reason', message: 'is required: say why (it is shown in muster nodes)' });
  else if (Buffer.byteLength(reason, 'utf8') > MAX_DRAIN_REASON) issues.push({ path: 'reason', message: `at most ${MAX_DRAIN_REASON} bytes` });
  else if (/[\u0000-\u001f\u007f]/.test(reason)) issues.push({ path: 'reason', message: 'must be one line of printable text' });
  if (!req.name) issues.push({ path: 'name', message: 'is required' });
  if (issues.length > 0) throw new InvalidArgumentError(issues, 'invalid drain');
  const prev = nodeOrThrow(ctx, req.name);
  const now = ctx.clock.now();
  // Draining again replaces the reason; an evicting drain stays one.
  const rec = ctx.store.setDrain(req.name, { reason, sinceMs: prev.node.drain?.sinceMs ?? now, evict: req.evict || (prev.node.drain?.evict ?? false) })!;
  ctx.log.warn('node drained', { node: req.name, reason, evict: req.evict });
  if (req.evict) {
    // Their agent stops them once they leave its desired document.
    const n = failPodsOn(ctx, req.name, DRAINED_REASON, `node ${req.name} was drained with evict: ${reason}`, now);
    if (n > 0) ctx.log.warn('evicted the pods of a drained node', { node: req.name, pods: n });
  }
  ctx.requestCycle('node drained');
  return nodeView(rec);
}

/** undrainNode opens a drained node to new pods again and returns its view (a node that is not drained is left as it is). */
export function undrainNode(ctx: SchedulerContext, req: UndrainNodeRequest): Node {
  const prev = nodeOrThrow(ctx, req.name);
  if (!prev.node.drain) return nodeView(prev);
  const rec = ctx.store.setDrain(req.name, null)!;
  ctx.log.info('node undrained', { node: req.name });
  ctx.requestCycle('node undrained');
  return nodeView(rec);
}

/**
 * nodeView is a node as ListNodes shows it: a drained node that is Ready is
 * DRAINING while pods remain on it (placed, or still stopping) and DRAINED
 * once none do. Liveness (NotReady, Lost) wins over the drain.
 */
export function nodeView(rec: NodeRecord): Node {
  const n = rec.node;
  if (!n.drain || n.state !== 'NODE_STATE_READY') return n;
  const busy = n.pods > 0 || rec.lingering.size > 0;
  return { ...n, state: busy ? 'NODE_STATE_DRAINING' : 'NODE_STATE_DRAINED' };
}
