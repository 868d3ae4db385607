/**
 * Scenario 1 inside QuickJS (quickjs-emscripten release-sync, bellard and ng): uncontended
 * awaited acquire/release and synchronous tryAcquire/release, against the floors (an awaited
 * async function; a bare counter loop). Wall time is measured by the host around the job
 * queue drain. WASM interpreters: compare rows with each other, not with Node.
 */
import { ENGINES, newGuest } from "../lib/quickjs.mjs";

export const name = "quickjs_uncontended";
export const order = 11;
export const title = "Q1. Uncontended acquire + release inside QuickJS";
export const description =
  "awaited: `await s.acquire(); p.release()` ×200k after a 10k warm-up (floor: `await` of an async fn); sync: `tryAcquire()`/`release()` ×1e6 vs a bare counter loop and vs a loop making two method calls on a plain object (the call floor SPEC §9 measures against). kyoto loaded from dist/quickjs/kyoto.mjs.";
export const metrics = [{ key: "opsPerSec", label: "ops/s", unit: "ops/s", better: "higher", ratio: true }];
export const notes = [
  "No peers run here yet: they are CommonJS packages with dependencies (@esfx/*, async-mutex + tslib) and need a bundling step; research/peers.md §3g has anchors (QuickJS 2025-09-13: @esfx/async-semaphore 687 k ops/s, async-mutex Semaphore 284 k, floor 988 k).",
];

export function cases({ quick }) {
  const out = [];
  for (const e of quick ? ["quickjs"] : ENGINES) {
    for (const lib of ["floor", "kyoto"]) out.push({ lib, param: `${e} awaited` });
    for (const lib of ["floor:counter", "floor:calls", "kyoto:tryAcquire"]) out.push({ lib, param: `${e} sync` });
  }
  return out;
}

const SETUP = {
  floor: "var f = async function () {}; globalThis.loop = async function (n) { for (var i = 0; i < n; i++) await f(); };",
  kyoto:
    "var s = new kyoto.Semaphore(1); globalThis.loop = async function (n) { for (var i = 0; i < n; i++) { var p = await s.acquire(); p.release(); } };",
  "floor:counter":
    "var st = { c: 1 }; globalThis.loop = function (n) { for (var i = 0; i < n; i++) { if (st.c > 0) { st.c--; st.c++; } } return st.c; };",
  // The interpreter's call floor: two method calls on a plain object per iteration, shaped
  // like tryAcquire (returns the object or null) + release.
  "floor:calls":
    "var o = { c: 1, take: function () { if (this.c > 0) { this.c--; return this; } return null; }, give: function () { this.c++; } }; globalThis.loop = function (n) { var got = 0; for (var i = 0; i < n; i++) { var p = o.take(); if (p !== null) { got++; p.give(); } } return got; };",
  "kyoto:tryAcquire":
    "var s = new kyoto.Semaphore(1); globalThis.loop = function (n) { var got = 0; for (var i = 0; i < n; i++) { var p = s.tryAcquire(); if (p !== null) { got++; p.release(); } } return got; };",
};

export async function run(lib, param, { quick }) {
  const [engine, mode] = param.split(" ");
  const g = await newGuest(engine);
  const n = mode === "sync" ? (quick ? 300000 : 1000000) : quick ? 50000 : 200000;
  const call = mode === "sync" ? (k) => `globalThis.__result = loop(${k});` : (k) => `loop(${k}).then(function () { globalThis.__result = 1; });`;
  g.run(SETUP[lib] + "globalThis.__result = 1;");
  g.run(call(10000));
  const { ms } = g.run(call(n));
  return { opsPerSec: n / (ms / 1000) };
}

export function budgets(rows) {
  const out = [];
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
