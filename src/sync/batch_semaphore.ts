/**
 * BatchSemaphore: the fair, FIFO, batch semaphore every kyoto primitive stands on.
 *
 * It follows Tokio's `batch_semaphore`: a request for `n` permits takes what is free now,
 * records the rest on its waiter node and queues; released permits go to the oldest waiter
 * first, and a waiter at the head that needs more than is free blocks later, smaller ones.
 * This is the low-level, promise-free API: waiters are pool nodes owned by the caller and
 * completion is reported through a `Waker`. `Semaphore` wraps it in ops.
 *
 * Implementation notes (the invariants every method keeps):
 * - `freePermits` is the free count. While `queued` is non-empty it is 0: a release first
 *   feeds the queue, and only what is left over reaches the counter.
 * - A node in `queued` has `needed > 0` and `assigned` permits already handed to it (only
 *   the head can have `assigned > 0`). A node in `granted` has `needed === 0`: satisfied,
 *   detached from the queue, and about to be woken.
 * - Release assigns permits from the head, moves the satisfied run to `granted` in one
 *   splice, and only then calls wakers — a waker may re-enter (acquire, release, cancel):
 *   the state is already consistent, and the outer wake loop picks up anything a nested
 *   release adds to `granted`, so wakes stay in FIFO order.
 * - Conservation: free + assigned to queued nodes + assigned to granted nodes + held by
 *   completed acquirers = initial + added − forgotten.
 * - The fast path (queue empty, enough permits) touches no list and allocates nothing.
 * - A waker that throws (user code given to `acquire`) does not stop the wake loop: every
 *   other satisfied or closed waiter is still woken, and the first error is rethrown to the
 *   caller of `release`/`close`/`cancel` once the state is consistent.
 */

import { checkCount, checkOptions, invalidArgument, outOfRange } from "../core/errors";
import { WaitList } from "../core/list";
import { NIL, NodePool, PoolOptions } from "../core/pool";
import { NO_FAULT, WAKE_CLOSED, WAKE_READY, Waker, wakeCatching } from "../core/waker";

/** The largest permit count a semaphore can hold: 2**30 - 1. */
export const MAX_PERMITS = 1073741823;

/** `acquire` result: the permits were taken at once; no node was linked. */
export const ACQUIRED = -1;
/** `acquire` result: the semaphore is closed; nothing was taken. */
export const CLOSED = -2;
/** `acquire` result: the waiter pool is full; nothing was taken or linked. */
export const EXHAUSTED = -3;

let sharedPool: NodePool | null = null;

/**
 * The pool semaphores use when none is given: it starts small and doubles up to 2**20
 * waiters, shared by every primitive created without an explicit pool.
 *
 * @example
 * ```ts
 * const before = defaultWaiterPool().stats().live;
 * const sem = new Semaphore(0); // no { pool }: parks in the default pool
 * const waiting = sem.acquire();
 * console.log(defaultWaiterPool().stats().live - before); // 1
 * waiting.cancel();
 * ```
 */
export function defaultWaiterPool(): NodePool {
  if (sharedPool === null) sharedPool = new NodePool({ capacity: 64, maxCapacity: 1048576, name: "waiters" });
  return sharedPool;
}

/**
 * The waiter pool for a primitive created with `options` (validated: `undefined` or an
 * object): `options.pool` when it is a `NodePool`, one built from it when it holds pool
 * options, else the shared default. A `pool` that is neither is a `TypeError`.
 */
export function resolvePool(options: { pool?: NodePool | PoolOptions } | undefined): NodePool {
  const pool = checkOptions(options) === undefined ? undefined : options!.pool;
  if (pool === undefined) return defaultWaiterPool();
  if (pool instanceof NodePool) return pool;
  if (pool === null || typeof pool !== "object") throw invalidArgument("options.pool", "a NodePool or pool options (an object)", pool);
  return new NodePool(pool);
}

/**
 * The engine under the locks and channels: FIFO permits with waiters parked in a node pool,
 * woken through a `Waker`, no promises.
 *
 * @example
 * ```ts
 * const engine = new BatchSemaphore(3);
 * const waker = {
 *   wake: (token: number, status: number) => console.log(token, status === WAKE_READY ? "granted" : "closed"),
 * };
 * engine.tryAcquire(3);
 * const handle = engine.acquire(2, waker, 1); // queued: returns the waiter's handle
 * engine.release(3); // wakes waiter 1 with its 2 permits
 * console.log(handle !== ACQUIRED, engine.available()); // true 1
 * ```
 */
export class BatchSemaphore {
  readonly pool: NodePool;
  private freePermits: number;
  private closed = false;
  private readonly queued: WaitList;
  private readonly granted: WaitList;
  private waking = false;

  /** Allocates: on construction only. */
  constructor(permits: number, pool?: NodePool) {
    this.freePermits = checkCount("permits", permits, MAX_PERMITS);
    this.pool = pool || defaultWaiterPool();
    this.queued = new WaitList(this.pool);
    this.granted = new WaitList(this.pool);
  }

  /** Free permits now. */
  available(): number {
    return this.freePermits;
  }

  isClosed(): boolean {
    return this.closed;
  }

  /** Waiters still queued (not those already satisfied and about to be woken). */
  waiterCount(): number {
    return this.queued.length;
  }

  /**
   * Takes `n` permits if they are free and nobody is queued; false otherwise (also when
   * closed). `n` must already be validated. Allocates: never.
   */
  tryAcquire(n: number): boolean {
    if (this.closed) return false;
    if (n === 0) return true;
    if (this.freePermits >= n && this.queued.head === NIL) {
      this.freePermits -= n;
      return true;
    }
    return false;
  }

  /**
   * Requests `n` permits. Returns `ACQUIRED` when they were taken at once, `CLOSED` or
   * `EXHAUSTED` when nothing was taken, or else the handle of the waiter node it queued:
   * `waker.wake(token, WAKE_READY | WAKE_CLOSED)` is called once when it completes, unless
   * `cancel(handle)` comes first. Allocates: never (the node comes from the pool).
   */
  acquire(n: number, waker: Waker, token: number): number {
    if (this.closed) return CLOSED;
    if (n === 0) return ACQUIRED;
    const permits = this.freePermits;
    if (permits >= n && this.queued.head === NIL) {
      this.freePermits = permits - n;
      return ACQUIRED;
    }
    const pool = this.pool;
    const slot = pool.alloc();
    if (slot === NIL) return EXHAUSTED;
    // Partial assignment: take what is free (0 whenever someone is already queued).
    pool.assigned[slot] = permits;
    pool.needed[slot] = n - permits;
    pool.token[slot] = token;
    pool.wakers[slot] = waker;
    this.freePermits = 0;
    this.queued.pushBack(slot);
    return pool.handleOf(slot);
  }

  /**
   * Withdraws a waiter. Permits already assigned to it go to the next waiters (waking them
   * if that satisfies them), or to the counter. Returns false, changing nothing, when the
   * handle is stale (the waiter was already woken). Allocates: never.
   */
  cancel(handle: number): boolean {
    const pool = this.pool;
    const slot = pool.slotOf(handle);
    if (slot === NIL) return false;
    if (pool.needed[slot] > 0) this.queued.remove(slot);
    else this.granted.remove(slot);
    const assigned = pool.assigned[slot];
    pool.free(slot);
    if (assigned > 0) this.handOut(assigned);
    return true;
  }

  /**
   * Returns `n` permits: the oldest waiters are served first, the rest goes to the counter.
   * Throws `RangeError` (changing nothing) if the free count would pass `MAX_PERMITS`.
   * Allocates: never.
   */
  release(n: number): void {
    checkCount("n", n, MAX_PERMITS);
    this.checkRelease(n);
    this.give(n);
  }

  /** Throws `RangeError` (changing nothing) when releasing `n` would pass `MAX_PERMITS`. */
  checkRelease(n: number): void {
    if (this.freePermits + n > MAX_PERMITS) {
      throw outOfRange("n", "at most " + (MAX_PERMITS - this.freePermits) + " (MAX_PERMITS minus the free permits)", n);
    }
  }

  /**
   * `release` for a count already validated (a Permit's own count, after `checkRelease`).
   * With nobody queued it only bumps the counter. Allocates: never.
   */
  give(n: number): void {
    if (this.queued.head === NIL) this.freePermits += n;
    else if (n > 0) this.handOut(n);
  }

  /**
   * Removes up to `n` free permits for good and returns how many were removed.
   * Allocates: never.
   */
  forget(n: number): number {
    checkCount("n", n, MAX_PERMITS);
    const taken = n < this.freePermits ? n : this.freePermits;
    this.freePermits -= taken;
    return taken;
  }

  /**
   * Closes the semaphore: every queued waiter is woken with `WAKE_CLOSED` (its partial
   * permits return to the counter) and later acquires fail. Waiters already satisfied are
   * still woken with `WAKE_READY`; permits held elsewhere stay valid. Allocates: never.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const pool = this.pool;
    let slot: number;
    let fault = NO_FAULT;
    // One at a time, so a waker that cancels another waiter finds it still linked.
    while ((slot = this.queued.popFront()) !== NIL) {
      this.freePermits += pool.assigned[slot];
      const waker = pool.wakers[slot] as Waker;
      const token = pool.token[slot];
      pool.free(slot);
      const f = wakeCatching(waker, token, WAKE_CLOSED);
      if (fault === NO_FAULT) fault = f;
    }
    if (fault !== NO_FAULT) throw fault;
  }

  private handOut(n: number): void {
    const pool = this.pool;
    const queued = this.queued;
    let remaining = n;
    let last = NIL;
    let count = 0;
    // Once closed, every queued waiter is about to be woken WAKE_CLOSED by close(): permits
    // released meanwhile (say by one of those wakers) go to the counter, not to them.
    let slot = this.closed ? NIL : queued.head;
    while (slot !== NIL) {
      const needed = pool.needed[slot];
      if (needed > remaining) {
        pool.needed[slot] = needed - remaining;
        pool.assigned[slot] += remaining;
        remaining = 0;
        break;
      }
      remaining -= needed;
      pool.needed[slot] = 0;
      pool.assigned[slot] += needed;
      last = slot;
      count++;
      slot = pool.next[slot];
    }
    this.freePermits += remaining;
    if (last !== NIL) {
      queued.moveFrontTo(last, count, this.granted);
      this.wakeGranted();
    }
  }

  private wakeGranted(): void {
    if (this.waking) return; // the outer loop below is running and will reach them
    this.waking = true;
    const pool = this.pool;
    const granted = this.granted;
    let fault = NO_FAULT;
    let slot: number;
    while ((slot = granted.popFront()) !== NIL) {
      const waker = pool.wakers[slot] as Waker;
      const token = pool.token[slot];
      pool.free(slot);
      const f = wakeCatching(waker, token, WAKE_READY);
      if (fault === NO_FAULT) fault = f;
    }
    this.waking = false;
    if (fault !== NO_FAULT) throw fault;
  }
}
