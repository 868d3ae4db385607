/**
 * Mutex hand-off under contention (issue #4).
 *
 * T async tasks share one mutex and loop `lock; await null; unlock` until 200k grants in
 * total, as scenario 2 does for semaphores, but through each library's mutex API. Reports
 * grants/s and max/min grants per task (1.000 = perfect FIFO round-robin). `…:runExclusive`
 * rows drive the same loop through the library's callback form. Floor: the same tasks with
 * no lock (`await null` only).
 */
import { loadKyoto } from "../lib/env.mjs";
import { handOff } from "../lib/handoff.mjs";
import { aheadOfPeers } from "../lib/report.mjs";

const LIBS = ["floor", "kyoto", "kyoto:runExclusive", "async-mutex", "async-mutex:runExclusive", "@esfx/async-mutex"];

export const name = "mutex";
export const order = 7;
export const title = "7. Mutex: contended lock/unlock (Node)";
export const description =
  "T tasks loop `lock; await null; unlock` on one mutex until 200k grants in total. max/min = most ÷ fewest grants per task (1.000 = perfect FIFO round-robin).";
export const metrics = [
  { key: "opsPerSec", label: "grants/s", unit: "ops/s", better: "higher", ratio: true },
  { key: "fairness", label: "max/min", unit: "x", better: "lower" },
];
export const notes = ["kyoto: `Mutex.lock()` + `guard.release()`; async-mutex: `Mutex.acquire()` + its release function; @esfx/async-mutex: `AsyncMutex.lock()` + `handle.unlock()`."];
export const paramLabel = (t) => `T=${t}`;

export function cases({ quick }) {
  const out = [];
  for (const t of quick ? [10] : [2, 10, 100]) for (const lib of LIBS) out.push({ lib, param: t });
  return out;
}

/** `{ acquire(): thenable<handle>, release(handle) }` or `{ run(fn): Promise }` per library. */
async function makeMutex(lib) {
  switch (lib) {
    case "kyoto": {
      const { Mutex } = await loadKyoto();
      const m = new Mutex(0);
      return { acquire: () => m.lock(), release: (g) => g.release() };
    }
    case "kyoto:runExclusive": {
      const { Mutex } = await loadKyoto();
      const m = new Mutex(0);
      return { run: (fn) => m.runExclusive(fn) };
    }
    case "async-mutex": {
      const { Mutex } = await import("async-mutex");
      const m = new Mutex();
      return { acquire: () => m.acquire(), release: (release) => release() };
    }
    case "async-mutex:runExclusive": {
      const { Mutex } = await import("async-mutex");
      const m = new Mutex();
      return { run: (fn) => m.runExclusive(fn) };
    }
    case "@esfx/async-mutex": {
      const { AsyncMutex } = await import("@esfx/async-mutex");
      const m = new AsyncMutex();
      return { acquire: () => m.lock(), release: (h) => h.unlock() };
    }
  }
  throw new Error("no mutex adapter for " + lib);
}

export async function run(lib, T, { quick }) {
  const total = quick ? 50000 : 200000;
  return handOff(lib === "floor" ? null : await makeMutex(lib), T, total);
}

export function budgets(rows) {
  const out = [];
  for (const row of rows) {
    const ahead = row.kind === "kyoto" ? aheadOfPeers(row, `contended mutex ahead of every peer (${row.paramLabel})`) : null;
    if (ahead !== null) out.push(ahead);
  }
  return out;
}
