/**
 * Waking every waiter of a `WaitList` at once: what `Notify.notifyWaiters`, a completing
 * `Barrier` generation, oneshot's and the channels' `closed()` waiters have in common.
 *
 * Implementation notes:
 * - Each node is unlinked and freed before its waker runs (`wake(0, status)`), so a waker
 *   that re-enters (parks again, cancels another waiter) finds the lists consistent.
 * - `wakeAllVia` first moves every node to a staging list, marking it `STAGED` in the pool's
 *   `token` column, and only then wakes them one at a time: a waiter that parks during the
 *   wake joins the waiting list and is not woken, and one cancelled during it is unlinked
 *   from the list its token names (`unlinkStaged`), in O(1).
 */

import { WaitList } from "../core/list";
import { NIL } from "../core/pool";
import { Waker } from "../core/waker";

/** The token of a waiting node (park with it). */
export const WAITING = 0;
/** The token of a node moved to the staging list by `wakeAllVia`. */
const STAGED = 1;

/** Wakes every node of `list` with `status`, oldest first. Allocates: never. */
export function wakeAll(list: WaitList, status: number): void {
  const pool = list.pool;
  let slot: number;
  while ((slot = list.popFront()) !== NIL) {
    const waker = pool.wakers[slot] as Waker;
    pool.free(slot);
    waker.wake(0, status);
  }
}

/**
 * Wakes exactly the nodes waiting in `waiters` now (parked with `WAITING`), oldest first,
 * through `staging` (empty except while a wake runs). Allocates: never.
 */
export function wakeAllVia(waiters: WaitList, staging: WaitList, status: number): void {
  const pool = waiters.pool;
  if (waiters.tail !== NIL) {
    for (let slot = waiters.head; slot !== NIL; slot = pool.next[slot]) pool.token[slot] = STAGED;
    waiters.moveFrontTo(waiters.tail, waiters.length, staging);
  }
  wakeAll(staging, status);
}

/**
 * Unlinks and frees a pending waiter's node (by its pool handle) from `waiters` or, during
 * a `wakeAllVia`, from `staging`. True when it was still in `waiters`; false when it was
 * staged or the handle is stale (the node was already woken). Allocates: never.
 */
export function unlinkStaged(waiters: WaitList, staging: WaitList, handle: number): boolean {
  const pool = waiters.pool;
  const slot = pool.slotOf(handle);
  if (slot === NIL) return false;
  const waiting = pool.token[slot] !== STAGED;
  if (waiting) waiters.remove(slot);
  else staging.remove(slot);
  pool.free(slot);
  return waiting;
}
