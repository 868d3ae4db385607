/**
 * The Espruino HAL, time part: `getTime()` and `setTimeout`/`clearTimeout`. Sockets are
 * hal/espruino/sockets.ts (`createEspruinoNetHal`), kept apart so an app without sockets
 * does not carry them.
 *
 * Espruino has no monotonic clock: `getTime()` is wall time in seconds and `setTime()` moves
 * it, so `now()` is `getTime() * 1000` clamped never to go back (TimerHal clamps). The host
 * timer is one `setTimeout`; a wake is `setTimeout(fn, 0)`. `clearTimeout` is only ever
 * called with an id this adapter holds: `clearTimeout()` with no argument clears every timer,
 * and `clearTimeout(undefined)` or an id that already fired throws.
 */

import { Hal } from "../../src/io/hal";
import { HostTimers, TimerHal } from "../../src/runtime/timer_hal";

/** What the adapter takes from its host; defaults are Espruino's globals. */
export interface EspruinoHost {
  getTime(): number;
  setTimeout(fn: () => void, ms: number): number;
  clearTimeout(id: number): void;
  /** `require`, for "net" and "dgram" (hal/espruino/sockets.ts). */
  require?(name: string): unknown;
  E?: { toString(data: Uint8Array): string; toUint8Array(data: string): Uint8Array };
}

declare const getTime: () => number;
declare const setTimeout: (fn: () => void, ms: number) => number;
declare const clearTimeout: (id: number) => void;
declare const require: ((name: string) => unknown) | undefined;
declare const E: EspruinoHost["E"];

/** The host's functions: `host` if given, else Espruino's globals. */
export function espruinoHost(host?: EspruinoHost): EspruinoHost {
  if (host) return host;
  return {
    getTime: getTime,
    setTimeout: setTimeout,
    clearTimeout: clearTimeout,
    require: typeof require === "function" ? require : undefined,
    E: typeof E === "object" ? E : undefined,
  };
}

/** Espruino's clock and timer functions, as a TimerHal runs on them. */
export function espruinoHostTimers(host: EspruinoHost): HostTimers {
  return {
    clock: function () {
      return host.getTime() * 1000;
    },
    setTimer: function (fn: () => void, ms: number) {
      const id = host.setTimeout(fn, ms);
      return typeof id === "number" ? id : undefined;
    },
    clearTimer: function (id: unknown) {
      host.clearTimeout(id as number);
    },
  };
}

/** A time-only HAL on Espruino (no sockets: see hal/espruino/sockets.ts). */
export function createEspruinoHal(options?: { host?: EspruinoHost }): Hal {
  return new TimerHal(espruinoHostTimers(espruinoHost(options && options.host)));
}
