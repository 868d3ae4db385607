/**
 * Issue #5 timers (SPEC §9 "Timers"): what arming and disarming a timer costs, and what a
 * million armed timers weigh, in kyoto against the host's own `setTimeout`.
 *
 *   insert+cancel  N cycles of arm-then-disarm, each timer 1…60 s ahead (so none fires):
 *                  kyoto:wheel  = TimerWheel.insert + cancel (what the runtime does per sleep),
 *                  kyoto:sleep  = sleep(ms) + op.cancel() on a runtime (the public path: an op
 *                                 per call, the wheel underneath),
 *                  floor:setTimeout = setTimeout + clearTimeout.
 *   armed          1,000,000 timers armed at once: heap growth per timer (heapUsed +
 *                  arrayBuffers after GC) and how many host timers stay armed (kyoto: one).
 *
 * The budget: kyoto's insert+cancel at least 10× cheaper than setTimeout+clearTimeout.
 */
import { heap, loadKyoto, now } from "../lib/env.mjs";

export const name = "timers";
export const order = 9;
export const title = "9. Timers: insert+cancel and 1 M armed timers (Node)";
export const description =
  "insert+cancel: arm a timer 1–60 s ahead and disarm it at once, N times. armed: arm 1,000,000 timers at once and read the heap growth per timer (heapUsed + arrayBuffers after forced GC).";
export const metrics = [
  { key: "opsPerSec", label: "insert+cancel/s", unit: "ops/s", better: "higher", ratio: true },
  { key: "armedB", label: "B/armed timer", unit: "B", better: "lower" },
  { key: "hostTimers", label: "host timers armed", unit: "", better: "lower" },
];
export const notes = [
  "kyoto:wheel drives TimerWheel directly (the runtime's own per-sleep work); kyoto:sleep goes through sleep()/cancel() on a runtime, allocating one op per call.",
  "armed B includes the op object for kyoto:sleep; for kyoto:wheel it is the typed-array columns (40 B per slot) and the waker slot.",
];
export const paramLabel = (p) => p.mode + " N=" + p.n.toLocaleString("en-US");
export const timeout = 300;

const LIBS = ["kyoto:wheel", "kyoto:sleep", "floor:setTimeout"];

export function cases({ quick }) {
  const n = quick ? 200000 : 1000000;
  const list = [];
  for (const lib of LIBS) list.push({ lib, param: { mode: "insert+cancel", n } });
  for (const lib of LIBS) list.push({ lib, param: { mode: "armed", n: quick ? 200000 : 1000000 } });
  return list;
}

export function kind(lib) {
  return lib.startsWith("floor") ? "floor" : "kyoto";
}

const NOOP_WAKER = { wake() {} };

async function makeRuntime(k, n) {
  if (typeof k.createRuntime !== "function") return null;
  return k.createRuntime({ maxTimers: Math.max(n + 16, 65536) });
}

export async function run(lib, param) {
  const k = await loadKyoto();
  const n = param.n;
  if (param.mode === "insert+cancel") {
    const rounds = 3;
    let best = Infinity;
    if (lib === "kyoto:wheel") {
      const wheel = new k.TimerWheel({ capacity: 64 });
      for (let r = 0; r < rounds; r++) {
        const t0 = now();
        for (let i = 0; i < n; i++) wheel.cancel(wheel.insert(1000 + (i % 59000), NOOP_WAKER, i));
        best = Math.min(best, now() - t0);
      }
    } else if (lib === "kyoto:sleep") {
      const rt = await makeRuntime(k, 64);
      if (rt === null) return { opsPerSec: "n/a", armedB: "n/a", hostTimers: "n/a", note: "createRuntime is not exported yet" };
      await rt.run(async () => {
        for (let r = 0; r < rounds; r++) {
          const t0 = now();
          for (let i = 0; i < n; i++) k.sleep(1000 + (i % 59000)).cancel();
          best = Math.min(best, now() - t0);
        }
      });
      rt.close();
    } else {
      for (let r = 0; r < rounds; r++) {
        const t0 = now();
        for (let i = 0; i < n; i++) clearTimeout(setTimeout(NOOP_WAKER.wake, 1000 + (i % 59000)));
        best = Math.min(best, now() - t0);
      }
    }
    return { opsPerSec: n / (best / 1000), armedB: "", hostTimers: "" };
  }
  // armed: n timers at once
  const handles = new Array(n);
  const H0 = await heap();
  let hostTimers = n;
  let H1;
  if (lib === "kyoto:wheel") {
    const wheel = new k.TimerWheel({ capacity: 64, maxCapacity: n });
    for (let i = 0; i < n; i++) handles[i] = wheel.insert(1000 + (i % 59000), NOOP_WAKER, i);
    hostTimers = 1;
    H1 = await heap();
    for (let i = 0; i < n; i++) wheel.cancel(handles[i]);
  } else if (lib === "kyoto:sleep") {
    const rt = await makeRuntime(k, n);
    if (rt === null) return { opsPerSec: "", armedB: "n/a", hostTimers: "n/a", note: "createRuntime is not exported yet" };
    await rt.run(async () => {
      for (let i = 0; i < n; i++) handles[i] = k.sleep(1000 + (i % 59000));
      await k.sleep(0);
      H1 = await heap();
      hostTimers = typeof rt.hostTimerArmed === "function" ? (rt.hostTimerArmed() ? 1 : 0) : 1;
      for (let i = 0; i < n; i++) handles[i].cancel();
    });
    rt.close();
  } else {
    for (let i = 0; i < n; i++) handles[i] = setTimeout(NOOP_WAKER.wake, 1000 + (i % 59000));
    H1 = await heap();
    for (let i = 0; i < n; i++) clearTimeout(handles[i]);
  }
  return { opsPerSec: "", armedB: (H1 - H0) / n, hostTimers };
}

export function budgets(rows) {
  const out = [];
  const floor = rows.find((r) => r.lib === "floor:setTimeout" && r.param && r.param.mode === "insert+cancel");
  for (const r of rows) {
    if (r.kind !== "kyoto" || !r.param || r.param.mode !== "insert+cancel" || typeof r.median.opsPerSec !== "number") continue;
    if (!floor || typeof floor.median.opsPerSec !== "number") continue;
    const x = r.median.opsPerSec / floor.median.opsPerSec;
    out.push({ lib: r.lib, param: r.paramLabel, name: "insert+cancel ≥ 10× cheaper than setTimeout+clearTimeout", met: x >= 10, detail: x.toFixed(1) + "×" });
  }
  for (const r of rows) {
    if (r.kind !== "kyoto" || !r.param || r.param.mode !== "armed" || typeof r.median.hostTimers !== "number") continue;
    out.push({ lib: r.lib, param: r.paramLabel, name: "1 M armed timers cost one host timer", met: r.median.hostTimers <= 1, detail: r.median.hostTimers + " host timer(s)" });
  }
  return out;
}
