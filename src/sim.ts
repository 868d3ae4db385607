/**
 * `kyoto/sim`: what the simulation entry adds to `kyoto` — `createSimRuntime`, a runtime on
 * virtual time (SPEC §10): the clock jumps to the next deadline when nothing is ready and
 * advances 1 ms each time the runtime yields to the host, so tests never sleep on the wall
 * clock and a sleep wakes exactly at its deadline.
 *
 * `src/` may not import `hal/`, so the simulated HAL itself (`hal/sim`) is installed by the
 * composition root (`targets/sim.ts` calls `setSimHalFactory(createSimHal)`); code that
 * imports sources directly (tests) can pass `options.hal` or install the factory itself.
 */

import { checkOptions, invalidState } from "./core/errors";
import { Runtime, RuntimeOptions, createRuntime } from "./runtime/runtime";
import { TimeHal } from "./runtime/host";

/** What a simulated HAL offers beyond the contract. */
export interface SimControls extends TimeHal {
  readonly seed: number;
  /** A seeded pseudo-random float in [0, 1). */
  random(): number;
  /** True while the host timer is armed. */
  isTimerArmed(): boolean;
}

export interface SimRuntimeOptions extends RuntimeOptions {
  /** Seed for the simulation's randomness (default 1). */
  seed?: number;
  /** How the sim gets control back after the current host turn (default: setImmediate, else setTimeout 0). */
  defer?: (fn: () => void) => void;
}

/** A runtime on a simulated HAL; `sim` is that HAL (the same object as `hal`). */
export interface SimRuntime extends Runtime {
  readonly sim: SimControls;
}

export type SimHalFactory = (options: { seed?: number; defer?: (fn: () => void) => void }) => SimControls;

let simFactory: SimHalFactory | null = null;

/** Installs the simulated HAL's factory (done by `targets/sim.ts`). Allocates: never. */
export function setSimHalFactory(factory: SimHalFactory | null): void {
  simFactory = factory;
}

/**
 * Creates a runtime on virtual time. `options.hal`, when given, must be a simulated HAL.
 * Allocates: the runtime, its tables and its HAL.
 */
export function createSimRuntime(options?: SimRuntimeOptions): SimRuntime {
  const o: SimRuntimeOptions = checkOptions(options) || {};
  let hal = o.hal as SimControls | undefined;
  if (hal === undefined) {
    if (simFactory === null) throw invalidState("createSimRuntime needs the sim HAL: import kyoto/sim, or pass options.hal");
    hal = simFactory({ seed: o.seed, defer: o.defer });
  }
  const rt = createRuntime({ hal: hal, maxTasks: o.maxTasks, maxTimers: o.maxTimers, maxWaiters: o.maxWaiters, budget: o.budget }) as SimRuntime;
  (rt as unknown as { sim: SimControls }).sim = hal;
  return rt;
}
