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
 * The seed to replay, when one is set: the `KYOTO_SEED` environment variable under Node, the
 * global `KYOTO_SEED` the QuickJS harness defines from it inside the VM. Else null.
 */
export function fixedSeed(): number | null {
  const g = globalThis as { KYOTO_SEED?: unknown; process?: { env: { [name: string]: string | undefined } } };
  if (typeof g.KYOTO_SEED === "number") return g.KYOTO_SEED;
  const env = g.process !== undefined ? g.process.env.KYOTO_SEED : undefined;
  if (env === undefined || env === "") return null;
  const seed = Number(env);
  if (Math.floor(seed) !== seed) throw new Error("KYOTO_SEED must be an integer, got " + JSON.stringify(env));
  return seed;
}

/** The seeds a randomized test runs: `defaults` (or 1…count), or just the fixed seed when one is set. */
export function seedsFor(defaults: number | number[]): number[] {
  const fixed = fixedSeed();
  if (fixed !== null) return [fixed];
  if (typeof defaults !== "number") return defaults;
  const seeds: number[] = [];
  for (let seed = 1; seed <= defaults; seed++) seeds.push(seed);
  return seeds;
}

/** Prefixes a failure with the seed that produced it (to replay with `KYOTO_SEED=<seed>`). */
export function withSeed(seed: number, err: unknown, detail?: string): Error {
  const e = err as Error;
  e.message = "[seed " + seed + "] " + e.message + (detail !== undefined ? detail : "");
  return e;
}

/** Runs `body(rng)` once per seed of `seedsFor(count)`; a failure is rethrown with its seed. */
export function forEachSeed(count: number, body: (rng: Rng) => void): void {
  const seeds = seedsFor(count);
  for (let i = 0; i < seeds.length; i++) {
    try {
      body(new Rng(seeds[i]));
    } catch (err) {
      throw withSeed(seeds[i], err);
    }
  }
}

/** `forEachSeed` for an async body: the seeds run one after another. */
export async function forEachSeedAsync(count: number, body: (rng: Rng) => Promise<void>): Promise<void> {
  const seeds = seedsFor(count);
  for (let i = 0; i < seeds.length; i++) {
    try {
      await body(new Rng(seeds[i]));
    } catch (err) {
      throw withSeed(seeds[i], err);
    }
  }
}
