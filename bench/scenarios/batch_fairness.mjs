/**
 * Issue #3 scenario 6: a 4-of-4 request against a stream of 1-permit users
 * (research/peers.md §3e). 4 permits; W workers loop acquire(1), hold it for one
 * `setImmediate`, release. After 20 ms a big request asks for all 4. Reported: ms from the
 * big request to its grant (capped at 3 s: "never") and overtakes — 1-permit requests made
 * after the big one was queued that were granted before it.
 */
import { now, sleep } from "../lib/env.mjs";

export const name = "batch_fairness";
export const order = 6;
export const title = "6. A 4-of-4 request against a stream of 1-permit users (Node)";
export const description =
  "4 permits; W workers loop acquire(1) → hold one setImmediate → release; after 20 ms one request for all 4. Overtakes = 1-permit requests made after the big one that were granted before it. Capped at 3 s (\"never\").";
export const metrics = [
  { key: "grantMs", label: "time to grant", unit: "ms", better: "lower" },
  { key: "overtakes", label: "overtakes", unit: "", better: "lower" },
];
export const notes = ["effect documents that smaller later requests may overtake a weighted one (Effect-TS/effect#2107)."];
export const paramLabel = (w) => `W=${w}`;

export function cases() {
  const out = [];
  for (const w of [2, 8]) for (const lib of ["kyoto", "async-mutex", "effect"]) out.push({ lib, param: w });
  return out;
}

const immediate = () => new Promise((resolve) => setImmediate(resolve));
const CAP_MS = 3000;

/** `acquire(n)` → Promise of a release function, per library. */
async function semaphore(lib) {
  if (lib === "kyoto") {
    const { loadKyoto } = await import("../lib/env.mjs");
    const { Semaphore } = await loadKyoto();
    const s = new Semaphore(4);
    return (n) => new Promise((resolve, reject) => s.acquire(n).then((p) => resolve(() => p.release()), reject));
  }
  if (lib === "async-mutex") {
    const { Semaphore } = await import("async-mutex");
    const s = new Semaphore(4);
    return (n) => s.acquire(n).then((t) => t[1]);
  }
  if (lib === "effect") {
    const Effect = await import("effect/Effect");
    const Semaphore = await import("effect/Semaphore");
    const s = Semaphore.makeUnsafe(4);
    return (n) => Effect.runPromise(s.take(n)).then(() => () => Effect.runSync(s.release(n)));
  }
  throw new Error("unknown lib " + lib);
}

export async function run(lib, W) {
  const acquire = await semaphore(lib);
  let running = true;
  let bigQueued = false;
  let bigGranted = false;
  let overtakes = 0;
  const worker = async () => {
    while (running) {
      const after = bigQueued;
      const release = await acquire(1);
      if (after && !bigGranted) overtakes++;
      await immediate();
      release();
    }
  };
  const workers = [];
  for (let i = 0; i < W; i++) workers.push(worker());
  await sleep(20);
  bigQueued = true;
  const t0 = now();
  let grantedAt = -1;
  const big = acquire(4).then((release) => {
    bigGranted = true;
    grantedAt = now();
    release();
  });
  await Promise.race([big, sleep(CAP_MS)]);
  running = false;
  if (grantedAt < 0) return { grantMs: "never", overtakes: `${overtakes.toLocaleString("en-US")} in 3 s` };
  return { grantMs: grantedAt - t0, overtakes };
}

export function budgets(rows) {
  return rows
    .filter((r) => r.kind === "kyoto")
    .map((r) => ({
      lib: r.lib,
      param: r.paramLabel,
      name: `batch fairness: 4-of-4 granted with no overtakes (${r.paramLabel})`,
      met: r.median.overtakes === 0 && typeof r.median.grantMs === "number",
      detail: `granted in ${typeof r.median.grantMs === "number" ? r.median.grantMs.toFixed(2) + " ms" : r.median.grantMs}, ${r.median.overtakes} overtakes`,
    }));
}
