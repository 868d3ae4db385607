/**
 * The shared half of kyoto's mpsc channels: the message queue, the receiver and its ops.
 *
 * `channel(capacity)` and `unboundedChannel()` build a `Chan` and hand out a sender of their
 * own kind plus the `Receiver` defined here; the receiver does not care which kind of sender
 * feeds it. A bounded chan carries a `BatchSemaphore` of `capacity` slots: a sender takes a
 * slot before its message enters the queue and the slot is freed only when the message is
 * received (taken out of the receive op — by delivery, `join`, `select`… — or by `tryRecv`).
 *
 * Implementation notes (invariants):
 * - Bounded: queued messages + messages held by complete, undelivered receive ops +
 *   `reserved` (slots granted to senders that have not pushed yet) never exceed `capacity`,
 *   because each of them owns one semaphore slot. So the `Ring`, which grows on demand up to
 *   `capacity` (and shrinks back once empty), never refuses a push, even when a cancelled
 *   receive puts its message back at the head.
 * - While `receivers` (waiting receive ops) is non-empty the queue is empty: every push
 *   and every put-back serves the waiting receivers first.
 * - Receive ops that are complete but not yet taken form the "in flight" chain, oldest
 *   first. Cancelling one gives its messages to the in-flight ops created after it (each
 *   keeps its count) and puts the last ones back at the head, so the messages still come
 *   out in the order they were sent. The chain is normally 0 or 1 long.
 * - The channel is *drained* when it is closed (receiver closed or every sender closed),
 *   empty, no sender holds a reserved slot and no receive op is in flight: only then does
 *   `recv` resolve `undefined`.
 */

import { signalOf, WaitOptions } from "../../core/cancel";
import { checkCount, closedError, invalidArgument } from "../../core/errors";
import { WaitList } from "../../core/list";
import { Op } from "../../core/op";
import { NIL, NodePool } from "../../core/pool";
import { Ring } from "../../core/ring";
import { Waker } from "../../core/waker";
import { BatchSemaphore } from "../batch_semaphore";
import { wakeAll } from "../wake_all";

/** True for an array `recvMany` can append to (feature-detected: Espruino cannot freeze). */
function appendable(buf: unknown): boolean {
  return Array.isArray(buf) && (typeof Object.isExtensible !== "function" || Object.isExtensible(buf));
}

/** Slots a bounded channel's ring starts with; it doubles up to the capacity as needed. */
const INITIAL_RING = 32;

/** The largest `limit` `recvMany` accepts. */
const MAX_BATCH = 1073741824;

export class Chan<T> {
  /** @internal */
  readonly queue: Ring<T>;
  /** @internal */
  readonly receivers: WaitList;
  /** @internal Ops from `tx.closed()`, woken when the receiver closes. */
  readonly closeWatchers: WaitList;
  /** @internal Sender clones not yet closed. */
  senders = 1;
  /** @internal */
  rxClosed = false;
  /** @internal Slots granted to senders (permits, granted sends) whose message is not queued yet. */
  reserved = 0;
  /** @internal Sends granted but not delivered: their messages go first, so `trySend` waits for them. */
  grantedSends = 0;
  /** @internal */
  inFlightHead: RecvOp<T> | null = null;
  /** @internal */
  inFlightTail: RecvOp<T> | null = null;

  constructor(
    readonly pool: NodePool,
    /** The slots of a bounded channel; `null` when unbounded. */
    readonly sem: BatchSemaphore | null,
    capacity: number,
  ) {
    // Bounded: the ring starts small and grows up to `capacity` (a limit, not an allocation).
    this.queue = sem === null ? new Ring<T>(capacity) : new Ring<T>(capacity < INITIAL_RING ? capacity : INITIAL_RING, capacity);
    this.receivers = new WaitList(pool);
    this.closeWatchers = new WaitList(pool);
  }

  /** @internal Closed for sending: the receiver closed or every sender clone closed. */
  isClosed(): boolean {
    return this.rxClosed || this.senders === 0;
  }

  /** @internal */
  isDrained(): boolean {
    return this.isClosed() && this.queue.length === 0 && this.reserved === 0 && this.inFlightHead === null;
  }

  /** @internal Queues a message whose slot (if bounded) is already held, and serves waiting receivers. */
  push(value: T): void {
    this.queue.push(value);
    // The hot path: no call when no receiver waits.
    if (this.receivers.head !== NIL) this.serve();
  }

  /** @internal Frees `n` slots of a bounded channel (a no-op when unbounded). */
  releaseSlots(n: number): void {
    if (this.sem !== null) this.sem.release(n);
  }

  /** @internal A reserved slot was used up without a message: the channel may now be drained. */
  unreserve(): void {
    this.reserved--;
    this.releaseSlots(1);
    this.serve();
  }

  /**
   * @internal Hands queued messages (or the end of the channel) to the waiting receivers,
   * oldest first. Called after every change that may serve one; does nothing when none waits.
   */
  serve(): void {
    const pool = this.pool;
    const receivers = this.receivers;
    while (receivers.head !== NIL) {
      const drained = this.queue.length === 0;
      if (drained && !this.isDrained()) return;
      const slot = receivers.popFront();
      const op = pool.wakers[slot] as unknown as RecvOp<T>;
      pool.free(slot);
      op.slot = NIL;
      if (drained) op.finish();
      else op.take();
    }
  }

  /** @internal The sender side ended (last sender closed): wake receivers if nothing more can come. */
  closeTx(): void {
    if (this.sem !== null) this.sem.close();
    this.serve();
  }

  /** @internal */
  linkInFlight(op: RecvOp<T>): void {
    op.prevInFlight = this.inFlightTail;
    op.nextInFlight = null;
    if (this.inFlightTail === null) this.inFlightHead = op;
    else this.inFlightTail.nextInFlight = op;
    this.inFlightTail = op;
  }

  /** @internal */
  unlinkInFlight(op: RecvOp<T>): void {
    const before = op.prevInFlight;
    const after = op.nextInFlight;
    if (before === null) this.inFlightHead = after;
    else before.nextInFlight = after;
    if (after === null) this.inFlightTail = before;
    else after.prevInFlight = before;
    op.prevInFlight = null;
    op.nextInFlight = null;
  }

  /**
   * @internal A complete receive op holding `carry` was cancelled: its messages shift to the
   * in-flight ops created after it and what is left over goes back to the head of the queue,
   * order preserved. Allocates: carry arrays (cancelling a complete receive is the rare case).
   */
  returnInFlight(op: RecvOp<T>, carry: T[]): void {
    let later = op.nextInFlight;
    this.unlinkInFlight(op);
    while (later !== null) {
      const mine = later.heldItems(later.result);
      for (let i = 0; i < mine.length; i++) carry.push(mine[i]);
      later.setHeld(carry.slice(0, mine.length));
      carry = carry.slice(mine.length);
      later = later.nextInFlight;
    }
    for (let i = carry.length - 1; i >= 0; i--) this.queue.unshift(carry[i]);
    this.serve();
  }
}

/** The op returned by `recv` (`buf === null`) and `recvMany`. */
export class RecvOp<T> extends Op<any> implements Waker {
  /** @internal The waiting node, or `NIL`. */
  slot = NIL;
  /** @internal Messages held while complete and undelivered. */
  holding = 0;
  /** @internal Links in the channel's in-flight chain. */
  prevInFlight: RecvOp<T> | null = null;
  /** @internal */
  nextInFlight: RecvOp<T> | null = null;
  /** The messages a `recvMany` holds (a `recv` holds its message as its `result`). */
  private many: T[] | null = null;

  constructor(
    private readonly chan: Chan<T>,
    private readonly buf: T[] | null,
    private readonly limit: number,
  ) {
    super();
  }

  start(options: WaitOptions | undefined): RecvOp<T> {
    const signal = signalOf(options);
    const chan = this.chan;
    if (this.failIfAborted(signal)) return this;
    if (this.limit === 0) this.complete(0);
    else if (chan.queue.length > 0 && chan.receivers.head === NIL) this.take();
    else if (chan.isDrained()) this.finish();
    else {
      const slot = chan.receivers.park(this, 0);
      if (slot === NIL) {
        this.fail(chan.pool.exhausted());
        return this;
      }
      this.slot = slot;
    }
    this.watch(signal);
    return this;
  }

  /** Unused: a receive node is completed by `Chan.serve` directly. */
  wake(_token: number, _status: number): void {}

  /** @internal Takes messages from the queue (which is not empty) and completes. */
  take(): void {
    const queue = this.chan.queue;
    let result: unknown;
    if (this.buf === null) {
      result = queue.shift();
      this.holding = 1;
    } else {
      const n = queue.length < this.limit ? queue.length : this.limit;
      const many: T[] = [];
      for (let i = 0; i < n; i++) many.push(queue.shift() as T);
      this.many = many;
      this.holding = result = n;
    }
    this.chan.linkInFlight(this);
    this.complete(result);
  }

  /** @internal The channel is drained: completes with the end-of-channel result. */
  finish(): void {
    this.complete(this.buf === null ? undefined : 0);
  }

  /**
   * @internal The messages this op holds, oldest first, given its result (`value`: the
   * message of a `recv`). Allocates: the array for a `recv`.
   */
  heldItems(value: unknown): T[] {
    if (this.buf !== null) return this.many as T[];
    const one: T[] = [];
    one.push(value as T);
    return one;
  }

  /** @internal Replaces the held messages (same count) after an earlier op was cancelled. */
  setHeld(items: T[]): void {
    if (this.buf !== null) this.many = items;
    else this.result = items[0];
  }

  protected abandon(): void {
    if (this.slot !== NIL) {
      this.chan.receivers.remove(this.slot);
      this.chan.pool.free(this.slot);
      this.slot = NIL;
    }
  }

  protected giveBack(value: unknown): void {
    if (this.holding === 0) return;
    this.holding = 0;
    this.chan.returnInFlight(this, this.heldItems(value));
    this.many = null;
  }

  /** The messages are taken now: append them to `buf` and free their slots. */
  protected commit(): void {
    const n = this.holding;
    if (n > 0 && this.buf !== null && !appendable(this.buf)) {
      // The buffer was frozen after the call: its messages go back unread, and the op fails.
      this.giveBack(undefined);
      this.replaceResult(false, invalidArgument("buf", "an extensible array", this.buf));
      return;
    }
    if (n > 0) {
      const chan = this.chan;
      this.holding = 0;
      chan.unlinkInFlight(this);
      if (this.buf !== null) {
        const many = this.many as T[];
        this.many = null;
        for (let i = 0; i < many.length; i++) this.buf.push(many[i]);
      }
      chan.releaseSlots(n);
      chan.serve();
    }
  }
}

/** The op returned by `tx.closed()`: completes when the receiver closes (`wakeAll` on its list). */
export class ClosedOp extends Op<void> implements Waker {
  slot = NIL;

  constructor(private readonly list: WaitList) {
    super();
  }

  start(closed: boolean, options: WaitOptions | undefined): ClosedOp {
    const signal = signalOf(options);
    if (this.failIfAborted(signal)) return this;
    if (closed) this.complete(undefined);
    else {
      const slot = this.list.park(this, 0);
      if (slot === NIL) {
        this.fail(this.list.pool.exhausted());
        return this;
      }
      this.slot = slot;
    }
    this.watch(signal);
    return this;
  }

  /** Its node was unlinked and freed: the receiver closed. */
  wake(_token: number, _status: number): void {
    this.slot = NIL;
    this.complete(undefined);
  }

  protected abandon(): void {
    if (this.slot !== NIL) {
      this.list.remove(this.slot);
      this.list.pool.free(this.slot);
      this.slot = NIL;
    }
  }
}

interface IterResult<T> {
  done: boolean;
  value: T | undefined;
}

/** What both sender kinds share: a per-clone closed flag, `close`, `closed`, `isClosed`. */
export class SenderBase<T> {
  /** @internal This clone was closed. */
  protected closedSelf = false;

  /** @internal */
  constructor(protected readonly chan: Chan<T>) {}

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

  /** @internal Counts one more sender clone; throws `ERR_CLOSED` when this one is closed. */
  protected addClone(): void {
    if (this.closedSelf) throw closedError("the sender");
    this.chan.senders++;
  }
}

/**
 * The receiving half of an mpsc channel (bounded or unbounded).
 *
 * @example
 * const [tx, rx] = channel<number>(16);
 * for await (const v of rx) console.log(v); // ends when every sender closed
 */
export class Receiver<T> {
  constructor(private readonly chan: Chan<T>) {}

  /**
   * Waits for the next message; resolves `undefined` only once the channel is closed and
   * drained (no message queued, no reserved slot outstanding). A cancelled receive that
   * had been handed a message puts it back at the head. Allocates: per call (the op).
   */
  recv(options?: WaitOptions): Op<T | undefined> {
    return new RecvOp<T>(this.chan, null, 1).start(options) as Op<T | undefined>;
  }

  /**
   * Waits for at least one message and appends up to `limit` of them to `buf` (when the op
   * is delivered); resolves how many. 0 at once for `limit` 0 (options are still checked, an
   * aborted signal still rejects), and 0 when closed and drained. A `buf` that cannot grow
   * (frozen, sealed, not extensible) is a `TypeError` before anything is taken.
   * Allocates: per call (the op and an array holding the batch until delivery).
   */
  recvMany(buf: T[], limit: number, options?: WaitOptions): Op<number> {
    if (!appendable(buf)) throw invalidArgument("buf", "an extensible array", buf);
    return new RecvOp<T>(this.chan, buf, checkCount("limit", limit, MAX_BATCH)).start(options) as Op<number>;
  }

  /**
   * Takes the next message now: `undefined` when none is ready; throws `ERR_CLOSED` when the
   * channel is closed and drained. Allocates: never.
   */
  tryRecv(): T | undefined {
    const chan = this.chan;
    // A complete, undelivered receive comes first (it may still put its message back).
    if (chan.queue.length === 0 || chan.inFlightHead !== null) {
      if (chan.isDrained()) throw closedError("the channel");
      return undefined;
    }
    const value = chan.queue.shift() as T;
    chan.releaseSlots(1);
    return value;
  }

  /**
   * Closes the channel for sending: pending sends and reserves reject `ERR_CLOSED` (a send's
   * error carries its `value`), `tx.closed()` resolves; messages already queued and those of
   * outstanding SendPermits can still be received. Allocates: never.
   */
  close(): void {
    const chan = this.chan;
    if (chan.rxClosed) return;
    chan.rxClosed = true;
    if (chan.sem !== null) chan.sem.close();
    wakeAll(chan.closeWatchers, 0);
    chan.serve();
  }

  /** True once closed and no SendPermit is outstanding (messages may still be queued). */
  isClosed(): boolean {
    return this.chan.isClosed() && this.chan.reserved === 0;
  }

  /** Messages queued now. */
  len(): number {
    return this.chan.queue.length;
  }

  isEmpty(): boolean {
    return this.chan.queue.length === 0;
  }

  /**
   * An async iterator over the messages (where `Promise` exists). Leaving a `for await` loop
   * early closes the receiver. Allocates: per step (a Promise and the result object).
   */
  iterator(): { next(): Promise<IterResult<T>>; return(): Promise<IterResult<T>> } {
    const self = this;
    return {
      next(): Promise<IterResult<T>> {
        return new Promise<IterResult<T>>(function (resolve, reject) {
          self.recv().then(function (value) {
            resolve(value === undefined ? { done: true, value: undefined } : { done: false, value: value });
          }, reject);
        });
      },
      return(): Promise<IterResult<T>> {
        self.close();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }
}

// `for await (const v of rx)`: the type says so; the method exists where the engine has the symbol.
export interface Receiver<T> {
  [Symbol.asyncIterator](): { next(): Promise<IterResult<T>>; return(): Promise<IterResult<T>> };
}
if (typeof Symbol === "function" && typeof Symbol.asyncIterator === "symbol") {
  (Receiver.prototype as unknown as { [key: symbol]: unknown })[Symbol.asyncIterator] = Receiver.prototype.iterator;
}
