/**
 * Issue #3 scenario 2: contended 1-permit hand-off.
 *
 * T async tasks share a 1-permit lock and loop `acquire; await null; release` until 200k
 * grants in total. Reports grants/s and the FIFO check: max/min grants per task (1.000 means
 * a perfect round-robin). Floor: the same tasks with no lock (`await null` only).
 */
import { lock, LOCK_LIBS } from "../adapters.mjs";
import { now } from "../lib/env.mjs";
import { handOff, handOffResult } from "../lib/handoff.mjs";
import { aheadOfPeers } from "../lib/report.mjs";

// The two mutex-only variants (async-mutex Mutex, @esfx/async-mutex) are left out to keep the
// run short: they trail their own library's semaphore (scenario 1, research/peers.md §3a).
const LIBS = ["floor", ...LOCK_LIBS.filter((l) => l !== "async-mutex:Mutex" && l !== "@esfx/async-mutex"), "effect:fiber", "effect:runPromise"];

export const name = "contended";
export const order = 2;
export const title = "2. Contended 1-permit hand-off (Node)";
export const description =
  "T tasks loop `acquire; await null; release` on a 1-permit lock until 200k grants in total (effect:fiber yields with `Effect.yieldNow` inside the lock). max/min = most ÷ fewest grants per task (1.000 = perfect FIFO round-robin).";
export const metrics = [
  { key: "opsPerSec", label: "grants/s", unit: "ops/s", better: "higher", ratio: true },
  { key: "fairness", label: "max/min", unit: "x", better: "lower" },
];
export const paramLabel = (t) => `T=${t}`;

export function cases({ quick }) {
  const out = [];
  for (const t of quick ? [10] : [2, 10, 100]) for (const lib of LIBS) out.push({ lib, param: t });
  return out;
}

export async function run(lib, T, { quick }) {
  const total = quick ? 50000 : 200000;
  if (lib === "floor") return handOff(null, T, total);
  if (!lib.startsWith("effect")) return handOff(await lock(lib, 1), T, total);
  // effect: its semaphore is driven from inside fibers or one runPromise per grant.
  const counts = new Array(T).fill(0);
  let granted = 0;
  const Effect = await import("effect/Effect");
  const Semaphore = await import("effect/Semaphore");
  const s = Semaphore.makeUnsafe(1);
  if (lib === "effect:fiber") {
    const fiberTask = (i) =>
      Effect.whileLoop({
        while: () => granted < total,
        body: () =>
          s.withPermits(1)(
            Effect.suspend(() => {
              if (granted >= total) return Effect.void;
              granted++;
              counts[i]++;
              return Effect.yieldNow;
            }),
          ),
        step: () => {},
      });
    const t0 = now();
    await Effect.runPromise(Effect.all(counts.map((_, i) => fiberTask(i)), { concurrency: "unbounded" }));
    return handOffResult(total, now() - t0, counts);
  }
  const body = (i) =>
    s.withPermits(1)(
      Effect.promise(async () => {
        if (granted >= total) return;
        granted++;
        counts[i]++;
        await null;
      }),
    );
  const task = async (i) => {
    const eff = body(i);
    while (granted < total) await Effect.runPromise(eff);
  };
  const t0 = now();
  await Promise.all(counts.map((_, i) => task(i)));
  return handOffResult(granted, now() - t0, counts);
}

export function budgets(rows) {
  const out = [];
  for (const row of rows) {
    if (row.kind !== "kyoto") continue;
    const ahead = aheadOfPeers(row, `contended hand-off ahead of every peer (${row.paramLabel})`);
    if (ahead !== null) out.push(ahead);
    const f = row.median.fairness;
    out.push({ lib: row.lib, param: row.paramLabel, name: `FIFO round-robin (${row.paramLabel})`, met: f === 1, detail: `max/min ${typeof f === "number" ? f.toFixed(3) : f}` });
  }
  return out;
}
