/**
 * PollQueue: waiting ops that re-check their condition after every change — the receivers of
 * `watch` and `broadcast`. It is shared by all receivers of one channel.
 *
 * Implementation notes:
 * - Each parked op holds one pool node (`op.slot`); the node's waker entry points back at it.
 * - `pollAll` first moves every node to `scratch` and serves that list, so an op that must
 *   keep waiting goes back to `parked` and is not polled twice in one pass, and an op
 *   cancelled during the pass (found in either list) unlinks in O(1).
 * - `failOwnedBy` walks both lists; it runs only when a receiver closes.
 */

import { WaitList } from "../core/list";
import { NIL, NodePool } from "../core/pool";
import { Waker } from "../core/waker";

/** What a PollQueue needs from a parked op. */
export interface PolledWaiter {
  /** @internal The op's node while parked, else `NIL`. */
  slot: number;
  /** @internal Completes the op if it can now; false when it must keep waiting. */
  poll(): boolean;
  /** @internal True when the op was made by `owner` (a receiver). */
  belongsTo(owner: unknown): boolean;
  /** @internal Fails the op because its receiver closed; its node was already taken back. */
  closeWaiting(): void;
}

export class PollQueue {
  private readonly parked: WaitList;
  private readonly scratch: WaitList;

  constructor(readonly pool: NodePool) {
    this.parked = new WaitList(pool);
    this.scratch = new WaitList(pool);
  }

  /** @internal Parks `op` as the newest waiter; false (nothing changed) when the pool is full. Allocates: never. */
  park(op: PolledWaiter): boolean {
    const slot = this.parked.park(op as unknown as Waker, 0);
    if (slot === NIL) return false;
    op.slot = slot;
    return true;
  }

  /** @internal Takes a parked op's node back (a no-op when it is not parked). Allocates: never. */
  unpark(op: PolledWaiter): void {
    const slot = op.slot;
    if (slot === NIL) return;
    if (!this.parked.remove(slot)) this.scratch.remove(slot);
    this.pool.free(slot);
    op.slot = NIL;
  }

  /** @internal Polls every parked op once, oldest first; those that complete leave. Allocates: never. */
  pollAll(): void {
    const waiters = this.parked;
    if (waiters.head === NIL) return;
    const scratch = this.scratch;
    waiters.moveFrontTo(waiters.tail, waiters.length, scratch);
    const pool = this.pool;
    let slot: number;
    while ((slot = scratch.popFront()) !== NIL) {
      const op = pool.wakers[slot] as unknown as PolledWaiter;
      if (op.poll()) {
        pool.free(slot);
        op.slot = NIL;
      } else waiters.pushBack(slot);
    }
  }

  /** @internal Fails every parked op of `owner` (a closing receiver). Allocates: never. */
  failOwnedBy(owner: unknown): void {
    this.failIn(this.parked, owner);
    this.failIn(this.scratch, owner);
  }

  private failIn(list: WaitList, owner: unknown): void {
    const pool = this.pool;
    let slot = list.head;
    while (slot !== NIL) {
      const after = pool.next[slot];
      const op = pool.wakers[slot] as unknown as PolledWaiter;
      if (op.belongsTo(owner)) {
        list.remove(slot);
        pool.free(slot);
        op.slot = NIL;
        op.closeWaiting();
      }
      slot = after;
    }
  }
}
