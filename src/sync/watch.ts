/**
 * watch: a single value that many receivers observe, each told once per unseen change.
 *
 * @example
 * const [tx, rx] = watch({ temp: 20 });
 * tx.send({ temp: 21 });
 * await rx.changed();                 // completes once for the unseen version
 * rx.borrowAndUpdate().temp;          // 21
 *
 * Implementation notes:
 * - The shared state holds the value and a version counter; every receiver holds the
 *   version it has seen. `changed()` completes when they differ and marks the version seen;
 *   cancelling a complete, undelivered `changed()`/`waitFor()` restores what the receiver
 *   had seen, so the change is not lost.
 * - Waiting ops of every receiver share one `PollQueue` of pool nodes; a change polls each
 *   once, so an op that keeps waiting (a `waitFor` whose predicate is still false) or a
 *   re-entrant send cannot make it loop. An op being polled is in no list, so a `waitFor`
 *   re-runs its predicate itself when the version moved while the predicate ran (a predicate
 *   that sends a new value on every call therefore never lets its `waitFor` return).
 * - The channel is closed for receivers once every sender clone closed; a receiver then
 *   still gets the latest value once if it had not seen it.
 */

import { signalOf, WaitOptions } from "../core/cancel";
import { closedError, invalidArgument } from "../core/errors";
import { WaitList } from "../core/list";
import { Op } from "../core/op";
import { NIL, NodePool, PoolOptions } from "../core/pool";
import { resolvePool } from "./batch_semaphore";
import { ClosedOp } from "./mpsc/chan";
import { PollQueue } from "./poll_queue";
import { wakeAll } from "./wake_all";

export interface WatchOptions {
  /** The waiter pool: a shared `NodePool`, options for a pool of its own, or the default shared pool. */
  pool?: NodePool | PoolOptions;
}

class Shared<T> {
  /** @internal Bumped by every send. */
  version = 0;
  /** @internal Sender clones not yet closed. */
  senders = 1;
  /** @internal Receivers not yet closed. */
  receivers = 1;
  /** @internal */
  readonly queue: PollQueue;
  /** @internal Ops from `tx.closed()`, woken when the last receiver closes. */
  readonly closeWatchers: WaitList;

  constructor(
    public value: T,
    readonly pool: NodePool,
  ) {
    this.queue = new PollQueue(pool);
    this.closeWatchers = new WaitList(pool);
  }

  /** @internal Serves every waiting op after a new version (or the close of the last sender). */
  notify(): void {
    this.queue.pollAll();
  }
}

/** `changed()` (pred === null) and `waitFor(pred)`. */
class WatchOp<T> extends Op<any> {
  slot = NIL;
  private prevSeen = 0;
  private marked = -1;

  constructor(
    private readonly rx: WatchReceiver<T>,
    private readonly sharedState: Shared<T>,
    private readonly pred: ((value: T) => boolean) | null,
  ) {
    super();
  }

  start(options: WaitOptions | undefined): WatchOp<T> {
    const signal = signalOf(options);
    if (this.failIfAborted(signal)) return this;
    if (this.rx.closedSelf) this.fail(closedError("the watch receiver"));
    else if (!this.poll() && !this.sharedState.queue.park(this)) {
      this.fail(this.sharedState.pool.exhausted());
      return this;
    }
    this.watch(signal);
    return this;
  }

  /** @internal Completes the op if it can now; false when it must keep waiting. */
  poll(): boolean {
    const shared = this.sharedState;
    const rx = this.rx;
    if (this.pred === null) {
      if (rx.seen !== shared.version) {
        this.markSeen();
        this.complete(undefined);
        return true;
      }
    } else {
      // A send made while `pred` runs (even by `pred`) is not polled for this op (it is not in
      // the queue while polled): check again until a call of `pred` saw the latest version.
      for (;;) {
        const version = shared.version;
        let ok = false;
        try {
          ok = !!this.pred(shared.value);
        } catch (err) {
          this.fail(err);
          return true;
        }
        if (ok) {
          this.markSeen();
          this.complete(shared.value);
          return true;
        }
        if (shared.version === version) break;
      }
    }
    if (shared.senders === 0) {
      this.fail(closedError("the watch channel"));
      return true;
    }
    return false;
  }

  private markSeen(): void {
    this.prevSeen = this.rx.seen;
    this.marked = this.sharedState.version;
    this.rx.seen = this.marked;
  }

  /** @internal Fails a waiting op whose receiver closed. */
  closeWaiting(): void {
    this.fail(closedError("the watch receiver"));
  }

  /** @internal */
  belongsTo(rx: unknown): boolean {
    return this.rx === rx;
  }

  protected abandon(): void {
    this.sharedState.queue.unpark(this);
  }

  protected giveBack(): void {
    // Unsee the version this op consumed, unless the receiver moved on since.
    if (this.rx.seen === this.marked) this.rx.seen = this.prevSeen;
  }
}

/**
 * The sending half of a watch channel.
 *
 * @example
 * ```ts
 * const [tx, rx] = watch({ count: 0 });
 * tx.sendModify((state) => {
 *   state.count++;
 * });
 * console.log(rx.borrow().count); // 1
 * ```
 */
export class WatchSender<T> {
  private closedSelf = false;

  constructor(private readonly sharedState: Shared<T>) {}

  private check(): void {
    if (this.closedSelf) throw closedError("the watch sender");
  }

  /**
   * Stores `value` and notifies the receivers; returns false (storing nothing) when there
   * are none. Throws `ERR_CLOSED` after `close()`. Allocates: never.
   */
  send(value: T): boolean {
    this.check();
    const shared = this.sharedState;
    if (shared.receivers === 0) return false;
    shared.value = value;
    shared.version++;
    shared.notify();
    return true;
  }

  /** Stores `value` even with no receivers, notifies, and returns the old value. Allocates: never. */
  sendReplace(value: T): T {
    this.check();
    const shared = this.sharedState;
    const old = shared.value;
    shared.value = value;
    shared.version++;
    shared.notify();
    return old;
  }

  /**
   * Calls `fn(value)` to change the value in place, then notifies. If `fn` throws, the
   * change it made stays, nobody is notified, and the error is rethrown. Allocates: never.
   */
  sendModify(fn: (value: T) => unknown): void {
    this.check();
    if (typeof fn !== "function") throw invalidArgument("fn", "a function", fn);
    const shared = this.sharedState;
    fn(shared.value);
    shared.version++;
    shared.notify();
  }

  /** The current value itself (not a copy). */
  borrow(): T {
    return this.sharedState.value;
  }

  /**
   * A new receiver that has seen the current value; reopens a channel whose receivers all
   * closed. Allocates: the receiver.
   */
  subscribe(): WatchReceiver<T> {
    this.sharedState.receivers++;
    return new WatchReceiver<T>(this.sharedState, this.sharedState.version);
  }

  /** Another sender; receivers see the channel closed when every clone closed. Allocates: the sender. */
  clone(): WatchSender<T> {
    this.check();
    this.sharedState.senders++;
    return new WatchSender<T>(this.sharedState);
  }

  /** Closes this clone; the last close wakes receivers waiting on `changed()`. Idempotent. */
  close(): void {
    if (this.closedSelf) return;
    this.closedSelf = true;
    if (--this.sharedState.senders === 0) this.sharedState.notify();
  }

  /** Resolves when every receiver is closed. Allocates: per call (the op). */
  closed(options?: WaitOptions): Op<void> {
    return new ClosedOp(this.sharedState.closeWatchers).start(this.sharedState.receivers === 0, options);
  }

  receiverCount(): number {
    return this.sharedState.receivers;
  }

  /** True when no receiver is open. */
  isClosed(): boolean {
    return this.sharedState.receivers === 0;
  }
}

/**
 * The receiving half of a watch channel.
 *
 * @example
 * ```ts
 * const [tx, rx] = watch(0);
 * const reached = rx.waitFor((v) => v >= 3);
 * for (let i = 1; i <= 3; i++) tx.send(i);
 * console.log(await reached); // 3
 * ```
 */
export class WatchReceiver<T> {
  /** @internal */
  closedSelf = false;

  constructor(
    private readonly sharedState: Shared<T>,
    /** @internal The version this receiver has seen (-1: marked changed). */
    public seen: number,
  ) {}

  /** The current value itself, without marking it seen. */
  borrow(): T {
    return this.sharedState.value;
  }

  /** The current value, marking it seen. */
  borrowAndUpdate(): T {
    this.seen = this.sharedState.version;
    return this.sharedState.value;
  }

  /** Whether a version this receiver has not seen is there. Throws `ERR_CLOSED` when closed. */
  hasChanged(): boolean {
    if (this.closedSelf) throw closedError("the watch receiver");
    if (this.sharedState.senders === 0) throw closedError("the watch channel");
    return this.seen !== this.sharedState.version;
  }

  /** Makes the current value count as unseen. */
  markChanged(): void {
    this.seen = -1;
  }

  /** Makes the current value count as seen. */
  markUnchanged(): void {
    this.seen = this.sharedState.version;
  }

  /**
   * Completes once a version this receiver has not seen is there, and marks it seen.
   * Rejects `ERR_CLOSED` once every sender closed and the latest value was seen.
   * Allocates: per call (the op).
   */
  changed(options?: WaitOptions): Op<void> {
    return new WatchOp<T>(this, this.sharedState, null).start(options) as Op<void>;
  }

  /**
   * Resolves with the value once `pred(value)` holds, checking the current value first
   * (also on a closed channel); marks it seen. A value sent while `pred` runs (even by
   * `pred`) is checked too: no version is missed. A throwing `pred` rejects the op.
   * Allocates: per call (the op).
   */
  waitFor(pred: (value: T) => boolean, options?: WaitOptions): Op<T> {
    if (typeof pred !== "function") throw invalidArgument("pred", "a function", pred);
    return new WatchOp<T>(this, this.sharedState, pred).start(options) as Op<T>;
  }

  /** Another receiver with this one's seen state. Allocates: the receiver. */
  clone(): WatchReceiver<T> {
    if (this.closedSelf) throw closedError("the watch receiver");
    this.sharedState.receivers++;
    return new WatchReceiver<T>(this.sharedState, this.seen);
  }

  /**
   * Closes this receiver: its waiting ops reject `ERR_CLOSED`; when it was the last one,
   * `tx.closed()` resolves and `send` returns false. Allocates: never.
   */
  close(): void {
    if (this.closedSelf) return;
    this.closedSelf = true;
    const shared = this.sharedState;
    shared.queue.failOwnedBy(this);
    if (--shared.receivers === 0) wakeAll(shared.closeWatchers, 0);
  }
}

/**
 * A watch channel holding `initial`. The first receiver has seen `initial`.
 * Allocates: on creation (the shared state and both halves).
 *
 * @example
 * ```ts
 * const [tx, rx] = watch("starting");
 * const changed = rx.changed();
 * tx.send("running");
 * await changed;
 * console.log(rx.borrowAndUpdate()); // "running"
 * ```
 */
export function watch<T>(initial: T, options?: WatchOptions): [WatchSender<T>, WatchReceiver<T>] {
  const shared = new Shared<T>(initial, resolvePool(options));
  return [new WatchSender<T>(shared), new WatchReceiver<T>(shared, 0)];
}
