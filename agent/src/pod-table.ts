/**
 * The in-memory table of the pods this agent has, running and terminal, each
 * as the PodStatus it reports. Every phase change bumps the pod's `seq` and is
 * announced to listeners (the event publisher). With a PodStore every change
 * is also written under the state dir (pod-store.ts), so that a new agent
 * process can adopt the pods across a restart (`restore`).
 */
import { errorFields, nullLogger, type Logger } from '../../shared/src/logger.js';
import { isTerminalPod } from '../../shared/src/phases.js';
import type { PodAssignment, PodPhase, PodStatus } from '../../shared/src/proto/types.js';
import type { LocalPod } from './reconcile.js';
import { keyFields, podKeyString, type PodExit, type PodKey } from './runtime/driver.js';
import type { PodStore } from './pod-store.js';

/** PodRecord is one pod incarnation in the table. */
export interface PodRecord {
  /** What the scheduler asked for. */
  readonly assignment: PodAssignment;
  /** What the agent reports (mutated only by the table). */
  readonly status: PodStatus;
  /** Why the agent is stopping it; undefined while nobody asked. */
  stopping?: string;
}

/** PodChangeListener receives a copy of a pod's status after each phase change. */
export type PodChangeListener = (status: PodStatus) => void;

const NEXT: Record<PodPhase, readonly PodPhase[]> = {
  POD_PHASE_UNSPECIFIED: ['POD_PHASE_PENDING'],
  POD_PHASE_PENDING: ['POD_PHASE_RUNNING', 'POD_PHASE_SUCCEEDED', 'POD_PHASE_FAILED'],
  POD_PHASE_RUNNING: ['POD_PHASE_SUCCEEDED', 'POD_PHASE_FAILED'],
  POD_PHASE_SUCCEEDED: [],
  POD_PHASE_FAILED: [],
};

/** copyStatus returns a status detached from the table (safe to queue and serialise later). */
export function copyStatus(s: PodStatus): PodStatus {
  return {
    ...s,
    binding: s.binding ? { ...s.binding } : null,
    requests: s.requests ? { ...s.requests } : null,
  };
}

/** PodTable holds the pods of this node, keyed by (podId, jobsetUid, generation). */
export class PodTable {
  private readonly pods = new Map<string, PodRecord>();
  private readonly listeners = new Set<PodChangeListener>();

  constructor(
    private readonly node: string,
    private readonly log: Logger = nullLogger,
    private readonly store?: PodStore,
  ) {}

  /**
   * restore puts back a pod a previous agent process had, with its status as
   * it stands (no phase change, no event: the Register and heartbeats carry
   * it). Throws if that incarnation is already present.
   */
  restore(assignment: PodAssignment, status: PodStatus): PodRecord {
    const key = podKeyString(assignment);
    if (this.pods.has(key)) throw new Error(`pod ${key} is already in the table`);
    const rec: PodRecord = { assignment, status: { ...copyStatus(status), node: this.node } };
    this.pods.set(key, rec);
    this.persist(rec);
    return rec;
  }

  private persist(rec: PodRecord): void {
    if (!this.store) return;
    try {
      this.store.save({ assignment: rec.assignment, status: rec.status });
    } catch (err) {
      // The pod runs anyway; only an agent restart would lose track of it (its processes are stopped then).
      this.log.error('cannot persist a pod of the table', { ...keyFields(rec.status), ...errorFields(err) });
    }
  }

  /** onChange subscribes to phase changes; returns the unsubscribe function. */
  onChange(fn: PodChangeListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** get returns a pod's record. */
  get(key: PodKey): PodRecord | undefined {
    return this.pods.get(podKeyString(key));
  }

  /** records lists every pod. */
  records(): PodRecord[] {
    return [...this.pods.values()];
  }

  /** size is the number of pods in the table. */
  get size(): number {
    return this.pods.size;
  }

  /** statuses returns a copy of every pod's status (heartbeats). */
  statuses(): PodStatus[] {
    return this.records().map((r) => copyStatus(r.status));
  }

  /** localPods is the table as reconcile sees it. */
  localPods(): LocalPod[] {
    return this.records().map((r) => ({ ...keyFields(r.status), phase: r.status.phase, stopping: r.stopping !== undefined }));
  }

  /**
   * add inserts a desired pod as Pending (seq 1); throws if that incarnation is
   * already present. Its status carries what the scheduler placed it with
   * (JobSet uid, requests, binding) in every event and heartbeat.
   */
  add(assignment: PodAssignment): PodRecord {
    const key = podKeyString(assignment);
    if (this.pods.has(key)) throw new Error(`pod ${key} is already in the table`);
    const status: PodStatus = {
      podId: assignment.podId,
      generation: assignment.generation,
      node: this.node,
      phase: 'POD_PHASE_UNSPECIFIED',
      notBeforeMs: 0,
      signal: '',
      reason: '',
      message: '',
      startedMs: 0,
      finishedMs: 0,
      seq: 0,
      pid: 0,
      binding: assignment.binding,
      jobsetUid: assignment.jobsetUid,
      requests: assignment.requests,
    };
    const rec: PodRecord = { assignment, status: copyStatus(status) };
    this.pods.set(key, rec);
    this.transition(rec, 'POD_PHASE_PENDING', {});
    return rec;
  }

  /** markRunning records a started pod; false when the pod is unknown or not Pending. */
  markRunning(key: PodKey, pid: number, startedMs: number): boolean {
    const rec = this.get(key);
    return rec !== undefined && this.transition(rec, 'POD_PHASE_RUNNING', { pid, startedMs, reason: '', message: '' });
  }

  /** markFinished records how a pod ended; false when the pod is unknown or already terminal. */
  markFinished(key: PodKey, exit: PodExit): boolean {
    const rec = this.get(key);
    if (!rec) return false;
    const patch: Partial<PodStatus> = { reason: exit.reason, message: exit.message, signal: exit.signal, finishedMs: exit.finishedMs };
    if (exit.exitCode !== undefined) patch.exitCode = exit.exitCode;
    return this.transition(rec, exit.phase, patch);
  }

  /** markStopping notes that the agent is stopping a pod (no phase change, no event). */
  markStopping(key: PodKey, why: string): void {
    const rec = this.get(key);
    if (rec && rec.stopping === undefined && !isTerminalPod(rec.status.phase)) rec.stopping = why;
  }

  /** discardStored forgets a persisted pod that is not put back in the table. */
  discardStored(key: PodKey): void {
    try {
      this.store?.remove(key);
    } catch (err) {
      this.log.error('cannot remove a dropped pod from the persisted table', { ...keyFields(key), ...errorFields(err) });
    }
  }

  /** remove drops a pod from the table (and from the store). */
  remove(key: PodKey): boolean {
    const removed = this.pods.delete(podKeyString(key));
    if (removed && this.store) {
      try {
        this.store.remove(key);
      } catch (err) {
        this.log.error('cannot remove a forgotten pod from the persisted table', { ...keyFields(key), ...errorFields(err) });
      }
    }
    return removed;
  }

  private transition(rec: PodRecord, phase: PodPhase, patch: Partial<PodStatus>): boolean {
    if (!NEXT[rec.status.phase].includes(phase)) return false;
    Object.assign(rec.status, patch, { phase, seq: rec.status.seq + 1 });
    this.persist(rec);
    const snapshot = copyStatus(rec.status);
    for (const fn of this.listeners) {
      try {
        fn(snapshot);
      } catch (err) {
        this.log.error('pod change listener failed', { ...keyFields(snapshot), ...errorFields(err) });
      }
    }
    return true;
  }
}
