/**
 * Notify: wake one task, or every task waiting now, without passing data.
 *
 * @example
 * const ready = new Notify();
 * spawn(async () => { await ready.notified(); start(); });
 * ready.notifyOne();   // wakes the oldest waiter, or is remembered for the next one
 *
 * `notifyOne()` / `notifyLast()` wake the oldest / newest waiter; with nobody waiting they
 * store one permit (never more) that the next `notified()` consumes at once; the permit
 * remembers which of the two stored it.
 * `notifyWaiters()` wakes exactly the waiters registered at the call and stores nothing.
 * A waiter woken by `notifyOne`/`notifyLast` (or by the stored permit) that is cancelled
 * before its result is delivered passes the notification on as its notifier would have.
 *
 * Implementation notes:
 * - Waiters are pool nodes in `queued` (oldest at the head). `notifyWaiters` first splices
 *   the whole queue onto `waking` and only then wakes, one node at a time, so an op created
 *   during the wake (from a synchronous delivery host) joins `queued` and is not woken
 *   (`wakeAllVia`, src/sync/wake_all.ts).
 * - A node's `token` column says which list holds it, so a cancel unlinks it from the right
 *   one in O(1) (`unlinkStaged`). The node is freed before its op is woken.
 * - The op records how it was notified (`how`); that decides what a late cancel passes on.
 */

import { signalOf, WaitOptions } from "../core/cancel";
import { WaitList } from "../core/list";
import { Op } from "../core/op";
import { NIL, NodePool, PoolOptions } from "../core/pool";
import { Waker } from "../core/waker";
import { resolvePool } from "./batch_semaphore";
import { unlinkStaged, WAITING, wakeAllVia } from "./wake_all";

export interface NotifyOptions {
  /** The waiter pool: a shared `NodePool`, options for a pool of its own, or the default shared pool. */
  pool?: NodePool | PoolOptions;
}

// How a NotifiedOp was notified: what its cancellation owes.
const BY_NONE = 0;
const BY_ONE = 1;
const BY_LAST = 2;
const BY_WAITERS = 3;

/** The op returned by `Notify.notified`; it is the waker of its own node. */
class NotifiedOp extends Op<void> implements Waker {
  private handle = -1;
  private how = BY_NONE;

  constructor(private readonly notify: Notify) {
    super();
  }

  /** Called by Notify after it unlinked and freed this op's node; `how` is a `BY_*` tag. */
  wake(_token: number, how: number): void {
    this.handle = -1;
    this.how = how;
    this.complete(undefined);
  }

  /** @internal Consumes a stored permit or queues; returns itself. */
  start(options: WaitOptions | undefined): NotifiedOp {
    const signal = signalOf(options);
    if (this.failIfAborted(signal)) return this;
    const notify = this.notify;
    if (notify.permit !== BY_NONE) {
      // The stored permit's notifier decides where a late cancel passes it on.
      this.how = notify.permit;
      notify.permit = BY_NONE;
      this.complete(undefined);
    } else {
      const slot = notify.queued.park(this, WAITING);
      if (slot === NIL) {
        this.fail(notify.pool.exhausted());
        return this;
      }
      this.handle = notify.pool.handleOf(slot);
    }
    this.watch(signal);
    return this;
  }

  protected abandon(): void {
    const handle = this.handle;
    this.handle = -1;
    if (handle >= 0) unlinkStaged(this.notify.queued, this.notify.waking, handle);
  }

  protected giveBack(): void {
    // Pass the notification on where its notifier would have sent it.
    if (this.how === BY_ONE) this.notify.notifyOne();
    else if (this.how === BY_LAST) this.notify.notifyLast();
  }
}

/**
 * Wakes one waiting task (or all); a notification sent while nobody waits is stored as one
 * permit.
 *
 * @example
 * ```ts
 * const ready = new Notify();
 * const waiting = ready.notified();
 * ready.notifyOne();
 * await waiting;
 * ready.notifyOne(); // nobody waits: the permit is stored…
 * await ready.notified(); // …and the next waiter takes it at once
 * ```
 */
export class Notify {
  /** @internal The waiter pool. */
  readonly pool: NodePool;
  /** @internal Waiters not yet notified, oldest first. */
  readonly queued: WaitList;
  /** @internal Waiters a running `notifyWaiters` has taken and not yet woken. */
  readonly waking: WaitList;
  /** @internal One stored notification for the next `notified()`: who stored it (`BY_ONE`/`BY_LAST`), or `BY_NONE`. */
  permit = BY_NONE;

  /** Allocates: on construction (and a pool of its own when `options.pool` holds options). */
  constructor(options?: NotifyOptions) {
    this.pool = resolvePool(options);
    this.queued = new WaitList(this.pool);
    this.waking = new WaitList(this.pool);
  }

  /**
   * Waits for a notification; consumes a stored permit at once if there is one. Rejects
   * `ERR_CANCELLED` / `ERR_POOL_EXHAUSTED`. Allocates: the op.
   */
  notified(options?: WaitOptions): Op<void> {
    return new NotifiedOp(this).start(options);
  }

  /** Wakes the oldest waiter, or stores one permit if nobody waits. Allocates: never. */
  notifyOne(): void {
    this.wakeOne(this.queued.head, BY_ONE);
  }

  /** Wakes the newest waiter, or stores one permit if nobody waits. Allocates: never. */
  notifyLast(): void {
    this.wakeOne(this.queued.tail, BY_LAST);
  }

  /**
   * Wakes every waiter registered now (not those that register while it runs); stores
   * nothing. Allocates: never.
   */
  notifyWaiters(): void {
    wakeAllVia(this.queued, this.waking, BY_WAITERS);
  }

  /** Waiters not yet notified. */
  waiterCount(): number {
    return this.queued.length + this.waking.length;
  }

  private wakeOne(slot: number, how: number): void {
    if (slot === NIL) {
      this.permit = how;
      return;
    }
    const pool = this.pool;
    this.queued.remove(slot);
    const op = pool.wakers[slot] as Waker;
    pool.free(slot);
    op.wake(0, how);
  }
}
