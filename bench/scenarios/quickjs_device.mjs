/**
 * The QuickJS device path: what loading kyoto costs a QuickJS heap, and what one host event
 * costs through `kyoto run`'s host (bin/lib/device_host.mjs) against kyoto on Node.
 *
 * "load": `memory_used_size` after `import * as k from "kyoto"` minus before, in a fresh
 * runtime, for the readable bundle (dist/quickjs/kyoto.mjs) and the minified one that
 * `kyoto run` loads (kyoto.min.mjs). "events": N `await yieldNow()` in a row; each is one
 * wake → host turn → sink delivery → job drain, so the time per iteration is the round trip
 * through the host boundary (on Node: setImmediate and a direct call).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath, pathToFileURL } from "node:url";
import { DeviceHost } from "../../bin/lib/device_host.mjs";
import { ENGINES, loadEngine, memoryUsage } from "../../bin/lib/quickjs_vm.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export const name = "quickjs_device";
export const order = 13;
export const title = "Q5. The QuickJS device path: bundle load heap and host events through kyoto run";
export const description =
  "load: memory_used_size growth from importing the whole QuickJS bundle in a fresh runtime (readable vs the minified bundle kyoto run loads). events: µs per `await yieldNow()`, each one wake → host turn → sink call → job drain, through kyoto run's host vs kyoto on Node.";
export const metrics = [
  { key: "loadB", label: "load heap", unit: "B", better: "lower" },
  { key: "usPerEvent", label: "µs/event", unit: "µs", better: "lower" },
];
export const notes = [
  "A QuickJS function keeps its source text in the heap (quickjs-emscripten's builds cannot strip it), and a class keeps it twice (the class and each method), so the heap cost follows the minified text size.",
  "quickjs-emscripten's engine memory limit counts 8 B per allocation (no malloc_usable_size in its builds), so `kyoto run --memory` checks memory_used_size itself, at most once per millisecond.",
  "Echo throughput through kyoto run (SPEC §9: ≥ 0.3× kyoto on Node) is scenario 20 (net_echo), the kyoto rows beside the kyoto run rows.",
];
export const timeout = 240;

export function cases({ quick }) {
  const out = [];
  for (const e of quick ? ["quickjs"] : ENGINES) {
    out.push({ lib: "kyoto", param: `${e} load readable` });
    out.push({ lib: "kyoto", param: `${e} load minified` });
    out.push({ lib: "kyoto run", param: `${e} events` });
  }
  out.push({ lib: "kyoto (node)", param: "node events" });
  return out;
}

const EVENTS = 20000;
const LOOP = (n) => `import { yieldNow, now } from "kyoto";
for (let i = 0; i < 1000; i++) await yieldNow();
const t0 = now();
for (let i = 0; i < ${n}; i++) await yieldNow();
console.log("RESULT " + ((now() - t0) * 1000) / ${n});
`;

async function loadCost(engine, file) {
  const mod = await loadEngine(engine);
  const rt = mod.newRuntime();
  const vm = rt.newContext();
  const source = readFileSync(path.join(root, "dist/quickjs", file), "utf8");
  rt.setModuleLoader(() => source);
  const before = memoryUsage(rt, vm).memory_used_size;
  const r = vm.evalCode('import * as k from "kyoto"; globalThis.k = k;', "/load.mjs", { type: "module" });
  if (r.error) throw new Error("load failed: " + JSON.stringify(vm.dump(r.error)));
  r.value.dispose();
  rt.executePendingJobs();
  return memoryUsage(rt, vm).memory_used_size - before;
}

async function eventsThroughHost(engine) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "kyoto-bench-"));
  const script = path.join(dir, "events.mjs");
  writeFileSync(script, LOOP(EVENTS));
  let out = "";
  const host = new DeviceHost({ engine, stdout: new Writable({ write: (c, _e, cb) => ((out += c), cb()) }) });
  const started = host.start(script);
  const poll = setInterval(() => {
    if (out.includes("RESULT")) host.idle();
  }, 10);
  const code = await started;
  clearInterval(poll);
  if (code !== 0) throw new Error("the guest failed with exit code " + code);
  return Number(/RESULT ([\d.]+)/.exec(out)[1]);
}

async function eventsOnNode() {
  const { yieldNow, now } = await import(pathToFileURL(path.join(root, "dist/node/kyoto.mjs")).href);
  for (let i = 0; i < 1000; i++) await yieldNow();
  const t0 = now();
  for (let i = 0; i < EVENTS; i++) await yieldNow();
  return ((now() - t0) * 1000) / EVENTS;
}

export async function run(lib, param) {
  const [engine, kind, variant] = param.split(" ");
  if (kind === "load") return { loadB: await loadCost(engine, variant === "minified" ? "kyoto.min.mjs" : "kyoto.mjs") };
  if (engine === "node") return { usPerEvent: await eventsOnNode() };
  return { usPerEvent: await eventsThroughHost(engine) };
}

export function budgets(rows) {
  const out = [];
  for (const r of rows) {
    if (typeof r.median.loadB === "number" && r.param.endsWith("minified")) {
      out.push({
        lib: r.lib,
        param: r.paramLabel,
        name: `loading the QuickJS bundle costs ≤ 128 KiB of heap (${r.param.split(" ")[0]}, the bundle kyoto run loads)`,
        met: r.median.loadB <= 131072,
        detail: `${r.median.loadB} B`,
      });
    }
  }
  return out;
}
