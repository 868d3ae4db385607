/**
 * What every Node-side QuickJS host in this repo shares (`kyoto run`, the test harness, the
 * benchmarks): loading an engine, the guest prelude, draining the job queue, reading a guest
 * error, and mapping guest stack frames through source maps.
 *
 * Engines are quickjs-emscripten's release-sync builds (research/engines.md §1e): "quickjs"
 * (bellard) and "quickjs-ng". Stack size is capped at 256 KiB: above ~384 KiB V8's own stack
 * overflows first and corrupts the runtime (research/engines.md §1d).
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire, SourceMap } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export const ENGINES = ["quickjs", "quickjs-ng"];
export const STACK_SIZE = 256 * 1024;

/** The guest prelude (console, timers, kyotoHost): evaluate it as a script before any module. */
export const PRELUDE_FILE = path.join(here, "guest_prelude.js");
export const PRELUDE_SOURCE = readFileSync(PRELUDE_FILE, "utf8");

/** A fresh WebAssembly instance of the engine (so an abort in one guest cannot poison the next). */
export async function loadEngine(name) {
  if (!ENGINES.includes(name)) throw new TypeError(`unknown engine "${name}": expected ${ENGINES.join(" or ")}`);
  if (name === "quickjs") {
    const { newQuickJSWASMModule, RELEASE_SYNC } = await import("quickjs-emscripten");
    return newQuickJSWASMModule(RELEASE_SYNC);
  }
  const { newQuickJSWASMModuleFromVariant } = await import("quickjs-emscripten-core");
  const variant = require("@jitl/quickjs-ng-wasmfile-release-sync");
  return newQuickJSWASMModuleFromVariant(variant.default ?? variant);
}

/** `memory_used_size` alone: reading one property costs a third of dumping them all. */
export function memoryUsedSize(rt, vm) {
  const h = rt.computeMemoryUsage();
  try {
    return vm.getProp(h, "memory_used_size").consume((n) => vm.getNumber(n));
  } finally {
    h.dispose();
  }
}

/** `memory_used_size` and friends from `computeMemoryUsage()`. */
export function memoryUsage(rt, vm) {
  const h = rt.computeMemoryUsage();
  try {
    return vm.dump(h);
  } finally {
    h.dispose();
  }
}

/**
 * Reads (and disposes) a guest error handle as `{ name, message, stack, code? }`. A thrown
 * non-error becomes an Error-shaped record saying so.
 */
export function readError(vm, handle) {
  try {
    const d = vm.dump(handle);
    if (d !== null && typeof d === "object") {
      const out = { name: String(d.name ?? "Error"), message: String(d.message ?? JSON.stringify(d)), stack: String(d.stack ?? "") };
      if (d.code !== undefined) out.code = String(d.code);
      return out;
    }
    return { name: "Error", message: "non-error thrown: " + String(d), stack: "" };
  } finally {
    handle.dispose();
  }
}

/** True for QuickJS's out-of-memory exception. */
export function isOutOfMemory(e) {
  return e.name === "InternalError" && /out of memory/.test(e.message);
}

/**
 * `rt.executePendingJobs(-1)` without quickjs-emscripten 0.32.0's stray context: when a job
 * grows the WebAssembly memory, it reads the job's context pointer through a detached view,
 * finds no context for it and wraps a *new* one that nobody disposes (upstream issue #269,
 * fix in PR #248); left alone, the runtime cannot be freed (`list_empty(&rt->gc_obj_list)`
 * aborts). Returns `[result, release]`: read (and dispose) the result, then call `release()`,
 * which disposes the contexts that call created (an error handle belongs to one of them).
 */
export function executeJobs(rt) {
  const known = rt.contextMap ? new Set(rt.contextMap.values()) : null;
  const result = rt.executePendingJobs(-1);
  const release = () => {
    if (known === null) return;
    for (const ctx of [...rt.contextMap.values()]) if (!known.has(ctx) && ctx.alive) ctx.dispose();
  };
  return [result, release];
}

/**
 * Runs pending jobs until none is left. An exception escaping a job is passed to `onError`
 * (as a read error record) and draining continues; `beforeRead()` runs first (a host lifts
 * its memory limit there, so an out-of-memory error can be read). Returns the jobs run.
 */
export function drainJobs(rt, vm, onError, beforeRead) {
  let ran = 0;
  for (;;) {
    const [r, release] = executeJobs(rt);
    if (r.error) {
      if (beforeRead) beforeRead();
      let e;
      try {
        e = readError(vm, r.error);
      } finally {
        release();
      }
      onError(e);
      continue;
    }
    release();
    ran += r.value;
    if (r.value === 0 || !rt.hasPendingJob()) return ran;
  }
}

/**
 * Rewrites `file:line:col` stack frames to the original sources through `<file>.map`.
 * `locate(frameFile)` turns the file name a frame shows into a path on disk (or null);
 * `display(sourcePath)` formats the original source's path.
 */
export class StackMapper {
  constructor(locate, display = (p) => p) {
    this.locate = locate;
    this.display = display;
    this.maps = new Map();
  }

  map(stack) {
    return String(stack).replace(/([(\s])([^\s():]+\.m?js):(\d+)(?::(\d+))?/g, (all, pre, file, line, col) => {
      const disk = this.locate(file);
      const map = disk ? this.sourceMap(disk) : null;
      if (!map) return all;
      const entry = map.findEntry(Number(line) - 1, col ? Number(col) - 1 : 0);
      if (!entry || !entry.originalSource) return all;
      const src = path.resolve(path.dirname(disk), entry.originalSource);
      return `${pre}${this.display(src)}:${(entry.originalLine ?? 0) + 1}:${(entry.originalColumn ?? 0) + 1}`;
    });
  }

  sourceMap(file) {
    if (!this.maps.has(file)) {
      let map = null;
      if (existsSync(file + ".map")) {
        try {
          map = new SourceMap(JSON.parse(readFileSync(file + ".map", "utf8")));
        } catch {
          map = null;
        }
      }
      this.maps.set(file, map);
    }
    return this.maps.get(file);
  }
}

/**
 * Makes guest→host calls of `vm` plain synchronous calls. quickjs-emscripten runs each one
 * through a generator-based scope (so that its asyncify builds can suspend); on the sync
 * builds used here that machinery costs more than the call itself (a sixth of an echo
 * server's time). The replacement keeps the contract: argument handles live for the call
 * only, a returned handle is duplicated for the guest and then disposed, a thrown error
 * becomes the guest's exception. Returns false, changing nothing, when the library's
 * internals are not the ones this was written against (quickjs-emscripten 0.32).
 */
export function directHostCalls(vm) {
  const callbacks = vm.cToHostCallbacks;
  const { ffi, memory, runtime } = vm;
  if (
    !callbacks || typeof callbacks.callFunction !== "function" || typeof vm.getFunction !== "function" ||
    typeof vm.errorToHandle !== "function" || !ffi || !memory || typeof memory.copyJSValue !== "function" ||
    typeof ffi.QTS_ArgvGetJSValueConstPointer !== "function"
  ) {
    return false;
  }
  // A borrowed handle, as the library's WeakLifetime: disposing it frees nothing, its dup()
  // is an owned handle. Built on the library's own Lifetime class (a second copy of the
  // library, as a test loader may make, has another).
  const Lifetime = Object.getPrototypeOf(Object.getPrototypeOf(vm.undefined)).constructor;
  class Borrowed extends Lifetime {
    dispose() {
      this._alive = false;
    }
  }
  const ctx = vm.ctx.value;
  const handle = (ptr) => new Borrowed(ptr, memory.copyJSValue, memory.freeJSValue, runtime);
  callbacks.callFunction = (callCtx, thisPtr, argc, argv, fnId) => {
    if (callCtx !== ctx) throw new Error("kyoto: a host call for another QuickJS context");
    const fn = vm.getFunction(fnId);
    const self = handle(thisPtr);
    const args = new Array(argc);
    for (let i = 0; i < argc; i++) args[i] = handle(ffi.QTS_ArgvGetJSValueConstPointer(argv, i));
    try {
      const result = fn.apply(self, args);
      if (!result) return 0;
      if (result.error) throw result.error;
      const value = typeof result.dispose === "function" ? result : result.value;
      try {
        return ffi.QTS_DupValuePointer(ctx, value.value);
      } finally {
        value.dispose();
      }
    } catch (error) {
      return vm.errorToHandle(error).consume((e) => ffi.QTS_Throw(ctx, e.value));
    } finally {
      self.dispose();
      for (const a of args) a.dispose();
    }
  };
  return true;
}

/**
 * `def(name, impl)` installs a host function on the guest object `target`: `impl` gets the
 * argument handles and returns a plain value (number, boolean as 1/0, string, or undefined).
 */
export function hostFunctions(vm, target) {
  const ret = (v) =>
    v === undefined ? undefined : typeof v === "number" ? vm.newNumber(v) : typeof v === "boolean" ? vm.newNumber(v ? 1 : 0) : vm.newString(String(v));
  return (name, impl) => vm.newFunction(name, (...args) => ret(impl(...args))).consume((f) => vm.setProp(target, name, f));
}
