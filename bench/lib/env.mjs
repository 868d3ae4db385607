/**
 * What every scenario needs inside its case process: kyoto itself (the built bundle, or the
 * TypeScript source when the runner says so), a clock, and a heap reading that is stable.
 *
 * Case processes run with `--expose-gc`; `heap()` forces several full collections with event
 * loop turns in between (finalizers and weak callbacks run between turns) and reports
 * `heapUsed + arrayBuffers`: kyoto's node pool keeps its columns in typed arrays whose
 * backing stores live outside the JS heap, so `heapUsed` alone would flatter it.
 */
import { performance } from "node:perf_hooks";

export const now = () => performance.now();

/** True when the runner asked for the reduced `--quick` configuration. */
export const quick = process.env.KYOTO_BENCH_QUICK === "1";

/** Which kyoto this process measures: "dist" (dist/node) or "src" (the Node targets, targets/node.ts and targets/core.ts, via tsx: src/ with the Node HAL installed). */
export const kyotoSource = process.env.KYOTO_BENCH_SRC === "1" ? "src" : "dist";

let kyotoModule = null;
/** kyoto's public API with the `kyoto/core` pieces (the timer wheel), loaded once. */
export async function loadKyoto() {
  if (kyotoModule === null) {
    const [api, core] =
      kyotoSource === "src"
        ? [await import("../../targets/node.ts"), await import("../../targets/core.ts")]
        : [await import("../../dist/node/kyoto.mjs"), await import("../../dist/node/core.mjs")];
    kyotoModule = { ...api, ...core };
  }
  return kyotoModule;
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

/** Bytes in use after forced GC: JS heap plus ArrayBuffer backing stores. */
export async function heap() {
  if (typeof globalThis.gc !== "function") throw new Error("run case processes with --expose-gc");
  for (let i = 0; i < 5; i++) {
    globalThis.gc();
    await turn();
  }
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Awaits `promise`, or resolves to `fallback` after `ms` milliseconds. */
export function within(promise, ms, fallback) {
  let timer;
  const limit = new Promise((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}
