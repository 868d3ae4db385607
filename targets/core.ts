/**
 * Composition root for `kyoto/core` on Node (dist/node/core.{mjs,cjs}): the low-level pieces
 * (src/core_api.ts) with the Node HAL installed, sharing one runtime with `kyoto`.
 */
import "./node";

export * from "../src/core_api";
// The Node HAL itself: the device runner (bin/lib/device_host.mjs) forwards a QuickJS guest's
// HAL calls to this adapter.
export { createNodeHal } from "../hal/node/index";
