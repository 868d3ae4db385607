/**
 * Composition root for QuickJS (dist/quickjs/kyoto.mjs): the portable API with the QuickJS
 * HAL as the default host. The HAL finds its host lazily, when the first default runtime
 * is created (global `kyotoHost`, else global timers); apps on `qjs` that want the `os`
 * module pass `createRuntime({ hal: createQuickJsHal({ os }) })`.
 */
import { setDefaultHalFactory } from "../src/runtime/host";
import { createQuickJsHal } from "../hal/quickjs/index";

setDefaultHalFactory(function () {
  return createQuickJsHal();
});

export * from "../src/index";
export { createQuickJsHal } from "../hal/quickjs/index";
export type { QuickJsHost, QuickJsHalOptions, QuickJsOs } from "../hal/quickjs/index";
