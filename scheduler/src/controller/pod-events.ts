/**
 * Pod lifecycle events from JetStream, applied in batches: every event that
 * arrived while the previous batch was being applied goes into one SQLite
 * transaction (a 600-pod gang starting is a handful of commits, not 1 800),
 * and each event is acknowledged only after its batch is committed
 * (at-least-once). Events of another node epoch are dropped (fencing).
 */
import { errorFields } from '../../../shared/src/logger.js';
import type { PodEvent } from '../../../shared/src/proto/types.js';
import type { SchedulerContext } from '../context.js';
import { applyReports, type PodReport } from './pod-status.js';

/** Settle is called once per event: true = committed (ack), false = retry later (nak). */
export type Settle = (ok: boolean) => void;

/** PodEventBatcher collects decoded pod events and applies them together on the next turn of the event loop. */
export class PodEventBatcher {
  private queue: { ev: PodEvent; settle: Settle }[] = [];
  private scheduled = false;

  constructor(private readonly ctx: SchedulerContext) {}

  /** add queues one event; `settle` reports whether it was committed. */
  add(ev: PodEvent, settle: Settle): void {
    this.queue.push({ ev, settle });
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** flush applies everything queued now. */
  flush(): void {
    const batch = this.queue;
    this.queue = [];
    this.scheduled = false;
    if (batch.length === 0) return;
    const reports: PodReport[] = [];
    for (const { ev } of batch) {
      const rec = this.ctx.store.getNode(ev.node);
      if (!rec || ev.epoch !== rec.node.epoch || !ev.pod) {
        this.ctx.log.debug('pod event of an old epoch dropped', { node: ev.node, epoch: ev.epoch, current: rec?.node.epoch, podId: ev.pod?.podId });
        continue;
      }
      reports.push({ node: ev.node, pod: ev.pod });
    }
    let ok = true;
    try {
      applyReports(this.ctx, reports);
    } catch (err) {
      ok = false;
      this.ctx.log.error('pod events not applied; they will be redelivered', { events: batch.length, ...errorFields(err) });
    }
    for (const { settle } of batch) {
      try {
        settle(ok);
      } catch (err) {
        // Acknowledging can fail while the connection closes; the event is then redelivered, which is harmless.
        this.ctx.log.warn('pod event not acknowledged', errorFields(err));
      }
    }
  }
}
