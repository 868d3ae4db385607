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
 * - The receiver op completes with the value only once someone subscribes to it (`then`);
 *   until then a sent value waits in `value`, so `tryRecv()` can take it instead, after
 *   which the op fails with `ERR_CLOSED` (the value is gone) and can never deliver it twice.
 * - `done` is the sender side's view: the receiver is closed or has the value. Every
 *   `tx.closed()` waiter is a pool node, woken (and freed) when `done` becomes true.
 */

import { signalOf, WaitOptions } from "../core/cancel";
import { closedError, invalidArgument } from "../core/errors";
import { WaitList } from "../core/list";
import { Op } from "../core/op";
import { NIL, NodePool, PoolOptions } from "../core/pool";
import { Waker } from "../core/waker";
import { resolvePool } from "./batch_semaphore";

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
  /** @internal A sent value nobody has taken yet. */
  value: T | undefined = undefined;
  /** @internal A value was sent (it may since have been taken). */
  sent = false;
  /** @internal The sender closed without sending. */
  senderClosed = false;
  /** @internal The receiver closed (`close()`, `cancel()`). */
  receiverClosed = false;
  /** @internal The receiver is closed or has the value: what `tx.closed()` waits for. */
  done = false;
  /** @internal Somebody subscribed to this op: a value completes it at once. */
  private wanted = false;
  /** @internal `tx.closed()` waiters. */
  readonly closedWaiters: WaitList;

  /** @internal */
  constructor(pool: NodePool) {
    super();
    this.closedWaiters = new WaitList(pool);
  }

  /** Subscribes to the value (this is what `await rx` calls). Allocates: as `Op.then`. */
  then(onValue?: ((value: T) => unknown) | null, onError?: ((reason: any) => unknown) | null): void {
    super.then(onValue, onError);
    if (!this.wanted) {
      this.wanted = true;
      if (this.value !== undefined) this.take();
    }
  }

  /**
   * The value if it has arrived (once), `undefined` while nothing has arrived; throws
   * `ERR_CLOSED` once the value was taken or the channel closed without one.
   * Allocates: only the error.
   */
  tryRecv(): T | undefined {
    const value = this.value;
    if (value !== undefined) {
      this.value = undefined;
      // The value leaves through tryRecv: the op can never deliver it.
      this.fail(closedError(WHAT));
      this.markDone();
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
    this.value = value;
    if (this.wanted) this.take();
    return true;
  }

  /** @internal The sender's `close`. */
  senderClose(): void {
    if (this.sent || this.senderClosed) return;
    this.senderClosed = true;
    this.fail(closedError(WHAT));
  }

  /** Cancelling the receiver closes it; a value it held or was offered is dropped. */
  protected abandon(): void {
    this.value = undefined;
    this.receiverClosed = true;
    this.markDone();
  }

  protected giveBack(): void {
    this.abandon();
  }

  private take(): void {
    const value = this.value as T;
    this.value = undefined;
    this.complete(value);
    this.markDone();
  }

  private markDone(): void {
    if (this.done) return;
    this.done = true;
    const list = this.closedWaiters;
    const pool = list.pool;
    let slot: number;
    while ((slot = list.popFront()) !== NIL) {
      const op = pool.wakers[slot] as Waker;
      pool.free(slot);
      op.wake(0, 0);
    }
  }
}

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
  const rx = new OneshotReceiver<T>(resolvePool(options && options.pool));
  return [new OneshotSender<T>(rx), rx];
}
