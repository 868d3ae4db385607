/**
 * Issue #3 scenario 1: uncontended throughput.
 *
 * "awaited": one async loop doing `await acquire(); release()` (run-style libraries run a
 * no-op function instead) 1e6 times after a 10k warm-up. Floor: `await` of an async function.
 * "sync": `tryAcquire()` + `release()` in a plain loop (1e7 iterations after 1e5 warm-up)
 * against a bare counter loop `if (c > 0) { c--; c++; }`.
 */
import { lock, LOCK_LIBS } from "../adapters.mjs";
import { loadKyoto, now } from "../lib/env.mjs";

const AWAITED = ["floor", ...LOCK_LIBS, "effect:fiber", "effect:runPromise"];
const SYNC = ["floor:counter", "kyoto:tryAcquire", "kyoto:BatchSemaphore", "async-sema:tryAcquire"];

export const name = "uncontended";
export const order = 1;
export const title = "1. Uncontended acquire + release (Node)";
export const description =
  "awaited: `await acquire(); release()` ×1e6 after a 10k warm-up, in one async loop (p-limit/p-queue: `await limit(noop)`; floor: `await` of an async fn). " +
  "sync: `tryAcquire()` + `release()` ×1e7 against a bare counter loop `if (c > 0) { c--; c++; }`.";
export const metrics = [{ key: "opsPerSec", label: "ops/s", unit: "ops/s", better: "higher", ratio: true }];
export const notes = [
  "kyoto:BatchSemaphore is the promise-free engine (`sem.inner.tryAcquire(1)` / `release(1)`), shown to separate the engine from the Permit façade.",
];

export function cases({ quick }) {
  return [
    ...AWAITED.map((lib) => ({ lib, param: "awaited" })),
    ...SYNC.map((lib) => ({ lib, param: "sync" })),
  ];
}

async function awaitedLoop(a, n) {
  if (a.run) {
    const noop = () => {};
    for (let i = 0; i < n; i++) await a.run(noop);
  } else {
    for (let i = 0; i < n; i++) {
      const t = await a.acquire();
      a.release(t);
    }
  }
}

async function timeAsync(loop, warm, n) {
  await loop(warm);
  const t0 = now();
  await loop(n);
  return n / ((now() - t0) / 1000);
}

function timeSync(loop, warm, n) {
  loop(warm);
  const t0 = now();
  const sink = loop(n);
  const ms = now() - t0;
  if (sink === 0.5) console.log(sink); // keeps the loop's result alive
  return n / (ms / 1000);
}

export async function run(lib, param, { quick }) {
  const N = quick ? 300000 : 1000000;
  const NS = quick ? 3000000 : 10000000;
  if (param === "awaited") {
    if (lib === "floor") {
      const f = async () => {};
      return { opsPerSec: await timeAsync(async (n) => { for (let i = 0; i < n; i++) await f(); }, 10000, N) };
    }
    if (lib.startsWith("effect")) {
      const Effect = await import("effect/Effect");
      const Semaphore = await import("effect/Semaphore");
      const s = Semaphore.makeUnsafe(1);
      const guarded = s.withPermits(1)(Effect.void);
      if (lib === "effect:fiber") {
        const loop = (n) => {
          let i = 0;
          return Effect.runPromise(Effect.whileLoop({ while: () => i < n, body: () => guarded, step: () => void i++ }));
        };
        return { opsPerSec: await timeAsync(loop, 10000, N), note: "one fiber looping `withPermits(1)(Effect.void)`" };
      }
      return {
        opsPerSec: await timeAsync(async (n) => { for (let i = 0; i < n; i++) await Effect.runPromise(guarded); }, 10000, N),
        note: "`await Effect.runPromise(withPermits(1)(Effect.void))` per op",
      };
    }
    const a = await lock(lib, 1);
    return { opsPerSec: await timeAsync((n) => awaitedLoop(a, n), 10000, N) };
  }
  // sync
  switch (lib) {
    case "floor:counter": {
      const state = { c: 1 };
      return {
        opsPerSec: timeSync((n) => {
          for (let i = 0; i < n; i++) {
            if (state.c > 0) {
              state.c--;
              state.c++;
            }
          }
          return state.c;
        }, 100000, NS),
      };
    }
    case "kyoto:tryAcquire": {
      const { Semaphore } = await loadKyoto();
      const s = new Semaphore(1);
      return {
        opsPerSec: timeSync((n) => {
          let got = 0;
          for (let i = 0; i < n; i++) {
            const p = s.tryAcquire();
            if (p !== null) {
              got++;
              p.release();
            }
          }
          return got;
        }, 100000, NS),
      };
    }
    case "kyoto:BatchSemaphore": {
      const { Semaphore } = await loadKyoto();
      const inner = new Semaphore(1).inner;
      return {
        opsPerSec: timeSync((n) => {
          let got = 0;
          for (let i = 0; i < n; i++) {
            if (inner.tryAcquire(1)) {
              got++;
              inner.release(1);
            }
          }
          return got;
        }, 100000, NS),
      };
    }
    case "async-sema:tryAcquire": {
      const { Sema } = await import("async-sema");
      const s = new Sema(1);
      return {
        opsPerSec: timeSync((n) => {
          let got = 0;
          for (let i = 0; i < n; i++) {
            if (s.tryAcquire() !== undefined) {
              got++;
              s.release();
            }
          }
          return got;
        }, 100000, NS),
      };
    }
  }
  throw new Error("unknown case " + lib + " " + param);
}

export function budgets(rows) {
  const out = [];
  const awaited = rows.find((r) => r.lib === "kyoto" && r.param === "awaited");
  if (awaited && awaited.ratios.opsPerSec.peer !== null) {
    const r = awaited.ratios.opsPerSec;
    out.push({ lib: "kyoto", param: "awaited", name: "uncontended awaited acquire/release ahead of every peer", met: r.peer > 1, detail: `${r.peer.toFixed(2)}× the best peer (${r.bestPeer})` });
  }
  const tryRow = rows.find((r) => r.lib === "kyoto:tryAcquire");
  const counter = rows.find((r) => r.lib === "floor:counter");
  if (tryRow && counter && typeof tryRow.median.opsPerSec === "number" && typeof counter.median.opsPerSec === "number") {
    const x = counter.median.opsPerSec / tryRow.median.opsPerSec;
    out.push({ lib: "kyoto:tryAcquire", param: "sync", name: "tryAcquire/release within 2× of a bare counter loop", met: x <= 2, detail: `counter loop is ${x.toFixed(2)}× faster` });
  }
  return out;
}
