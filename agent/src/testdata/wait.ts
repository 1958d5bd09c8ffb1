/** Waiting helpers of the agent's tests: poll a condition with a deadline (never a fixed sleep), and tell a live process. */
import { readProcStat } from '../runtime/proc.js';

/** waitFor polls cond every 20 ms until it holds, failing after deadlineMs (a bound, not a timing assertion). */
export async function waitFor(what: string, cond: () => boolean, deadlineMs = 10_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** isAlive says whether pid is a live process (a zombie counts as dead). */
export function isAlive(pid: number): boolean {
  const s = readProcStat(pid);
  return s !== undefined && s.state !== 'Z';
}
