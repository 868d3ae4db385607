/**
 * The part of the HAL contract the runtime itself drives: one event sink, a clock, one host
 * timer and a wake-up. `src/io/hal.ts` extends it with sockets; it lives here because the
 * runtime sits below `io` and may only depend on its own layer or lower ones.
 *
 * Numbers cross the boundary, not objects: events are `(kind, handle, arg)` delivered to the
 * one sink registered with `setSink`, never re-entrantly from inside a HAL call (a call such
 * as `wake()` or `armTimer()` only schedules; the event arrives from a later host callback).
 */

import { invalidState } from "../core/errors";

/** The host timer armed with `armTimer` expired (handle 0, arg 0). */
export const EV_TIMER = 1;
/** The answer to `wake()`: the runtime has been given a fresh host turn (handle 0, arg 0). */
export const EV_WAKE = 2;
/** A socket has bytes (or datagrams) to read; arg = how many, 0 = end of stream. */
export const EV_READABLE = 3;
/** A socket can take `arg` bytes; the first one on a connecting TCP socket means connected. */
export const EV_WRITABLE = 4;
/** A listener has `arg` pending connections. */
export const EV_ACCEPTABLE = 5;
/** A socket failed with the negative host code `arg`; only its close is allowed after this. */
export const EV_ERROR = 6;

/** The longest delay a host timer takes (hosts use a signed 32-bit delay; a longer one fires at once). */
export const MAX_HOST_DELAY = 2147483647;

/** The one callback a HAL calls. */
export type HalSink = (kind: number, handle: number, arg: number) => void;

/** Time and scheduling: what every HAL provides, and all the runtime needs. */
export interface TimeHal {
  /** Registers the event sink. Called once, by the runtime that owns this HAL. */
  setSink(sink: HalSink): void;
  /** Milliseconds on a clock that never goes back (fractions allowed; the runtime floors them). */
  now(): number;
  /** Arms the single one-shot host timer `deltaMs` from now (re-arming replaces); fires `EV_TIMER`. */
  armTimer(deltaMs: number): void;
  /** Disarms the host timer; a no-op when none is armed. */
  cancelTimer(): void;
  /**
   * Asks for `EV_WAKE` after the current host callback returns. Idempotent until it arrives.
   * `budgetSpent` is true when the runtime yields because its cooperative budget ran out
   * (false for a `yieldNow`, or for a turn asked for while another runtime's code runs); a
   * real host ignores it, the sim moves its clock only then.
   */
  wake(budgetSpent?: boolean): void;
}

/** Builds the HAL a runtime uses when `createRuntime` is given none. */
export type HalFactory = () => TimeHal;

let defaultFactory: HalFactory | null = null;

/**
 * Installs the factory for the default HAL. Each target (`targets/<host>.ts`) calls it once
 * with its host's adapter; `src/` never picks a host. Allocates: never.
 *
 * @example
 * ```ts
 * // Runtimes created without { hal } on this host use Node's timers through this HAL.
 * setDefaultHalFactory(() => {
 *   let sink: HalSink = () => {};
 *   let timer: ReturnType<typeof setTimeout> | undefined;
 *   const hal: TimeHal = {
 *     setSink: (s) => { sink = s; },
 *     now: () => performance.now(),
 *     armTimer: (ms) => { clearTimeout(timer); timer = setTimeout(() => sink(EV_TIMER, 0, 0), ms); },
 *     cancelTimer: () => clearTimeout(timer),
 *     wake: () => { setImmediate(() => sink(EV_WAKE, 0, 0)); },
 *   };
 *   return hal;
 * });
 * ```
 */
export function setDefaultHalFactory(factory: HalFactory | null): void {
  defaultFactory = factory;
}

/** A HAL from the installed factory; throws when no target installed one. */
export function defaultHal(): TimeHal {
  if (defaultFactory === null) {
    throw invalidState("no default HAL is installed: pass options.hal to createRuntime, or import kyoto through a target bundle");
  }
  return defaultFactory();
}
