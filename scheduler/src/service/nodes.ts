/** Node views and registration behind the APIs. */
import { InvalidArgumentError, type FieldIssue } from '../../../shared/src/errors.js';
import { NODE_NAME_PATTERN } from '../../../shared/src/ids.js';
import type { Node, RegisterRequest, RegisterResponse } from '../../../shared/src/proto/types.js';
import { desiredSubject } from '../../../shared/src/subjects.js';
import type { SchedulerContext } from '../context.js';
import { pushDesired } from '../controller/notify.js';
import type { NodeRecord } from '../store/store.js';

/** toNodeView returns the Node as the API shows it. */
export function toNodeView(rec: NodeRecord): Node {
  return rec.node;
}

/** registerNode validates a Register request, starts a new epoch and pushes the node's desired document. */
export function registerNode(ctx: SchedulerContext, req: RegisterRequest): RegisterResponse {
  const issues: FieldIssue[] = [];
  if (!NODE_NAME_PATTERN.test(req.nodeName)) issues.push({ path: 'nodeName', message: 'must be letters, digits, "_" or "-" (at most 63), no dots' });
  if (!req.address) issues.push({ path: 'address', message: 'is required' });
  if (!req.inventory) issues.push({ path: 'inventory', message: 'is required' });
  else {
    const a = req.inventory.allocatable;
    if (!a) issues.push({ path: 'inventory.allocatable', message: 'is required' });
    else
      for (const [k, v] of Object.entries(a))
        if (typeof v === 'number' && v < 0) issues.push({ path: `inventory.allocatable.${k}`, message: 'must be ≥ 0' });
  }
  if (issues.length > 0) throw new InvalidArgumentError(issues, 'invalid registration');
  const rec = ctx.store.registerNode(
    { name: req.nodeName, address: req.address, labels: req.labels, inventory: req.inventory!, agentVersion: req.agentVersion },
    ctx.clock.now(),
  );
  ctx.log.info('node registered', { node: req.nodeName, epoch: rec.node.epoch, address: req.address, agentVersion: req.agentVersion });
  pushDesired(ctx, [req.nodeName]);
  ctx.requestCycle('node registered');
  return { epoch: rec.node.epoch, heartbeatIntervalMs: ctx.settings.heartbeatIntervalMs, natsDesiredSubject: desiredSubject(req.nodeName) };
}
