/**
 * Composition root for QuickJS (dist/quickjs/kyoto.mjs): the portable API with the QuickJS
 * HAL as the default host. The HAL finds its host lazily, when a runtime is created without
 * one (`kyotoHost`, a global `os` under `qjs --std`, or global timers); apps on a plain `qjs`
 * pass theirs: `createRuntime({ hal: createQuickJsHal({ os }) })`.
 */
import { setDefaultHalFactory } from "../src/runtime/host";
import { createQuickJsHal } from "../hal/quickjs/index";

setDefaultHalFactory(function () {
  return createQuickJsHal();
});

export * from "../src/index";
// QuickJS has no `kyoto/core` bundle. A device host needs the HAL seam's event codes (beside
// createQuickJsHal), and `kyoto run --stats` reads the current runtime's stats.
export { currentRuntime } from "../src/runtime/runtime";
export { EV_ACCEPTABLE, EV_ERROR, EV_READABLE, EV_TIMER, EV_WAKE, EV_WRITABLE } from "../src/runtime/host";
export type { HalSink, TimeHal } from "../src/runtime/host";
export type { Hal, HalPeer } from "../src/io/hal";
export { createQuickJsHal } from "../hal/quickjs/index";
export type { QuickJsHost, QuickJsHostFactory, QuickJsHalOptions, QuickJsOs } from "../hal/quickjs/index";
