/**
 * The Node HAL: `performance.now()` for the clock, one `setTimeout` for the host timer,
 * `setImmediate` for wakes, and sockets over `node:net` / `node:dgram` (`sockets.ts`).
 *
 * Timers are referenced (not `unref`'d): a pending kyoto sleep keeps the process alive the way
 * a pending `setTimeout` does, and `run()` never lets Node exit while `main` waits on a timer.
 * The runtime cancels the host timer as soon as no kyoto timer is left, so an idle runtime
 * holds nothing.
 */

import { NodeHal } from "./sockets";

export { NodeHal, SEND_WINDOW } from "./sockets";

/** True when the environment asks for kyoto's debug mode (`KYOTO_DEBUG=1`): the Node target passes it to `setDebug`. */
export function debugRequested(): boolean {
  return process.env.KYOTO_DEBUG === "1";
}

/** A HAL on Node's clock, timers and sockets. Allocates: on construction. */
export function createNodeHal(): NodeHal {
  return new NodeHal({
    clock: function () {
      return performance.now();
    },
    setTimer: function (fn: () => void, ms: number) {
      return setTimeout(fn, ms);
    },
    clearTimer: function (handle: unknown) {
      clearTimeout(handle as ReturnType<typeof setTimeout>);
    },
    defer: function (fn: () => void) {
      setImmediate(fn);
    },
  });
}
