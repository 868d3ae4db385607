/**
 * Composition root for `kyoto/core` on Node (dist/node/core.{mjs,cjs}): the low-level pieces
 * (src/core_api.ts) with the Node HAL installed, sharing one runtime with `kyoto`.
 */
import "./node";

export * from "../src/core_api";
