/**
 * Issue #3 scenario 4: 1,000,000 acquire-with-abort cycles on an exhausted semaphore.
 *
 * Each cycle parks one waiter with the library's cancellation mechanism and cancels it at
 * once, then waits for its rejection. Heap (heapUsed + arrayBuffers, after GC) is read
 * before the first measured cycle and after the last, with the permit still held throughout.
 * 10,000 warm-up cycles run before the first reading so compiled code and inline caches
 * (which live on the JS heap) are not mistaken for retention.
 */
import { waiters } from "../adapters.mjs";
import { heap, now, within } from "../lib/env.mjs";

export const name = "abort_cycles";
export const order = 4;
export const title = "4. Acquire-then-abort cycles on an exhausted semaphore (Node)";
export const description =
  "10k warm-up cycles, then each cycle: park one waiter with the library's own cancellation, cancel it, await its rejection; the permit stays held. Heap before/after is heapUsed + arrayBuffers after forced GC.";
export const metrics = [
  { key: "cyclesPerSec", label: "cycles/s", unit: "ops/s", better: "higher", ratio: true },
  { key: "beforeKiB", label: "heap before (KiB)", unit: "", better: "lower" },
  { key: "afterKiB", label: "heap after (KiB)", unit: "", better: "lower" },
  { key: "deltaB", label: "delta", unit: "B", better: "lower" },
  { key: "perCycleB", label: "B/cycle", unit: "B", better: "lower" },
];
export const notes = [
  "n/a: async-sema has no way to cancel a waiter. Peers run 200,000 cycles (kyoto also runs 1,000,000). async-mutex `tryAcquire` fails through a 0 ms timer, so its cycles run in batches of 1,000 and only 100,000 of them (each leaves a ≈2 KB ghost entry: 1 M would need ≈2 GB). effect runs 100,000 cycles (fiber start/interrupt is slow).",
  "p-limit `clearQueue()` and async-mutex `cancel()` clear every waiter; with one waiter per cycle that is a per-waiter cancel.",
];
export const paramLabel = (n) => `${n.toLocaleString("en-US")} cycles`;
export const timeout = 300;

const LIBS_1M = ["kyoto", "kyoto:abort", "kyoto:source", "floor", "@esfx/async-semaphore", "@esfx/async-mutex", "p-queue", "p-limit", "async-mutex:cancel", "async-sema"];

export function cases({ quick }) {
  // kyoto runs the full 1M; peers run 200k (their bytes per cycle are what compares) to keep the run short.
  const n = quick ? 200000 : 1000000;
  const list = [{ lib: "kyoto", param: n }];
  if (!quick) list.push({ lib: "kyoto:abort", param: n }, { lib: "kyoto:source", param: n });
  const peers = quick ? ["kyoto:abort", "floor", "@esfx/async-semaphore", "p-queue"] : LIBS_1M.filter((l) => !l.startsWith("kyoto"));
  for (const lib of peers) list.push({ lib, param: 200000 });
  if (!quick) list.push({ lib: "kyoto", param: 200000 }, { lib: "async-mutex:tryAcquire", param: 100000 }, { lib: "effect", param: 100000 });
  return list;
}

export async function run(lib, cycles) {
  const env = await waiters(lib);
  if (env.style === "none") {
    return { cyclesPerSec: "n/a", beforeKiB: "n/a", afterKiB: "n/a", deltaB: "n/a", perCycleB: "n/a", note: env.note };
  }
  const batch = env.style === "self" ? 1000 : 1;
  let done = 0;
  const cycle = async (until) => {
    while (done < until) {
      for (let j = 0; j < batch; j++) {
        const h = env.park();
        if (env.style === "each") env.cancel(h);
      }
      if (env.style === "bulk") env.cancelAll();
      done += batch;
      if (!(await within(env.until(done).then(() => true), 60000, false))) throw new Error(`stalled at ${env.settled} settled`);
    }
  };
  const warm = env.style === "self" ? 0 : 10000;
  await cycle(warm);
  const H0 = await heap();
  const t0 = now();
  await cycle(warm + cycles);
  const ms = now() - t0;
  const H1 = await heap();
  const note = env.note + (batch > 1 ? `; batches of ${batch}` : "");
  return { cyclesPerSec: cycles / (ms / 1000), beforeKiB: Math.round(H0 / 1024), afterKiB: Math.round(H1 / 1024), deltaB: H1 - H0, perCycleB: (H1 - H0) / cycles, note };
}

export function budgets(rows) {
  const out = [];
  for (const r of rows) {
    if (r.kind !== "kyoto" || typeof r.median.deltaB !== "number") continue;
    out.push({
      lib: r.lib,
      param: r.paramLabel,
      name: `heap back to baseline within 64 KiB after ${r.paramLabel} (${r.lib})`,
      met: r.median.deltaB <= 65536,
      detail: `delta ${Math.round(r.median.deltaB).toLocaleString("en-US")} B`,
    });
  }
  return out;
}
