/**
 * ManualTimers: setTimeout/clearTimeout that never fire on their own — a test
 * fires them (by delay, or all at once), so timer-driven loops run step by step.
 */

/** ManualTimers records pending timeouts until the test fires them. */
export class ManualTimers {
  private next = 1;
  /** Pending timeouts by id, with their delay. */
  readonly pending = new Map<number, { fn: () => void; ms: number }>();

  /** setTimeout records fn; it runs only when fired. */
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, { fn, ms });
    return id;
  }

  /** clearTimeout forgets a pending timeout. */
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** fire runs every pending timeout of exactly ms and returns how many ran. */
  fire(ms: number): number {
    const due = [...this.pending].filter(([, t]) => t.ms === ms);
    for (const [id, t] of due) {
      this.pending.delete(id);
      t.fn();
    }
    return due.length;
  }

  /** fireAll runs every pending timeout. */
  fireAll(): void {
    const due = [...this.pending];
    this.pending.clear();
    for (const [, t] of due) t.fn();
  }

  /** count is how many timeouts of exactly ms are pending. */
  count(ms: number): number {
    return [...this.pending.values()].filter((t) => t.ms === ms).length;
  }
}

/** ManualInterval is one setInterval that runs only when the test ticks it (the last one armed). */
export class ManualInterval {
  /** The armed function, undefined once cleared. */
  fn: (() => void) | undefined;
  /** The interval it was armed with. */
  ms = 0;

  /** setInterval arms fn, replacing any earlier one. */
  setInterval(fn: () => void, ms: number): unknown {
    this.fn = fn;
    this.ms = ms;
    return fn;
  }

  /** clearInterval disarms the interval if it is the one armed. */
  clearInterval(handle: unknown): void {
    if (this.fn === handle) this.fn = undefined;
  }

  /** tick runs the armed function once. */
  tick(): void {
    this.fn?.();
  }
}
