/**
 * Composition root for `kyoto/sim`: everything `kyoto` exports plus `createSimRuntime`, with
 * the simulated HAL (virtual clock) installed. It re-exports the node target, so in the node
 * build rollup keeps the runtime in `kyoto.{mjs,cjs}` and `sim` imports it from there: one
 * copy of the runtime for both entry points (SPEC §10).
 */
import { setSimHalFactory } from "../src/sim";
import { createSimHal } from "../hal/sim/index";

setSimHalFactory(createSimHal);

export * from "./node";
export { createSimRuntime } from "../src/sim";
export type { SimControls, SimRuntime, SimRuntimeOptions } from "../src/sim";
