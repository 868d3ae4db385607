/**
 * The QuickJS HAL. QuickJS has no event loop of its own: the embedder provides one, and this
 * adapter reaches it through the first of these that exists:
 *
 * 1. `options.host` — an object implementing the embedder contract (`hal/quickjs/README.md`):
 *    `setSink(fn)`, `now()`, `armTimer(ms)`, `cancelTimer()`, `wake()`, and optionally the
 *    socket calls of `src/io/hal.ts`, which are then forwarded as they are;
 * 2. `options.os` — QuickJS's `os` module (`import * as os from "os"` on QuickJS,
 *    `"qjs:os"` on QuickJS-ng);
 * 3. a global `kyotoHost`: a host implementing the contract (one runtime), or an object whose
 *    `open()` returns a fresh one for each HAL (what `npx kyoto run` installs);
 * 4. a global `os` (`qjs --std` defines one);
 * 5. global `setTimeout` / `clearTimeout` (test harnesses provide these).
 *
 * On the `os` paths the clock is `performance.now()` (both QuickJS and QuickJS-ng define it)
 * and never `os.now()`: QuickJS's `os.now()` is in milliseconds, QuickJS-ng's in microseconds.
 * A wake is a write handler on a pipe where `os.pipe` exists (the write end of an empty pipe is
 * writable at once, so the handler runs on the next poll without a syscall of ours); QuickJS-ng
 * clamps `os.setTimeout(f, 0)` to 1 ms, which would make every cooperative yield cost 1 ms.
 *
 * The bundle never imports `os` itself: quickjs-emscripten has no `os` module and the import
 * would fail to load.
 */

import { invalidState } from "../../src/core/errors";
import { Hal, HalSink } from "../../src/io/hal";
import { hostDelay, HostTimers, TimerHal } from "../../src/runtime/timer_hal";

/** The embedder contract (see README.md). Socket calls are optional, as in `Hal`. */
export interface QuickJsHost extends Partial<Hal> {
  setSink(sink: HalSink): void;
  now(): number;
  armTimer(deltaMs: number): void;
  cancelTimer(): void;
  wake(): void;
}

/** The parts of QuickJS's `os` module this adapter uses (`pipe` and `setWriteHandler` for wakes, where present). */
export interface QuickJsOs {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  pipe?: () => number[] | null;
  setWriteHandler?: (fd: number, fn: (() => void) | null) => void;
}

export interface QuickJsHalOptions {
  host?: QuickJsHost;
  os?: QuickJsOs;
}

/** A global host serving several runtimes: `open()` gives each HAL its own host. */
export interface QuickJsHostFactory {
  open(): QuickJsHost;
}

/** The globals this adapter looks for; `createQuickJsHal` reads the real ones. */
export interface QuickJsGlobals {
  kyotoHost?: QuickJsHost | QuickJsHostFactory;
  os?: QuickJsOs;
  performance?: { now(): number };
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
}

declare const kyotoHost: QuickJsHost | QuickJsHostFactory | undefined;
declare const os: QuickJsOs | undefined;
declare const performance: { now(): number } | undefined;
declare const setTimeout: ((fn: () => void, ms: number) => unknown) | undefined;
declare const clearTimeout: ((handle: unknown) => void) | undefined;

/** The socket calls a host may provide; forwarded unchanged when it does. */
const SOCKET_CALLS = [
  "tcpConnect", "tcpListen", "tcpAccept", "localPort", "tcpRead", "tcpWrite", "tcpShutdown", "tcpSetNoDelay", "tcpClose",
  "udpBind", "udpSend", "udpRecv", "udpClose", "sockAddr",
];

/** A HAL that forwards to an embedder implementing the contract. */
class HostHal implements Hal {
  readonly caps: number;
  constructor(private readonly host: QuickJsHost) {
    this.caps = typeof host.caps === "number" ? host.caps : 0;
    const self = this as unknown as Record<string, unknown>;
    const h = host as unknown as Record<string, unknown>;
    for (let i = 0; i < SOCKET_CALLS.length; i++) {
      const name = SOCKET_CALLS[i];
      const fn = h[name];
      if (typeof fn === "function") self[name] = bindTo(fn as (...args: unknown[]) => unknown, host);
    }
  }
  setSink(sink: HalSink): void {
    this.host.setSink(sink);
  }
  now(): number {
    return this.host.now();
  }
  armTimer(deltaMs: number): void {
    this.host.armTimer(hostDelay(deltaMs));
  }
  cancelTimer(): void {
    this.host.cancelTimer();
  }
  wake(): void {
    this.host.wake();
  }
}

function bindTo(fn: (...args: unknown[]) => unknown, target: unknown): (...args: unknown[]) => unknown {
  return function () {
    return fn.apply(target, arguments as unknown as unknown[]);
  };
}

/** One pipe per `os` module, shared by every HAL on it: a wake is a one-shot write handler on its write end. */
let wakePipe: { os: QuickJsOs; fd: number; queue: (() => void)[]; onWritable: () => void } | null = null;

function pipeDefer(o: QuickJsOs): ((fn: () => void) => void) | undefined {
  if (typeof o.pipe !== "function" || typeof o.setWriteHandler !== "function") return undefined;
  if (wakePipe === null || wakePipe.os !== o) {
    const fds = o.pipe();
    if (!fds) return undefined;
    const p = { os: o, fd: fds[1], queue: [] as (() => void)[], onWritable: function () {} };
    p.onWritable = function () {
      // Take the whole queue first: a wake asked for while delivering waits for the next poll.
      const ready = p.queue;
      p.queue = [];
      o.setWriteHandler!(p.fd, null);
      for (let i = 0; i < ready.length; i++) ready[i]();
    };
    wakePipe = p;
  }
  const pipe = wakePipe;
  return function (fn: () => void) {
    if (pipe.queue.length === 0) o.setWriteHandler!(pipe.fd, pipe.onWritable);
    pipe.queue.push(fn);
  };
}

/** A millisecond clock: `performance.now()` where it exists, else `Date.now()` (the HAL clamps it). */
function msClock(g: QuickJsGlobals): () => number {
  const perf = g.performance;
  if (perf && typeof perf.now === "function") {
    return function () {
      return perf.now();
    };
  }
  return function () {
    return Date.now();
  };
}

function osHal(o: QuickJsOs, g: QuickJsGlobals): Hal {
  const timers: HostTimers = {
    clock: msClock(g),
    setTimer: function (fn: () => void, ms: number) {
      return o.setTimeout(fn, ms);
    },
    clearTimer: function (handle: unknown) {
      o.clearTimeout(handle);
    },
  };
  const defer = pipeDefer(o);
  if (defer) timers.defer = defer;
  return new TimerHal(timers);
}

/**
 * The HAL for the given options and globals (see the module doc for the order). Exported for
 * tests, which pass `os` and `performance` shaped like each engine's. Allocates: on construction.
 */
export function quickJsHalFrom(options: QuickJsHalOptions | undefined, g: QuickJsGlobals): Hal {
  if (options && options.host) return new HostHal(options.host);
  if (options && options.os) return osHal(options.os, g);
  const k = g.kyotoHost;
  if (typeof k === "object" && k !== null) {
    return new HostHal(typeof (k as QuickJsHostFactory).open === "function" ? (k as QuickJsHostFactory).open() : (k as QuickJsHost));
  }
  if (typeof g.os === "object" && g.os !== null) return osHal(g.os, g);
  if (typeof g.setTimeout === "function" && typeof g.clearTimeout === "function") {
    const set = g.setTimeout;
    const clear = g.clearTimeout;
    return new TimerHal({
      clock: msClock(g),
      setTimer: function (fn: () => void, ms: number) {
        return set(fn, ms);
      },
      clearTimer: function (handle: unknown) {
        clear(handle);
      },
    });
  }
  throw invalidState(
    "no QuickJS host found: run under `qjs --std`, pass createQuickJsHal({ os }), or define kyotoHost (see hal/quickjs/README.md)",
  );
}

/** The globals of this interpreter, read with `typeof` (absent ones stay undefined). */
function currentGlobals(): QuickJsGlobals {
  return {
    kyotoHost: typeof kyotoHost === "object" && kyotoHost !== null ? kyotoHost : undefined,
    os: typeof os === "object" && os !== null ? os : undefined,
    performance: typeof performance === "object" && performance !== null ? performance : undefined,
    setTimeout: typeof setTimeout === "function" ? setTimeout : undefined,
    clearTimeout: typeof clearTimeout === "function" ? clearTimeout : undefined,
  };
}

/** A HAL for QuickJS (see the module doc for where it finds the host). Allocates: on construction. */
export function createQuickJsHal(options?: QuickJsHalOptions): Hal {
  return quickJsHalFrom(options, currentGlobals());
}
