/**
 * Mutex<T>: an asynchronous lock around one value, fair and FIFO — a batch semaphore of 1.
 *
 * @example
 * const m = new Mutex({ hits: 0 });
 * const guard = await m.lock();              // waits in FIFO order while someone holds it
 * try { guard.value.hits++; } finally { guard.release(); }
 * await m.runExclusive((g) => g.value.hits++); // the same, released on return or throw
 *
 * `lock({ signal })` returns an `Op<MutexGuard<T>>`: cancel it (or abort the signal) and the
 * waiter leaves the queue at once; a lock granted but not yet delivered goes to the next
 * waiter.
 *
 * Implementation notes:
 * - The value lives on the Mutex; a guard reaches it through its `owner` reference, which
 *   `release()` clears, so a released guard can neither read nor write the value.
 * - Like Tokio's, these locks have no `close()`: their semaphore never closes, so a lock op
 *   ends granted, cancelled or refused for a full pool — never `ERR_CLOSED`.
 * - Exactly one permit exists. It is held by a live guard, by a granted-but-undelivered op
 *   (whose `giveBack` releases it), or is free: `isLocked()` is "no free permit".
 */

import { WaitOptions } from "../core/cancel";
import { invalidArgument, invalidState } from "../core/errors";
import { Op } from "../core/op";
import { NodePool, PoolOptions } from "../core/pool";
import { BatchSemaphore, resolvePool } from "./batch_semaphore";
import { GuardFactory, PermitOp } from "./permit_op";
import { addDispose } from "./semaphore";

export interface MutexOptions {
  /** The waiter pool: a shared `NodePool`, options for a pool of its own, or the default shared pool. */
  pool?: NodePool | PoolOptions;
}

/**
 * Exclusive access to a Mutex's value until `release()`.
 *
 * @example
 * ```ts
 * const total = new Mutex(0);
 * const guard = total.tryLock(); // null while someone else holds the lock
 * if (guard !== null) {
 *   guard.value += 1;
 *   guard.release(); // reading guard.value after this throws
 * }
 * ```
 */
export class MutexGuard<T> {
  /** @internal */
  constructor(private owner: Mutex<T> | null) {}

  /** The protected value; reading or writing it after `release()` throws `TypeError`. */
  get value(): T {
    if (this.owner === null) throw released("MutexGuard");
    return this.owner.data;
  }

  set value(next: T) {
    if (this.owner === null) throw released("MutexGuard");
    this.owner.data = next;
  }

  /** Unlocks the mutex, handing it to the oldest waiter. Idempotent. Allocates: never. */
  release(): void {
    const owner = this.owner;
    if (owner === null) return;
    this.owner = null;
    owner.inner.release(1);
  }
}
addDispose(MutexGuard.prototype, "release");

/** @internal The error for touching a guard after release. */
export function released(what: string): TypeError {
  return invalidState(what + ".value is not available after release()");
}

/**
 * A fair (FIFO) mutex that owns its value, reached through the guard.
 *
 * @example
 * ```ts
 * const counter = new Mutex({ hits: 0 });
 * await counter.runExclusive((guard) => {
 *   guard.value.hits++;
 * });
 * const guard = await counter.lock();
 * guard.value = { hits: guard.value.hits + 1 };
 * guard.release();
 * ```
 */
export class Mutex<T> implements GuardFactory<MutexGuard<T>> {
  /** @internal The engine: one permit. */
  readonly inner: BatchSemaphore;
  /** @internal The protected value (reach it through a guard). */
  data: T;

  /** Allocates: on construction (and a pool of its own when `options.pool` holds options). */
  constructor(value: T, options?: MutexOptions) {
    this.data = value;
    this.inner = new BatchSemaphore(1, resolvePool(options));
  }

  /** @internal */
  makeGuard(_kind: number): MutexGuard<T> {
    return new MutexGuard<T>(this);
  }

  /**
   * Waits for the lock in FIFO order. Rejects `ERR_CANCELLED` when cancelled or aborted,
   * `ERR_POOL_EXHAUSTED` when the waiter pool is full. Allocates: the op and the guard.
   */
  lock(options?: WaitOptions): Op<MutexGuard<T>> {
    return new PermitOp<MutexGuard<T>>(this.inner, 1, this, 0).start(options);
  }

  /** The guard if the lock is free and nobody is queued, else `null`. Allocates: the guard. */
  tryLock(): MutexGuard<T> | null {
    return this.inner.tryAcquire(1) ? new MutexGuard<T>(this) : null;
  }

  /** True while a guard (or a granted, undelivered lock op) holds the lock. */
  isLocked(): boolean {
    return this.inner.available() === 0;
  }

  /**
   * Locks, calls `fn(guard)` and releases when `fn` returns, throws, or its promise settles;
   * resolves with `fn`'s result. The signal only cancels the wait for the lock: an abort
   * while `fn` runs does not affect it. Needs the host's `Promise`.
   * Allocates: the op, the guard and the promise.
   */
  runExclusive<R>(fn: (guard: MutexGuard<T>) => R | PromiseLike<R>, options?: WaitOptions): Promise<R> {
    if (typeof fn !== "function") throw invalidArgument("fn", "a function", fn);
    if (typeof Promise !== "function") throw invalidState("runExclusive needs a host Promise; use lock() instead");
    const op = this.lock(options);
    return new Promise<R>(function (resolve, reject) {
      op.then(function (guard) {
        let result: R | PromiseLike<R>;
        try {
          result = fn(guard);
        } catch (err) {
          guard.release();
          reject(err);
          return;
        }
        if (result !== null && (typeof result === "object" || typeof result === "function") && typeof (result as PromiseLike<R>).then === "function") {
          Promise.resolve(result).then(
            function (value) {
              guard.release();
              resolve(value);
            },
            function (err) {
              guard.release();
              reject(err);
            },
          );
        } else {
          guard.release();
          resolve(result as R);
        }
      }, reject);
    });
  }
}
