/**
 * The Espruino HAL (time part). Espruino has no monotonic clock: `getTime()` is wall time in
 * seconds and `setTime()` moves it, so `now()` is `getTime() * 1000` clamped never to go back
 * (TimerHal clamps). The host timer is one `setTimeout`; a wake is `setTimeout(fn, 0)`.
 * `clearTimeout` is only ever called with an id this adapter holds: on Espruino
 * `clearTimeout()` with no argument clears every timer, and `clearTimeout(undefined)` throws.
 */

import { Hal } from "../../src/io/hal";
import { TimerHal } from "../../src/runtime/timer_hal";

declare function getTime(): number;
declare function setTimeout(fn: () => void, ms: number): number;
declare function clearTimeout(id: number): void;

/** A HAL on Espruino's clock and timers. Allocates: on construction. */
export function createEspruinoHal(): Hal {
  return new TimerHal({
    clock: function () {
      return getTime() * 1000;
    },
    setTimer: function (fn: () => void, ms: number) {
      const id = setTimeout(fn, ms);
      return typeof id === "number" ? id : undefined;
    },
    clearTimer: function (id: unknown) {
      clearTimeout(id as number);
    },
  });
}
