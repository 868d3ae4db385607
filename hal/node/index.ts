/**
 * The Node HAL (time part): `performance.now()` for the clock, one `setTimeout` for the host
 * timer, `setImmediate` for wakes. Sockets (`node:net`, `node:dgram`) come with the net layer.
 *
 * Timers are referenced (not `unref`'d): a pending kyoto sleep keeps the process alive the way
 * a pending `setTimeout` does, and `run()` never lets Node exit while `main` waits on a timer.
 * The runtime cancels the host timer as soon as no kyoto timer is left, so an idle runtime
 * holds nothing.
 */

import { EV_TIMER, EV_WAKE, Hal, HalSink } from "../../src/io/hal";

/** Node's setTimeout takes at most a signed 32-bit delay; longer ones fire at once. */
const MAX_DELAY = 2147483647;

export class NodeHal implements Hal {
  private sink: HalSink | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private wakePending = false;
  private readonly onTimer: () => void;
  private readonly onWake: () => void;

  constructor() {
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
    if (this.sink !== null) throw new TypeError("this HAL already has a sink: one HAL per runtime");
    this.sink = sink;
  }

  now(): number {
    return performance.now();
  }

  armTimer(deltaMs: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    const delay = deltaMs > MAX_DELAY ? MAX_DELAY : deltaMs > 0 ? Math.ceil(deltaMs) : 0;
    this.timer = setTimeout(this.onTimer, delay);
  }

  cancelTimer(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  wake(): void {
    if (this.wakePending) return;
    this.wakePending = true;
    setImmediate(this.onWake);
  }
}

/** A HAL on Node's clock and timers. Allocates: on construction. */
export function createNodeHal(): NodeHal {
  return new NodeHal();
}
