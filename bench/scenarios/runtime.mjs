/**
 * Issue #5 runtime: what tasks cost, and what the cooperative budget adds to a hand-off.
 *
 *   spawn+join  N tasks (each returns its index at once) spawned in batches of 1,000 and
 *               awaited: kyoto = `spawn(fn)` + `await handle` inside `rt.run`; floor = the
 *               same through a bare `Promise.resolve().then(fn)` awaited.
 *   handoff     10 tasks loop `acquire; await null; release` on a 1-permit kyoto Semaphore
 *               until 200k grants: outside any run (core's microtask delivery, no budget),
 *               inside `rt.run` with budget 128 (the default: a setImmediate every 128
 *               deliveries), and with an unbounded budget (the runtime's bookkeeping alone).
 */
import { loadKyoto, now } from "../lib/env.mjs";

export const name = "runtime";
export const order = 10;
export const title = "10. Runtime: spawn+join throughput and the budget's cost on a hand-off (Node)";
export const description =
  "spawn+join: N tasks returning at once, spawned in batches of 1,000 and awaited. handoff: 10 tasks loop `acquire; await null; release` on a 1-permit kyoto Semaphore until 200k grants, with no runtime, with budget 128, and with an unbounded budget.";
export const metrics = [{ key: "opsPerSec", label: "ops/s", unit: "ops/s", better: "higher", ratio: true }];
export const notes = [
  "spawn+join floor: `await Promise.resolve().then(fn)` per task — no table, no handle, no cancellation.",
  "handoff `kyoto:no-runtime` delivers through the core's default microtask host; `kyoto:budget=128` yields to the event loop (setImmediate) every 128 deliveries; `kyoto:budget=inf` runs the runtime without ever yielding.",
  "Read across the handoff rows: no-runtime → budget=inf is what the runtime's delivery path costs (the scheduler as delivery host: `admit()` counting, turns from a resolved-promise callback); budget=inf → budget=128 is what the yields to the event loop cost.",
];
export const paramLabel = (p) => p.mode + (p.n ? " N=" + p.n.toLocaleString("en-US") : "");

export function cases({ quick }) {
  const n = quick ? 100000 : 1000000;
  return [
    { lib: "kyoto", param: { mode: "spawn+join", n } },
    { lib: "floor", param: { mode: "spawn+join", n } },
    { lib: "kyoto:no-runtime", param: { mode: "handoff" } },
    { lib: "kyoto:budget=128", param: { mode: "handoff" } },
    { lib: "kyoto:budget=inf", param: { mode: "handoff" } },
  ];
}

export function kind(lib) {
  if (lib === "floor" || lib === "kyoto:no-runtime") return "floor";
  return "kyoto";
}

async function spawnJoin(k, lib, n) {
  const BATCH = 1000;
  const handles = new Array(BATCH);
  const fn = (i) => () => i;
  if (lib === "floor") {
    const t0 = now();
    for (let done = 0; done < n; done += BATCH) {
      for (let i = 0; i < BATCH; i++) handles[i] = Promise.resolve().then(fn(i));
      for (let i = 0; i < BATCH; i++) await handles[i];
    }
    return now() - t0;
  }
  const rt = k.createRuntime({ maxTasks: BATCH * 2 });
  let ms = 0;
  await rt.run(async () => {
    const t0 = now();
    for (let done = 0; done < n; done += BATCH) {
      for (let i = 0; i < BATCH; i++) handles[i] = rt.spawn(fn(i));
      for (let i = 0; i < BATCH; i++) await handles[i];
    }
    ms = now() - t0;
  });
  rt.close();
  return ms;
}

async function handoff(k, lib, total) {
  const T = 10;
  const sem = new k.Semaphore(1);
  let granted = 0;
  const task = async () => {
    while (granted < total) {
      const p = await sem.acquire();
      granted++;
      await null;
      p.release();
    }
  };
  const body = async () => {
    const t0 = now();
    const all = [];
    for (let i = 0; i < T; i++) all.push(task());
    await Promise.all(all);
    return now() - t0;
  };
  if (lib === "kyoto:no-runtime") return body();
  const rt = k.createRuntime({ budget: lib === "kyoto:budget=128" ? 128 : 1073741824 });
  const ms = await rt.run(body);
  rt.close();
  return ms;
}

export async function run(lib, param, { quick }) {
  const k = await loadKyoto();
  if (typeof k.createRuntime !== "function") return { opsPerSec: "n/a", note: "createRuntime is not exported" };
  let best = Infinity;
  const rounds = 3;
  const n = param.mode === "spawn+join" ? param.n : quick ? 50000 : 200000;
  for (let r = 0; r < rounds; r++) {
    const ms = param.mode === "spawn+join" ? await spawnJoin(k, lib, n) : await handoff(k, lib, n);
    best = Math.min(best, ms);
  }
  return { opsPerSec: Math.round((n / best) * 1000) };
}

export function budgets(rows) {
  const get = (lib) => rows.find((r) => r.lib === lib && r.median && typeof r.median.opsPerSec === "number");
  const none = get("kyoto:no-runtime");
  const b128 = get("kyoto:budget=128");
  if (!none || !b128) return [];
  const ratio = b128.median.opsPerSec / none.median.opsPerSec;
  return [
    {
      lib: "kyoto:budget=128",
      param: "handoff",
      name: "the budget costs at most 10% of a contended hand-off",
      met: ratio >= 0.9,
      detail: (ratio * 100).toFixed(1) + "% of the no-runtime rate",
    },
  ];
}
