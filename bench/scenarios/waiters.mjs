/**
 * Issue #3 scenario 3: N waiters parked on an exhausted 1-permit semaphore, then cancelled
 * before anyone releases (procedure of research/peers.md §3b):
 *
 *   H0 heap with the permit held → park N waiters (the bench keeps only the cancel handles,
 *   in an array allocated before H0) → H1 → cancel every one and wait until all rejected →
 *   H2 (permit still held) → queue a fresh acquire, release the holder, time the grant → H3.
 *
 * pending B = (H1−H0)/N, held B = (H2−H0)/N, after = H3−H0. Heap = heapUsed + arrayBuffers
 * after forced GC. kyoto keeps its high-water capacity (pool columns + waker slots, 32 B per
 * slot, and the ready ring, 8 B per slot); "excl. retained capacity" subtracts it.
 */
import { waiters } from "../adapters.mjs";
import { heap, now, within } from "../lib/env.mjs";

const PEERS_100K = [
  "floor",
  "floor:abort",
  "kyoto",
  "kyoto:abort",
  "kyoto:source",
  "async-mutex:tryAcquire",
  "async-mutex:cancel",
  "async-sema",
  "@esfx/async-semaphore",
  "@esfx/async-mutex",
  "p-limit",
  "p-queue",
];

export const name = "waiters";
export const order = 3;
export const title = "3. Waiters parked on an exhausted semaphore, then cancelled (Node)";
export const description =
  "N waiters on a 1-permit semaphore whose permit is held; each cancelled with the library's own mechanism before any release. " +
  "B/pending = heap growth per parked waiter; B held/cancelled = heap still held per cancelled waiter before the release; fresh = ms from the holder's release to a fresh waiter's grant; after = heap vs start once everything settled.";
export const metrics = [
  { key: "parkMs", label: "park", unit: "ms", better: "lower", ratio: true },
  { key: "pendingB", label: "B/pending", unit: "B", better: "lower" },
  { key: "cancelMs", label: "cancel", unit: "ms", better: "lower", ratio: true },
  { key: "heldB", label: "B held/cancelled", unit: "B", better: "lower" },
  { key: "heldExPoolB", label: "… excl. retained capacity", unit: "B", better: "lower" },
  { key: "poolLive", label: "pool live after cancel", unit: "", better: "lower" },
  { key: "freshMs", label: "fresh acquire", unit: "ms", better: "lower" },
  { key: "afterKiB", label: "after (KiB)", unit: "", better: "lower" },
];
export const notes = [
  "effect is measured at N = 10,000 only: parking on its Semaphore is O(N) per waiter (≈ 40 s for 100 k in research/peers.md §3e).",
  "async-sema cannot cancel a waiter (async-sema#31); p-limit and async-mutex `cancel()` can only cancel every waiter at once; async-mutex `tryAcquire` fails by itself but leaves its queue entry until a release walks past it.",
  "kyoto at 1,000,000 uses `new Semaphore(1, { pool: { capacity: 1024, maxCapacity: 2**21 } })`; the default shared pool stops at 2**20 waiters.",
];
export const paramLabel = (n) => `N=${n.toLocaleString("en-US")}`;
export const timeout = 300;

export function cases({ quick }) {
  const list = [];
  list.push({ lib: "kyoto", param: 10000 }, { lib: "kyoto:abort", param: 10000 }, { lib: "effect", param: 10000 });
  const libs = quick ? ["floor", "kyoto", "kyoto:abort", "async-mutex:tryAcquire", "@esfx/async-semaphore", "p-queue"] : PEERS_100K;
  for (const lib of libs) list.push({ lib, param: 100000 });
  list.push({ lib: "kyoto", param: 1000000, nodeArgs: ["--max-old-space-size=4096"] });
  if (!quick) list.push({ lib: "kyoto:abort", param: 1000000, nodeArgs: ["--max-old-space-size=4096"] });
  return list;
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

export async function run(lib, N) {
  const pool = lib.startsWith("kyoto") && N > 500000 ? { capacity: 1024, maxCapacity: 2 ** 21 } : undefined;
  const env = await waiters(lib, { pool });
  const handles = env.style === "each" ? new Array(N).fill(null) : null;
  if (env.style === "each") {
    // Warm-up round (compiles the park/cancel paths) so small N is not dominated by JIT time.
    const warm = [];
    for (let i = 0; i < 2000; i++) warm.push(env.park());
    for (let i = 0; i < 2000; i++) env.cancel(warm[i]);
    await env.until(2000);
    env.settled = 0;
  }
  const cap0 = env.stats().poolCapacity;
  const H0 = await heap();

  let t0 = now();
  for (let i = 0; i < N; i++) {
    const h = env.park();
    if (handles !== null) handles[i] = h;
  }
  await turn();
  const parkMs = now() - t0;
  const H1 = await heap();
  const out = { parkMs, pendingB: (H1 - H0) / N, note: env.note };
  if (env.style === "none") {
    return { ...out, cancelMs: "n/a", heldB: "n/a", heldExPoolB: "n/a", poolLive: "n/a", freshMs: "n/a", afterKiB: "n/a" };
  }

  t0 = now();
  if (env.style === "each") {
    for (let i = 0; i < N; i++) {
      env.cancel(handles[i]);
      handles[i] = null;
    }
  } else if (env.style === "bulk") env.cancelAll();
  const settled = await within(env.until(N).then(() => true), 120000, false);
  out.cancelMs = settled ? now() - t0 : `>120 s (${env.settled} settled)`;
  const H2 = await heap();
  const st = env.stats();
  out.heldB = (H2 - H0) / N;
  out.heldExPoolB = env.retainedBytes ? (H2 - H0 - env.retainedBytes(cap0, N)) / N : out.heldB;
  out.poolLive = st.poolLive !== undefined ? st.poolLive : "–";

  if (env.fresh) {
    const f = env.fresh();
    t0 = now();
    env.releaseHolder();
    const ok = await within(f.then(() => true), 60000, false);
    out.freshMs = ok ? now() - t0 : "> 60 s";
  } else {
    env.releaseHolder();
    out.freshMs = "n/a";
  }
  const H3 = await heap();
  out.afterKiB = Math.round((H3 - H0) / 1024);
  return out;
}

export function budgets(rows) {
  const out = [];
  const kyoto = rows.filter((r) => r.lib === "kyoto");
  for (const r of rows) {
    if (r.kind !== "kyoto" || typeof r.median.heldExPoolB !== "number") continue;
    out.push({
      lib: r.lib,
      param: r.paramLabel,
      name: `0 bytes held per cancelled waiter (${r.lib}, ${r.paramLabel})`,
      met: r.median.heldExPoolB < 1 && r.median.poolLive === 0,
      detail: `${r.median.heldExPoolB.toFixed(2)} B/waiter excluding retained pool/ring capacity (${r.median.heldB.toFixed(1)} B including it), pool live ${r.median.poolLive}`,
    });
  }
  const per = (r, key) => (typeof r.median[key] === "number" ? r.median[key] / r.param : null);
  if (kyoto.length >= 2) {
    for (const [key, label, limit] of [
      ["parkMs", "park time per waiter", 2],
      ["cancelMs", "cancel time per waiter", 2],
    ]) {
      const vals = kyoto.map((r) => per(r, key));
      if (vals.some((v) => v === null)) continue;
      const spread = Math.max(...vals) / Math.min(...vals);
      out.push({
        name: `flat ${label} at ${kyoto.map((r) => r.paramLabel).join(", ")} (kyoto)`,
        met: spread <= limit,
        detail: vals.map((v, i) => `${kyoto[i].paramLabel}: ${(v * 1000).toFixed(3)} µs`).join(", ") + ` (max/min ${spread.toFixed(2)}, limit ${limit})`,
      });
    }
    const bytes = kyoto.map((r) => r.median.pendingB);
    if (bytes.every((b) => typeof b === "number")) {
      const spread = Math.max(...bytes) / Math.min(...bytes);
      out.push({
        name: "flat bytes per pending waiter (kyoto)",
        met: spread <= 1.5,
        detail: bytes.map((b, i) => `${kyoto[i].paramLabel}: ${b.toFixed(0)} B`).join(", ") + ` (max/min ${spread.toFixed(2)}, limit 1.5; pool doubling makes the amortized figure jump)`,
      });
    }
    const fresh = kyoto.map((r) => r.median.freshMs);
    if (fresh.every((f) => typeof f === "number")) {
      out.push({
        name: "fresh acquire after mass cancellation does not grow with N (kyoto, ≤ 1 ms)",
        met: fresh.every((f) => f <= 1),
        detail: fresh.map((f, i) => `${kyoto[i].paramLabel}: ${f.toFixed(2)} ms`).join(", "),
      });
    }
  }
  const floor = rows.find((r) => r.lib === "floor" && r.param === 100000);
  const k = rows.find((r) => r.lib === "kyoto" && r.param === 100000);
  if (floor && k && typeof k.median.pendingB === "number" && typeof floor.median.pendingB === "number") {
    const extra = k.median.pendingB - floor.median.pendingB;
    out.push({
      lib: "kyoto",
      param: k.paramLabel,
      name: "thenable façade adds ≤ 64 B per pending waiter over a bare awaited Promise",
      met: extra <= 64,
      detail: `kyoto ${k.median.pendingB.toFixed(0)} B vs floor ${floor.median.pendingB.toFixed(0)} B (${extra >= 0 ? "+" : ""}${extra.toFixed(0)} B)`,
    });
  }
  return out;
}
