/**
 * Composition root for `kyoto/sim` on Node: everything `kyoto` exports plus the simulation
 * entry (targets/sim_entry.ts). It re-exports the node target, so rollup keeps the runtime in
 * `kyoto.{mjs,cjs}` and `sim` imports it from there: one copy of the runtime for both entry
 * points (SPEC §10).
 */
export * from "./node";
export * from "./sim_entry";
