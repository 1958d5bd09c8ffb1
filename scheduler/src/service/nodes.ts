/** Node views and registration behind the APIs. */
import { InvalidArgumentError, MusterError, type FieldIssue } from '../../../shared/src/errors.js';
import { isTerminalPod } from '../../../shared/src/phases.js';
import type { PodStatus } from '../../../shared/src/proto/types.js';
import { NODE_NAME_PATTERN } from '../../../shared/src/ids.js';
import type { RegisterRequest, RegisterResponse } from '../../../shared/src/proto/types.js';
import { desiredSubject } from '../../../shared/src/subjects.js';
import type { SchedulerContext } from '../context.js';
import { pushDesired } from '../controller/notify.js';
import { applyPodReports, failPodsOn } from '../controller/pod-status.js';
import { holdUndesiredPods } from '../controller/heartbeats.js';
import { isActive, podKey, type NodeRecord } from '../store/store.js';

/** MAX_REGISTER_PODS bounds the pod table one Register may carry. */
export const MAX_REGISTER_PODS = 10_000;

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
  if (req.pods.length > MAX_REGISTER_PODS) issues.push({ path: 'pods', message: `at most ${MAX_REGISTER_PODS} pods` });
  else
    req.pods.forEach((p, i) => {
      if (!p.podId) issues.push({ path: `pods[${i}].podId`, message: 'is required' });
      if (!p.jobsetUid) issues.push({ path: `pods[${i}].jobsetUid`, message: 'is required' });
      if (p.node !== '' && p.node !== req.nodeName) issues.push({ path: `pods[${i}].node`, message: `must be the registering node "${req.nodeName}" (is "${p.node}")` });
    });
  if (issues.length > 0) throw new InvalidArgumentError(issues, 'invalid registration');
  const now = ctx.clock.now();
  const prev = ctx.store.getNode(req.nodeName);
  if (prev && heldByAnotherLiveInstance(ctx, prev, req.instanceId, now))
    throw new MusterError(
      'ALREADY_EXISTS',
      `node name "${req.nodeName}" is held by another live agent (instance ${prev.node.instanceId} at ${prev.node.address}); two hosts seem to use the same node name`,
    );
  // The same agent process re-registering in its current epoch only updates its inventory (a GPU turned
  // unhealthy, a NIC went down): the epoch stays and its pods keep running.
  const inventoryUpdate =
    prev !== undefined && req.sessionId !== '' && prev.node.sessionId === req.sessionId && req.epoch === prev.node.epoch && prev.node.state !== 'NODE_STATE_LOST';
  // Otherwise it is a new epoch. Pods of the previous one that the agent reports in its pod table (it adopted
  // them across its restart, or found them ended) keep their incarnation; the rest are gone.
  const previous = prev && !inventoryUpdate ? podsOn(ctx, req.nodeName) : [];
  const reported = new Map(req.pods.map((p) => [podKey(p.podId, p.jobsetUid, p.generation), p]));
  const adopted: PodStatus[] = [];
  const orphaned = new Set<string>();
  for (const p of previous) {
    const key = podKey(p.podId, p.jobsetUid, p.generation);
    const report = reported.get(key);
    if (report) adopted.push({ ...report, node: req.nodeName });
    else orphaned.add(key);
  }
  const rec = ctx.store.registerNode(
    { name: req.nodeName, address: req.address, labels: req.labels, inventory: req.inventory!, agentVersion: req.agentVersion, instanceId: req.instanceId, sessionId: req.sessionId },
    now,
    inventoryUpdate,
  );
  ctx.log.info(inventoryUpdate ? 'node inventory updated' : 'node registered', { node: req.nodeName, epoch: rec.node.epoch, address: req.address, agentVersion: req.agentVersion, instanceId: req.instanceId });
  if (adopted.length > 0) {
    ctx.log.info('the agent adopted pods of the previous epoch', { node: req.nodeName, pods: adopted.length, running: adopted.filter((p) => !isTerminalPod(p.phase)).length });
    applyPodReports(ctx, req.nodeName, adopted);
  }
  if (orphaned.size > 0) {
    ctx.log.warn('pods of the previous epoch fail with NodeRestarted', { node: req.nodeName, pods: orphaned.size });
    const message = `the agent on ${req.nodeName} registered again (epoch ${rec.node.epoch}) without reporting this pod; it no longer runs there`;
    failPodsOn(ctx, req.nodeName, 'NodeRestarted', message, now, (p) => orphaned.has(podKey(p.podId, p.jobsetUid, p.generation)));
  }
  // Pods it still runs that are not wanted there (a node back from Lost: its old pods, which it is about to
  // stop) keep their capacity held until it reports them gone, so no new pod gets their GPUs meanwhile.
  if (!inventoryUpdate) holdUndesiredPods(ctx, req.nodeName, req.pods.map((p) => ({ ...p, node: req.nodeName })));
  pushDesired(ctx, [req.nodeName]);
  ctx.requestCycle('node registered');
  return { epoch: rec.node.epoch, heartbeatIntervalMs: ctx.settings.heartbeatIntervalMs, natsDesiredSubject: desiredSubject(req.nodeName), nodeLostTimeoutMs: ctx.settings.nodeLostTimeoutMs };
}

/** heldByAnotherLiveInstance says whether a different agent instance still heartbeats under this node name. */
function heldByAnotherLiveInstance(ctx: SchedulerContext, prev: NodeRecord, instanceId: string, now: number): boolean {
  const other = prev.node.instanceId;
  if (!other || !instanceId || other === instanceId) return false;
  // Not only Ready nodes: right after a scheduler restart every node is NotReady until its next heartbeat,
  // but one heard from (or loaded) within the grace period is still presumed alive.
  return prev.node.state !== 'NODE_STATE_LOST' && now - prev.node.lastHeartbeatMs <= ctx.settings.nodeGracePeriodMs;
}

/** podsOn lists the unfinished pods of active JobSets placed on `node`. */
function podsOn(ctx: SchedulerContext, node: string): PodStatus[] {
  return ctx.store
    .allJobSets()
    .filter((r) => isActive(r.jobset))
    .flatMap((r) => r.jobset.status!.pods.filter((p) => p.node === node && !isTerminalPod(p.phase)));
}
