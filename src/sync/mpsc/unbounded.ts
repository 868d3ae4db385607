/**
 * Unbounded mpsc channel: `unboundedChannel()` → `[UnboundedSender, Receiver]`.
 *
 * @example
 * const [tx, rx] = unboundedChannel<string>();
 * tx.send("hello");                  // synchronous, never waits
 * const v = await rx.recv();
 *
 * Sending never waits, so memory is bounded only by the receiver keeping up: the queue is a
 * growable `Ring` that doubles when full and never shrinks. The receiver is the same
 * `Receiver` as the bounded channel's.
 */

import { WaitOptions } from "../../core/cancel";
import { closedError } from "../../core/errors";
import { Op } from "../../core/op";
import { resolvePool } from "../batch_semaphore";
import { ChannelOptions, checkMessage } from "./bounded";
import { Chan, ClosedOp, Receiver } from "./chan";

export class UnboundedSender<T> {
  private closedSelf = false;

  constructor(private readonly chan: Chan<T>) {}

  /**
   * Queues `value` now. Throws `ERR_CLOSED` (with `value`) when this clone or the receiver
   * is closed, `TypeError` for `undefined`. Allocates: only when the queue doubles.
   */
  send(value: T): void {
    checkMessage(value);
    if (this.closedSelf || this.chan.rxClosed) throw closedError("the channel", value);
    this.chan.push(value);
  }

  /** Another sender for the same channel. Allocates: the sender. */
  clone(): UnboundedSender<T> {
    if (this.closedSelf) throw closedError("the sender");
    this.chan.senders++;
    return new UnboundedSender<T>(this.chan);
  }

  /** Closes this clone; the last one to close ends the channel for the receiver. Idempotent. */
  close(): void {
    if (this.closedSelf) return;
    this.closedSelf = true;
    if (--this.chan.senders === 0) this.chan.closeTx();
  }

  /** Resolves when the receiver closes. Allocates: per call (the op). */
  closed(options?: WaitOptions): Op<void> {
    return new ClosedOp(this.chan.closeWatchers).start(this.chan.rxClosed, options);
  }

  /** True when this clone was closed or the receiver closed. */
  isClosed(): boolean {
    return this.closedSelf || this.chan.rxClosed;
  }
}

/** An unbounded mpsc channel. Allocates: on creation (a small ring), then when the ring doubles. */
export function unboundedChannel<T>(options?: ChannelOptions): [UnboundedSender<T>, Receiver<T>] {
  const chan = new Chan<T>(resolvePool(options && options.pool), null, 16);
  return [new UnboundedSender<T>(chan), new Receiver<T>(chan)];
}
