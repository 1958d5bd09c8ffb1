/**
 * Heartbeats: liveness, lagging desired documents, capacity still held by
 * stopping pods, GPU health, and the pod set each agent reports. A heartbeat from an
 * unknown node, another epoch or a Lost node is answered with a desired
 * document of epoch 0, which tells the agent to register again (DESIGN §3:
 * node epochs).
 */
import { parseCpuList } from '../../../shared/src/cpulist.js';
import { isTerminalPod } from '../../../shared/src/phases.js';
import type { Heartbeat, PodStatus } from '../../../shared/src/proto/types.js';
import { toResources } from '../../../shared/src/resources.js';
import type { SchedulerContext } from '../context.js';
import { podKey, type LingeringPod } from '../store/store.js';
import { applyGpuHealth } from './gpu-health.js';
import { pushDesired } from './notify.js';
import { applyPodReports } from './pod-status.js';

/** MAX_TRACKED_REREGISTER bounds the memory spent remembering whom we asked to register again. */
const MAX_TRACKED_REREGISTER = 10_000;

/**
 * handleHeartbeat applies one decoded heartbeat; true when it came from the
 * node's current epoch (what an acknowledgement tells an agent that fences
 * itself), false when the node must register again.
 */
export function handleHeartbeat(ctx: SchedulerContext, hb: Heartbeat): boolean {
  const now = ctx.clock.now();
  const rec = ctx.store.getNode(hb.node);
  const resendAfter = Math.max(1000, ctx.settings.heartbeatIntervalMs);
  if (!rec || hb.epoch !== rec.node.epoch || rec.node.state === 'NODE_STATE_LOST') {
    askToRegisterAgain(ctx, hb, now, resendAfter * 5);
    return false;
  }
  rec.node.lastHeartbeatMs = now;
  rec.reportedRevision = hb.desiredRevision;
  if (rec.node.state === 'NODE_STATE_NOT_READY') {
    rec.node.state = 'NODE_STATE_READY';
    ctx.log.info('node ready', { node: hb.node });
    ctx.requestCycle('node ready');
  }
  applyPodReports(ctx, hb.node, hb.pods);
  applyGpuHealth(ctx, hb.node, hb.gpuHealth);
  updateLingering(ctx, hb);
  if (hb.desiredRevision > rec.revision) {
    // The agent applied a revision this store never reached (restored or rolled-back database): move past it.
    ctx.log.warn('agent has a newer desired revision than the store; raising it', { node: hb.node, agent: hb.desiredRevision, store: rec.revision });
    ctx.store.raiseRevision(hb.node, hb.desiredRevision);
    pushDesired(ctx, [hb.node]);
  } else if (hb.desiredRevision < rec.revision && now - rec.lastPushMs >= resendAfter) {
    ctx.log.debug('agent lags its desired document; resending', { node: hb.node, has: hb.desiredRevision, current: rec.revision });
    pushDesired(ctx, [hb.node]);
  }
  return true;
}

function askToRegisterAgain(ctx: SchedulerContext, hb: Heartbeat, now: number, every: number): void {
  if (now - (ctx.reRegisterAsked.get(hb.node) ?? 0) < every) return;
  if (ctx.reRegisterAsked.size >= MAX_TRACKED_REREGISTER) ctx.reRegisterAsked.clear();
  ctx.reRegisterAsked.set(hb.node, now);
  const rec = ctx.store.getNode(hb.node);
  const why = !rec ? 'unknown node' : rec.node.state === 'NODE_STATE_LOST' ? 'node was declared Lost' : `epoch ${hb.epoch} is not current (${rec.node.epoch})`;
  ctx.log.warn('heartbeat from a node that must register again', { node: hb.node, epoch: hb.epoch, why });
  ctx.out.publishDesired({ node: hb.node, epoch: 0, revision: 0, pods: [], hostfiles: [] });
}

/** cpusOf is a lingering pod's CPUs: from the agent's report when it parses, else what the scheduler held. */
function cpusOf(reported: string | undefined, held: number[] | undefined): { cpus?: number[] } {
  const cpus = reported ? parseCpuList(reported) : undefined;
  if (cpus && cpus.length > 0) return { cpus };
  return held ? { cpus: held } : {};
}

/** updateLingering holds the capacity of pods the agent still runs although they are no longer desired. */
function updateLingering(ctx: SchedulerContext, hb: Heartbeat): void {
  holdUndesiredPods(ctx, hb.node, hb.pods, hb.desiredRevision);
}

/**
 * holdUndesiredPods makes the pods a node reports running but that are not
 * desired there the node's lingering pods: their CPU, memory and GPUs stay
 * held until the agent reports them gone (a heartbeat, or the pod table of a
 * Register — a node back from Lost still runs its old pods until it has
 * stopped them, and no new pod may get their GPUs meanwhile).
 */
export function holdUndesiredPods(ctx: SchedulerContext, node: string, pods: readonly PodStatus[], appliedRevision?: number): void {
  // Building the desired set walks the node's assignments: only do it when a pod still runs.
  const running = pods.filter((p) => !isTerminalPod(p.phase));
  const desired = running.length > 0 ? ctx.store.desiredKeys(node, ctx.clock.now()) : new Set<string>();
  const known = ctx.store.getNode(node)?.lingering;
  const lingering = new Map<string, LingeringPod>();
  for (const p of running) {
    const key = podKey(p.podId, p.jobsetUid, p.generation);
    if (desired.has(key)) continue;
    // What the scheduler already holds for the pod wins over a report that lacks it.
    const held = known?.get(key);
    lingering.set(key, {
      requests: p.requests ? toResources(p.requests) : (held?.requests ?? toResources(null)),
      gpuIndices: p.binding && p.binding.gpuIndices.length > 0 ? p.binding.gpuIndices : (held?.gpuIndices ?? []),
      ...cpusOf(p.binding?.cpuset, held?.cpus),
      ...(held?.migUuids ? { migUuids: held.migUuids } : {}),
      untilRevision: 0,
    });
  }
  const released = ctx.store.setLingeringKeys(node, lingering, appliedRevision);
  if (released.length === 0) return;
  // Pods held back until an older incarnation elsewhere was gone may start now.
  pushDesired(ctx, ctx.store.bumpRevisions(ctx.store.nodesWaitingOn(released)));
  ctx.requestCycle('stopping pods gone');
}
