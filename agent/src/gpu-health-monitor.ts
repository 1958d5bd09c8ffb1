/**
 * GpuHealthMonitor probes GPU health every intervalMs (one `nvidia-smi -q -x`,
 * much cheaper than a full re-discovery) and keeps the reports every heartbeat
 * carries, so a GPU that turns unhealthy is taken out of placement by the
 * scheduler one heartbeat after the probe saw it. Before the first probe the
 * reports are the health the node registered with. One probe at a time; a
 * probe that throws is logged and the previous reports kept.
 */
import { errorFields, type Logger } from '../../shared/src/logger.js';
import type { GpuHealthReport, NodeInventory } from '../../shared/src/proto/types.js';
import { healthReports, registeredHealth, type GpuProbeResult } from './discovery/gpu-health.js';
import { unrefTimers, type RediscoveryTimers } from './rediscovery.js';

/** GpuHealthMonitorOptions are the monitor's settings and collaborators. */
export interface GpuHealthMonitorOptions {
  /** Runs one probe (probeGpuHealth over the agent's nvidia-smi). */
  probe: () => Promise<GpuProbeResult>;
  /** The GPUs the node is registered with now (changes when re-discovery registers a new inventory). */
  gpus: () => NodeInventory['gpus'];
  /** Time between the end of one probe and the start of the next (> 0). */
  intervalMs: number;
  logger: Logger;
  timers?: RediscoveryTimers;
}

/** GpuHealthMonitor runs the probe loop and holds the latest reports. */
export class GpuHealthMonitor {
  private last: GpuHealthReport[] | undefined;
  private timer: unknown;
  private running: Promise<void> | undefined;
  private stopped = true;
  private readonly log: Logger;
  private readonly timers: RediscoveryTimers;

  constructor(private readonly opts: GpuHealthMonitorOptions) {
    if (!(opts.intervalMs > 0)) throw new Error('GPU health interval must be positive');
    this.log = opts.logger.child({ component: 'gpu-health' });
    this.timers = opts.timers ?? unrefTimers;
  }

  /** reports is what the next heartbeat carries: the last probe's view, else the registered health. */
  reports(): GpuHealthReport[] {
    return this.last ?? registeredHealth(this.opts.gpus());
  }

  /** inFlight is the probe in progress, if any (tests wait on it). */
  get inFlight(): Promise<void> | undefined {
    return this.running;
  }

  /** start probes at once, then every intervalMs after the previous probe ended. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** stop cancels the next probe; one in progress finishes and is ignored. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.running = this.round().finally(() => {
        this.running = undefined;
        this.schedule(this.opts.intervalMs);
      });
    }, ms);
  }

  private async round(): Promise<void> {
    let result: GpuProbeResult;
    try {
      result = await this.opts.probe();
    } catch (err) {
      this.log.error('GPU health probe failed; keeping the last reports', errorFields(err));
      return;
    }
    if (this.stopped) return;
    const next = healthReports(this.opts.gpus(), result);
    this.logTransitions(this.reports(), next, result);
    this.last = next;
  }

  private logTransitions(before: GpuHealthReport[], after: GpuHealthReport[], result: GpuProbeResult): void {
    const was = new Map(before.map((r) => [r.uuid, r]));
    if (!result.ok && after.length > 0 && before.some((r) => r.healthy))
      this.log.error('nvidia-smi failed: GPU health unknown, GPUs reported unhealthy', { reason: result.message });
    for (const r of after) {
      const prev = was.get(r.uuid);
      if (prev && prev.healthy === r.healthy) continue;
      if (r.healthy) this.log.info('GPU healthy again', { gpu: r.uuid });
      else if (result.ok) this.log.warn('GPU unhealthy', { gpu: r.uuid, reasons: r.reasons });
    }
  }
}
