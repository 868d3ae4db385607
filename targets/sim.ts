/**
 * Composition root for `kyoto/sim`: everything from `kyoto` plus the simulated HAL
 * (virtual clock, in-memory network). It re-exports the node target so that, in the node
 * build, rollup places the shared runtime in `kyoto.mjs`/`kyoto.cjs` and `sim` imports it
 * from there: one copy of the runtime for both entry points (SPEC §10).
 * Note: src/sim.ts and hal/sim/index.ts have not landed yet; export them from here when they do.
 */
export * from "./node";
