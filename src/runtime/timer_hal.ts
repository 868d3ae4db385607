/**
 * TimerHal: the time part of a HAL built from a host's clock and timer functions.
 *
 * Every host adapter that has `setTimeout`-style timers (Node, QuickJS's `os` module or timer
 * globals, Espruino) is this class with its own functions plugged in: one host timer for the
 * earliest deadline, a wake through `defer` (or a 0 ms timer), and a clock clamped so `now()`
 * never goes back (Espruino's `getTime()` moves with `setTime()`).
 *
 * `clearTimer` is only ever called with a handle `setTimer` returned — never `undefined`
 * (Espruino's `clearTimeout()` with no argument clears every timer).
 */

import { invalidState } from "../core/errors";
import { EV_TIMER, EV_WAKE, HalSink, MAX_HOST_DELAY, TimeHal } from "./host";

/** The host functions a TimerHal runs on. */
export interface HostTimers {
  /** Milliseconds, any origin; clamped to be non-decreasing. */
  clock(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  /** Runs `fn` after the current host callback (`setImmediate`); default: a 0 ms timer. */
  defer?: (fn: () => void) => void;
}

/** Rounds a delay up to whole milliseconds within what host timers accept. */
export function hostDelay(deltaMs: number): number {
  return deltaMs > MAX_HOST_DELAY ? MAX_HOST_DELAY : deltaMs > 0 ? Math.ceil(deltaMs) : 0;
}

export class TimerHal implements TimeHal {
  /** The runtime's event sink (adapters that add sockets deliver through it too). */
  protected sink: HalSink | null = null;
  /** The host timer's handle, or null when none is armed. */
  private timer: unknown = null;
  private wakePending = false;
  private last = 0;
  private readonly onTimer: () => void;
  private readonly onWake: () => void;

  /** Allocates: on construction (the two host callbacks). */
  constructor(private readonly host: HostTimers) {
    const self = this;
    this.onTimer = function () {
      self.timer = null;
      if (self.sink !== null) self.sink(EV_TIMER, 0, 0);
    };
    this.onWake = function () {
      self.wakePending = false;
      if (self.sink !== null) self.sink(EV_WAKE, 0, 0);
    };
  }

  setSink(sink: HalSink): void {
    if (this.sink !== null) throw invalidState("this HAL already has a sink: one HAL per runtime");
    this.sink = sink;
  }

  now(): number {
    const t = this.host.clock();
    if (t > this.last) this.last = t;
    return this.last;
  }

  /** Re-arming replaces the pending host timer. Allocates: whatever the host timer does. */
  armTimer(deltaMs: number): void {
    this.cancelTimer(); // the timer is null from here (clearTimer throwing leaves it so too)
    const handle = this.host.setTimer(this.onTimer, hostDelay(deltaMs));
    if (handle !== undefined) this.timer = handle;
  }

  cancelTimer(): void {
    const handle = this.timer;
    if (handle !== null) {
      this.timer = null;
      this.host.clearTimer(handle);
    }
  }

  /** Idempotent until the wake is delivered. */
  wake(): void {
    if (this.wakePending) return;
    this.wakePending = true;
    const defer = this.host.defer;
    if (defer) defer(this.onWake);
    else this.host.setTimer(this.onWake, 0);
  }
}
