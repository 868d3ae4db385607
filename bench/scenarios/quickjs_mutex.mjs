/**
 * Scenario 7 inside QuickJS (quickjs-emscripten release-sync, bellard and ng): T tasks loop
 * `lock; await null; unlock` on one mutex, kyoto and every peer in one VM, interleaved
 * (bench/lib/quickjs_locks.mjs); `…:runExclusive` rows drive the same loop through the
 * library's callback form. Floor: the same tasks with no lock.
 */
import { handOffScenario } from "../lib/quickjs_locks.mjs";
import { aheadOfPeers } from "../lib/report.mjs";

const LIBS = ["floor", "kyoto:Mutex", "kyoto:runExclusive", "async-mutex:Mutex", "async-mutex:runExclusive", "@esfx/async-mutex"];

export const name = "quickjs_mutex";
export const order = 11.7;
export const title = "Q7. Mutex: contended lock/unlock inside QuickJS";
export const description =
  "T tasks loop `lock; await null; unlock` on one mutex until 10k grants in total, kyoto and every peer loaded into one QuickJS VM and measured in 3 interleaved rounds after a warm-up of a tenth of that (median grants/s of the rounds). max/min = most ÷ fewest grants per task (1.000 = perfect FIFO round-robin), the worst round's.";
export const notes = ["kyoto: `Mutex.lock()` + `guard.release()` or `runExclusive(fn)`; async-mutex: `Mutex.acquire()` + its release function or `runExclusive(fn)`; @esfx/async-mutex: `AsyncMutex.lock()` + `handle.unlock()`."];

export const { metrics, cases, run } = handOffScenario(LIBS);
export const timeout = 240;

export function budgets(rows) {
  const out = [];
  for (const row of rows) {
    const ahead = row.kind === "kyoto" ? aheadOfPeers(row, `contended mutex ahead of every peer in the same VM (${row.paramLabel})`) : null;
    if (ahead !== null) out.push(ahead);
  }
  return out;
}
