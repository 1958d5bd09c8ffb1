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

/** MAX_DECIDE_ROUNDS bounds how often one cycle decides again after refusals. */
const MAX_DECIDE_ROUNDS = 4;

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
      // A JobSet the apply step refuses (its pods would not fit in one desired document) must not keep, for the
      // rest of the queue, the capacity the pure decision gave it: decide again without it (a few rounds at most).
      const refused = new Set<string>();
      for (let round = 0; round < MAX_DECIDE_ROUNDS; round++) {
        const snap = takeSnapshot(ctx);
        snap.pending = snap.pending.filter((p) => !refused.has(p.name));
        if (snap.pending.length === 0) return;
        const started = performance.now();
        const decision = decideCycle(snap);
        const decidedMs = performance.now() - started;
        const res = applyDecision(ctx, decision);
        if (res.admitted.length > 0 || res.rejected.length > 0)
          ctx.log.debug('cycle', { cycle, round, pending: snap.pending.length, admitted: res.admitted.length, rejected: res.rejected, decideMs: +decidedMs.toFixed(2), totalMs: +(performance.now() - started).toFixed(2) });
        const tooLarge = res.rejected.filter((r) => r.tooLarge);
        if (tooLarge.length === 0) break;
        for (const r of tooLarge) refused.add(r.jobset);
      }
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
