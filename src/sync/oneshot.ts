/**
 * oneshot: a channel for exactly one value, from one sender to one receiver.
 *
 * @example
 * const [tx, rx] = oneshot<number>();
 * spawn(() => tx.send(42));
 * const v = await rx;                  // the receiver IS the op
 *
 * `tx.send(v)` returns false (the value is not taken) when the receiver is closed or a value
 * was already sent. `tx.close()` without a value makes the receiver reject `ERR_CLOSED`.
 * `rx.close()` keeps a value already sent receivable; with nothing sent, awaiting `rx`
 * rejects `ERR_CLOSED` and `send` returns false. `rx.cancel()` drops the receiver.
 * `tx.closed()` resolves once the receiver is closed or has taken the value.
 *
 * Implementation notes:
 * - The receiver op completes with the value as soon as it is sent; the value stays in the op
 *   (rules of `src/core/op.ts`) until it is taken: by delivery (`await rx`), by an owner
 *   (`join([rx])`, `select`), or by `tryRecv()` — which takes it only while nobody observes
 *   or owns the op, and then leaves the op failed with `ERR_CLOSED` so the value can never be
 *   delivered twice. Its commit marks the receiver done.
 * - A cancelled receiver is closed; a value it held stays in `value` for `tryRecv()`.
 * - `done` is the sender side's view: the receiver is closed or has taken the value. Every
 *   `tx.closed()` waiter is a pool node, woken (and freed) when `done` becomes true.
 */

import { signalOf, WaitOptions } from "../core/cancel";
import { closedError, invalidArgument } from "../core/errors";
import { WaitList } from "../core/list";
import { Op, OpOwner } from "../core/op";
import { NIL, NodePool, PoolOptions } from "../core/pool";
import { Waker } from "../core/waker";
import { resolvePool } from "./batch_semaphore";
import { wakeAll } from "./wake_all";

export interface OneshotOptions {
  /** The pool for `tx.closed()` waiters: a shared `NodePool`, options for a pool of its own, or the default. */
  pool?: NodePool | PoolOptions;
}

const WHAT = "the oneshot channel";

/** The op behind `tx.closed()`; the waker of its own node. */
class SenderClosedOp extends Op<void> implements Waker {
  private handle = -1;

  constructor(private readonly rx: OneshotReceiver<unknown>) {
    super();
  }

  wake(): void {
    this.handle = -1;
    this.complete(undefined);
  }

  /** @internal */
  start(options: WaitOptions | undefined): SenderClosedOp {
    const signal = signalOf(options);
    if (this.failIfAborted(signal)) return this;
    const rx = this.rx;
    if (rx.done) {
      this.complete(undefined);
      return this;
    }
    const pool = rx.closedWaiters.pool;
    const slot = rx.closedWaiters.park(this, 0);
    if (slot === NIL) {
      this.fail(pool.exhausted());
      return this;
    }
    this.handle = pool.handleOf(slot);
    this.watch(signal);
    return this;
  }

  protected abandon(): void {
    const pool = this.rx.closedWaiters.pool;
    const slot = pool.slotOf(this.handle);
    this.handle = -1;
    if (slot === NIL) return;
    this.rx.closedWaiters.remove(slot);
    pool.free(slot);
  }
}

/**
 * The receiving half: an `Op<T>` for the value, plus `tryRecv()` and `close()`.
 *
 * @example
 * ```ts
 * const [tx, rx] = oneshot<string>();
 * console.log(rx.tryRecv()); // undefined: nothing sent yet
 * tx.send("done");
 * console.log(rx.tryRecv()); // "done"
 * ```
 */
export class OneshotReceiver<T> extends Op<T> {
  /** @internal A value that was given back (the receiver was cancelled holding it), for `tryRecv`. */
  value: T | undefined = undefined;
  /** @internal A value was sent (it may since have been taken). */
  sent = false;
  /** @internal The sender closed without sending. */
  senderClosed = false;
  /** @internal The receiver closed (`close()`, `cancel()`). */
  receiverClosed = false;
  /** @internal The receiver is closed or has the value: what `tx.closed()` waits for. */
  done = false;
  /** @internal `tx.closed()` waiters. */
  readonly closedWaiters: WaitList;

  /** @internal */
  constructor(pool: NodePool) {
    super();
    this.closedWaiters = new WaitList(pool);
  }

  /**
   * The value if it has arrived (once), `undefined` while nothing has arrived; throws
   * `ERR_CLOSED` once the value was taken or the channel closed without one. While the
   * receiver is being awaited (or a combinator owns it) the value goes there, not here.
   * Allocates: only the error.
   */
  tryRecv(): T | undefined {
    const kept = this.value;
    if (kept !== undefined) {
      this.value = undefined;
      return kept;
    }
    if (this.sent && this.completedWithValue() && this.claim(NO_OWNER, 0)) {
      const value = this.takeResult() as T;
      // The value left through tryRecv: the op can never deliver it.
      this.replaceResult(false, closedError(WHAT));
      return value;
    }
    if (this.sent || this.senderClosed || this.receiverClosed) throw closedError(WHAT);
    return undefined;
  }

  /**
   * Closes the receiver: the sender sees it (`send` returns false, `closed()` resolves). A
   * value sent before stays receivable. Allocates: only the error when nothing was sent.
   */
  close(): void {
    if (this.receiverClosed) return;
    this.receiverClosed = true;
    if (!this.sent) this.fail(closedError(WHAT));
    this.markDone();
  }

  /** @internal The sender's `send`. */
  accept(value: T): boolean {
    if (this.sent || this.receiverClosed || this.senderClosed) return false;
    this.sent = true;
    this.complete(value);
    return true;
  }

  /** @internal The sender's `close`. */
  senderClose(): void {
    if (this.sent || this.senderClosed) return;
    this.senderClosed = true;
    this.fail(closedError(WHAT));
  }

  /** Cancelling the receiver closes it. */
  protected abandon(): void {
    this.receiverClosed = true;
    this.markDone();
  }

  /** Cancelled holding the value: the receiver closes and the value stays for `tryRecv`. */
  protected giveBack(value: T): void {
    this.value = value;
    this.abandon();
  }

  protected commit(): void {
    this.markDone();
  }

  private markDone(): void {
    if (this.done) return;
    this.done = true;
    wakeAll(this.closedWaiters, 0);
  }
}

/** The owner `tryRecv` claims a receiver with while it takes the value (it is never told anything). */
const NO_OWNER: OpOwner = {
  opCompleted(): void {},
};

/**
 * The sending half.
 *
 * @example
 * ```ts
 * const [tx, rx] = oneshot<string>();
 * rx.close(); // the receiver is gone…
 * await tx.closed(); // …which the sender can wait for
 * console.log(tx.send("late")); // false
 * ```
 */
export class OneshotSender<T> {
  /** @internal */
  constructor(private readonly rx: OneshotReceiver<T>) {}

  /**
   * Sends the value; false (the value is not taken) when the receiver is closed, a value was
   * already sent, or this sender was closed. `undefined` is a `TypeError`. Allocates: never.
   */
  send(value: T): boolean {
    if (value === undefined) throw invalidArgument("value", "a value other than undefined", value);
    return this.rx.accept(value);
  }

  /** Closes without a value (the receiver rejects `ERR_CLOSED`); after a send it does nothing. */
  close(): void {
    this.rx.senderClose();
  }

  /** Resolves once the receiver is closed or has taken the value. Allocates: the op. */
  closed(options?: WaitOptions): Op<void> {
    return new SenderClosedOp(this.rx as OneshotReceiver<unknown>).start(options);
  }

  /** True once the receiver is closed or has taken the value. */
  isClosed(): boolean {
    return this.rx.done;
  }
}

/**
 * A one-value channel: `[sender, receiver]`. Allocates: the two halves.
 *
 * @example
 * ```ts
 * const [tx, rx] = oneshot<number>();
 * tx.send(42);
 * console.log(await rx); // 42
 * ```
 */
export function oneshot<T>(options?: OneshotOptions): [OneshotSender<T>, OneshotReceiver<T>] {
  const rx = new OneshotReceiver<T>(resolvePool(options));
  return [new OneshotSender<T>(rx), rx];
}
