/**
 * Issue #3 scenario 5: 20,000 waiters sharing ONE AbortSignal (Node's AbortController), the
 * "app-wide shutdown signal" pattern: park time, then abort time until all rejected, and the
 * heap still held per cancelled waiter while the signal stays alive.
 */
import { waiters } from "../adapters.mjs";
import { heap, now, within } from "../lib/env.mjs";

export const name = "shared_signal";
export const order = 5;
export const title = "5. 20,000 waiters sharing one AbortSignal (Node)";
export const description =
  "One AbortController; 20,000 waiters on an exhausted 1-permit semaphore all watch its signal; then one abort(). Floor: a Promise with one abort listener per waiter on the shared signal (Node's addEventListener is linear per add).";
export const metrics = [
  { key: "parkMs", label: "park", unit: "ms", better: "lower", ratio: true },
  { key: "abortMs", label: "abort → all rejected", unit: "ms", better: "lower", ratio: true },
  { key: "pendingB", label: "B/pending", unit: "B", better: "lower" },
  { key: "heldB", label: "B held/cancelled (signal alive)", unit: "B", better: "lower" },
  { key: "heldExPoolB", label: "… excl. retained capacity", unit: "B", better: "lower" },
];
export const notes = [
  "kyoto's waiter pool and ready ring shrink back once empty; \"excl. retained capacity\" subtracts whatever capacity is still held (see scenario 3).",
  "Peers without AbortSignal support are left out: async-mutex, async-sema and p-limit have none; @esfx libraries take `CancelToken.from(signal)`; effect takes `runPromise(effect, { signal })`.",
];
export const paramLabel = (n) => `N=${n.toLocaleString("en-US")}`;

export function cases() {
  return ["floor", "kyoto", "p-queue", "@esfx/async-semaphore", "@esfx/async-mutex", "effect"].map((lib) => ({ lib, param: 20000 }));
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

export async function run(lib, N) {
  const env = await waiters(lib);
  const ac = new AbortController();
  const signal = ac.signal;
  const cap0 = env.stats().poolCapacity;
  const H0 = await heap();
  let t0 = now();
  for (let i = 0; i < N; i++) env.parkOn(signal);
  await turn();
  const parkMs = now() - t0;
  const H1 = await heap();
  t0 = now();
  ac.abort(new Error("shutdown"));
  const ok = await within(env.until(N).then(() => true), 120000, false);
  const abortMs = ok ? now() - t0 : "> 120 s";
  const H2 = await heap();
  const note = lib === "floor" ? "Promise + one abort listener per waiter on the shared signal" : undefined;
  const result = { parkMs, abortMs, pendingB: (H1 - H0) / N, heldB: (H2 - H0) / N, note };
  result.heldExPoolB = env.retainedBytes ? (H2 - H0 - env.retainedBytes(cap0, N)) / N : result.heldB;
  if (signal.aborted !== true) throw new Error("unreachable");
  return result;
}

export function budgets(rows) {
  const k = rows.find((r) => r.lib === "kyoto");
  const floor = rows.find((r) => r.lib === "floor");
  if (!k || !floor || typeof k.median.parkMs !== "number") return [];
  const r = k.ratios;
  return [
    {
      lib: "kyoto",
      param: k.paramLabel,
      name: "one signal, many waiters: park and cancel in linear time (≤ 1 µs … 10 µs per waiter, far below the floor's quadratic addEventListener)",
      met: k.median.parkMs / k.param < 0.01 && typeof k.median.abortMs === "number" && k.median.abortMs / k.param < 0.01,
      detail: `park ${(1000 * k.median.parkMs / k.param).toFixed(2)} µs/waiter, abort ${typeof k.median.abortMs === "number" ? (1000 * k.median.abortMs / k.param).toFixed(2) : k.median.abortMs} µs/waiter; park ${r.parkMs.floor !== null ? r.parkMs.floor.toFixed(3) : "–"}× the floor`,
    },
  ];
}
