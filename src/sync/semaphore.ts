/**
 * Semaphore and Permit: the public, op-returning face of the batch semaphore.
 *
 * @example
 * const sem = new Semaphore(2);
 * const permit = await sem.acquire();        // waits in FIFO order when none are free
 * try { await work(); } finally { permit.release(); }
 *
 * `acquire(n, { signal })` returns an `Op<Permit>`: cancel it (or abort the signal) and the
 * waiter leaves the queue at once, handing any permits it had been given to the next
 * waiters. Nothing stays behind for a cancelled waiter.
 */

import { WaitOptions } from "../core/cancel";
import { checkCount, closedError, invalidArgument } from "../core/errors";
import { Op } from "../core/op";
import { NodePool, PoolOptions } from "../core/pool";
import { BatchSemaphore, MAX_PERMITS, resolvePool } from "./batch_semaphore";
import { GuardFactory, PermitOp } from "./permit_op";

export interface SemaphoreOptions {
  /** The waiter pool: a shared `NodePool`, options for a pool of its own, or the default shared pool. */
  pool?: NodePool | PoolOptions;
}

/**
 * Permits held from a semaphore. Releasing twice is harmless.
 *
 * @example
 * ```ts
 * const sem = new Semaphore(4);
 * const permit = await sem.acquire(3);
 * const one = permit.split(1)!; // 2 + 1
 * one.release(); // 2 permits free
 * permit.merge(sem.tryAcquire(1)!); // 3 again in one Permit
 * permit.release();
 * console.log(sem.availablePermits()); // 4
 * ```
 */
export class Permit {
  constructor(
    private readonly semaphore: BatchSemaphore,
    /** Permits held; 0 once released, forgotten or merged away. */
    public permits: number,
  ) {}

  /**
   * Returns the permits to the semaphore. Idempotent. Throws `RangeError` if the free count
   * would pass MAX_PERMITS; the permit then keeps its count. Allocates: never.
   */
  release(): void {
    const n = this.permits;
    if (n === 0) return;
    const semaphore = this.semaphore;
    semaphore.checkRelease(n);
    // Zero first: the hand-out wakes waiters, which may re-enter and release this permit again.
    this.permits = 0;
    semaphore.give(n);
  }

  /** Drops the permits without returning them: the semaphore has that many fewer for good. */
  forget(): void {
    this.permits = 0;
  }

  /** Splits `n` permits off into a new Permit; `null` when fewer than `n` are held. Allocates: the new Permit. */
  split(n: number): Permit | null {
    const count = checkCount("n", n, MAX_PERMITS);
    if (count > this.permits) return null;
    this.permits -= count;
    return new Permit(this.semaphore, count);
  }

  /** Takes over `other`'s permits (which must come from the same semaphore). Allocates: never. */
  merge(other: Permit): void {
    if (!(other instanceof Permit)) throw invalidArgument("other", "a Permit", other);
    if (other.semaphore !== this.semaphore) throw invalidArgument("other", "a Permit of the same semaphore", other);
    if (other === this) return;
    this.permits += other.permits;
    other.permits = 0;
  }
}

/** Attaches `[Symbol.dispose]` (where the host has it) as an alias of `release`. */
export function addDispose(proto: object, method: string): void {
  if (typeof Symbol === "function" && typeof Symbol.dispose === "symbol") {
    (proto as { [key: symbol]: unknown })[Symbol.dispose] = (proto as { [key: string]: unknown })[method];
  }
}
addDispose(Permit.prototype, "release");

/**
 * A fair (FIFO) counting semaphore: `acquire(n)` waits for `n` permits as one batch, and a
 * cancelled waiter leaves nothing behind.
 *
 * @example
 * ```ts
 * const downloads = new Semaphore(2); // at most two at once
 * async function fetchOne(url: string): Promise<string> {
 *   const permit = await downloads.acquire();
 *   try {
 *     await sleep(10); // the work
 *     return url;
 *   } finally {
 *     permit.release();
 *   }
 * }
 * console.log(await Promise.all(["a", "b", "c"].map(fetchOne)));
 * ```
 */
export class Semaphore implements GuardFactory<Permit> {
  /** The largest number of permits a semaphore can hold: 2**30 - 1. */
  static readonly MAX_PERMITS = MAX_PERMITS;
  /** @internal The engine; other primitives in `src/sync` build on it. */
  readonly inner: BatchSemaphore;

  /** Allocates: on construction (and a pool of its own when `options.pool` holds options). */
  constructor(permits: number, options?: SemaphoreOptions) {
    checkCount("permits", permits, MAX_PERMITS);
    this.inner = new BatchSemaphore(permits, resolvePool(options));
  }

  /**
   * Waits for `n` permits (default 1), in FIFO order. Rejects `ERR_CLOSED` when the
   * semaphore is closed, `ERR_CANCELLED` when cancelled or aborted, `ERR_POOL_EXHAUSTED`
   * when the waiter pool is full. `acquire(0)` completes at once.
   * Allocates: the op and, when granted, the Permit.
   */
  acquire(n?: number, options?: WaitOptions): Op<Permit> {
    const count = n === undefined ? 1 : checkCount("n", n, MAX_PERMITS);
    return new PermitOp<Permit>(this.inner, count, this, count).start(options);
  }

  /** @internal A granted acquire's Permit; `kind` is the permit count. */
  makeGuard(kind: number): Permit {
    return new Permit(this.inner, kind);
  }

  /**
   * Takes `n` permits (default 1) now, or returns `null` when they are not free or others
   * are queued. Throws `ERR_CLOSED` when closed. Allocates: the Permit.
   */
  tryAcquire(n?: number): Permit | null {
    const count = n === undefined ? 1 : checkCount("n", n, MAX_PERMITS);
    const inner = this.inner;
    if (inner.tryAcquire(count)) return new Permit(inner, count);
    if (inner.isClosed()) throw closedError("the semaphore");
    return null;
  }

  /** Adds `n` permits, serving waiters first. `RangeError` past MAX_PERMITS. Allocates: never. */
  addPermits(n: number): void {
    this.inner.release(n);
  }

  /** Removes up to `n` free permits; returns how many were removed. Allocates: never. */
  forgetPermits(n: number): number {
    return this.inner.forget(n);
  }

  availablePermits(): number {
    return this.inner.available();
  }

  /** Closes the semaphore: waiters reject `ERR_CLOSED`; held permits stay valid. */
  close(): void {
    this.inner.close();
  }

  isClosed(): boolean {
    return this.inner.isClosed();
  }

  /** Waiters still queued. */
  waiterCount(): number {
    return this.inner.waiterCount();
  }
}
