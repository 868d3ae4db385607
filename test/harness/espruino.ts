/**
 * A Node `vm` context with exactly the standard library a real Espruino 2v29 has, and its
 * event loop, for running the Espruino bundle and the portable tests lowered like it.
 *
 *   - Everything tools/engines/espruino-2v29.json lists as absent is deleted (globals,
 *     statics, prototype members), and each deletion is verified with the probe's own
 *     `typeof` form, except the few V8 cannot remove (UNEMULATED; the static check covers
 *     those).
 *   - Promise is Espruino's (test/harness/espruino_promise.js): reactions go on one event
 *     queue that runs after the timers already due, not as microtasks.
 *   - Timers are Espruino's: numeric ids; `clearTimeout()` with no argument clears every
 *     timer, `clearTimeout(undefined)` throws, and clearing an id that is not armed throws
 *     "Unknown Timeout"; `changeInterval`; `getTime()` in seconds.
 *   - `E.toString` / `E.toUint8Array`, `print`, `console.log`, a `process` with `env`,
 *     `memory()` and `on`, and `require(name)` answering from the modules given (e.g. a `net` shim).
 *   - One thing a real Espruino lacks, for test code only: `__hostIdle(fn)` runs `fn` once no
 *     promise reaction is queued. hal/sim's virtual clock and test/helpers' `quiesce` need to
 *     know when the code after an `await` has run, which on Espruino no timer can tell (a
 *     0 ms timer runs before the reactions already queued). kyoto's own code never reads it
 *     (tools/check_espruino.mjs rejects it in the Espruino bundle); it is not `setImmediate`,
 *     which the inventory lists as absent and which stays deleted.
 *
 * The loop runs on the host: each turn fires every timer already due, then runs the queue
 * entries present when the turn began, then (if that left the queue empty) the idle hooks
 * waiting, and repeats; it yields to Node between bursts. An
 * exception escaping a timer or queue entry, and a rejection nobody handles, go to
 * `onError` (by default thrown on the host like an uncaught exception, which mocha
 * attributes to the running test).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { fileURLToPath } from "node:url";
import { ESPRUINO_INVENTORY, shapeOf } from "../../tools/espruino_inventory.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const PROMISE_SOURCE = readFileSync(path.join(here, "espruino_promise.js"), "utf8");

/**
 * Absent on Espruino but impossible to remove from V8: every function owns its `name`,
 * `arguments` and `caller`, and the `BYTES_PER_ELEMENT` and `Number` constants are
 * non-configurable. The static check (tools/check_espruino.mjs) rejects references to them.
 */
export const UNEMULATED = (ESPRUINO_INVENTORY.absent as string[]).filter((n) =>
  /^Function\.prototype\.(name|arguments|caller)$/.test(n) || /\.BYTES_PER_ELEMENT$/.test(n) ||
  /^Number\.(EPSILON|MAX_SAFE_INTEGER|MIN_SAFE_INTEGER)$/.test(n));

/** How the probe reads a prototype member: on an instance, as the inventory was made. */
const INSTANCES: Record<string, string> = {
  Object: "({})", Function: "(function(){})", Array: "[]", Number: "(1)", Boolean: "(true)", String: '("")',
  Date: "new Date(0)", Promise: "Promise.resolve()", RegExp: "/a/", Error: "new Error('x')",
  ArrayBuffer: "new ArrayBuffer(4)", Int32Array: "new Int32Array(1)", Uint8Array: "new Uint8Array(1)",
  Float64Array: "new Float64Array(1)", DataView: "new DataView(new ArrayBuffer(4))",
};

export function probeExpression(name: string): string {
  const parts = name.split(".");
  const read = shapeOf(name) === "prototype" ? `${INSTANCES[parts[0]] ?? parts[0] + ".prototype"}.${parts[2]}` : name;
  return `(function () { try { return typeof ${read}; } catch (e) { return "undefined"; } })()`;
}

export interface EspruinoOptions {
  /** What `require(name)` returns (Espruino's modules: "net", "dgram", …). */
  modules?: Record<string, unknown>;
  /** Errors escaping a timer or queue entry, and unhandled rejections. */
  onError?: (err: unknown) => void;
  /** `process.env` inside the context. */
  env?: Record<string, string>;
  /**
   * A virtual clock (ms from 0): time moves only through `loop.runFor(ms)`, jumping from one
   * due timer to the next once the queue is empty, so a test of a periodic app takes no real
   * time.
   */
  virtualTime?: boolean;
}

interface Timer {
  id: number;
  due: number;
  fn: (...args: unknown[]) => void;
  args: unknown[];
  every: number;
}

/** The host side of the context's event loop. */
export class EspruinoLoop {
  private timers: Timer[] = [];
  private queue: Array<() => void> = [];
  private idleJobs: Array<() => void> = [];
  private unhandled: Array<{ promise: { __espruino: { handled: boolean } }; reason: unknown }> = [];
  private nextId = 1;
  private scheduled = false;
  private hostTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly t0 = performance.now();
  private virtualNow = 0;
  /** Virtual time may advance up to here (runFor moves it). */
  private limit = 0;
  private idle: Array<() => void> = [];

  constructor(
    private readonly onError: (err: unknown) => void,
    private readonly virtual = false,
  ) {}

  now(): number {
    return this.virtual ? this.virtualNow : performance.now() - this.t0;
  }

  /** Virtual time only: runs everything due in the next `ms`, then resolves (clock at +ms). */
  runFor(ms: number): Promise<void> {
    if (!this.virtual) throw new Error("runFor needs a context created with virtualTime");
    this.limit = this.virtualNow + ms;
    return new Promise<void>((resolve) => {
      this.idle.push(resolve);
      this.kick();
    });
  }

  /** Runs `fn` at the end of the first turn that leaves no queue entry (the host idle hook). */
  whenIdle(fn: () => void): void {
    this.idleJobs.push(fn);
    this.kick();
  }

  enqueue(fn: () => void): void {
    this.queue.push(fn);
    this.kick();
  }

  reportUnhandled(promise: { __espruino: { handled: boolean } }, reason: unknown): void {
    this.unhandled.push({ promise, reason });
  }

  setTimer(fn: unknown, ms: unknown, args: unknown[], repeat: boolean): number {
    if (typeof fn !== "function") throw new TypeError("Function or String not supplied!");
    const delay = Math.max(0, Number(ms) || 0);
    const t: Timer = { id: this.nextId++, due: this.now() + delay, fn: fn as Timer["fn"], args, every: repeat ? Math.max(delay, 0.1) : -1 };
    this.timers.push(t);
    this.kick();
    return t.id;
  }

  clearTimer(argc: number, id: unknown): void {
    if (argc === 0) {
      this.timers.length = 0;
      return;
    }
    if (id === undefined) throw new Error("clearTimeout(undefined): Espruino rejects an undefined id");
    const i = this.timers.findIndex((t) => t.id === id);
    if (i < 0) throw new Error("Unknown Timeout");
    this.timers.splice(i, 1);
  }

  changeInterval(id: unknown, ms: unknown): void {
    const t = this.timers.find((x) => x.id === id);
    if (!t) throw new Error("Unknown Interval");
    t.every = Math.max(0.1, Number(ms) || 0);
    t.due = this.now() + t.every;
  }

  /** Queue entries plus armed timers: zero means the interpreter would go idle for good. */
  pending(): number {
    return this.queue.length + this.timers.length + this.idleJobs.length;
  }

  private kick(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    if (this.hostTimer !== null) {
      clearTimeout(this.hostTimer);
      this.hostTimer = null;
    }
    setImmediate(() => this.pump());
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.onError(err);
    }
  }

  private pump(): void {
    this.scheduled = false;
    for (let turn = 0; turn < 1000; turn++) {
      const now = this.now();
      const due = this.timers.filter((t) => t.due <= now).sort((a, b) => a.due - b.due || a.id - b.id);
      for (const t of due) {
        if (!this.timers.includes(t)) continue; // cleared by an earlier callback
        if (t.every < 0) this.timers.splice(this.timers.indexOf(t), 1);
        else t.due += t.every;
        this.call(() => t.fn(...t.args));
      }
      const batch = this.queue.splice(0, this.queue.length);
      for (const job of batch) this.call(job);
      // Like V8 after its microtask checkpoint: a rejection is unhandled if nobody took it
      // by the time the queue ran dry (a handler may adopt it a few queue turns later).
      if (this.queue.length === 0) {
        const reports = this.unhandled.splice(0, this.unhandled.length);
        for (const r of reports) if (!r.promise.__espruino.handled) this.onError(r.reason);
      }
      const idle = this.queue.length === 0 ? this.idleJobs.splice(0, this.idleJobs.length) : [];
      for (const job of idle) this.call(job);
      if (due.length === 0 && batch.length === 0 && idle.length === 0) break;
    }
    if (this.queue.length > 0 || this.idleJobs.length > 0) return this.kick();
    if (this.virtual) {
      const next = this.timers.length > 0 ? Math.min(...this.timers.map((t) => t.due)) : Infinity;
      if (next <= this.limit) {
        this.virtualNow = Math.max(this.virtualNow, next);
        return this.kick();
      }
      this.virtualNow = Math.max(this.virtualNow, this.limit);
      for (const resolve of this.idle.splice(0, this.idle.length)) resolve();
      return;
    }
    if (this.timers.length > 0 && !this.scheduled) {
      const next = Math.min(...this.timers.map((t) => t.due));
      this.hostTimer = setTimeout(() => {
        this.hostTimer = null;
        this.kick();
      }, Math.max(0, next - this.now()));
    }
  }

  /** Stops the loop (armed timers are dropped). */
  dispose(): void {
    this.timers.length = 0;
    this.queue.length = 0;
    if (this.hostTimer !== null) clearTimeout(this.hostTimer);
    this.hostTimer = null;
  }
}

function toBytes(v: unknown): number[] {
  if (typeof v === "string") return Array.from(v, (c) => c.charCodeAt(0) & 255);
  if (typeof v === "number") return [v & 255];
  if (v && typeof v === "object" && "length" in (v as object)) {
    const out: number[] = [];
    for (const x of Array.from(v as ArrayLike<unknown>)) out.push(...toBytes(x));
    return out;
  }
  if (v instanceof ArrayBuffer || (v && Object.prototype.toString.call(v) === "[object ArrayBuffer]")) {
    return Array.from(new Uint8Array(v as ArrayBuffer));
  }
  return [];
}

export interface EspruinoContext {
  context: vm.Context;
  loop: EspruinoLoop;
  /** Runs a script in the context. */
  run(code: string, filename: string): unknown;
}

export function createEspruinoContext(options: EspruinoOptions = {}): EspruinoContext {
  const onError = options.onError ?? ((err: unknown) => process.nextTick(() => {
    throw err;
  }));
  const loop = new EspruinoLoop(onError, options.virtualTime === true);
  const context = vm.createContext({});
  const run = (code: string, filename: string) => vm.runInContext(code, context, { filename });

  // 1. Delete what Espruino lacks. Globals are own properties of the context's global.
  const absent = (ESPRUINO_INVENTORY.absent as string[]).filter((n) => !UNEMULATED.includes(n));
  const deletions = absent.map((n) => {
    const parts = n.split(".");
    if (parts.length === 1) return `delete globalThis[${JSON.stringify(n)}];`;
    const owner = parts.slice(0, -1).join(".");
    return `try { if (typeof ${parts[0]} !== "undefined") delete ${owner}[${JSON.stringify(parts[parts.length - 1])}]; } catch (e) {}`;
  });
  // Statics and prototypes first (they need their global), then the globals themselves.
  deletions.sort((a, b) => Number(a.startsWith("delete globalThis")) - Number(b.startsWith("delete globalThis")));
  run(deletions.join("\n"), "espruino-deletions.js");

  // 2. Espruino's host: event loop, Promise, timers, E, print, process, require.
  const modules = options.modules ?? {};
  const g = context as Record<string, unknown>;
  g.__queue = (fn: () => void) => loop.enqueue(fn);
  g.__unhandled = (p: { __espruino: { handled: boolean } }, reason: unknown) => loop.reportUnhandled(p, reason);
  run(PROMISE_SOURCE, "espruino_promise.js");
  run("globalThis.InternalError = class InternalError extends Error {};", "InternalError.js");
  delete g.__queue;
  delete g.__unhandled;
  g.setTimeout = function (fn: unknown, ms: unknown, ...args: unknown[]) {
    return loop.setTimer(fn, ms, args, false);
  };
  g.setInterval = function (fn: unknown, ms: unknown, ...args: unknown[]) {
    return loop.setTimer(fn, ms, args, true);
  };
  g.clearTimeout = g.clearInterval = function (...args: unknown[]) {
    loop.clearTimer(args.length, args[0]);
  };
  g.__hostIdle = (fn: () => void) => loop.whenIdle(fn);
  g.changeInterval = (id: unknown, ms: unknown) => loop.changeInterval(id, ms);
  g.getTime = () => loop.now() / 1000;
  const makeU8 = run("(function (bytes) { var u = new Uint8Array(bytes.length); for (var i = 0; i < bytes.length; i++) u[i] = bytes[i]; return u; })", "E.js") as (b: number[]) => Uint8Array;
  g.E = {
    toString: (...args: unknown[]) => String.fromCharCode(...toBytes(args)),
    toUint8Array: (...args: unknown[]) => makeU8(toBytes(args)),
  };
  const print = (...args: unknown[]) => console.log(args.map(String).join(" "));
  g.print = print;
  g.console = { log: print };
  // Espruino's `process` (every object there has `on`/`removeListener`; only
  // "uncaughtException" is ever emitted on it, and the loop's onError stands for that).
  g.process = {
    env: { ...(options.env ?? {}) }, version: "2v29", memory: () => ({ free: 0, usage: 0, total: 0 }),
    on() {}, removeListener() {},
  };
  g.require = (name: unknown) => {
    if (typeof name === "string" && Object.prototype.hasOwnProperty.call(modules, name)) return modules[name];
    throw new Error(`Module ${String(name)} not found`);
  };

  // 3. Verify: every absent name reads as undefined the way the inventory probed it.
  const left = absent.filter((n) => run(probeExpression(n), "espruino-verify.js") !== "undefined");
  if (left.length > 0) throw new Error("the Espruino context still has: " + left.join(", "));
  const missing = (ESPRUINO_INVENTORY.present as string[]).filter((n) => run(probeExpression(n), "espruino-verify.js") === "undefined");
  if (missing.length > 0) throw new Error("the Espruino context lacks what Espruino has: " + missing.join(", "));

  return { context, loop, run };
}

/**
 * Loads CommonJS modules from `dir` into the context (rollup's `cjs` output of
 * bundleTestsForEspruino): relative ids resolve inside `dir`, anything else goes to the
 * context's own `require` (Espruino's modules). Returns the entry's exports.
 */
export function loadCommonJs(ctx: EspruinoContext, dir: string, entry: string): unknown {
  const cache = new Map<string, { exports: unknown }>();
  const espruinoRequire = (ctx.context as { require: (id: string) => unknown }).require;
  const load = (file: string): unknown => {
    const hit = cache.get(file);
    if (hit) return hit.exports;
    const module = { exports: {} as unknown };
    cache.set(file, module);
    const code = readFileSync(file, "utf8");
    const fn = ctx.run(`(function (exports, require, module) {${code}\n})`, file) as (e: unknown, r: unknown, m: unknown) => void;
    const localRequire = (id: string) => (id.startsWith(".") ? load(path.resolve(path.dirname(file), id)) : espruinoRequire(id));
    fn(module.exports, localRequire, module);
    return module.exports;
  };
  return load(path.join(dir, entry));
}
