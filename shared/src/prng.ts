/** A deterministic pseudo-random source for tests, simulations and benchmarks (never Math.random). */

/** Prng is a deterministic source of numbers in [0, 1). */
export type Prng = () => number;

/** mulberry32 returns a seeded PRNG (same seed, same sequence). */
export function mulberry32(seed: number): Prng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
