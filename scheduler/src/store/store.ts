/**
 * The scheduler's state: SQLite for durability, an in-memory index for
 * reads. Single writer: only this process writes, and every mutation is
 * committed to SQLite before the caller tells anyone about it (DESIGN §3).
 */
import type { Logger } from '../../../shared/src/logger.js';
import { withProtoDefaults } from '../../../shared/src/proto/defaults.js';
import type { JobSet, Node, NodeDrain, NodeInventory, PodAssignment } from '../../../shared/src/proto/types.js';
import { isTerminalJobSet } from '../../../shared/src/phases.js';
import { add, ZERO, type Resources } from '../../../shared/src/resources.js';
import { expandGang, type GangPod } from '../model/gang.js';
import { hasStartOrder } from '../core/startup.js';
import type { PodPlacement } from '../core/types.js';
import type { SqliteDb } from './db.js';

/** Placement is an admitted JobSet's binding of pods to nodes, with what each pod is told. */
export interface Placement {
  coordinatorPort: number;
  coordinatorNode: string;
  pods: PodPlacement[];
  assignments: PodAssignment[];
  /** The JobSet's hostfile: one host per rank. */
  hosts: string[];
}

/** LingeringPod is a pod no longer desired whose agent has not reported it gone yet: it still holds capacity. */
export interface LingeringPod {
  requests: Resources;
  gpuIndices: number[];
  /** Its exclusive CPUs (absent in records written before CPU sets existed). */
  cpus?: number[];
  /** Its MIG devices (absent: none). */
  migUuids?: string[];
  /**
   * The desired revision that dropped the pod (0 when a heartbeat reported it).
   * Until the agent reports having applied it, a heartbeat that does not list
   * the pod proves nothing (it may predate the pod's start), so the hold stays.
   */
  untilRevision: number;
}

/** BoundDevices are the devices bound to a node's pods. */
export interface BoundDevices {
  gpus: number[];
  cpus: number[];
  /** MIG device UUIDs. */
  mig: string[];
}

/** podKey names one pod incarnation: `<podId>@<jobsetUid>@<generation>`. */
export function podKey(podId: string, jobsetUid: string, generation: number): string {
  return `${podId}@${jobsetUid}@${generation}`;
}

/** parsePodKey splits a podKey back into its pod id and JobSet uid (the generation is not needed by its readers). */
export function parsePodKey(key: string): { podId: string; jobsetUid: string } {
  const [podId = '', jobsetUid = ''] = key.split('@');
  return { podId, jobsetUid };
}

/** JobSetRecord is one JobSet and what is derived from it. */
export interface JobSetRecord {
  jobset: JobSet;
  gang: GangPod[];
  placement: Placement | null;
}

/** NodeRecord is one registered node; liveness fields live in memory only. */
export interface NodeRecord {
  node: Node;
  /** Revision of the node's desired document (persisted). */
  revision: number;
  /** Last desired revision the agent reported applying. */
  reportedRevision: number;
  /** When the last desired document was pushed (rate-limits resends). */
  lastPushMs: number;
  /**
   * Pods that left the desired document but may still run (stopping within
   * their grace period, or not yet told): their capacity stays held until the
   * agent reports them terminal or gone, so nothing is double-booked. Keyed by podKey.
   */
  lingering: Map<string, LingeringPod>;
}

/** Registration is what Register stores about a node. */
export interface Registration {
  name: string;
  address: string;
  labels: Record<string, string>;
  inventory: NodeInventory;
  agentVersion: string;
  instanceId: string;
  sessionId: string;
}

/** isActive says whether a JobSet holds resources (admitted, not finished). */
export function isActive(js: JobSet): boolean {
  const p = js.status!.phase;
  return p === 'JOB_SET_PHASE_ADMITTED' || p === 'JOB_SET_PHASE_RUNNING';
}

/**
 * supersededBy says which pods of an active JobSet a change stops: undefined
 * (all) when it is no longer active, else the pods given a new generation.
 */
function supersededBy(before: JobSetRecord, after: JobSetRecord): ReadonlySet<string> | undefined {
  if (!isActive(after.jobset)) return undefined;
  const gen = new Map(after.jobset.status!.pods.map((p) => [p.podId, p.generation]));
  return new Set(before.jobset.status!.pods.filter((p) => gen.get(p.podId) !== p.generation).map((p) => p.podId));
}

/** Store is the authoritative state of one scheduler process. */
export class Store {
  private readonly jobsets = new Map<string, JobSetRecord>();
  private readonly nodes = new Map<string, NodeRecord>();
  private readonly nameByUid = new Map<string, string>();
  private readonly stmts;

  constructor(
    private readonly db: SqliteDb,
    private readonly log: Logger,
  ) {
    this.stmts = {
      insertJobSet: db.prepare('INSERT INTO jobsets (name, uid, created_ms, phase, doc, placement) VALUES (@name, @uid, @created, @phase, @doc, @placement)'),
      updateJobSet: db.prepare('UPDATE jobsets SET phase = @phase, doc = @doc WHERE name = @name'),
      updateJobSetPlacement: db.prepare('UPDATE jobsets SET phase = @phase, doc = @doc, placement = @placement WHERE name = @name'),
      deleteJobSet: db.prepare('DELETE FROM jobsets WHERE name = ?'),
      upsertNode: db.prepare(
        'INSERT INTO nodes (name, epoch, revision, doc) VALUES (@name, @epoch, @revision, @doc) ON CONFLICT(name) DO UPDATE SET epoch = @epoch, revision = @revision, doc = @doc',
      ),
      bumpRevision: db.prepare('UPDATE nodes SET revision = ? WHERE name = ?'),
      setLingering: db.prepare('UPDATE nodes SET lingering = ? WHERE name = ?'),
    };
  }

  /** load reads every JobSet and node into memory; nodes start NotReady until they heartbeat. */
  load(now: number): { jobsets: number; nodes: number } {
    for (const row of this.db.prepare('SELECT doc, placement FROM jobsets ORDER BY created_ms').all() as { doc: string; placement: string | null }[]) {
      // Through the proto: a document an older version wrote gets the fields added since (empty lists, defaults).
      const jobset = withProtoDefaults<JobSet>('muster.v1.JobSet', JSON.parse(row.doc) as object);
      this.nameByUid.set(jobset.metadata!.uid, jobset.metadata!.name);
      this.jobsets.set(jobset.metadata!.name, {
        jobset,
        gang: expandGang(jobset.metadata!.name, jobset.spec!),
        placement: row.placement ? (JSON.parse(row.placement) as Placement) : null,
      });
    }
    for (const row of this.db.prepare('SELECT epoch, revision, doc, lingering FROM nodes').all() as { epoch: number; revision: number; doc: string; lingering: string | null }[]) {
      const node = JSON.parse(row.doc) as Node;
      node.drain ??= null; // written before drains existed
      node.epoch = row.epoch;
      node.state = 'NODE_STATE_NOT_READY';
      node.lastHeartbeatMs = now; // a full grace period before judging liveness after a restart
      // Pods that were still stopping stay held until the node's agent reports them gone.
      const lingering = new Map(row.lingering ? (JSON.parse(row.lingering) as [string, LingeringPod][]) : []);
      this.nodes.set(node.name, { node, revision: row.revision, reportedRevision: -1, lastPushMs: 0, lingering });
    }
    this.refreshAllocations();
    this.log.info('store loaded', { jobsets: this.jobsets.size, nodes: this.nodes.size });
    return { jobsets: this.jobsets.size, nodes: this.nodes.size };
  }

  /** getJobSet returns a JobSet record or undefined. */
  getJobSet(name: string): JobSetRecord | undefined {
    return this.jobsets.get(name);
  }

  /** allJobSets lists every JobSet, oldest first. */
  allJobSets(): JobSetRecord[] {
    return [...this.jobsets.values()];
  }

  /** getNode returns a node record or undefined. */
  getNode(name: string): NodeRecord | undefined {
    return this.nodes.get(name);
  }

  /** allNodes lists every node by name. */
  allNodes(): NodeRecord[] {
    return [...this.nodes.values()].sort((a, b) => (a.node.name < b.node.name ? -1 : 1));
  }

  /** insertJobSet persists a new JobSet. */
  insertJobSet(jobset: JobSet): JobSetRecord {
    const name = jobset.metadata!.name;
    this.stmts.insertJobSet.run({ name, uid: jobset.metadata!.uid, created: jobset.metadata!.createdMs, phase: jobset.status!.phase, doc: JSON.stringify(jobset), placement: null });
    const rec: JobSetRecord = { jobset, gang: expandGang(name, jobset.spec!), placement: null };
    this.jobsets.set(name, rec);
    this.nameByUid.set(jobset.metadata!.uid, name);
    return rec;
  }

  /**
   * commit persists changed JobSets and bumps the desired revision of `nodes`
   * in one transaction, then updates memory. Returns the bumped nodes. The
   * placement (large: every pod's assignment) is written only when it changed.
   * Unfinished pods the change stops (a finished JobSet's, superseded
   * generations) hold their capacity on their nodes until their agents report
   * them gone — except those in `ended` (podKeys reported ended in this change).
   */
  commit(changed: JobSetRecord[], nodes: Iterable<string>, ended: ReadonlySet<string> = new Set()): string[] {
    const bumped = [...new Set(nodes)].filter((n) => this.nodes.has(n));
    this.db.transaction(() => {
      for (const rec of changed) {
        const name = rec.jobset.metadata!.name;
        const args = { name, phase: rec.jobset.status!.phase, doc: JSON.stringify(rec.jobset) };
        if (rec.placement !== this.jobsets.get(name)?.placement)
          this.stmts.updateJobSetPlacement.run({ ...args, placement: rec.placement ? JSON.stringify(rec.placement) : null });
        else this.stmts.updateJobSet.run(args);
      }
      for (const n of bumped) this.stmts.bumpRevision.run(this.nodes.get(n)!.revision + 1, n);
    })();
    for (const rec of changed) {
      const before = this.jobsets.get(rec.jobset.metadata!.name);
      if (before && isActive(before.jobset)) this.holdStoppingPods(before, supersededBy(before, rec), ended);
      this.jobsets.set(rec.jobset.metadata!.name, rec);
    }
    for (const n of bumped) this.nodes.get(n)!.revision++;
    this.refreshAllocations();
    return bumped;
  }

  /**
   * holdStoppingPods moves unfinished pods of a JobSet as it was (`rec`) to their nodes' lingering sets:
   * all of them when it finished or was deleted, else those `only` names (replaced by a new generation).
   */
  private holdStoppingPods(rec: JobSetRecord, only?: ReadonlySet<string>, ended: ReadonlySet<string> = new Set()): void {
    if (only?.size === 0) return;
    const held = new Set<string>();
    const uid = rec.jobset.metadata!.uid;
    const placed = new Map((rec.placement?.pods ?? []).map((p) => [p.podId, p]));
    const req = new Map(rec.gang.map((g) => [g.podId, g.request]));
    for (const p of rec.jobset.status!.pods) {
      if (p.phase === 'POD_PHASE_SUCCEEDED' || p.phase === 'POD_PHASE_FAILED') continue;
      if (only && !only.has(p.podId)) continue;
      if (ended.has(podKey(p.podId, uid, p.generation))) continue; // reported ended in the change being committed
      held.add(p.node);
      const node = this.nodes.get(p.node);
      // Called just before the node's revision is bumped for this change: the agent learns of it at revision + 1.
      node?.lingering.set(podKey(p.podId, uid, p.generation), {
        requests: req.get(p.podId) ?? { ...ZERO },
        gpuIndices: placed.get(p.podId)?.gpuIndices ?? [],
        ...(placed.get(p.podId)?.cpus ? { cpus: placed.get(p.podId)!.cpus! } : {}),
        ...(placed.get(p.podId)?.migUuids ? { migUuids: placed.get(p.podId)!.migUuids! } : {}),
        untilRevision: node.revision + 1,
      });
    }
    for (const n of held) this.persistLingering(n);
  }

  /** persistLingering writes a node's stopping pods, so a restarted scheduler still holds their capacity. */
  private persistLingering(name: string): void {
    const rec = this.nodes.get(name);
    if (!rec) return;
    this.stmts.setLingering.run(rec.lingering.size > 0 ? JSON.stringify([...rec.lingering]) : null, name);
  }

  /**
   * setLingering replaces a node's lingering pods with what its agent reports
   * still running but no longer desired (from a heartbeat that had applied
   * `appliedRevision`); holds the agent cannot know about yet are kept.
   * Returns true when capacity was released.
   */
  setLingering(node: string, reported: Map<string, LingeringPod>, appliedRevision = Number.MAX_SAFE_INTEGER): boolean {
    return this.setLingeringKeys(node, reported, appliedRevision).length > 0;
  }

  /** setLingeringKeys is setLingering returning the podKeys released. */
  setLingeringKeys(node: string, reported: Map<string, LingeringPod>, appliedRevision = Number.MAX_SAFE_INTEGER): string[] {
    const rec = this.nodes.get(node);
    if (!rec) return [];
    const pods = new Map(reported);
    for (const [k, held] of rec.lingering) if (!pods.has(k) && held.untilRevision > appliedRevision) pods.set(k, held);
    const released = [...rec.lingering.keys()].filter((k) => !pods.has(k));
    const changed = released.length > 0 || [...pods.keys()].some((k) => !rec.lingering.has(k));
    rec.lingering = pods;
    if (changed) {
      this.persistLingering(node);
      this.refreshAllocations();
    }
    return released;
  }

  /**
   * nodesWaitingOn lists the nodes holding back a pod until one of the
   * released podKeys (an older incarnation of it on another node) was gone:
   * their desired documents change now.
   */
  nodesWaitingOn(released: readonly string[]): string[] {
    const out = new Set<string>();
    for (const key of released) {
      const { podId, jobsetUid } = parsePodKey(key);
      const name = this.nameByUid.get(jobsetUid);
      const rec = name ? this.jobsets.get(name) : undefined;
      const p = rec?.placement?.pods.find((x) => x.podId === podId);
      if (p) out.add(p.node);
    }
    return [...out];
  }

  /**
   * releaseLingering forgets a stopping pod the agent reported ended (a pod
   * event of a superseded incarnation), so its capacity is free before the
   * next heartbeat; true when something was released.
   */
  releaseLingering(node: string, key: string): boolean {
    const rec = this.nodes.get(node);
    if (!rec || !rec.lingering.delete(key)) return false;
    this.persistLingering(node);
    this.refreshAllocations();
    return true;
  }

  /** retriesDueBetween lists the nodes of pods whose retry back-off ended in (after, upTo]. */
  retriesDueBetween(after: number, upTo: number): string[] {
    const nodes = new Set<string>();
    for (const rec of this.jobsets.values()) {
      if (!isActive(rec.jobset)) continue;
      for (const p of rec.jobset.status!.pods) if (p.notBeforeMs > after && p.notBeforeMs <= upTo && p.node) nodes.add(p.node);
    }
    return [...nodes];
  }

  /** bumpRevisions raises the desired revision of nodes whose desired document changed without a JobSet change; returns them. */
  bumpRevisions(nodes: Iterable<string>): string[] {
    return this.commit([], nodes);
  }

  /** desiredKeys lists the podKeys of what should run on `node` now. */
  desiredKeys(node: string, now = Number.POSITIVE_INFINITY): Set<string> {
    return new Set(this.assignmentsFor(node, now).map((a) => podKey(a.podId, a.jobsetUid, a.generation)));
  }

  /** deleteJobSet removes a JobSet and bumps the revision of the nodes its pods were on. */
  deleteJobSet(name: string): string[] {
    const rec = this.jobsets.get(name);
    if (!rec) return [];
    const nodes = rec.placement && !isTerminalJobSet(rec.jobset.status!.phase) ? [...new Set(rec.placement.pods.map((p) => p.node))] : [];
    const bumped = nodes.filter((n) => this.nodes.has(n));
    this.db.transaction(() => {
      this.stmts.deleteJobSet.run(name);
      for (const n of bumped) this.stmts.bumpRevision.run(this.nodes.get(n)!.revision + 1, n);
    })();
    if (isActive(rec.jobset)) this.holdStoppingPods(rec);
    this.jobsets.delete(name);
    this.nameByUid.delete(rec.jobset.metadata!.uid);
    for (const n of bumped) this.nodes.get(n)!.revision++;
    this.refreshAllocations();
    return bumped;
  }

  /** setDrain drains (or with null undrains) a node and persists it; undefined when the node is unknown. */
  setDrain(name: string, drain: NodeDrain | null): NodeRecord | undefined {
    const rec = this.nodes.get(name);
    if (!rec) return undefined;
    rec.node.drain = drain;
    this.stmts.upsertNode.run({ name, epoch: rec.node.epoch, revision: rec.revision, doc: JSON.stringify(rec.node) });
    return rec;
  }

  /** registerNode records a (re-)registration: a new epoch, state Ready. */
  registerNode(reg: Registration, now: number, keepEpoch = false): NodeRecord {
    const prev = this.nodes.get(reg.name);
    const sameEpoch = keepEpoch && prev !== undefined;
    const node: Node = {
      name: reg.name,
      address: reg.address,
      labels: reg.labels,
      inventory: reg.inventory,
      allocated: { cpuMillis: 0, memoryBytes: 0, gpus: 0, rdma: 0 },
      state: 'NODE_STATE_READY',
      epoch: sameEpoch ? prev.node.epoch : (prev?.node.epoch ?? 0) + 1,
      lastHeartbeatMs: now,
      registeredMs: sameEpoch ? prev.node.registeredMs : now,
      // The agent's own findings (e.g. GpuDiscovery=False: no driver) are the node's conditions.
      conditions: reg.inventory.conditions ?? [],
      pods: 0,
      agentVersion: reg.agentVersion,
      instanceId: reg.instanceId,
      sessionId: reg.sessionId,
      lingering: { ...ZERO },
      // An admin's drain outlives the agent's restarts.
      drain: prev?.node.drain ?? null,
    };
    const revision = (prev?.revision ?? 0) + 1;
    this.stmts.upsertNode.run({ name: reg.name, epoch: node.epoch, revision, doc: JSON.stringify(node) });
    // A new epoch: the agent stopped whatever it ran before registering, so nothing lingers.
    // The same epoch (an inventory update from the same agent process): what lingered still does.
    const rec: NodeRecord = { node, revision, reportedRevision: -1, lastPushMs: 0, lingering: sameEpoch ? prev.lingering : new Map() };
    this.nodes.set(reg.name, rec);
    if (!sameEpoch) this.persistLingering(reg.name);
    this.refreshAllocations();
    return rec;
  }

  /**
   * assignmentsFor lists what should run on `node` at `now`: pods of active
   * JobSets placed there whose replicatedJob may start (dependsOn / InOrder),
   * whose retry back-off is over, and no older incarnation of which is still
   * stopping on another node.
   */
  assignmentsFor(node: string, now = Number.POSITIVE_INFINITY): PodAssignment[] {
    const out: PodAssignment[] = [];
    const elsewhere = this.lingeringElsewhere(node);
    for (const rec of this.jobsets.values()) {
      if (!rec.placement || !isActive(rec.jobset)) continue;
      const onNode = new Set(rec.placement.pods.filter((p) => p.node === node).map((p) => p.podId));
      const started = hasStartOrder(rec.jobset.spec!) ? new Set(rec.jobset.status!.startedReplicatedJobs) : undefined;
      const backingOff = new Set(rec.jobset.status!.pods.filter((p) => p.notBeforeMs > now).map((p) => p.podId));
      for (const a of rec.placement.assignments) {
        if (!onNode.has(a.podId) || (started && !started.has(a.replicatedJob)) || backingOff.has(a.podId)) continue;
        // An older incarnation of this pod still stopping on another node: two must never run at once (same
        // node: the agent itself stops the old one before starting the new).
        if (elsewhere.has(`${a.podId}@${a.jobsetUid}`)) continue;
        out.push(a);
      }
    }
    return out;
  }

  /** lingeringElsewhere lists `podId@uid` of pods stopping on nodes other than `node`. */
  private lingeringElsewhere(node: string): Set<string> {
    const out = new Set<string>();
    for (const rec of this.nodes.values()) {
      if (rec.node.name === node) continue;
      for (const key of rec.lingering.keys()) out.add(key.slice(0, key.lastIndexOf('@')));
    }
    return out;
  }

  /** hostsOf returns the hostfile of the admitted JobSet with this uid ([] when unknown). */
  hostsOf(uid: string): string[] {
    const name = this.nameByUid.get(uid);
    return (name !== undefined ? this.jobsets.get(name)?.placement?.hosts : undefined) ?? [];
  }

  /** setNodeInventory replaces a known node's inventory (same epoch and revision) and persists it; false for an unknown node. */
  setNodeInventory(name: string, inventory: NodeInventory): boolean {
    const rec = this.nodes.get(name);
    if (!rec) return false;
    rec.node.inventory = inventory;
    this.stmts.upsertNode.run({ name, epoch: rec.node.epoch, revision: rec.revision, doc: JSON.stringify(rec.node) });
    return true;
  }

  /** raiseRevision moves a node's desired revision past `seen` (an agent saw a newer one: the store was restored or rolled back). */
  raiseRevision(node: string, seen: number): void {
    const rec = this.nodes.get(node);
    if (!rec || seen < rec.revision) return;
    this.stmts.bumpRevision.run(seen + 1, node);
    rec.revision = seen + 1;
  }

  /** refreshAllocations recomputes every node's allocated resources and pod count. */
  refreshAllocations(): void {
    const alloc = new Map<string, { r: Resources; pods: number }>();
    for (const rec of this.jobsets.values()) {
      if (!rec.placement || !isActive(rec.jobset)) continue;
      const req = new Map(rec.gang.map((g) => [g.podId, g.request]));
      for (const p of rec.placement.pods) {
        const cur = alloc.get(p.node) ?? { r: { ...ZERO }, pods: 0 };
        cur.r = add(cur.r, req.get(p.podId) ?? ZERO);
        cur.pods++;
        alloc.set(p.node, cur);
      }
    }
    for (const rec of this.nodes.values()) {
      const a = alloc.get(rec.node.name);
      const lingering = [...rec.lingering.values()].reduce((acc, l) => add(acc, l.requests), { ...ZERO });
      rec.node.lingering = lingering;
      rec.node.allocated = add(a ? a.r : ZERO, lingering);
      rec.node.pods = (a?.pods ?? 0) + rec.lingering.size;
    }
  }

  /** lingeringPodsOf counts pods of the JobSet incarnation `uid` still stopping on any node. */
  lingeringPodsOf(uid: string): number {
    let n = 0;
    for (const rec of this.nodes.values()) for (const key of rec.lingering.keys()) if (parsePodKey(key).jobsetUid === uid) n++;
    return n;
  }

  /** boundDevices lists, per node, the GPU indices, CPUs and MIG devices bound to active and stopping pods (one pass over every JobSet). */
  boundDevices(): Map<string, BoundDevices> {
    const out = new Map<string, BoundDevices>();
    const at = (node: string): BoundDevices => out.get(node) ?? out.set(node, { gpus: [], cpus: [], mig: [] }).get(node)!;
    for (const [name, rec] of this.nodes) {
      for (const l of rec.lingering.values()) {
        at(name).gpus.push(...l.gpuIndices);
        if (l.cpus) at(name).cpus.push(...l.cpus);
        if (l.migUuids) at(name).mig.push(...l.migUuids);
      }
    }
    for (const rec of this.jobsets.values()) {
      if (!rec.placement || !isActive(rec.jobset)) continue;
      for (const p of rec.placement.pods) {
        const d = at(p.node);
        d.gpus.push(...p.gpuIndices);
        if (p.cpus) d.cpus.push(...p.cpus);
        if (p.migUuids) d.mig.push(...p.migUuids);
      }
    }
    return out;
  }

  /** close closes the database. */
  close(): void {
    this.db.close();
  }
}

