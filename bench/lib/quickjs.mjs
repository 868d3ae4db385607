/**
 * A QuickJS guest for the benchmarks (quickjs-emscripten, release-sync builds; research/engines.md §1).
 *
 * `newGuest(engine, { memoryLimit, peers })` starts a fresh runtime (its own WebAssembly
 * instance), loads `dist/quickjs/kyoto.mjs` as the module "kyoto" and exposes it as the global
 * `kyoto`; `peers` (package names from `quickjs_peers.mjs`) are loaded beside it, each bundle
 * as the module "peer:<package>" exposed as `peers["<package>"]`, so kyoto and its peers
 * share one VM.
 * Every guest gets `queueMicrotask` as a one-line Promise-job shim (QuickJS has none; p-queue
 * and p-limit call it, kyoto does not).
 * `guest.run(code)` evaluates a script that sets `globalThis.__result` (possibly later, from
 * an async function), drains the job queue until the result is there and returns it with
 * the host-measured wall time. `guest.memory()` is `memory_used_size` from
 * `computeMemoryUsage()`. The guest has no timers: scenarios only await microtasks.
 */
import { readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadEngine } from "../../bin/lib/quickjs_vm.mjs";
import { now } from "./env.mjs";
import { peerBundle } from "./quickjs_peers.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const bundle = path.resolve(here, "../../dist/quickjs/kyoto.mjs");

export { ENGINES } from "../../bin/lib/quickjs_vm.mjs";

export async function newGuest(engine, options = {}) {
  if (!existsSync(bundle)) throw new Error("dist/quickjs/kyoto.mjs is missing: run `npm run build`");
  const source = readFileSync(bundle, "utf8");
  const peerNames = options.peers || [];
  const peerSources = {};
  for (const p of peerNames) peerSources["peer:" + p] = await peerBundle(p);
  const module = await loadEngine(engine);
  const rt = module.newRuntime();
  rt.setMaxStackSize(256 * 1024);
  rt.setModuleLoader((name) => (name === "kyoto" ? source : peerSources[name] || { error: new Error("no module " + name) }));
  const vm = rt.newContext();

  const drain = () => {
    for (;;) {
      const r = rt.executePendingJobs(-1);
      if (r.error) {
        const e = vm.dump(r.error);
        r.error.dispose();
        throw new Error("guest job failed: " + JSON.stringify(e));
      }
      if (r.value === 0) return;
    }
  };
  const evalScript = (code, type) => {
    const r = vm.evalCode(code, type === "module" ? "/bench.mjs" : "bench.js", type ? { type } : undefined);
    if (r.error) {
      const e = vm.dump(r.error);
      r.error.dispose();
      throw new Error("guest error: " + JSON.stringify(e));
    }
    r.value.dispose();
  };
  const read = (name) => {
    const h = vm.getProp(vm.global, name);
    const v = vm.dump(h);
    h.dispose();
    return v;
  };

  evalScript('if (typeof queueMicrotask !== "function") globalThis.queueMicrotask = function (f) { Promise.resolve().then(f); };');
  evalScript('import * as k from "kyoto"; globalThis.kyoto = k;', "module");
  evalScript("globalThis.peers = {};");
  for (const p of peerNames) evalScript(`import * as p from ${JSON.stringify("peer:" + p)}; peers[${JSON.stringify(p)}] = p;`, "module");
  drain();
  if (read("kyoto") === undefined) throw new Error("kyoto did not load in " + engine);
  const loaded = read("peers");
  for (const p of peerNames) if (!loaded || loaded[p] === undefined) throw new Error(p + " did not load in " + engine);
  if (options.memoryLimit) rt.setMemoryLimit(options.memoryLimit);

  return {
    engine,
    /** memory_used_size now. */
    memory() {
      const h = rt.computeMemoryUsage();
      const m = vm.dump(h);
      h.dispose();
      return m.memory_used_size;
    },
    /** Runs `code`, drains jobs until `globalThis.__result` is set; returns { value, ms }. */
    run(code) {
      evalScript("globalThis.__result = undefined;");
      const t0 = now();
      evalScript(code);
      drain();
      const ms = now() - t0;
      const value = read("__result");
      if (value === undefined) throw new Error("guest produced no __result (stalled?)");
      if (value && value.error) throw new Error("guest: " + value.error);
      return { value, ms };
    },
    dispose() {
      vm.dispose();
      rt.dispose();
    },
  };
}
