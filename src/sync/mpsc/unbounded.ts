/**
 * Unbounded mpsc channel: `unboundedChannel()` → `[UnboundedSender, Receiver]`.
 *
 * @example
 * const [tx, rx] = unboundedChannel<string>();
 * tx.send("hello");                  // synchronous, never waits
 * const v = await rx.recv();
 *
 * Sending never waits, so memory is bounded only by the receiver keeping up: the queue is a
 * growable `Ring` that doubles when full and goes back to its initial size once drained. The receiver is the same
 * `Receiver` as the bounded channel's.
 */

import { closedError } from "../../core/errors";
import { resolvePool } from "../batch_semaphore";
import { ChannelOptions, checkMessage } from "./bounded";
import { Chan, Receiver, SenderBase } from "./chan";

/**
 * The sending half of an unbounded channel, as Tokio's `UnboundedSender`: `send` is
 * synchronous and never waits, so there is no `trySend`, `reserve` or `capacity`. Each
 * clone is closed on its own; the channel closes for the receiver when every clone closed.
 *
 * @example
 * ```ts
 * const [tx, rx] = unboundedChannel<string>();
 * tx.send("never waits"); // synchronous; throws ERR_CLOSED once the channel is closed
 * tx.close();
 * console.log(await rx.recv(), await rx.recv()); // "never waits" undefined
 * ```
 */
export class UnboundedSender<T> extends SenderBase<T> {
  /**
   * Queues `value` now. Throws `ERR_CLOSED` (with `value`) when this clone or the receiver
   * is closed, `TypeError` for `undefined`. Allocates: only when the queue doubles.
   */
  send(value: T): void {
    checkMessage(value);
    if (this.isClosed()) throw closedError("the channel", value);
    this.chan.push(value);
  }

  /** Another sender for the same channel. Allocates: the sender. */
  clone(): UnboundedSender<T> {
    this.addClone();
    return new UnboundedSender<T>(this.chan);
  }
}

/**
 * An unbounded mpsc channel. Allocates: on creation (a small ring), then when the ring doubles.
 *
 * @example
 * ```ts
 * const [tx, rx] = unboundedChannel<{ id: number }>();
 * for (let id = 0; id < 3; id++) tx.send({ id });
 * console.log(rx.len()); // 3
 * ```
 */
export function unboundedChannel<T>(options?: ChannelOptions): [UnboundedSender<T>, Receiver<T>] {
  const chan = new Chan<T>(resolvePool(options), null, 16);
  return [new UnboundedSender<T>(chan), new Receiver<T>(chan)];
}
