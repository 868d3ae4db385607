/**
 * The device host of `kyoto run`: one QuickJS guest (quickjs-emscripten) with the Node process
 * as its firmware. It is also the reference embedder of hal/quickjs/README.md.
 *
 * - The guest gets the prelude (console, timers) and `kyotoHost`, whose `open()` gives each
 *   kyoto runtime a channel. Every contract call on a channel (time and sockets) is forwarded
 *   to a Node HAL adapter of its own (`createNodeHal` from the Node bundle), and that adapter's
 *   events are delivered to the channel's sink as three numbers.
 * - After every call into the guest (the app's evaluation, an event, a timer) the job queue
 *   is drained: kyoto's continuations are promise jobs.
 * - Modules: `kyoto`, `kyoto/quickjs` and `kyoto/sim` resolve to dist/quickjs; relative and
 *   absolute paths resolve on disk from the importing module's folder. Stack frames in the
 *   minified bundle are mapped to kyoto's TypeScript sources through its source map.
 * - The outcome: an uncaught guest error (the app's evaluation, a job, a timer callback, an
 *   event) or an out-of-memory stops the guest at once; otherwise the guest runs until the host
 *   has nothing left that could call it (`idle()`), and succeeds if its evaluation settled.
 */
import { readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { randomBytes } from "node:crypto";
import {
  drainJobs, isOutOfMemory, loadEngine, memoryUsage, PRELUDE_FILE, PRELUDE_SOURCE, readError, STACK_SIZE, StackMapper,
} from "./quickjs_vm.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const DIST = path.join(root, "dist");

/** The socket calls of a HAL: its methods named tcp*, udp*, sock* (and localPort). */
function socketCallsOf(hal) {
  const names = new Set();
  for (let o = hal; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const name of Object.getOwnPropertyNames(o)) {
      if (/^(tcp|udp|sock)[A-Z]|^localPort$/.test(name) && typeof hal[name] === "function") names.add(name);
    }
  }
  return [...names];
}

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
   * HAL factory; default: `createNodeHal` from the Node bundle).
   */
  constructor(options) {
    this.options = options;
    this.bundles = options.bundles ?? quickjsBundles();
    this.out = options.stdout ?? process.stdout;
    this.err = options.stderr ?? process.stderr;
    this.channels = [];
    this.timers = new Map();
    this.exAddr = -1;
    this.marker = null;
    this.peer = null;
    this.entry = null;
    this.kyotoLoaded = false;
    this.interrupted = false;
    this.failure = null;
    this.finished = false;
    this.exitCode = -1;
    this.events = 0;
    this.lastMemoryCheck = -Infinity;
    this.settled = false;
    this.smallNumbers = [];
    this.temps = [];
    this.liftLimit = () => this.rt.setMemoryLimit(-1);
    this.mapper = new StackMapper(
      (file) => (path.isAbsolute(file) && existsSync(file) ? file : null),
      (src) => path.relative(process.cwd(), src) || src,
    );
    // Frames of the prelude (a timer's fire, console) and native helpers say nothing about the app.
    this.mapStack = (stack) =>
      this.mapper.map(stack).split("\n").filter((l) => !l.includes(PRELUDE_FILE) && !/^\s*at apply \(native\)/.test(l)).join("\n");
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  /**
   * Creates the guest and evaluates `script` (its arguments in the global `scriptArgs`, as
   * `qjs` does). The outcome arrives on `done` (an exit code).
   */
  async start(script, args = []) {
    this.createNodeHal = this.options.createHal ?? (await import(pathToFileURL(path.join(DIST, "node/kyoto.mjs")).href)).createNodeHal;
    const probe = this.createNodeHal();
    this.socketCalls = socketCallsOf(probe);
    const engine = await loadEngine(this.options.engine);
    const rt = (this.rt = engine.newRuntime());
    rt.setMaxStackSize(this.options.stack || STACK_SIZE);
    rt.setInterruptHandler(() => this.interrupted);
    rt.setModuleLoader(
      (name) => this.load(name),
      (base, requested) => this.resolve(base, requested),
    );
    const vm = (this.vm = rt.newContext());
    this.installHost();
    this.guarded(() => vm.unwrapResult(vm.evalCode(PRELUDE_SOURCE, PRELUDE_FILE)).dispose());
    this.fireFn = this.guarded(() => {
      const prelude = vm.getProp(vm.global, "__prelude");
      const fire = vm.getProp(prelude, "fire");
      prelude.dispose();
      return fire;
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

  /** Ctrl-C: interrupts running guest code, or stops a waiting guest at once. */
  interrupt() {
    this.interrupted = true;
    if (!this.finished) this.finish(130, "kyoto run: interrupted");
  }

  memoryUsed() {
    return memoryUsage(this.rt, this.vm).memory_used_size;
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
    for (const ch of this.channels) {
      ch.hal.cancelTimer();
      ch.closed = true;
    }
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
    } else if (this.interrupted) {
      this.finish(130, "kyoto run: interrupted");
    } else {
      const code = e.code !== undefined ? ` [${e.code}]` : "";
      const label = what === "rejection" ? "unhandled rejection" : "uncaught";
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
      this.checkMemory();
    });
  }

  /**
   * The `--memory` limit on `memory_used_size`, checked at most once per millisecond. The
   * engine's own limit is set too, but quickjs-emscripten's builds count 8 bytes per
   * allocation there (no malloc_usable_size), so alone it would let a heap grow far past it.
   */
  checkMemory() {
    const limit = this.options.memory;
    if (!limit) return;
    const t = performance.now();
    if (t - this.lastMemoryCheck < 1) return;
    this.lastMemoryCheck = t;
    const used = this.memoryUsed();
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
    const ret = (v) => (v === undefined ? undefined : typeof v === "number" ? vm.newNumber(v) : typeof v === "boolean" ? vm.newNumber(v ? 1 : 0) : vm.newString(String(v)));
    const def = (name, impl) => vm.newFunction(name, (...args) => ret(impl(...args))).consume((f) => vm.setProp(host, name, f));
    const chan = (h) => {
      const ch = this.channels[num(h)];
      if (!ch) throw new TypeError("kyoto host: no channel " + num(h));
      return ch;
    };

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

    def("open", () => {
      const ch = { id: this.channels.length, hal: this.createNodeHal(), sink: null, closed: false };
      ch.hal.setSink((kind, handle, arg) => this.deliver(ch, kind, handle, arg));
      this.channels.push(ch);
      return ch.id;
    });
    def("setSink", (idH, fn) => {
      const ch = chan(idH);
      if (ch.sink) throw new TypeError("this HAL already has a sink: one HAL per runtime");
      ch.sink = fn.dup();
    });
    def("caps", (idH) => chan(idH).hal.caps ?? 0);
    def("now", () => performance.now());
    def("armTimer", (idH, ms) => chan(idH).hal.armTimer(num(ms)));
    def("cancelTimer", (idH) => chan(idH).hal.cancelTimer());
    def("wake", (idH) => chan(idH).hal.wake());

    // Sockets: the bytes go through the guest's exchange buffer (see guest_prelude.js).
    def("socketCalls", () => this.socketCalls.join(","));
    def("marker", () => {
      this.marker = randomBytes(32).map((b) => (b === 0 ? 1 : b));
      return String.fromCharCode(...this.marker);
    });
    def("locate", (sizeH) => this.locate(num(sizeH)));
    def("setPeer", (obj) => {
      this.peer = obj.dup();
    });
    const from = { ip: "", port: 0 };
    const fillPeer = () => {
      vm.newString(from.ip).consume((s) => vm.setProp(this.peer, "ip", s));
      vm.newNumber(from.port).consume((p) => vm.setProp(this.peer, "port", p));
    };
    // Calls that move bytes: the guest passes a length, the bytes sit in the exchange buffer.
    def("tcpRead", (c, h, len) => chan(c).hal.tcpRead(num(h), this.exchange(num(len)), 0, num(len)));
    def("tcpWrite", (c, h, len) => chan(c).hal.tcpWrite(num(h), this.exchange(num(len)), 0, num(len)));
    def("udpSend", (c, h, len, ip, port) => chan(c).hal.udpSend(num(h), this.exchange(num(len)), 0, num(len), vm.getString(ip), num(port)));
    def("udpRecv", (c, h, len) => {
      const got = chan(c).hal.udpRecv(num(h), this.exchange(num(len)), 0, num(len), from);
      if (got >= 0) fillPeer();
      return got;
    });
    // Every other socket call: numbers, strings and booleans as they are; an object is the
    // HalPeer the call fills in.
    for (const name of this.socketCalls) {
      if (name === "tcpRead" || name === "tcpWrite" || name === "udpSend" || name === "udpRecv") continue;
      def(name, (c, ...args) => {
        let fills = false;
        const values = args.map((a) => {
          if (vm.typeof(a) !== "object") return vm.dump(a);
          fills = true;
          return from;
        });
        const r = chan(c).hal[name](...values);
        if (fills) fillPeer();
        return r;
      });
    }

    vm.setProp(vm.global, "__host", host);
    host.dispose();
  }

  /** Finds the guest's exchange buffer in WebAssembly memory by the marker it wrote (transformed). */
  locate(size) {
    const heap = Buffer.from(this.vm.module.HEAPU8.buffer);
    const needle = Buffer.from(this.marker.map((b) => b ^ 0xa5));
    const at = heap.indexOf(needle);
    if (at < 0 || heap.indexOf(needle, at + 1) >= 0) return false;
    this.exAddr = at;
    this.exSize = size;
    return true;
  }

  /** A view of the first `n` bytes of the exchange buffer (re-taken: memory growth replaces HEAPU8). */
  exchange(n) {
    if (this.exAddr < 0 || n > this.exSize) throw new TypeError("kyoto host: the exchange buffer is not located");
    return this.vm.module.HEAPU8.subarray(this.exAddr, this.exAddr + n);
  }

  // --- calls into the guest ----------------------------------------------------------------

  deliver(ch, kind, handle, arg) {
    if (this.finished || ch.closed || !ch.sink) return;
    this.events++;
    const vm = this.vm;
    this.guarded(() => {
      const temps = this.temps;
      let r;
      try {
        r = vm.callFunction(ch.sink, vm.undefined, this.number(kind, temps), this.number(handle, temps), this.number(arg, temps));
      } finally {
        for (const t of temps) t.dispose();
        temps.length = 0;
      }
      if (r.error) throw this.uncaught(this.readError(r.error), "error");
      r.value.dispose();
    });
    this.afterGuest();
  }

  /** A guest number: small integers (kinds, handles, most args) are made once and kept; others go in `temps`. */
  number(n, temps) {
    if (n >= 0 && n < 1024 && (n | 0) === n) {
      let h = this.smallNumbers[n];
      if (h === undefined) h = this.smallNumbers[n] = this.vm.newNumber(n);
      return h;
    }
    const h = this.vm.newNumber(n);
    temps.push(h);
    return h;
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
