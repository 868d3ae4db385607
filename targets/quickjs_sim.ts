/**
 * Composition root for `kyoto/sim` on QuickJS (dist/quickjs/sim.mjs): the QuickJS target plus
 * the simulation entry (targets/sim_entry.ts), importing the runtime from dist/quickjs/kyoto.mjs.
 */
export * from "./quickjs";
export * from "./sim_entry";
