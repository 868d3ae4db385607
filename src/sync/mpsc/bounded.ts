/**
 * Bounded mpsc channel: `channel(capacity)` → `[Sender, Receiver]`.
 *
 * @example
 * const [tx, rx] = channel<string>(16);
 * await tx.send("hello");            // waits while 16 messages are unreceived
 * const v = await rx.recv();         // "hello"; its slot is free again
 *
 * Capacity is a `BatchSemaphore` of `capacity` slots, so senders queue FIFO and a waiting
 * sender is one pool node; a slot frees when its message is received, not when it is sent.
 *
 * Implementation notes:
 * - A `send` is "reserve a slot, then push". The message enters the queue when the send op
 *   is taken (`commit`; `takeWhenDone` makes that happen even if nobody awaits it),
 *   which is what lets a send that was granted its slot but cancelled before delivery
 *   withdraw its message and return the slot: the receiver never saw it. Until then the
 *   slot counts in `Chan.reserved`, so a closed channel is not reported drained early.
 * - `trySend` and `tryReserve` fail while such granted sends are in flight: their messages
 *   go first (a granted send holds its place in the order until delivered or withdrawn).
 */

import { signalOf, WaitOptions } from "../../core/cancel";
import { checkInteger, closedError, invalidArgument, invalidState } from "../../core/errors";
import { Op } from "../../core/op";
import { NodePool, PoolOptions } from "../../core/pool";
import { WAKE_READY, Waker } from "../../core/waker";
import { ACQUIRED, BatchSemaphore, CLOSED, EXHAUSTED, MAX_PERMITS, resolvePool } from "../batch_semaphore";
import { Chan, Receiver, SenderBase } from "./chan";

export interface ChannelOptions {
  /** The waiter pool: a shared `NodePool`, options for a pool of its own, or the default shared pool. */
  pool?: NodePool | PoolOptions;
}

export function checkMessage(value: unknown): void {
  if (value === undefined) throw invalidArgument("value", "a value other than undefined", value);
}

/**
 * A reserved slot: `send(v)` uses it at once, `release()` gives it back.
 *
 * @example
 * ```ts
 * const [tx, rx] = channel<string>(1);
 * const permit = await tx.reserve(); // a slot is ours…
 * permit.send("reserved"); // …so this neither waits nor fails
 * console.log(await rx.recv()); // "reserved"
 * ```
 */
export class SendPermit<T> {
  private used = false;

  constructor(private readonly chan: Chan<T>) {}

  /** Queues `value` in the reserved slot (even after the receiver closed). Allocates: never. */
  send(value: T): void {
    checkMessage(value);
    if (this.used) throw invalidState("this SendPermit was already used or released");
    this.used = true;
    this.chan.reserved--;
    this.chan.push(value);
  }

  /** Returns the slot unused. Idempotent. Allocates: never. */
  release(): void {
    if (this.used) return;
    this.used = true;
    this.chan.unreserve();
  }
}

/**
 * The op returned by `send` (`sending`: reserve a slot, then push the message on delivery)
 * and by `reserve` (completes with a SendPermit for the slot).
 */
class SlotOp<T> extends Op<any> implements Waker {
  /** @internal The queued acquire, or -1. */
  handle = -1;
  /** A send was granted its slot and its message is not queued yet. */
  private granted = false;

  constructor(
    private readonly chan: Chan<T>,
    private value: T | undefined,
    private readonly sending: boolean,
  ) {
    super();
  }

  start(open: boolean, options: WaitOptions | undefined): SlotOp<T> {
    const signal = signalOf(options);
    const sem = this.chan.sem as BatchSemaphore;
    if (this.failIfAborted(signal)) return this;
    const r = open ? sem.acquire(1, this, 0) : CLOSED;
    if (r === ACQUIRED) this.grant();
    else if (r === CLOSED) this.refuse();
    else if (r === EXHAUSTED) this.fail(sem.pool.exhausted());
    else this.handle = r;
    // A send is taken even if nobody awaits it: the take is when the message enters the queue.
    if (this.sending) this.takeWhenDone();
    this.watch(signal);
    return this;
  }

  private grant(): void {
    const chan = this.chan;
    chan.reserved++;
    if (!this.sending) {
      this.complete(new SendPermit<T>(chan));
      return;
    }
    this.granted = true;
    chan.grantedSends++;
    this.complete(undefined);
  }

  /** The channel is closed: a send's error carries its value. */
  private refuse(): void {
    const value = this.value;
    this.value = undefined;
    this.fail(closedError("the channel", value));
  }

  wake(_token: number, status: number): void {
    this.handle = -1;
    if (status === WAKE_READY) this.grant();
    else this.refuse();
  }

  protected abandon(): void {
    if (this.handle >= 0) (this.chan.sem as BatchSemaphore).cancel(this.handle);
    this.handle = -1;
    this.value = undefined;
  }

  /** Cancelled after the grant: a permit is released, a send withdraws its message. */
  protected giveBack(permit: unknown): void {
    if (!this.sending) (permit as SendPermit<T>).release();
    else if (this.granted) {
      this.granted = false;
      this.value = undefined;
      this.chan.grantedSends--;
      this.chan.unreserve();
    }
  }

  /** A send is taken now: its message enters the queue. */
  protected commit(): void {
    if (this.granted) {
      const chan = this.chan;
      const value = this.value as T;
      this.granted = false;
      this.value = undefined;
      chan.grantedSends--;
      chan.reserved--;
      chan.push(value);
    }
  }
}

/**
 * The sending half of a bounded channel. Each clone is closed on its own; the channel
 * closes for the receiver when every clone is closed.
 *
 * @example
 * ```ts
 * const [tx, rx] = channel<number>(2);
 * const producer = tx.clone(); // one clone per producer
 * await producer.send(1); // waits while the channel is full
 * tx.close();
 * producer.close(); // the channel closes when every clone has
 * console.log(await rx.recv(), await rx.recv()); // 1 undefined
 * ```
 */
export class Sender<T> extends SenderBase<T> {
  private open(): boolean {
    return !this.isClosed();
  }

  /** Takes a free slot now; false when full or while earlier sends are granted but undelivered. */
  private trySlot(): boolean {
    return this.chan.grantedSends === 0 && (this.chan.sem as BatchSemaphore).tryAcquire(1);
  }

  /**
   * Waits for a slot (FIFO among senders), then queues `value`. Rejects `ERR_CLOSED` with
   * `value` when the channel is or gets closed. Cancelling after the slot was granted but
   * before delivery withdraws the message and frees the slot. `undefined` is a TypeError.
   * Allocates: per call (the op).
   */
  send(value: T, options?: WaitOptions): Op<void> {
    checkMessage(value);
    return new SlotOp<T>(this.chan, value, true).start(this.open(), options) as Op<void>;
  }

  /**
   * Queues `value` now if a slot is free: false when full (or while earlier sends are
   * granted but undelivered); throws `ERR_CLOSED` with `value` when closed. Allocates: never.
   */
  trySend(value: T): boolean {
    checkMessage(value);
    if (!this.open()) throw closedError("the channel", value);
    if (!this.trySlot()) return false;
    this.chan.push(value);
    return true;
  }

  /** Waits for a slot and returns it as a SendPermit. Allocates: per call (the op, the permit). */
  reserve(options?: WaitOptions): Op<SendPermit<T>> {
    return new SlotOp<T>(this.chan, undefined, false).start(this.open(), options) as Op<SendPermit<T>>;
  }

  /**
   * A SendPermit now, or `null` when full (or while earlier sends are granted but
   * undelivered: a permit could otherwise overtake them); throws `ERR_CLOSED` when closed.
   * Allocates: the permit.
   */
  tryReserve(): SendPermit<T> | null {
    if (!this.open()) throw closedError("the channel");
    if (!this.trySlot()) return null;
    this.chan.reserved++;
    return new SendPermit<T>(this.chan);
  }

  /** Another sender for the same channel. Allocates: the sender. */
  clone(): Sender<T> {
    this.addClone();
    return new Sender<T>(this.chan);
  }

  /** Free slots now. */
  capacity(): number {
    return (this.chan.sem as BatchSemaphore).available();
  }

  /** The capacity the channel was created with. */
  maxCapacity(): number {
    return this.chan.queue.maxCapacity;
  }
}

/**
 * A bounded mpsc channel of `capacity` (an integer from 1 to 2**30 - 1) messages. The
 * capacity is a limit, not an allocation. Allocates: on creation (a ring of at most 32
 * slots, the semaphore; the pool when `options.pool` holds options), and when the ring
 * doubles (up to `capacity`) for messages held now.
 *
 * @example
 * ```ts
 * const [tx, rx] = channel<string>(16); // at most 16 unreceived messages
 * await tx.send("hello");
 * tx.close();
 * for await (const message of rx) console.log(message);
 * ```
 */
export function channel<T>(capacity: number, options?: ChannelOptions): [Sender<T>, Receiver<T>] {
  checkInteger("capacity", capacity, 1, MAX_PERMITS);
  const pool = resolvePool(options);
  const chan = new Chan<T>(pool, new BatchSemaphore(capacity, pool), capacity);
  return [new Sender<T>(chan), new Receiver<T>(chan)];
}
