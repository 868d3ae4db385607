/**
 * The host half of the QuickJS test harness. One `GuestFile` is one test bundle loaded
 * into a fresh QuickJS runtime (its own WebAssembly module instance, so an abort in one
 * file cannot poison the next): it installs the host functions guest.js expects, evaluates
 * the bundle as an ES module, lists the suite tree, and runs one test or hook at a time,
 * driving `executePendingJobs()` after every host→guest call and firing host timers until
 * the run settles, times out, or provably never can (nothing queued, no timer armed).
 *
 * Engines, the guest prelude (console, timers), job draining, error reading and source-map
 * stack mapping are shared with `kyoto run` (bin/lib/quickjs_vm.mjs).
 *
 * Disposal is checked: `dispose()` throws when the runtime still holds guest objects (QuickJS
 * aborts on `list_empty(&rt->gc_obj_list)`), with the engine's own message, which is
 * captured instead of printed. One such leak is quickjs-emscripten's own (a context it wraps
 * when a job grows the WebAssembly memory): jobs run through `executeJobs`
 * (bin/lib/quickjs_vm.mjs), which frees it.
 */
import { readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { RELEASE_SYNC } from "quickjs-emscripten";
import {
  newQuickJSWASMModuleFromVariant,
  newVariant,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSRuntime,
  type QuickJSWASMModule,
} from "quickjs-emscripten-core";
import {
  directHostCalls, ENGINES as ENGINE_NAMES, executeJobs, PRELUDE_FILE, PRELUDE_SOURCE, readError, STACK_SIZE, StackMapper,
  hostFunctions,
} from "../../bin/lib/quickjs_vm.mjs";
import { HalBridge } from "../../bin/lib/hal_bridge.mjs";
import { createNodeHal } from "../../hal/node/index";
import type { Hal } from "../../src/io/hal";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../..");
const require = createRequire(import.meta.url);

export const ENGINES = ENGINE_NAMES as readonly EngineName[];
export type EngineName = "quickjs" | "quickjs-ng";
export { STACK_SIZE };
export const TEST_TIMEOUT_MS = 10_000;
/** The most a guest test may ask for with `this.timeout(ms)` (the Node side waits this long). */
export const MAX_TEST_TIMEOUT_MS = 60_000;

/** An engine instance and the lines its WebAssembly module printed to stderr (an abort's message). */
export interface Engine {
  module: QuickJSWASMModule;
  stderr: string[];
}

/**
 * A fresh WebAssembly instance of the engine (the builds bin/lib/quickjs_vm.mjs loads); what
 * it prints to stderr is kept for `dispose()` to report, not printed.
 */
export async function loadEngine(name: EngineName): Promise<Engine> {
  const stderr: string[] = [];
  const base = name === "quickjs" ? RELEASE_SYNC : require("@jitl/quickjs-ng-wasmfile-release-sync");
  const variant = newVariant(base.default ?? base, {
    emscriptenModule: { printErr: (line: string) => stderr.push(String(line)) } as object,
  });
  return { module: (await newQuickJSWASMModuleFromVariant(variant)) as unknown as QuickJSWASMModule, stderr };
}

export interface TestNode {
  id: number;
  title: string;
  skip: boolean;
}
export interface SuiteNode {
  id: number;
  title: string;
  skip: boolean;
  hooks: { before: number; after: number };
  suites: SuiteNode[];
  tests: TestNode[];
}
export interface GuestError {
  name: string;
  message: string;
  stack: string;
  code?: string;
}
export interface RunResult {
  state: "passed" | "failed" | "skipped";
  error?: GuestError;
}

const GUEST_SOURCE = readFileSync(path.join(here, "guest.js"), "utf8");

export class GuestFile {
  private rt: QuickJSRuntime | null = null;
  private vm: QuickJSContext | null = null;
  private timers = new Map<number, ReturnType<typeof setTimeout>>();
  private deadline = Infinity;
  /** The running test's limit: `options.timeoutMs`, or what the test set with `this.timeout(ms)`. */
  private testTimeoutMs = TEST_TIMEOUT_MS;
  private wake: (() => void) | null = null;
  private readonly mapper: StackMapper;
  private bridge: HalBridge | null = null;
  readonly logs: string[] = [];

  constructor(
    private readonly engine: Engine,
    readonly engineName: string,
    private readonly dir: string,
    /** Entry module, relative to `dir` (e.g. "sync/semaphore.test.js"). */
    private readonly entry: string,
    private readonly options: { seed?: number; timeoutMs?: number; echo?: boolean; createHal?: () => Hal } = {},
  ) {
    // Frames name bundle files as "/chunks/x.js" (module names relative to `dir`).
    this.mapper = new StackMapper(
      (file: string) => (file.startsWith("/") ? path.join(this.dir, file) : null),
      (src: string) => path.relative(repoRoot, src),
    );
  }

  /** Creates the runtime, evaluates the bundle and returns its suite tree. Throws on load errors. */
  load(): SuiteNode {
    const rt = (this.rt = this.engine.module.newRuntime());
    rt.setMaxStackSize(STACK_SIZE);
    rt.setInterruptHandler(() => Date.now() > this.deadline);
    rt.setModuleLoader(
      (name) => {
        const file = path.join(this.dir, name);
        return existsSync(file) ? readFileSync(file, "utf8") : { error: new Error(`module not found: ${name}`) };
      },
      (base, requested) =>
        requested.startsWith(".") ? path.posix.normalize(path.posix.join(path.posix.dirname(base), requested)) : requested,
    );
    const vm = (this.vm = rt.newContext());
    directHostCalls(vm);
    this.installHost(vm);
    this.enter();
    this.evalScript(PRELUDE_SOURCE, PRELUDE_FILE);
    this.evalScript(GUEST_SOURCE, "test/harness/guest.js");
    const result = vm.evalCode(readFileSync(path.join(this.dir, this.entry), "utf8"), "/" + this.entry, { type: "module" });
    if (result.error) throw this.toError(this.take(result.error), "loading " + this.entry);
    // A module evaluates to a promise (top-level await); settle it before listing.
    this.drain();
    const state = vm.getPromiseState(result.value);
    if (state.type === "rejected") {
      result.value.dispose();
      throw this.toError(this.take(state.error), "loading " + this.entry);
    }
    if (state.type === "fulfilled" && !state.notAPromise) state.value.dispose();
    result.value.dispose();
    return JSON.parse(this.evalScript("__harness.list()") as string) as SuiteNode;
  }

  /** Runs a test (kind "test") or a suite's before/after hooks, and waits for it to settle. */
  async run(kind: "test" | "before" | "after", id: number): Promise<RunResult> {
    const started = Date.now();
    this.testTimeoutMs = this.options.timeoutMs ?? TEST_TIMEOUT_MS;
    this.deadline = started + this.testTimeoutMs;
    let token: number;
    try {
      token = this.evalScript(`__harness.start(${JSON.stringify(kind)}, ${id})`) as number;
      this.drain();
      for (;;) {
        const st = JSON.parse(this.evalScript(`__harness.status(${token})`) as string) as { state: string; error?: GuestError };
        if (st.state !== "pending") return this.mapResult(st as RunResult);
        if (this.timers.size === 0 && !this.bridge?.busy()) {
          return this.failure(
            "never settled: no job is queued and no timer is armed inside " + this.engineName +
              " (a lost wake-up, or a promise nobody resolves)",
          );
        }
        const deadline = started + this.testTimeoutMs;
        const remaining = deadline - Date.now();
        if (remaining <= 0) return this.failure(`timed out after ${this.testTimeoutMs} ms inside ${this.engineName}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, remaining);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wake = null;
        this.deadline = started + this.testTimeoutMs;
      }
    } catch (err) {
      return this.failure("harness error: " + String((err as Error)?.stack ?? err));
    } finally {
      this.deadline = Infinity;
    }
  }

  /**
   * Frees the context and the runtime. Throws when the runtime still holds guest objects
   * (a leak: a handle the host kept, a reference cycle the engine cannot collect), with what
   * the engine printed. Disposing twice does nothing.
   */
  dispose(): void {
    this.bridge?.close();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    let failure: unknown = null;
    try {
      this.vm?.dispose();
      this.rt?.dispose();
    } catch (err) {
      failure = err;
    }
    this.vm = null;
    this.rt = null;
    if (failure !== null) {
      const printed = this.engine.stderr.splice(0).join("\n");
      throw new Error(`${this.engineName} could not free its runtime (guest objects leaked): ${String(failure)}` + (printed ? "\n" + printed : ""));
    }
  }


  // --- plumbing --------------------------------------------------------------------------

  private installHost(vm: QuickJSContext): void {
    const host = vm.newObject();
    const fn = (name: string, impl: (...args: QuickJSHandle[]) => void) =>
      vm.newFunction(name, impl).consume((f) => vm.setProp(host, name, f));
    fn("log", (level, text) => {
      const line = `[${this.engineName} ${vm.getString(level)}] ${vm.getString(text)}`;
      this.logs.push(line);
      if (this.options.echo !== false) console.log("      " + line);
    });
    fn("setTimer", (idH, msH) => {
      const id = vm.getNumber(idH);
      const ms = Math.min(vm.getNumber(msH), MAX_TEST_TIMEOUT_MS);
      const old = this.timers.get(id);
      if (old !== undefined) clearTimeout(old);
      this.timers.set(id, setTimeout(() => this.fire(id), ms));
    });
    fn("setTestTimeout", (msH) => {
      // this.timeout(ms) in the running test: its deadline counts from its start, as in mocha.
      const ms = Math.min(vm.getNumber(msH), MAX_TEST_TIMEOUT_MS);
      this.deadline += ms - this.testTimeoutMs;
      this.testTimeoutMs = ms;
    });
    fn("clearTimer", (idH) => {
      const id = vm.getNumber(idH);
      const t = this.timers.get(id);
      if (t !== undefined) clearTimeout(t);
      this.timers.delete(id);
    });
    // kyotoHost, as kyoto run provides it (bin/lib/hal_bridge.mjs), on Node HALs.
    this.bridge = new HalBridge(vm, hostFunctions(vm, host), {
      createHal: this.options.createHal ?? createNodeHal,
      onEvent: (ch: unknown, kind: number, handle: number, arg: number) => this.deliver(ch, kind, handle, arg),
    });
    vm.setProp(vm.global, "__host", host);
    host.dispose();
    const seed = process.env.KYOTO_SEED;
    if (seed !== undefined && seed !== "") {
      const h = vm.newNumber(Number(seed));
      vm.setProp(vm.global, "KYOTO_SEED", h);
      h.dispose();
    }
  }

  /** Makes sure a runaway guest loop is interrupted even outside a run. */
  private enter(): void {
    if (this.deadline === Infinity) this.deadline = Date.now() + (this.options.timeoutMs ?? TEST_TIMEOUT_MS);
  }

  private fire(id: number): void {
    this.timers.delete(id);
    if (!this.vm) return;
    const outside = this.deadline === Infinity;
    this.enter();
    try {
      this.evalScript(`__harness.fire(${id})`);
    } catch (err) {
      this.evalScript(`__harness.fail(${JSON.stringify("uncaught in a timer callback: " + (err as Error).message)})`);
    }
    this.drain();
    if (outside) this.deadline = Infinity;
    this.wake?.();
  }

  private deliver(ch: unknown, kind: number, handle: number, arg: number): void {
    if (!this.vm || !this.bridge) return;
    const outside = this.deadline === Infinity;
    this.enter();
    const r = this.bridge.callSink(ch, kind, handle, arg);
    if (r.error) {
      const e = this.take(r.error);
      this.evalScript(`__harness.fail(${JSON.stringify("uncaught in a HAL event: " + e.name + ": " + e.message)})`);
    } else r.value.dispose();
    this.drain();
    if (outside) this.deadline = Infinity;
    this.wake?.();
  }

  /** Runs every pending job; an exception escaping a job fails the active run. */
  private drain(): void {
    const rt = this.rt!;
    for (let guard = 0; guard < 1000; guard++) {
      const [r, release] = executeJobs(rt);
      if (r.error) {
        let e: GuestError;
        try {
          e = this.take(r.error);
        } finally {
          release();
        }
        this.evalScript(`__harness.fail(${JSON.stringify("error in a job: " + e.name + ": " + e.message)})`);
        continue;
      }
      release();
      if (r.value === 0 || !rt.hasPendingJob()) return;
    }
  }

  private evalScript(code: string, filename = "<harness>"): unknown {
    const vm = this.vm!;
    const r = vm.evalCode(code, filename);
    if (r.error) throw this.toError(this.take(r.error), filename);
    const v = vm.dump(r.value);
    r.value.dispose();
    return v;
  }

  private take(handle: QuickJSHandle): GuestError {
    return readError(this.vm!, handle) as GuestError;
  }

  private failure(message: string): RunResult {
    return { state: "failed", error: { name: "Error", message, stack: "" } };
  }

  private mapResult(r: RunResult): RunResult {
    if (r.error) r.error.stack = this.mapStack(r.error.stack);
    return r;
  }

  /** Rewrites `(/chunks/x.js:12:5)` frames to the TypeScript source through rollup's source maps. */
  mapStack(stack: string): string {
    return this.mapper.map(stack);
  }

  toError(e: GuestError, where: string): Error {
    const err = new Error(`${e.name}: ${e.message} (${where}, inside ${this.engineName})`);
    err.stack = `${err.message}\n${this.mapStack(e.stack)}`;
    return err;
  }
}

/** Turns a failed run into an Error whose message and stack come from inside the VM. */
export function guestFailure(engineName: string, e: GuestError): Error {
  const err = new Error(e.message) as Error & { code?: string };
  err.name = `${e.name} (inside ${engineName})`;
  if (e.code !== undefined) err.code = e.code;
  err.stack = `${err.name}: ${e.message}\n${e.stack.replace(/\s+$/, "")}`;
  return err;
}
