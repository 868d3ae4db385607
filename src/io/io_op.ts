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
 */

import { SignalLike } from "../core/cancel";
import { KyotoError } from "../core/errors";
import { Op } from "../core/op";

export class IoOp<T> extends Op<T> {
  constructor() {
    super();
    this.takeWhenDone();
  }

  /** For the socket classes: `failIfAborted`, callable from outside the op. */
  abortedAlready(signal: SignalLike | null): boolean {
    return this.failIfAborted(signal);
  }

  /** For the socket classes: `watch`, callable from outside the op. */
  watchSignal(signal: SignalLike | null): void {
    this.watch(signal);
  }
}

/**
 * A read, write, send or receive: it first occupies its side of the socket (one at a time),
 * then steps each time the socket becomes ready until it completes or fails.
 */
export abstract class SteppedIoOp<T> extends IoOp<T> {
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

  /** Takes the socket's side for this op, or returns why it cannot (busy, failed, closed). */
  protected abstract occupy(): KyotoError | null;

  /** @internal Moves the op on when the socket is ready; a done op ignores it. */
  abstract step(): void;
}

/**
 * An op that opens a socket or listener (`bind`): `opened` is set as soon as the host call
 * returned a handle, so a cancel, pending or done, closes what was opened.
 */
export class OpenOp<T extends { close(): void }> extends IoOp<T> {
  opened: T | null = null;

  protected abandon(): void {
    if (this.opened !== null) this.opened.close();
  }

  protected giveBack(opened: T): void {
    opened.close();
  }
}
