/**
 * A seeded pseudo-random generator (mulberry32) for randomized interleaving tests. Tests print
 * the seed on failure so a run can be replayed with `KYOTO_SEED=<seed>`.
 */

/** `Math.imul` (which Espruino lacks): the low 32 bits of a * b, as a signed integer. */
function imul(a: number, b: number): number {
  const low = (a & 0xffff) * b;
  const high = (((a >>> 16) * b) & 0xffff) << 16;
  return (low + high) | 0;
}

export class Rng {
  private state: number;
  constructor(readonly seed: number) {
    this.state = seed | 0;
  }
  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: T[]): T {
    return items[this.int(items.length)];
  }
}

/**
 * Runs `body(rng)` once per seed; a failure is rethrown with the seed in its message. The
 * seeds are 1…count, or the single seed in the global `KYOTO_SEED` when a harness sets it.
 */
export function forEachSeed(count: number, body: (rng: Rng) => void): void {
  const fixed = (globalThis as { KYOTO_SEED?: number }).KYOTO_SEED;
  const first = typeof fixed === "number" ? fixed : 1;
  const last = typeof fixed === "number" ? fixed : count;
  for (let seed = first; seed <= last; seed++) {
    try {
      body(new Rng(seed));
    } catch (err) {
      const e = err as Error;
      e.message = "[seed " + seed + "] " + e.message;
      throw e;
    }
  }
}
