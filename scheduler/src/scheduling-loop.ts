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

/** TOO_LARGE_RETRY_MS is how long a JobSet refused for its document size sits out before it is tried again. */
const TOO_LARGE_RETRY_MS = 30_000;

/** SchedulingLoop runs scheduling cycles. */
export class SchedulingLoop {
  private queued: NodeJS.Immediate | undefined;
  private timer: NodeJS.Timeout | undefined;
  private cycle = 0;
  /** JobSets refused as TooLargeForTransport → when to consider them again. */
  private readonly tooLarge = new Map<string, number>();

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
      // JobSets refused recently stay out of the decision for a while, so the queue behind them is not
      // judged against capacity they will not get (and their reasons do not flip every cycle).
      const now = ctx.clock.now();
      for (const [name, until] of this.tooLarge) if (until <= now) this.tooLarge.delete(name);
      const refused = new Set<string>(this.tooLarge.keys());
      for (let round = 0; round < MAX_DECIDE_ROUNDS; round++) {
        const snap = takeSnapshot(ctx);
        snap.pending = snap.pending.filter((p) => !refused.has(p.name));
        if (snap.pending.length === 0) return;
        const started = performance.now();
        const decision = decideCycle(snap);
        const decidedMs = performance.now() - started;
        const res = applyDecision(ctx, decision);
        ctx.metrics.cycleDuration.observe((performance.now() - started) / 1000);
        ctx.metrics.admissionAttempts.inc({ result: 'admitted' }, res.admitted.length);
        ctx.metrics.admissionAttempts.inc({ result: 'inadmissible' }, decision.pending.length + res.rejected.length);
        if (res.admitted.length > 0 || res.rejected.length > 0 || res.preempted.length > 0)
          ctx.log.debug('cycle', { cycle, round, pending: snap.pending.length, admitted: res.admitted.length, preempted: res.preempted.length, rejected: res.rejected, decideMs: +decidedMs.toFixed(2), totalMs: +(performance.now() - started).toFixed(2) });
        const tooLarge = res.rejected.filter((r) => r.tooLarge);
        if (tooLarge.length === 0) break;
        for (const r of tooLarge) {
          refused.add(r.jobset);
          this.tooLarge.set(r.jobset, now + TOO_LARGE_RETRY_MS);
        }
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
