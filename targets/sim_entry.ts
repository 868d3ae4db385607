/**
 * What `kyoto/sim` adds to a target's API, whichever host it runs on: the simulated HAL
 * installed as the sim factory, `createSimRuntime` and `createSimHal`. `targets/sim.ts` (Node)
 * and `targets/quickjs_sim.ts` (QuickJS) each put it beside their own target, so the runtime is
 * the target's one copy (SPEC §10).
 */
import { setSimHalFactory } from "../src/sim";
import { createSimHal } from "../hal/sim/index";

setSimHalFactory(createSimHal);

export * from "../src/sim";
export { createSimHal } from "../hal/sim/index";
