/**
 * Scenario 2 inside QuickJS (quickjs-emscripten release-sync, bellard and ng): the contended
 * 1-permit hand-off, kyoto and every peer in one VM, interleaved (bench/lib/quickjs_locks.mjs). T tasks
 * loop `acquire; await null; release` until the grant total; grants/s and max/min grants per
 * task (1.000 = FIFO round-robin). Floor: the same tasks with no lock.
 */
import { handOffScenario } from "../lib/quickjs_locks.mjs";
import { aheadOfPeers } from "../lib/report.mjs";

// As in scenario 2 on Node: the mutex-only variants run in Q7 (quickjs_mutex).
const LIBS = ["floor", "kyoto", "async-mutex", "async-sema", "p-limit", "p-queue", "@esfx/async-semaphore"];

export const name = "quickjs_contended";
export const order = 11.5;
export const title = "Q2. Contended 1-permit hand-off inside QuickJS";
export const description =
  "T tasks loop `acquire; await null; release` on a 1-permit lock (p-limit/p-queue: `await limit(fn)`) until 10k grants in total, kyoto and every peer loaded into one QuickJS VM and measured in 3 interleaved rounds after a warm-up of a tenth of that (median grants/s of the rounds). max/min = most ÷ fewest grants per task (1.000 = perfect FIFO round-robin), the worst round's.";
export const notes = ["Peers are bundled and loaded beside kyoto as in Q1; effect is not run inside QuickJS (see Q1)."];

export const { metrics, cases, run } = handOffScenario(LIBS);
export const timeout = 240;

export function budgets(rows) {
  const out = [];
  for (const row of rows) {
    if (row.kind !== "kyoto") continue;
    const ahead = aheadOfPeers(row, `contended hand-off ahead of every peer in the same VM (${row.paramLabel})`);
    if (ahead !== null) out.push(ahead);
    const f = row.median.fairness;
    out.push({ lib: row.lib, param: row.paramLabel, name: `FIFO round-robin (${row.paramLabel})`, met: f === 1, detail: `max/min ${typeof f === "number" ? f.toFixed(3) : f}` });
  }
  return out;
}
