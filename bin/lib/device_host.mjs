/**
 * The device host of `kyoto run`: one QuickJS guest (quickjs-emscripten) with the Node process
 * as its firmware. It is also the reference embedder of hal/quickjs/README.md.
 *
 * - The guest gets the prelude (console, timers) and `kyotoHost`, whose `open()` gives each
 *   kyoto runtime a channel. Every contract call on a channel (time and sockets) is forwarded
 *   to a Node HAL adapter of its own (`createNodeHal` from the Node bundle's kyoto/core), and that adapter's
 *   events are delivered to the channel's sink as three numbers.
 * - After every call into the guest (the app's evaluation, an event, a timer) the job queue
 *   is drained: kyoto's continuations are promise jobs.
 * - Modules: `kyoto`, `kyoto/quickjs` and `kyoto/sim` resolve to dist/quickjs; relative and
 *   absolute paths resolve on disk from the importing module's folder. Stack frames in the
 *   minified bundle are mapped to kyoto's TypeScript sources through its source map.
 * - The outcome: an uncaught guest error (the app's evaluation, a job, a timer callback, an
 *   event), a promise rejection nothing handled by the end of the turn (the prelude's books)
 *   or an out-of-memory stops the guest at once; otherwise the guest runs until the host
 *   has nothing left that could call it (`idle()`), and succeeds if its evaluation settled.
 */
import { readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  directHostCalls, drainJobs, hostFunctions, isOutOfMemory, loadEngine, memoryUsedSize, PRELUDE_FILE, PRELUDE_SOURCE, readError, STACK_SIZE, StackMapper,
} from "./quickjs_vm.mjs";
import { HalBridge } from "./hal_bridge.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const DIST = path.join(root, "dist");

/** Where `kyoto`, `kyoto/quickjs` and `kyoto/sim` come from inside the guest. */
export function quickjsBundles(dist = DIST) {
  const kyoto = path.join(dist, "quickjs/kyoto.min.mjs");
  return { kyoto, "kyoto/quickjs": kyoto, "kyoto/sim": path.join(dist, "quickjs/sim.min.mjs") };
}

export class GuestStopped extends Error {}

export class DeviceHost {
  /**
   * options: engine ("quickjs" | "quickjs-ng"), memory (bytes or 0), stack (bytes),
   * stdout / stderr (writable streams), bundles (see quickjsBundles), createHal (the Node-side
   * HAL factory; default: `createNodeHal` from the Node bundle), interrupt (an Int32Array,
   * maybe shared with another thread: guest code stops once its first element is non-zero).
   */
  constructor(options) {
    this.options = options;
    this.bundles = options.bundles ?? quickjsBundles();
    this.out = options.stdout ?? process.stdout;
    this.err = options.stderr ?? process.stderr;
    this.timers = new Map();
    this.entry = null;
    this.kyotoLoaded = false;
    this.interrupted = false;
    this.failure = null;
    this.finished = false;
    this.exitCode = -1;
    this.events = 0;
    this.nextMemoryCheck = -Infinity;
    this.settled = false;
    this.rejectionDue = false;
    this.liftLimit = () => this.rt.setMemoryLimit(-1);
    this.mapper = new StackMapper(
      (file) => (path.isAbsolute(file) && existsSync(file) ? file : null),
      (src) => path.relative(process.cwd(), src) || src,
    );
    // Frames of the prelude (a timer's fire, console, the Promise wrapper) and the native helpers
    // it calls through (apply, Reflect.construct) say nothing about the app.
    this.mapStack = (stack) =>
      this.mapper.map(stack).split("\n").filter((l) => !l.includes(PRELUDE_FILE) && !/^\s*at (apply|construct) \(native\)/.test(l)).join("\n");
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  /**
   * Creates the guest and evaluates `script` (its arguments in the global `scriptArgs`, as
   * `qjs` does). The outcome arrives on `done` (an exit code).
   */
  async start(script, args = []) {
    this.createNodeHal = this.options.createHal ?? (await import(pathToFileURL(path.join(DIST, "node/core.mjs")).href)).createNodeHal;
    const engine = await loadEngine(this.options.engine);
    const rt = (this.rt = engine.newRuntime());
    rt.setMaxStackSize(this.options.stack || STACK_SIZE);
    rt.setInterruptHandler(() => this.interruptRequested());
    rt.setModuleLoader(
      (name) => this.load(name),
      (base, requested) => this.resolve(base, requested),
    );
    const vm = (this.vm = rt.newContext());
    directHostCalls(vm);
    this.installHost();
    this.guarded(() => vm.unwrapResult(vm.evalCode(PRELUDE_SOURCE, PRELUDE_FILE)).dispose());
    this.guarded(() => {
      const prelude = vm.getProp(vm.global, "__prelude");
      this.fireFn = vm.getProp(prelude, "fire");
      this.takeUnhandledFn = vm.getProp(prelude, "takeUnhandled");
      prelude.dispose();
    });
    const file = path.resolve(script);
    this.guarded(() => {
      const list = vm.newArray();
      [file, ...args].forEach((a, i) => vm.newString(String(a)).consume((h) => vm.setProp(list, i, h)));
      vm.setProp(vm.global, "scriptArgs", list);
      list.dispose();
    });
    if (this.options.memory) rt.setMemoryLimit(this.options.memory);
    this.guarded(() => {
      const r = vm.evalCode(readFileSync(file, "utf8"), file, { type: "module" });
      if (r.error) throw this.uncaught(this.readError(r.error), "error");
      this.entry = r.value;
    });
    this.afterGuest();
    return this.done;
  }

  // --- the outcome -------------------------------------------------------------------------

  /** The host has nothing left that could call into the guest: settle the outcome. */
  idle() {
    if (this.finished) return;
    const state = this.entryState();
    if (state === "pending") {
      this.finish(1, "kyoto run: the script never finished: its top-level await is still pending and nothing is left that could wake it (no timer, no socket)");
    } else this.finish(0);
  }

  /** True once Ctrl-C asked to stop (here, or through the shared interrupt flag). */
  interruptRequested() {
    if (!this.interrupted && this.options.interrupt && Atomics.load(this.options.interrupt, 0) !== 0) this.interrupted = true;
    return this.interrupted;
  }

  /** Ctrl-C: interrupts running guest code, or stops a waiting guest at once. */
  interrupt() {
    this.interrupted = true;
    if (!this.finished) this.finish(130, "kyoto run: interrupted");
  }

  memoryUsed() {
    return memoryUsedSize(this.rt, this.vm);
  }

  /** `{ memory, limit, kyoto }` where kyoto is the current runtime's `stats()`, when the app loaded kyoto. */
  stats() {
    const s = { memory: this.memoryUsed(), limit: this.options.memory || 0, kyoto: null };
    if (!this.kyotoLoaded || this.exitCode > 0) return s;
    try {
      if (!this.statsFn) {
        const r = this.vm.evalCode(
          'import { currentRuntime } from "kyoto"; globalThis.__kyotoStats = function () { return JSON.stringify(currentRuntime().stats()); };',
          "<kyoto run --stats>",
          { type: "module" },
        );
        (r.error ?? r.value).dispose();
        drainJobs(this.rt, this.vm, () => {});
        this.statsFn = this.vm.getProp(this.vm.global, "__kyotoStats");
      }
      const r = this.vm.callFunction(this.statsFn, this.vm.undefined);
      if (r.error) r.error.dispose();
      else s.kyoto = JSON.parse(r.value.consume((h) => this.vm.getString(h)));
    } catch {
      s.kyoto = null;
    }
    return s;
  }

  entryState() {
    if (!this.entry) return "rejected";
    if (this.settled) return "fulfilled";
    const st = this.vm.getPromiseState(this.entry);
    if (st.type === "fulfilled") {
      if (!st.notAPromise) st.value.dispose();
      this.settled = true;
      return "fulfilled";
    }
    if (st.type === "rejected") {
      this.entryError = this.readError(st.error);
      return "rejected";
    }
    return "pending";
  }

  finish(code, message) {
    if (this.finished) return;
    this.finished = true;
    this.exitCode = code;
    for (const t of this.timers.values()) (t.immediate ? clearImmediate : clearTimeout)(t.handle);
    this.timers.clear();
    this.bridge?.close();
    if (message) this.err.write(message + "\n");
    this.resolveDone(code);
  }

  /** Formats an uncaught guest error, stops the guest and returns a GuestStopped to throw. */
  uncaught(e, what) {
    // Out of memory while building its own InternalError, QuickJS throws null instead.
    if (this.options.memory && e.message === "non-error thrown: null") {
      e = { name: "InternalError", message: "out of memory (the engine could not allocate the error itself)", stack: "" };
    }
    if (isOutOfMemory(e)) {
      const limit = this.options.memory ? `; --memory allows ${this.options.memory} bytes` : "";
      this.rt.setMemoryLimit(-1);
      this.finish(1, `kyoto run: out of memory: ${e.message}${limit}\n${this.mapStack(e.stack)}`.trimEnd());
    } else if (this.interruptRequested()) {
      this.finish(130, "kyoto run: interrupted");
    } else {
      const code = e.code !== undefined ? ` [${e.code}]` : "";
      const label = what === "rejection" ? "unhandled promise rejection:" : "uncaught";
      this.finish(1, `kyoto run: ${label} ${e.name}: ${e.message}${code}\n${this.mapStack(e.stack)}`.trimEnd());
    }
    return new GuestStopped();
  }

  /** Runs host code that calls into the guest; a GuestStopped ends it quietly. */
  guarded(fn) {
    try {
      return fn();
    } catch (err) {
      if (err instanceof GuestStopped) return undefined;
      if (err && err.name && typeof err.message === "string" && /out of memory/.test(err.message)) {
        this.uncaught({ name: "InternalError", message: err.message, stack: "" }, "error");
        return undefined;
      }
      throw err;
    }
  }

  /** After every call into the guest: drain the jobs, check the app's evaluation and the heap. */
  afterGuest() {
    if (this.finished) return;
    this.guarded(() => {
      drainJobs(this.rt, this.vm, (e) => {
        if (!this.finished) throw this.uncaught(e, "error");
      }, this.liftLimit);
      if (this.entryState() === "rejected") throw this.uncaught(this.entryError, "error");
      if (this.rejectionDue) this.checkRejections();
      this.checkMemory();
    });
  }

  /** The turn is over (jobs drained): a rejection nothing handled stops the guest, as on Node. */
  checkRejections() {
    this.rejectionDue = false;
    const vm = this.vm;
    const r = vm.callFunction(this.takeUnhandledFn, vm.undefined);
    if (r.error) throw this.uncaught(this.readError(r.error), "error");
    if (vm.typeof(r.value) === "undefined") return;
    const reason = r.value.consume((found) => vm.getProp(found, "reason"));
    throw this.uncaught(this.readError(reason), "rejection");
  }

  /**
   * The `--memory` limit on `memory_used_size`, checked at most once per millisecond and at
   * most 5% of the time: measuring walks the whole heap (about 0.3 ms for a 1 MiB heap), so
   * the next check waits 20 times as long as this one took. The engine's own limit is set
   * too, but quickjs-emscripten's builds count 8 bytes per allocation there (no
   * malloc_usable_size), so alone it would let a heap grow far past it.
   */
  checkMemory() {
    const limit = this.options.memory;
    if (!limit) return;
    const t = performance.now();
    if (t < this.nextMemoryCheck) return;
    const used = this.memoryUsed();
    this.nextMemoryCheck = t + Math.max(1, 20 * (performance.now() - t));
    if (used > limit) {
      throw this.uncaught({ name: "InternalError", message: `out of memory (memory_used_size ${used})`, stack: "" }, "error");
    }
  }

  /** Reads a guest error with the memory limit lifted (reading needs a little heap). */
  readError(handle) {
    this.liftLimit();
    return readError(this.vm, handle);
  }

  // --- modules -----------------------------------------------------------------------------

  resolve(base, requested) {
    if (Object.prototype.hasOwnProperty.call(this.bundles, requested)) return this.bundles[requested];
    if (requested.startsWith("./") || requested.startsWith("../")) return path.resolve(path.dirname(base), requested);
    return requested;
  }

  load(name) {
    if (!path.isAbsolute(name)) {
      return { error: new Error(`cannot find module "${name}": kyoto run resolves "kyoto", "kyoto/quickjs", "kyoto/sim" and relative paths`) };
    }
    if (!existsSync(name)) {
      const hint = name.startsWith(DIST) ? " (run `npm run build`)" : "";
      return { error: new Error(`cannot find module ${name}${hint}`) };
    }
    if (name === this.bundles.kyoto) this.kyotoLoaded = true;
    return readFileSync(name, "utf8");
  }

  // --- host functions ----------------------------------------------------------------------

  installHost() {
    const vm = this.vm;
    const host = vm.newObject();
    const num = (h) => vm.getNumber(h);
    const def = hostFunctions(vm, host);

    def("rejection", () => {
      this.rejectionDue = true;
    });
    def("log", (level, text) => {
      const l = vm.getString(level);
      (l === "warn" || l === "error" ? this.err : this.out).write(vm.getString(text) + "\n");
    });
    // Node clamps setTimeout(f, 0) to 1 ms: a zero delay is an immediate.
    const cancel = (t) => (t.immediate ? clearImmediate(t.handle) : clearTimeout(t.handle));
    def("setTimer", (idH, msH) => {
      const id = num(idH);
      const ms = num(msH);
      const old = this.timers.get(id);
      if (old !== undefined) cancel(old);
      const fire = () => this.fireTimer(id);
      this.timers.set(id, ms > 0 ? { immediate: false, handle: setTimeout(fire, ms) } : { immediate: true, handle: setImmediate(fire) });
    });
    def("clearTimer", (idH) => {
      const id = num(idH);
      const t = this.timers.get(id);
      if (t !== undefined) cancel(t);
      this.timers.delete(id);
    });

    this.bridge = new HalBridge(vm, def, {
      createHal: this.createNodeHal,
      onEvent: (ch, kind, handle, arg) => this.deliver(ch, kind, handle, arg),
    });

    vm.setProp(vm.global, "__host", host);
    host.dispose();
  }

  // --- calls into the guest ----------------------------------------------------------------

  deliver(ch, kind, handle, arg) {
    if (this.finished || ch.closed || !ch.sink) return;
    this.events++;
    const vm = this.vm;
    this.guarded(() => {
      const r = this.bridge.callSink(ch, kind, handle, arg);
      if (r.error) throw this.uncaught(this.readError(r.error), "error");
      r.value.dispose();
    });
    this.afterGuest();
  }

  fireTimer(id) {
    this.timers.delete(id);
    if (this.finished) return;
    const vm = this.vm;
    this.guarded(() => {
      const r = vm.newNumber(id).consume((h) => vm.callFunction(this.fireFn, vm.undefined, h));
      if (r.error) throw this.uncaught(this.readError(r.error), "error");
      r.value.dispose();
    });
    this.afterGuest();
  }
}
