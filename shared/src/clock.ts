/** Time, injected so that pure code and tests never read the wall clock. */

/** Clock tells the time in unix milliseconds. */
export interface Clock {
  now(): number;
}

/** systemClock is the real clock (daemons only). */
export const systemClock: Clock = { now: () => Date.now() };
