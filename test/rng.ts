/**
 * A seeded pseudo-random generator (mulberry32) for randomized interleaving tests. Tests print
 * the seed on failure so a run can be replayed with `KYOTO_SEED=<seed>`.
 */

export class Rng {
  private state: number;
  constructor(readonly seed: number) {
    this.state = seed | 0;
  }
  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
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
  const range = seedRange(count);
  for (let seed = range.first; seed <= range.last; seed++) {
    try {
      body(new Rng(seed));
    } catch (err) {
      const e = err as Error;
      e.message = "[seed " + seed + "] " + e.message;
      throw e;
    }
  }
}

/** `forEachSeed` for an async body: the seeds run one after another. */
export async function forEachSeedAsync(count: number, body: (rng: Rng) => Promise<void>): Promise<void> {
  const range = seedRange(count);
  for (let seed = range.first; seed <= range.last; seed++) {
    try {
      await body(new Rng(seed));
    } catch (err) {
      const e = err as Error;
      e.message = "[seed " + seed + "] " + e.message;
      throw e;
    }
  }
}

/** Seeds 1…count, or only `KYOTO_SEED` when the harness sets it. */
function seedRange(count: number): { first: number; last: number } {
  const fixed = (globalThis as { KYOTO_SEED?: number }).KYOTO_SEED;
  return typeof fixed === "number" ? { first: fixed, last: fixed } : { first: 1, last: count };
}
