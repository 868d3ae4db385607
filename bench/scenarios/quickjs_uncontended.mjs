/**
 * Scenario 1 inside QuickJS (quickjs-emscripten release-sync, bellard and ng): uncontended
 * awaited acquire/release and synchronous tryAcquire/release, kyoto and its peers in ONE VM
 * (each peer bundled for QuickJS by bench/lib/quickjs_peers.mjs and loaded beside kyoto;
 * libs measured in interleaved rounds by bench/lib/quickjs_locks.mjs), against the floors (an
 * awaited async function; a bare counter loop; two method calls on a plain object). Wall time
 * is measured by the host around the job queue drain. WASM interpreters: compare rows with
 * each other, not with Node.
 */
import { ENGINES } from "../lib/quickjs.mjs";
import { awaitedLoopSource, opsPerSec, sameVm } from "../lib/quickjs_locks.mjs";
import { aheadOfPeers } from "../lib/report.mjs";

const AWAITED = ["floor", "kyoto", "async-mutex", "async-mutex:Mutex", "async-sema", "p-limit", "p-queue", "@esfx/async-semaphore", "@esfx/async-mutex"];
const SYNC = ["floor:counter", "floor:calls", "kyoto:tryAcquire", "kyoto:BatchSemaphore", "async-sema:tryAcquire"];

export const name = "quickjs_uncontended";
export const order = 11;
export const title = "Q1. Uncontended acquire + release inside QuickJS";
export const description =
  "awaited: `t = await acquire(); release` ×20k per round (p-limit/p-queue: `await limit(fn)` of a no-op async fn; floor: `await` of an async fn); sync: `tryAcquire()`/`release()` ×300k per round vs a bare counter loop and vs a loop making two method calls on a plain object (the interpreter's call floor). kyoto (dist/quickjs/kyoto.mjs) and every peer are loaded into one QuickJS VM and measured in 3 interleaved rounds after a 5k warm-up each (median of the rounds).";
export const metrics = [{ key: "opsPerSec", label: "ops/s", unit: "ops/s", better: "higher", ratio: true }];
export const notes = [
  "Peers are rollup bundles (node-resolve + commonjs) of the same packages the Node scenarios use; async-sema's `require(\"events\")` gets bench/lib/events_shim.cjs, and the guest has a one-line `queueMicrotask` (p-queue and p-limit call it; QuickJS has none, kyoto does not use it).",
  "kyoto:BatchSemaphore is the engine under the Permit façade (`sem.inner.tryAcquire(1)` / `release(1)`): the step from it to kyoto:tryAcquire is the Permit object and the argument checks; the step from floor:calls to it is the engine's own calls (its `release` is checkCount + checkRelease + give, four calls where the floor makes one).",
  "effect is not run inside QuickJS: its scheduler yields to the host through setImmediate/setTimeout, which this guest does not have, and its bundle is ≈ 600 KB of source.",
];

export function cases({ quick }) {
  const out = [];
  for (const e of quick ? ["quickjs"] : ENGINES) {
    out.push({ lib: "same-vm", libs: AWAITED, param: `${e} awaited` });
    out.push({ lib: "same-vm", libs: SYNC, param: `${e} sync` });
  }
  return out;
}

const SYNC_SOURCES = {
  "floor:counter":
    "var st = { c: 1 }; return { loop: function (n) { for (var i = 0; i < n; i++) { if (st.c > 0) { st.c--; st.c++; } } return st.c; } };",
  // The interpreter's call floor: two method calls on a plain object per iteration, shaped
  // like tryAcquire (returns the object or null) + release.
  "floor:calls":
    "var o = { c: 1, take: function () { if (this.c > 0) { this.c--; return this; } return null; }, give: function () { this.c++; } }; return { loop: function (n) { var got = 0; for (var i = 0; i < n; i++) { var p = o.take(); if (p !== null) { got++; p.give(); } } return got; } };",
  "kyoto:tryAcquire":
    "var s = new kyoto.Semaphore(1); return { loop: function (n) { var got = 0; for (var i = 0; i < n; i++) { var p = s.tryAcquire(); if (p !== null) { got++; p.release(); } } return got; } };",
  // The promise-free engine under the Permit façade (as on Node): no Permit object, no argument checks.
  "kyoto:BatchSemaphore":
    "var s = new kyoto.Semaphore(1).inner; return { loop: function (n) { var got = 0; for (var i = 0; i < n; i++) { if (s.tryAcquire(1)) { got++; s.release(1); } } return got; } };",
  "async-sema:tryAcquire":
    'var s = new peers["async-sema"].Sema(1); return { loop: function (n) { var got = 0; for (var i = 0; i < n; i++) { var t = s.tryAcquire(); if (t !== undefined) { got++; s.release(t); } } return got; } };',
};

export async function run(_lib, param, { quick }) {
  const [engine, mode] = param.split(" ");
  const sync = mode === "sync";
  const n = sync ? (quick ? 100000 : 300000) : quick ? 5000 : 20000;
  const libs = sync ? SYNC : AWAITED;
  const samples = await sameVm(engine, libs, { source: sync ? (l) => SYNC_SOURCES[l] : awaitedLoopSource, args: (k) => [k], warm: quick ? 2000 : 5000, n });
  return { rows: opsPerSec(samples, () => n) };
}

export function budgets(rows) {
  const out = [];
  for (const r of rows) {
    if (r.lib === "kyoto" && r.param.endsWith(" awaited")) {
      const ahead = aheadOfPeers(r, `awaited acquire/release ahead of every peer in the same VM (${r.param.split(" ")[0]})`);
      if (ahead !== null) out.push(ahead);
    }
  }
  for (const r of rows) {
    if (r.lib !== "kyoto:tryAcquire" || typeof r.median.opsPerSec !== "number") continue;
    const engine = r.param.split(" ")[0];
    const calls = rows.find((x) => x.lib === "floor:calls" && x.param === r.param);
    if (!calls || typeof calls.median.opsPerSec !== "number") continue;
    const x = calls.median.opsPerSec / r.median.opsPerSec;
    out.push({ lib: r.lib, param: r.paramLabel, name: `tryAcquire/release within 2× of two method calls on a plain object (${engine})`, met: x <= 2, detail: `the two-call loop is ${x.toFixed(2)}× faster` });
  }
  return out;
}
