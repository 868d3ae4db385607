/**
 * RwLock<T>: many readers or one writer, fair and FIFO — a batch semaphore of `maxReaders`.
 *
 * @example
 * const lock = new RwLock({ n: 0 });
 * const r = await lock.read();  console.log(r.value.n);  r.release();
 * const w = await lock.write(); w.value = { n: 1 };       const r2 = w.downgrade();
 *
 * A reader takes one permit, a writer takes all `maxReaders`. Because the semaphore is FIFO
 * and a queued writer collects permits as readers leave, readers that arrive after a queued
 * writer wait behind it: writers are not starved.
 *
 * Implementation notes:
 * - Permit accounting: each read guard holds 1 permit, a write guard `maxReaders`. Guards
 *   reach the value through `owner`, cleared on release (or, for a writer, on downgrade).
 * - `downgrade()` keeps one permit and releases `maxReaders − 1`: the release serves the
 *   queue from its head, so readers queued before the next writer get in and that writer
 *   can collect at most `maxReaders − 1` — never the whole lock while the new read guard lives.
 * - Cancelling a queued writer hands the permits it had collected to the waiters behind
 *   it (the batch semaphore does this), so readers queued behind it proceed at once.
 */

import { WaitOptions } from "../core/cancel";
import { checkInteger, checkOptions, invalidState } from "../core/errors";
import { Op } from "../core/op";
import { NodePool, PoolOptions } from "../core/pool";
import { BatchSemaphore, MAX_PERMITS, resolvePool } from "./batch_semaphore";
import { released } from "./mutex";
import { GuardFactory, PermitOp } from "./permit_op";
import { addDispose } from "./semaphore";

export interface RwLockOptions {
  /** Readers that may hold the lock at once: an integer from 1 to MAX_PERMITS (the default). */
  maxReaders?: number;
  /** The waiter pool: a shared `NodePool`, options for a pool of its own, or the default shared pool. */
  pool?: NodePool | PoolOptions;
}

const READ = 0;
const WRITE = 1;

/**
 * Shared access to an RwLock's value until `release()`.
 *
 * @example
 * ```ts
 * const lock = new RwLock([1, 2, 3]);
 * const a = await lock.read();
 * const b = lock.tryRead()!; // readers share the lock
 * console.log(a.value.length + b.value.length); // 6
 * a.release();
 * b.release();
 * ```
 */
export class RwLockReadGuard<T> {
  /** @internal */
  constructor(private owner: RwLock<T> | null) {}

  /** The protected value; reading it after `release()` throws `TypeError`. */
  get value(): T {
    if (this.owner === null) throw released("RwLockReadGuard");
    return this.owner.data;
  }

  /** Gives the read permit back. Idempotent. Allocates: never. */
  release(): void {
    const owner = this.owner;
    if (owner === null) return;
    this.owner = null;
    owner.inner.release(1);
  }
}
addDispose(RwLockReadGuard.prototype, "release");

/**
 * Exclusive access to an RwLock's value until `release()` or `downgrade()`.
 *
 * @example
 * ```ts
 * const doc = new RwLock("draft");
 * const writer = await doc.write();
 * writer.value = "final";
 * const reader = writer.downgrade(); // keep reading; no other writer gets in between
 * console.log(reader.value); // "final"
 * reader.release();
 * ```
 */
export class RwLockWriteGuard<T> {
  /** @internal */
  constructor(private owner: RwLock<T> | null) {}

  /** The protected value; reading or writing it after `release()`/`downgrade()` throws `TypeError`. */
  get value(): T {
    if (this.owner === null) throw released("RwLockWriteGuard");
    return this.owner.data;
  }

  set value(next: T) {
    if (this.owner === null) throw released("RwLockWriteGuard");
    this.owner.data = next;
  }

  /** Gives every permit back. Idempotent. Allocates: never. */
  release(): void {
    const owner = this.owner;
    if (owner === null) return;
    this.owner = null;
    owner.inner.release(owner.maxReaders);
  }

  /**
   * Turns this write lock into a read lock with no writer able to get in between: the
   * readers queued ahead of the next writer are let in too. Ends this guard; throws
   * `TypeError` if it was already released. Allocates: the read guard.
   */
  downgrade(): RwLockReadGuard<T> {
    const owner = this.owner;
    if (owner === null) throw invalidState("RwLockWriteGuard.downgrade() called after release()");
    this.owner = null;
    const guard = new RwLockReadGuard<T>(owner);
    if (owner.maxReaders > 1) owner.inner.release(owner.maxReaders - 1);
    return guard;
  }
}
addDispose(RwLockWriteGuard.prototype, "release");

/**
 * A fair reader-writer lock that owns its value: many readers or one writer.
 *
 * @example
 * ```ts
 * const config = new RwLock({ retries: 3 });
 * const reader = await config.read(); // many readers at once
 * console.log(reader.value.retries);
 * reader.release();
 * const writer = await config.write(); // one writer, no readers
 * writer.value = { retries: 5 };
 * writer.release();
 * ```
 */
export class RwLock<T> implements GuardFactory<RwLockReadGuard<T> | RwLockWriteGuard<T>> {
  /** @internal The engine: `maxReaders` permits. */
  readonly inner: BatchSemaphore;
  /** @internal The protected value (reach it through a guard). */
  data: T;
  readonly maxReaders: number;

  /** Allocates: on construction (and a pool of its own when `options.pool` holds options). */
  constructor(value: T, options?: RwLockOptions) {
    checkOptions(options);
    let maxReaders = MAX_PERMITS;
    if (options && options.maxReaders !== undefined) maxReaders = checkInteger("options.maxReaders", options.maxReaders, 1, MAX_PERMITS);
    this.maxReaders = maxReaders;
    this.data = value;
    this.inner = new BatchSemaphore(maxReaders, resolvePool(options));
  }

  /** @internal */
  makeGuard(kind: number): RwLockReadGuard<T> | RwLockWriteGuard<T> {
    return kind === WRITE ? new RwLockWriteGuard<T>(this) : new RwLockReadGuard<T>(this);
  }

  /**
   * Waits for shared access, in FIFO order (behind any queued writer). Rejects
   * `ERR_CANCELLED` / `ERR_POOL_EXHAUSTED`. Allocates: the op and the guard.
   */
  read(options?: WaitOptions): Op<RwLockReadGuard<T>> {
    return new PermitOp<RwLockReadGuard<T>>(this.inner, 1, this as GuardFactory<RwLockReadGuard<T>>, READ).start(options);
  }

  /**
   * Waits for exclusive access, in FIFO order. Rejects `ERR_CANCELLED` /
   * `ERR_POOL_EXHAUSTED`. Allocates: the op and the guard.
   */
  write(options?: WaitOptions): Op<RwLockWriteGuard<T>> {
    return new PermitOp<RwLockWriteGuard<T>>(this.inner, this.maxReaders, this as GuardFactory<RwLockWriteGuard<T>>, WRITE).start(options);
  }

  /** A read guard if one is free and nobody is queued, else `null`. Allocates: the guard. */
  tryRead(): RwLockReadGuard<T> | null {
    return this.inner.tryAcquire(1) ? new RwLockReadGuard<T>(this) : null;
  }

  /** The write guard if the lock is entirely free and nobody is queued, else `null`. Allocates: the guard. */
  tryWrite(): RwLockWriteGuard<T> | null {
    return this.inner.tryAcquire(this.maxReaders) ? new RwLockWriteGuard<T>(this) : null;
  }
}
