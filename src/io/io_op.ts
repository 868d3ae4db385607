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
