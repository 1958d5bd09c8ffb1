/**
 * The only imperative scheduling loop: on request (submit, capacity freed,
 * node ready) or every interval, snapshot → decideCycle (pure) → apply.
 * Requests made while a cycle is queued fold into it.
 */
import { errorFields } from '../../shared/src/logger.js';
import { applyDecision } from './apply/admit.js';
import type { SchedulerContext } from './context.js';
import { decideCycle } from './core/decide-cycle.js';
import { takeSnapshot } from './snapshot.js';

/** SchedulingLoop runs scheduling cycles. */
export class SchedulingLoop {
  private queued: NodeJS.Immediate | undefined;
  private timer: NodeJS.Timeout | undefined;
  private cycle = 0;

  constructor(private readonly ctx: () => SchedulerContext) {}

  /** request asks for a cycle soon. */
  request(_why: string): void {
    if (this.queued) return;
    this.queued = setImmediate(() => {
      this.queued = undefined;
      this.runOnce();
    });
  }

  /** runOnce runs one cycle now; never throws. */
  runOnce(): void {
    const ctx = this.ctx();
    const cycle = ++this.cycle;
    try {
      if (ctx.holdScheduling()) return;
      const snap = takeSnapshot(ctx);
      if (snap.pending.length === 0) return;
      const started = performance.now();
      const decision = decideCycle(snap);
      const decidedMs = performance.now() - started;
      const res = applyDecision(ctx, decision);
      if (res.admitted.length > 0 || res.rejected.length > 0)
        ctx.log.debug('cycle', { cycle, pending: snap.pending.length, admitted: res.admitted.length, rejected: res.rejected, decideMs: +decidedMs.toFixed(2), totalMs: +(performance.now() - started).toFixed(2) });
    } catch (err) {
      ctx.log.error('scheduling cycle failed', { cycle, ...errorFields(err) });
    }
  }

  /** start runs a cycle every `intervalMs` as well. */
  start(intervalMs: number): void {
    this.timer = setInterval(() => this.request('tick'), intervalMs);
    this.timer.unref();
  }

  /** stop cancels pending and periodic cycles. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.queued) clearImmediate(this.queued);
    this.queued = undefined;
  }
}
