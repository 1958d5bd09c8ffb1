/**
 * Re-discovery: every intervalMs the agent runs the discovery it ran at start
 * again, compares the result with the inventory it last registered
 * (inventoryChanges) and, when something the scheduler uses changed, logs each
 * change and hands the new inventory to onChanged (the agent re-registers with
 * it: a Register call, a new epoch).
 *
 * One discovery at a time: the next round is scheduled only after the previous
 * one settled. A discovery that throws is logged and the round skipped; one
 * that runs past roundTimeoutMs is logged and the loop waits for it to settle
 * (each nvidia-smi call is killed by the runner timeout) before scheduling the
 * next, so discoveries never pile up. stop() ends the loop; a round finishing
 * after stop() changes nothing.
 */
import { errorFields, type Logger } from '../../shared/src/logger.js';
import type { NodeInventory } from '../../shared/src/proto/types.js';
import { DEFAULT_DISCOVERY_TIMEOUT_MS } from './discovery/discover.js';
import { inventoryChanges } from './discovery/inventory-diff.js';

/** DEFAULT_ROUND_TIMEOUT_MS: past this a discovery round is reported as hanging (two nvidia-smi calls plus sysfs and facts). */
export const DEFAULT_ROUND_TIMEOUT_MS = 3 * DEFAULT_DISCOVERY_TIMEOUT_MS;

/** Timers the loop uses (the global ones by default; fakes in tests). */
export interface RediscoveryTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** unrefTimers are the global timers, unref'd so a pending round never keeps the process alive. */
export const unrefTimers: RediscoveryTimers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** RediscoveryOptions are the loop's settings and collaborators. */
export interface RediscoveryOptions {
  /** Runs discovery (loadNodeInventory over the agent's configured sources). */
  discover: () => Promise<NodeInventory>;
  /** The inventory registered at start. */
  initial: NodeInventory;
  /** Time between the end of one round and the start of the next (> 0). */
  intervalMs: number;
  /** Called with the new inventory and its changes when it differs from the last one registered. */
  onChanged: (inventory: NodeInventory, changes: string[]) => void;
  logger: Logger;
  roundTimeoutMs?: number;
  timers?: RediscoveryTimers;
}

/** Rediscovery runs discovery periodically and reports changed inventories. */
export class Rediscovery {
  private last: NodeInventory;
  private timer: unknown;
  private running: Promise<void> | undefined;
  private stopped = true;
  private readonly log: Logger;
  private readonly timers: RediscoveryTimers;

  constructor(private readonly opts: RediscoveryOptions) {
    if (!(opts.intervalMs > 0)) throw new Error('rediscovery interval must be positive');
    this.last = opts.initial;
    this.log = opts.logger.child({ component: 'rediscovery' });
    this.timers = opts.timers ?? unrefTimers;
  }

  /** inventory is the inventory last handed on (the initial one until something changed). */
  get inventory(): NodeInventory {
    return this.last;
  }

  /** inFlight is the round in progress, if any (tests wait on it). */
  get inFlight(): Promise<void> | undefined {
    return this.running;
  }

  /** start schedules the first round intervalMs from now. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  /** stop cancels the next round; a round in progress is left to finish and its result ignored. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.running = this.round().finally(() => {
        this.running = undefined;
        this.schedule();
      });
    }, this.opts.intervalMs);
  }

  private async round(): Promise<void> {
    const timeoutMs = this.opts.roundTimeoutMs ?? DEFAULT_ROUND_TIMEOUT_MS;
    let settled = false;
    const discovery = (async () => this.opts.discover())().finally(() => (settled = true));
    const watchdog = this.timers.setTimeout(() => {
      if (!settled) this.log.error('discovery is hanging: no new round until it finishes', { afterMs: timeoutMs });
    }, timeoutMs);
    let after: NodeInventory;
    try {
      after = await discovery;
    } catch (err) {
      this.log.error('re-discovery failed; keeping the registered inventory', errorFields(err));
      return;
    } finally {
      this.timers.clearTimeout(watchdog);
    }
    if (this.stopped) return;
    let changes: string[];
    try {
      changes = inventoryChanges(this.last, after);
    } catch (err) {
      this.log.error('comparing inventories failed', errorFields(err));
      return;
    }
    if (changes.length === 0) {
      this.log.debug('inventory unchanged');
      return;
    }
    for (const change of changes) this.log.warn(`inventory changed: ${change}`, { change });
    this.last = after;
    try {
      this.opts.onChanged(after, changes);
    } catch (err) {
      this.log.error('handling the changed inventory failed', errorFields(err));
    }
  }
}
