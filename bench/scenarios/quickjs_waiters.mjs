/**
 * Scenarios 3 and 4 inside QuickJS (quickjs-emscripten release-sync, bellard and ng).
 *
 * "N waiters": park N waiters on a held 1-permit semaphore (the guest keeps their cancel
 * handles in an array allocated first), cancel each, then time a fresh acquire after the
 * holder releases. Memory is `memory_used_size` (QuickJS frees by reference counting, so no
 * forced GC is needed for acyclic garbage).
 * "cycles": acquire-then-cancel cycles, each awaited, under `setMemoryLimit(1 MiB)`; memory
 * before and after (with 10k warm-up cycles first).
 */
import { ENGINES, newGuest } from "../lib/quickjs.mjs";

export const name = "quickjs_waiters";
export const order = 12;
export const title = "Q3/Q4. Waiters and abort cycles inside QuickJS";
export const description =
  "N waiters: park N on a held 1-permit semaphore, cancel each, fresh acquire after the release (memory_used_size deltas). cycles: acquire-then-cancel cycles, each awaited, under setMemoryLimit(1 MiB); delta = memory after − before. kyoto: `op.cancel()`; kyoto:source: one CancelSource per waiter (QuickJS has no AbortController).";
export const metrics = [
  { key: "parkMs", label: "park", unit: "ms", better: "lower" },
  { key: "pendingB", label: "B/pending", unit: "B", better: "lower" },
  { key: "cancelMs", label: "cancel", unit: "ms", better: "lower" },
  { key: "heldB", label: "B held/cancelled", unit: "B", better: "lower" },
  { key: "freshMs", label: "fresh acquire", unit: "ms", better: "lower" },
  { key: "cyclesPerSec", label: "cycles/s", unit: "ops/s", better: "higher" },
  { key: "deltaB", label: "cycles: memory delta", unit: "B", better: "lower" },
];
export const notes = [
  "QuickJS frees by reference counting; garbage in reference cycles waits for its cycle collector, which quickjs-emscripten cannot trigger on demand. With a CancelSource per waiter kyoto creates such cycles (op ↔ signal link, fan-out ↔ its listener closure), which is why kyoto:source holds more per cancelled waiter here than in Node.",
  "B held/cancelled includes the capacity kyoto's waiter pool grew to (Int32Array columns, 6 × 4 B per slot, plus the waker array and ready ring, 4 B per slot on 32-bit WASM) while waiters are parked; both shrink back once empty.",
];
export const timeout = 300;

export function cases({ quick }) {
  const out = [];
  for (const e of quick ? ["quickjs"] : ENGINES) {
    for (const n of quick || e !== "quickjs" ? [10000, 100000] : [10000, 100000, 1000000]) out.push({ lib: "kyoto", param: `${e} N=${n}` });
    if (!quick && e === "quickjs") out.push({ lib: "kyoto:source", param: `${e} N=100000` });
    // 1M cycles take ~30 s in the WASM interpreter: once per engine with op.cancel(), 200k otherwise.
    out.push({ lib: "kyoto", param: `${e} cycles=${quick || e !== "quickjs" ? 200000 : 1000000}` });
    out.push({ lib: "kyoto:source", param: `${e} cycles=200000` });
  }
  return out;
}

const PARK = {
  kyoto: "var op = s.acquire(1); op.then(undefined, onReject); h[i] = op;",
  "kyoto:source": "var cs = new kyoto.CancelSource(); s.acquire(1, { signal: cs.signal }).then(undefined, onReject); h[i] = cs;",
};
const CANCEL = { kyoto: "h[i].cancel(reason);", "kyoto:source": "h[i].cancel(reason);" };

export async function run(lib, param) {
  const [engine, what] = param.split(" ");
  const [kind, countText] = what.split("=");
  const n = Number(countText);
  const big = n > 500000 ? "{ pool: { capacity: 1024, maxCapacity: 2097152 } }" : "undefined";
  const g = await newGuest(engine, kind === "cycles" ? { memoryLimit: 1024 * 1024 } : {});
  const setup = `
    var reason = new Error("bench: cancelled");
    var settled = 0;
    var onReject = function () { settled++; };
    var s = new kyoto.Semaphore(1, ${big});
    var held = null;
    s.acquire().then(function (p) { held = p; globalThis.__result = 1; });`;
  g.run(setup);
  if (kind === "N") {
    g.run(`var h = new Array(${n}); for (var i = 0; i < ${n}; i++) h[i] = null; globalThis.__result = 1;`);
    const m0 = g.memory();
    const park = g.run(`for (var i = 0; i < ${n}; i++) { ${PARK[lib]} } globalThis.__result = 1;`);
    const m1 = g.memory();
    const cancel = g.run(`for (var i = 0; i < ${n}; i++) { ${CANCEL[lib]} h[i] = null; } Promise.resolve().then(function () { globalThis.__result = settled; });`);
    if (cancel.value !== n) throw new Error(`only ${cancel.value} of ${n} rejected`);
    const m2 = g.memory();
    const fresh = g.run(`var f = s.acquire(); held.release(); f.then(function (p) { p.release(); globalThis.__result = 1; });`);
    return { parkMs: park.ms, pendingB: (m1 - m0) / n, cancelMs: cancel.ms, heldB: (m2 - m0) / n, freshMs: fresh.ms };
  }
  // cycles, each awaited
  const loop = `globalThis.cycle = async function (count) {
      for (var i = 0; i < count; i++) {
        var h = [null];
        ${PARK[lib].replace("h[i]", "h[0]")}
        ${CANCEL[lib].replace("h[i]", "h[0]")}
        try { await h[0]; } catch (e) {}
      }
    };
    globalThis.__result = 1;`;
  g.run(loop.replace("try { await h[0]; } catch (e) {}", lib === "kyoto" ? "try { await h[0]; } catch (e) {}" : "await null; await null;"));
  g.run("cycle(10000).then(function () { globalThis.__result = 1; }, function (e) { globalThis.__result = { error: String(e) }; });");
  const before = g.memory();
  const r = g.run(`cycle(${n}).then(function () { globalThis.__result = settled; }, function (e) { globalThis.__result = { error: String(e) }; });`);
  const after = g.memory();
  return { cyclesPerSec: n / (r.ms / 1000), deltaB: after - before, note: `memory limit 1 MiB; before ${before.toLocaleString("en-US")} B` };
}

export function budgets(rows) {
  const out = [];
  for (const r of rows) {
    if (typeof r.median.deltaB === "number") {
      out.push({ lib: r.lib, param: r.paramLabel, name: `QuickJS heap back to baseline within 64 KiB under a 1 MiB limit (${r.lib}, ${r.paramLabel})`, met: r.median.deltaB <= 65536, detail: `delta ${r.median.deltaB} B` });
    }
  }
  for (const engine of ENGINES) {
    const ks = rows.filter((r) => r.lib === "kyoto" && r.param.startsWith(engine + " N=") && typeof r.median.cancelMs === "number");
    if (ks.length < 2) continue;
    const per = ks.map((r) => r.median.cancelMs / Number(r.param.split("=")[1]));
    const park = ks.map((r) => r.median.parkMs / Number(r.param.split("=")[1]));
    const spread = Math.max(...per, ...park.map(() => 0)) / Math.min(...per);
    const pspread = Math.max(...park) / Math.min(...park);
    out.push({
      name: `flat park/cancel cost per waiter at ${ks.map((r) => r.param.split(" ")[1]).join(", ")} (${engine})`,
      met: spread <= 2 && pspread <= 2,
      detail: `park µs/waiter ${park.map((v) => (v * 1000).toFixed(2)).join(" / ")}, cancel µs/waiter ${per.map((v) => (v * 1000).toFixed(2)).join(" / ")}`,
    });
  }
  return out;
}
