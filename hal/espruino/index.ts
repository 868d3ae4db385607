/**
 * The Espruino HAL (time part). Espruino has no monotonic clock: `getTime()` is wall time in
 * seconds and `setTime()` moves it, so `now()` is `getTime() * 1000` clamped never to go back.
 * The host timer is one `setTimeout`; a wake is `setTimeout(fn, 0)`. `clearTimeout` is only
 * ever called with an id this adapter holds: on Espruino `clearTimeout()` with no argument
 * clears every timer, and `clearTimeout(undefined)` throws.
 */

import { EV_TIMER, EV_WAKE, Hal, HalSink } from "../../src/io/hal";

declare function getTime(): number;
declare function setTimeout(fn: () => void, ms: number): number;
declare function clearTimeout(id: number): void;

const MAX_DELAY = 2147483647;

export class EspruinoHal implements Hal {
  private sink: HalSink | null = null;
  /** The host timer's id, or -1 (never `undefined`: see the module doc). */
  private timer = -1;
  private wakePending = false;
  private last = 0;
  private readonly onTimer: () => void;
  private readonly onWake: () => void;

  constructor() {
    const self = this;
    this.onTimer = function () {
      self.timer = -1;
      if (self.sink !== null) self.sink(EV_TIMER, 0, 0);
    };
    this.onWake = function () {
      self.wakePending = false;
      if (self.sink !== null) self.sink(EV_WAKE, 0, 0);
    };
  }

  setSink(sink: HalSink): void {
    if (this.sink !== null) throw new TypeError("this HAL already has a sink: one HAL per runtime");
    this.sink = sink;
  }

  now(): number {
    const t = getTime() * 1000;
    if (t > this.last) this.last = t;
    return this.last;
  }

  armTimer(deltaMs: number): void {
    this.cancelTimer();
    const id = setTimeout(this.onTimer, deltaMs > MAX_DELAY ? MAX_DELAY : deltaMs > 0 ? Math.ceil(deltaMs) : 0);
    this.timer = typeof id === "number" ? id : -1;
  }

  cancelTimer(): void {
    if (this.timer >= 0) {
      const id = this.timer;
      this.timer = -1;
      clearTimeout(id);
    }
  }

  wake(): void {
    if (this.wakePending) return;
    this.wakePending = true;
    setTimeout(this.onWake, 0);
  }
}

/** A HAL on Espruino's clock and timers. Allocates: on construction. */
export function createEspruinoHal(): EspruinoHal {
  return new EspruinoHal();
}
