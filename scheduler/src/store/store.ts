/**
 * The scheduler's state: SQLite for durability, an in-memory index for
 * reads. Single writer: only this process writes, and every mutation is
 * committed to SQLite before the caller tells anyone about it (DESIGN §3).
 */
import type { Logger } from '../../../shared/src/logger.js';
import type { JobSet, Node, NodeInventory, PodAssignment } from '../../../shared/src/proto/types.js';
import { isTerminalJobSet } from '../../../shared/src/phases.js';
import { add, toResources, ZERO, type Resources } from '../../../shared/src/resources.js';
import { expandGang, type GangPod } from '../model/gang.js';
import type { PodPlacement } from '../core/types.js';
import type { SqliteDb } from './db.js';

/** Placement is an admitted JobSet's binding of pods to nodes, with what each pod is told. */
export interface Placement {
  coordinatorPort: number;
  pods: PodPlacement[];
  assignments: PodAssignment[];
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
}

/** Registration is what Register stores about a node. */
export interface Registration {
  name: string;
  address: string;
  labels: Record<string, string>;
  inventory: NodeInventory;
  agentVersion: string;
}

/** isActive says whether a JobSet holds resources (admitted, not finished). */
export function isActive(js: JobSet): boolean {
  const p = js.status!.phase;
  return p === 'JOB_SET_PHASE_ADMITTED' || p === 'JOB_SET_PHASE_RUNNING';
}

/** Store is the authoritative state of one scheduler process. */
export class Store {
  private readonly jobsets = new Map<string, JobSetRecord>();
  private readonly nodes = new Map<string, NodeRecord>();
  private readonly stmts;

  constructor(
    private readonly db: SqliteDb,
    private readonly log: Logger,
  ) {
    this.stmts = {
      insertJobSet: db.prepare('INSERT INTO jobsets (name, uid, created_ms, phase, doc, placement) VALUES (@name, @uid, @created, @phase, @doc, @placement)'),
      updateJobSet: db.prepare('UPDATE jobsets SET phase = @phase, doc = @doc, placement = @placement WHERE name = @name'),
      deleteJobSet: db.prepare('DELETE FROM jobsets WHERE name = ?'),
      upsertNode: db.prepare(
        'INSERT INTO nodes (name, epoch, revision, doc) VALUES (@name, @epoch, @revision, @doc) ON CONFLICT(name) DO UPDATE SET epoch = @epoch, revision = @revision, doc = @doc',
      ),
      bumpRevision: db.prepare('UPDATE nodes SET revision = ? WHERE name = ?'),
    };
  }

  /** load reads every JobSet and node into memory; nodes start NotReady until they heartbeat. */
  load(now: number): { jobsets: number; nodes: number } {
    for (const row of this.db.prepare('SELECT doc, placement FROM jobsets ORDER BY created_ms').all() as { doc: string; placement: string | null }[]) {
      const jobset = JSON.parse(row.doc) as JobSet;
      this.jobsets.set(jobset.metadata!.name, {
        jobset,
        gang: expandGang(jobset.metadata!.name, jobset.spec!),
        placement: row.placement ? (JSON.parse(row.placement) as Placement) : null,
      });
    }
    for (const row of this.db.prepare('SELECT epoch, revision, doc FROM nodes').all() as { epoch: number; revision: number; doc: string }[]) {
      const node = JSON.parse(row.doc) as Node;
      node.epoch = row.epoch;
      node.state = 'NODE_STATE_NOT_READY';
      node.lastHeartbeatMs = now; // a full grace period before judging liveness after a restart
      this.nodes.set(node.name, { node, revision: row.revision, reportedRevision: -1, lastPushMs: 0 });
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
    return rec;
  }

  /**
   * commit persists changed JobSets and bumps the desired revision of `nodes`
   * in one transaction, then updates memory. Returns the bumped nodes.
   */
  commit(changed: JobSetRecord[], nodes: Iterable<string>): string[] {
    const bumped = [...new Set(nodes)].filter((n) => this.nodes.has(n));
    this.db.transaction(() => {
      for (const rec of changed)
        this.stmts.updateJobSet.run({
          name: rec.jobset.metadata!.name,
          phase: rec.jobset.status!.phase,
          doc: JSON.stringify(rec.jobset),
          placement: rec.placement ? JSON.stringify(rec.placement) : null,
        });
      for (const n of bumped) this.stmts.bumpRevision.run(this.nodes.get(n)!.revision + 1, n);
    })();
    for (const rec of changed) this.jobsets.set(rec.jobset.metadata!.name, rec);
    for (const n of bumped) this.nodes.get(n)!.revision++;
    this.refreshAllocations();
    return bumped;
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
    this.jobsets.delete(name);
    for (const n of bumped) this.nodes.get(n)!.revision++;
    this.refreshAllocations();
    return bumped;
  }

  /** registerNode records a (re-)registration: a new epoch, state Ready. */
  registerNode(reg: Registration, now: number): NodeRecord {
    const prev = this.nodes.get(reg.name);
    const node: Node = {
      name: reg.name,
      address: reg.address,
      labels: reg.labels,
      inventory: reg.inventory,
      allocated: { cpuMillis: 0, memoryBytes: 0, gpus: 0, rdma: 0 },
      state: 'NODE_STATE_READY',
      epoch: (prev?.node.epoch ?? 0) + 1,
      lastHeartbeatMs: now,
      registeredMs: now,
      conditions: [],
      pods: 0,
      agentVersion: reg.agentVersion,
    };
    const revision = (prev?.revision ?? 0) + 1;
    this.stmts.upsertNode.run({ name: reg.name, epoch: node.epoch, revision, doc: JSON.stringify(node) });
    const rec: NodeRecord = { node, revision, reportedRevision: -1, lastPushMs: 0 };
    this.nodes.set(reg.name, rec);
    this.refreshAllocations();
    return rec;
  }

  /** assignmentsFor lists what should run on `node` now: pods of active JobSets placed there. */
  assignmentsFor(node: string): PodAssignment[] {
    const out: PodAssignment[] = [];
    for (const rec of this.jobsets.values()) {
      if (!rec.placement || !isActive(rec.jobset)) continue;
      const onNode = new Set(rec.placement.pods.filter((p) => p.node === node).map((p) => p.podId));
      for (const a of rec.placement.assignments) if (onNode.has(a.podId)) out.push(a);
    }
    return out;
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
      rec.node.allocated = a ? { ...a.r } : { ...ZERO };
      rec.node.pods = a?.pods ?? 0;
    }
  }

  /** usedGpuIndices lists the GPU indices bound to active pods on `node`. */
  usedGpuIndices(node: string): number[] {
    const used: number[] = [];
    for (const rec of this.jobsets.values()) {
      if (!rec.placement || !isActive(rec.jobset)) continue;
      for (const p of rec.placement.pods) if (p.node === node) used.push(...p.gpuIndices);
    }
    return used;
  }

  /** totalRequest is the sum of a gang's requests. */
  static totalRequest(gang: GangPod[]): Resources {
    return gang.reduce((acc, g) => add(acc, g.request), toResources(null));
  }

  /** close closes the database. */
  close(): void {
    this.db.close();
  }
}

