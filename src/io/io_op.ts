/**
 * IoOp: the base of every socket op. It adds one hook to `Op`: `commit(value)`, run exactly
 * once when the result is taken out of the op (plain delivery, or `select`/`join`/`timeout`
 * taking it), to finalise the effect — release the socket's busy flag, hand reserved bytes
 * to the host. Until then the op can still be cancelled and `giveBack` returns what it holds
 * (bytes pushed back in front of the stream, a connection back to its listener).
 *
 * A socket op is delivered (and so committed) even when nobody has subscribed yet, as a
 * Promise settles on its own: `const w = s.writeAll(x); await reply(); await w` must not
 * hold the write back until `w` is awaited. A complete op subscribes itself, so its commit
 * runs on the runtime's next delivery; until then a `select` that drops it, or a `cancel()`,
 * still gives back what it holds.
 *
 * The ops seam (`src/core/op.ts`) is getting this hook as `commit`; until it has it, this
 * class calls `commit` from the two ways a result leaves an op (`deliver`, `takeResult`).
 */

import { Op } from "../core/op";

/** `Op.flags` bit: callbacks are registered (see src/core/op.ts). */
const SUBSCRIBED = 16;

export class IoOp<T> extends Op<T> {
  private committed = false;

  /** @internal Runs once, when the result is taken; the effect becomes final. */
  protected commit(_value: T): void {}

  /** @internal Completes, and makes sure the result will be delivered (and committed). */
  complete(value: T): void {
    super.complete(value);
    if ((this.flags & SUBSCRIBED) === 0 && this.completedWithValue()) this.then(undefined, undefined);
  }

  /** @internal */
  deliver(): void {
    if ((this.flags & SUBSCRIBED) !== 0) this.commitOnce();
    super.deliver();
  }

  /** @internal */
  takeResult(): unknown {
    this.commitOnce();
    return super.takeResult();
  }

  private commitOnce(): void {
    if (this.committed || !this.completedWithValue()) return;
    this.committed = true;
    this.commit(this.result as T);
  }
}
