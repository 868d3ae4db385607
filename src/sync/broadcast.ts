/**
 * broadcast: every receiver gets every message sent after it subscribed, from a ring of
 * fixed size; a receiver that falls a full ring behind is told how much it missed.
 *
 * @example
 * const [tx, rx1] = broadcast<string>(16);
 * const rx2 = tx.subscribe();
 * tx.send("hi");                      // 2 receivers reached
 * await rx1.recv(); await rx2.recv(); // "hi", "hi"
 *
 * Implementation notes:
 * - Messages are numbered from 0. `size` (the capacity rounded up to a power of two) is how
 *   many the channel keeps: `tail` is the number of the next message, and a receiver's
 *   cursor `next` is the number of the next message it wants. It lagged when
 *   `tail - next > size` (its message was overwritten) and then resumes at the oldest kept
 *   message `tail - size`.
 * - The capacity is a limit, not an allocation: message `s` lives in slot `s % slots` of
 *   storage that starts at `INITIAL_SLOTS` and doubles (up to `size`) only when a send
 *   would overwrite a message someone still has to read; it shrinks back once nothing is
 *   held. Every held message is in `oldest … tail - 1` and `tail - oldest <= slots`, so
 *   no two held messages share a slot (`%` rather than a mask: the numbers pass 2**31).
 * - Each slot counts the receivers that have yet to read it (`remaining`). The last reader,
 *   a closing receiver, or an overwrite drops the reference, so no value outlives its
 *   readers.
 * - Waiting receive ops share one `PollQueue`; a send serves every waiter (each reads from
 *   its own cursor). A waiter only waits when its receiver has read everything, so a send
 *   always completes it.
 */

import { signalOf, WaitOptions } from "../core/cancel";
import { checkInteger, closedError, laggedError } from "../core/errors";
import { Op } from "../core/op";
import { NIL, NodePool, PoolOptions } from "../core/pool";
import { resolvePool } from "./batch_semaphore";
import { PollQueue } from "./poll_queue";

const MAX_CAPACITY = 1073741824; // 2**30
/** Storage slots a channel starts with (fewer when its capacity is smaller). */
const INITIAL_SLOTS = 32;

export interface BroadcastOptions {
  /** The waiter pool: a shared `NodePool`, options for a pool of its own, or the default shared pool. */
  pool?: NodePool | PoolOptions;
}

/** The state every sender and receiver of one broadcast channel shares (not exported by `kyoto`). */
export class BroadcastShared<T> {
  /** Messages kept (the capacity rounded up to a power of two). */
  readonly size: number;
  /** @internal Storage slots now: a power of two, at most `size`. */
  slots = 0;
  /** @internal Message `s` is in `values[s % slots]`. */
  values!: Array<T | undefined>;
  /** @internal Per slot: the receivers that have yet to read its message. */
  remaining!: Int32Array;
  /** @internal No message numbered below `oldest` is held any more. */
  oldest = 0;
  tail = 0;
  /** @internal Sender clones not yet closed. */
  senders = 1;
  /** @internal Receivers not yet closed. */
  receivers = 1;
  /** @internal */
  readonly queue: PollQueue;

  constructor(capacity: number, readonly pool: NodePool) {
    let size = 1;
    while (size < capacity) size *= 2;
    this.size = size;
    this.resize(this.initialSlots());
    this.queue = new PollQueue(pool);
  }

  private initialSlots(): number {
    return this.size < INITIAL_SLOTS ? this.size : INITIAL_SLOTS;
  }

  /** @internal One receiver is done with message `seq` (read, or skipped by a closing receiver). */
  consumed(seq: number): void {
    const i = seq % this.slots;
    if (--this.remaining[i] === 0) this.values[i] = undefined;
  }

  /**
   * @internal Stores message `tail` for `readers` receivers. Messages past the capacity are
   * overwritten (their receivers lag); the storage grows first when the message would
   * overwrite one still held inside the capacity. Allocates: only when it grows or shrinks.
   */
  store(value: T, readers: number): void {
    const tail = this.tail;
    let oldest = this.oldest;
    if (oldest < tail + 1 - this.size) oldest = tail + 1 - this.size;
    while (oldest < tail && this.remaining[oldest % this.slots] === 0) oldest++;
    this.oldest = oldest;
    if (oldest === tail && this.slots > this.initialSlots()) this.resize(this.initialSlots());
    else if (tail + 1 - oldest > this.slots) this.resize(this.slots * 2);
    const i = tail % this.slots;
    this.values[i] = value;
    this.remaining[i] = readers;
    this.tail = tail + 1;
  }

  /** @internal Puts message `seq` (in the capacity, just read by one receiver) back for that receiver. */
  unread(seq: number, value: T): void {
    while (this.tail - seq > this.slots) this.resize(this.slots * 2);
    const i = seq % this.slots;
    this.remaining[i]++;
    this.values[i] = value;
    if (seq < this.oldest) this.oldest = seq;
  }

  /** Moves the held messages (`oldest … tail - 1`) into storage of `slots` slots. */
  private resize(slots: number): void {
    const values: Array<T | undefined> = new Array(slots);
    for (let i = 0; i < slots; i++) values[i] = undefined;
    const remaining = new Int32Array(slots);
    const old = this.slots;
    for (let seq = this.oldest; old > 0 && seq < this.tail; seq++) {
      values[seq % slots] = this.values[seq % old];
      remaining[seq % slots] = this.remaining[seq % old];
    }
    this.values = values;
    this.remaining = remaining;
    this.slots = slots;
  }

  /** @internal Serves every waiting receive (after a send, or the close of the last sender). */
  serve(): void {
    this.queue.pollAll();
  }
}

/** What a read found: a value (`ok`), nothing yet, a lag, or the end. */
const EMPTY = 0;
const VALUE = 1;
const LAGGED = 2;
const ENDED = 3;

class BroadcastRecvOp<T> extends Op<T> {
  slot = NIL;
  private seq = -1;

  constructor(private readonly rx: BroadcastReceiver<T>) {
    super();
  }

  start(options: WaitOptions | undefined): BroadcastRecvOp<T> {
    const signal = signalOf(options);
    const rx = this.rx;
    if (this.failIfAborted(signal)) return this;
    if (rx.closedSelf) this.fail(closedError("the broadcast receiver"));
    else if (rx.waiting > 0 || !this.poll()) {
      // Behind an earlier receive of the same receiver, or nothing to read yet.
      if (!rx.sharedState.queue.park(this)) {
        this.fail(rx.sharedState.pool.exhausted());
        return this;
      }
      rx.waiting++;
    }
    this.watch(signal);
    return this;
  }

  /** @internal Completes the op from the receiver's cursor if it can; false to keep waiting. */
  poll(): boolean {
    const rx = this.rx;
    const outcome = rx.read();
    if (outcome === EMPTY) return false;
    if (this.slot !== NIL) rx.waiting--;
    if (outcome === VALUE) {
      this.seq = rx.next - 1;
      this.complete(rx.taken as T);
      rx.taken = undefined;
    } else if (outcome === LAGGED) this.fail(laggedError(rx.skipped));
    else this.fail(closedError("the broadcast channel"));
    return true;
  }

  /** @internal The receiver closed while this op waited. */
  closeWaiting(): void {
    this.rx.waiting--;
    this.fail(closedError("the broadcast receiver"));
  }

  /** @internal */
  belongsTo(rx: unknown): boolean {
    return this.rx === rx;
  }

  protected abandon(): void {
    if (this.slot !== NIL) {
      this.rx.sharedState.queue.unpark(this);
      this.rx.waiting--;
    }
  }

  protected giveBack(value: T): void {
    // Unread the message if it was this receiver's last read and is still in the ring.
    const rx = this.rx;
    const shared = rx.sharedState;
    if (rx.closedSelf || rx.next !== this.seq + 1 || shared.tail - this.seq > shared.size) return;
    shared.unread(this.seq, value);
    rx.next = this.seq;
  }
}

/**
 * The sending half of a broadcast channel.
 *
 * @example
 * ```ts
 * const [tx, rx] = broadcast<number>(4);
 * console.log(tx.send(1), tx.receiverCount()); // 1 1
 * rx.close();
 * console.log(tx.send(2)); // 0: nobody left to receive it
 * ```
 */
export class BroadcastSender<T> {
  private closedSelf = false;

  constructor(private readonly sharedState: BroadcastShared<T>) {}

  /**
   * Sends `value` to every receiver and returns how many there are; with none it is dropped
   * and 0 is returned. Throws `ERR_CLOSED` once this clone is closed. Allocates: only when the storage grows or shrinks.
   */
  send(value: T): number {
    if (this.closedSelf) throw closedError("the broadcast sender", value);
    const shared = this.sharedState;
    const n = shared.receivers;
    if (n === 0) return 0;
    shared.store(value, n);
    shared.serve();
    return n;
  }

  /** A receiver of the messages sent from now on. Allocates: the receiver. */
  subscribe(): BroadcastReceiver<T> {
    this.sharedState.receivers++;
    return new BroadcastReceiver<T>(this.sharedState, this.sharedState.tail);
  }

  /** Another sender; receivers end once every clone closed. Allocates: the sender. */
  clone(): BroadcastSender<T> {
    if (this.closedSelf) throw closedError("the broadcast sender");
    this.sharedState.senders++;
    return new BroadcastSender<T>(this.sharedState);
  }

  /** Closes this clone; after the last one receivers drain the ring, then get `ERR_CLOSED`. */
  close(): void {
    if (this.closedSelf) return;
    this.closedSelf = true;
    if (--this.sharedState.senders === 0) this.sharedState.serve();
  }

  receiverCount(): number {
    return this.sharedState.receivers;
  }
}

/**
 * The receiving half of a broadcast channel: its own cursor into the shared ring.
 *
 * @example
 * ```ts
 * const [tx, rx] = broadcast<number>(2);
 * for (let i = 0; i < 5; i++) tx.send(i); // rx falls behind
 * try {
 *   await rx.recv();
 * } catch (err) {
 *   console.log((err as KyotoError).code); // "ERR_LAGGED"
 * }
 * console.log(await rx.recv()); // 3: the oldest value still kept
 * ```
 */
export class BroadcastReceiver<T> {
  /** @internal */
  closedSelf = false;
  /** @internal Receive ops of this receiver still queued. */
  waiting = 0;
  /** @internal Hand-over fields of `read()` (kept here so reading allocates nothing). */
  taken: T | undefined = undefined;
  skipped = 0;

  constructor(
    /** @internal */
    readonly sharedState: BroadcastShared<T>,
    /** @internal The number of the next message this receiver reads. */
    public next: number,
  ) {}

  /** @internal Reads at the cursor: EMPTY, VALUE (in `taken`), LAGGED (in `skipped`) or ENDED. */
  read(): number {
    const shared = this.sharedState;
    const behind = shared.tail - this.next;
    if (behind === 0) return shared.senders === 0 ? ENDED : EMPTY;
    if (behind > shared.size) {
      const oldest = shared.tail - shared.size;
      this.skipped = oldest - this.next;
      this.next = oldest;
      return LAGGED;
    }
    const i = this.next % shared.slots;
    this.taken = shared.values[i];
    this.next++;
    shared.consumed(this.next - 1);
    return VALUE;
  }

  /**
   * The next message. Rejects `ERR_LAGGED` (`skipped`) when messages were overwritten
   * before this receiver read them (the next call resumes at the oldest kept one), and
   * `ERR_CLOSED` once every sender closed and this receiver read everything, or when this
   * receiver is closed. Allocates: per call (the op).
   */
  recv(options?: WaitOptions): Op<T> {
    return new BroadcastRecvOp<T>(this).start(options);
  }

  /**
   * The next message now, or `undefined` when there is none. Throws `ERR_LAGGED` (and
   * resumes) when behind, `ERR_CLOSED` when closed and drained. Allocates: only errors.
   */
  tryRecv(): T | undefined {
    if (this.closedSelf) throw closedError("the broadcast receiver");
    if (this.waiting > 0) return undefined;
    const outcome = this.read();
    if (outcome === VALUE) {
      const value = this.taken as T;
      this.taken = undefined;
      return value;
    }
    if (outcome === LAGGED) throw laggedError(this.skipped);
    if (outcome === ENDED) throw closedError("the broadcast channel");
    return undefined;
  }

  /** A new receiver starting at the tail (only later messages). Allocates: the receiver. */
  resubscribe(): BroadcastReceiver<T> {
    this.sharedState.receivers++;
    return new BroadcastReceiver<T>(this.sharedState, this.sharedState.tail);
  }

  /** Messages from this receiver's cursor to the tail, overwritten ones included until the lag is reported. */
  len(): number {
    return this.sharedState.tail - this.next;
  }

  isEmpty(): boolean {
    return this.sharedState.tail === this.next;
  }

  /**
   * Closes this receiver: its pending receives reject `ERR_CLOSED` and it lets go of the
   * messages it had not read. Allocates: never.
   */
  close(): void {
    if (this.closedSelf) return;
    this.closedSelf = true;
    const shared = this.sharedState;
    shared.queue.failOwnedBy(this);
    const from = shared.tail - this.next > shared.size ? shared.tail - shared.size : this.next;
    for (let seq = from; seq < shared.tail; seq++) shared.consumed(seq);
    this.next = shared.tail;
    shared.receivers--;
  }
}

/**
 * A broadcast channel keeping the last `capacity` messages (an integer from 1 to 2**30,
 * rounded up to a power of two). The capacity is a limit, not an allocation. Allocates: on
 * creation (storage for at most 32 messages), and when the storage doubles (up to the
 * capacity) for messages still held.
 *
 * @example
 * ```ts
 * const [tx, first] = broadcast<string>(16);
 * const second = tx.subscribe();
 * tx.send("to everyone");
 * console.log(await first.recv(), await second.recv());
 * ```
 */
export function broadcast<T>(capacity: number, options?: BroadcastOptions): [BroadcastSender<T>, BroadcastReceiver<T>] {
  checkInteger("capacity", capacity, 1, MAX_CAPACITY);
  const shared = new BroadcastShared<T>(capacity, resolvePool(options));
  return [new BroadcastSender<T>(shared), new BroadcastReceiver<T>(shared, 0)];
}
