/**
 * IoOp: the base of every socket op. Socket ops finalise their effect in `commit(value)`
 * (the op seam's hook, run exactly once when the result is taken) — release the socket's busy
 * flag, hand reserved bytes to the host — and until then can be cancelled, `giveBack`
 * returning what they hold (bytes pushed back in front of the stream, a connection back to
 * its listener).
 *
 * A socket op is taken as soon as it is done even when nobody observes it yet
 * (`takeWhenDone`), as a Promise settles on its own: `const w = s.writeAll(x); await reply();
 * await w` must not hold the write back until `w` is awaited. Until that take (the runtime's
 * next delivery), a `select` that drops it, or a `cancel()`, still gives back what it holds; a
 * combinator that claims the op takes it itself.
 *
 * Every socket op starts the same way (`start`): an already aborted signal fails it at once;
 * else `occupy()` takes what the op needs (its side of the socket, a place in a queue, a new
 * handle) or says why it cannot; then the op takes its first `step()` and watches the signal.
 */

import { SignalLike } from "../core/cancel";
import { Op } from "../core/op";
import { currentRuntime } from "../runtime/runtime";
import { IoDriver, ioDriver } from "./driver";

export abstract class IoOp<T> extends Op<T> {
  constructor() {
    super();
    this.takeWhenDone();
  }

  /**
   * Fails at once on an aborted signal or when `occupy()` refuses, else takes the first step;
   * then watches the signal.
   */
  start(signal: SignalLike | null): this {
    if (this.failIfAborted(signal)) return this;
    const refused = this.occupy();
    if (refused !== null) this.fail(refused);
    else this.step();
    this.watch(signal);
    return this;
  }

  /** Takes what the op needs (its side of the socket, …), or returns why it cannot (busy, failed, closed). */
  protected abstract occupy(): unknown;

  /** @internal Moves the op on when the socket is ready; a done op ignores it. */
  step(): void {}
}

/** A socket, listener or connection an `OpenOp` opens: it completes or fails its `opening` op. */
export interface Openable {
  close(): void;
  /** @internal The op that opened it, until the host says it is ready. */
  opening: OpenOp<Openable> | null;
}

/**
 * An op that opens a socket, listener or connection (`bind`, `connect`) on the current
 * runtime's driver: `open(driver)` makes it or throws why it cannot (`ERR_SOCKET`, …).
 * `opened` is set as soon as the host call returned a handle, so a cancel, pending or done,
 * closes what was opened; the opened object completes the op when the host says ready.
 */
export class OpenOp<T extends Openable> extends IoOp<T> {
  /** @internal What was opened (closed again by a cancel). */
  opened: T | null = null;

  constructor(private readonly open: (driver: IoDriver) => T) {
    super();
  }

  protected occupy(): unknown {
    try {
      const opened = this.open(ioDriver(currentRuntime()));
      opened.opening = this as unknown as OpenOp<Openable>;
      this.opened = opened;
      return null;
    } catch (err) {
      return err;
    }
  }

  protected abandon(): void {
    if (this.opened !== null) this.opened.close();
  }

  protected giveBack(opened: T): void {
    opened.close();
  }
}
