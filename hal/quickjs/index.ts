/**
 * The QuickJS HAL (time part). QuickJS has no event loop of its own: the embedder provides
 * one, and this adapter reaches it through one of, in order of preference:
 *
 * 1. `options.host` — an object implementing the embedder contract (`hal/quickjs/README.md`):
 *    `setSink(fn)`, `now()`, `armTimer(ms)`, `cancelTimer()`, `wake()`;
 * 2. `options.os` — QuickJS's `os` module (`import * as os from "os"` in `qjs`):
 *    `os.now()`, `os.setTimeout` / `os.clearTimeout`, and `os.setTimeout(fn, 0)` for wakes;
 * 3. a global `kyotoHost` implementing the contract (what `npx kyoto run` installs);
 * 4. global `setTimeout` / `clearTimeout` with `Date.now()` clamped to never go back (test
 *    harnesses provide these).
 *
 * The bundle never imports `os` itself: quickjs-emscripten has no `os` module and the import
 * would fail to load, so an app on `qjs` passes it in.
 */

import { invalidState } from "../../src/core/errors";
import { Hal, HalSink } from "../../src/io/hal";
import { hostDelay, TimerHal } from "../../src/runtime/timer_hal";

/** The embedder contract (see README.md). */
export interface QuickJsHost {
  setSink(sink: HalSink): void;
  now(): number;
  armTimer(deltaMs: number): void;
  cancelTimer(): void;
  wake(): void;
}

/** The parts of QuickJS's `os` module this adapter uses. */
export interface QuickJsOs {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface QuickJsHalOptions {
  host?: QuickJsHost;
  os?: QuickJsOs;
}

declare const kyotoHost: QuickJsHost | undefined;
declare const setTimeout: ((fn: () => void, ms: number) => unknown) | undefined;
declare const clearTimeout: ((handle: unknown) => void) | undefined;

/** A HAL that forwards to an embedder implementing the contract. */
class HostHal implements Hal {
  constructor(private readonly host: QuickJsHost) {}
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

/** A HAL for QuickJS (see the module doc for where it finds the host). Allocates: on construction. */
export function createQuickJsHal(options?: QuickJsHalOptions): Hal {
  if (options && options.host) return new HostHal(options.host);
  if (options && options.os) {
    const os = options.os;
    return new TimerHal({
      clock: function () {
        return os.now();
      },
      setTimer: function (fn: () => void, ms: number) {
        return os.setTimeout(fn, ms);
      },
      clearTimer: function (handle: unknown) {
        os.clearTimeout(handle);
      },
    });
  }
  if (typeof kyotoHost === "object" && kyotoHost !== null) return new HostHal(kyotoHost);
  if (typeof setTimeout === "function" && typeof clearTimeout === "function") {
    const set = setTimeout;
    const clear = clearTimeout;
    return new TimerHal({
      clock: function () {
        return Date.now();
      },
      setTimer: function (fn: () => void, ms: number) {
        return set(fn, ms);
      },
      clearTimer: function (handle: unknown) {
        clear(handle);
      },
    });
  }
  throw invalidState("no QuickJS host found: pass options.host or options.os, or define kyotoHost (see hal/quickjs/README.md)");
}
