/**
 * WaitList: an intrusive doubly linked FIFO over a NodePool's `next`/`prev` columns.
 *
 * The list owns no memory of its own beyond `head`, `tail` and `length`; the nodes are pool
 * slots. Several lists may share one pool (a node is in at most one list at a time).
 *
 * Invariants:
 * - `head === NIL` exactly when `tail === NIL` exactly when `length === 0`.
 * - For a linked node s: `prev[s]` is the previous node or `NIL` (s is the head), and
 *   `next[s]` the following node or `NIL` (s is the tail).
 * - A node in no list has `prev[s] === UNLINKED`; `remove` of such a node does nothing (nor
 *   of a slot past the pool's capacity, which a pool that shrank when it emptied no longer has).
 *   Removing a node that is linked into a *different* list is a caller bug (as in Tokio).
 *
 * Every operation is O(1) and allocates nothing.
 */

import { NIL, NodePool, UNLINKED } from "./pool";
import { Waker } from "./waker";

/**
 * An intrusive doubly linked list of pool slots: park at the back, unlink any node in O(1),
 * take the oldest first.
 *
 * @example
 * ```ts
 * const pool = new NodePool({ capacity: 8 });
 * const list = new WaitList(pool);
 * const waker = { wake: (token: number) => console.log("woken", token) };
 * const slot = list.park(waker, 7); // NIL when the pool is exhausted
 * list.remove(slot); // O(1), e.g. when the waiter is cancelled
 * pool.free(slot);
 * ```
 */
export class WaitList {
  head = NIL;
  tail = NIL;
  length = 0;

  constructor(readonly pool: NodePool) {}

  isEmpty(): boolean {
    return this.head === NIL;
  }

  /**
   * Takes a node from the pool for `waker` (with `token`), links it as the newest and returns
   * it; `NIL`, changing nothing, when the pool is full. Allocates: only when the pool grows.
   */
  park(waker: Waker, token: number): number {
    const pool = this.pool;
    const slot = pool.alloc();
    if (slot === NIL) return NIL;
    pool.token[slot] = token;
    pool.wakers[slot] = waker;
    this.pushBack(slot);
    return slot;
  }

  /** Links `slot` as the newest node. */
  pushBack(slot: number): void {
    const pool = this.pool;
    pool.next[slot] = NIL;
    pool.prev[slot] = this.tail;
    if (this.tail === NIL) this.head = slot;
    else pool.next[this.tail] = slot;
    this.tail = slot;
    this.length++;
  }

  /** Links `slot` as the oldest node (used to put a taken item back at the head). */
  pushFront(slot: number): void {
    const pool = this.pool;
    pool.prev[slot] = NIL;
    pool.next[slot] = this.head;
    if (this.head === NIL) this.tail = slot;
    else pool.prev[this.head] = slot;
    this.head = slot;
    this.length++;
  }

  /** Unlinks and returns the oldest node, or `NIL` when empty. */
  popFront(): number {
    const slot = this.head;
    if (slot !== NIL) this.remove(slot);
    return slot;
  }

  /**
   * Unlinks `slot` wherever it is; returns false (and does nothing) when it is not linked,
   * including a slot a shrunken pool no longer has.
   */
  remove(slot: number): boolean {
    const pool = this.pool;
    if (slot >= pool.capacity) return false;
    const before = pool.prev[slot];
    if (before === UNLINKED) return false;
    const after = pool.next[slot];
    if (before === NIL) this.head = after;
    else pool.next[before] = after;
    if (after === NIL) this.tail = before;
    else pool.prev[after] = before;
    pool.next[slot] = NIL;
    pool.prev[slot] = UNLINKED;
    this.length--;
    return true;
  }

  isLinked(slot: number): boolean {
    return slot < this.pool.capacity && this.pool.prev[slot] !== UNLINKED;
  }

  /**
   * Moves the run from the head through `last` (which must be linked here), `count` nodes
   * long, to the back of `dest`, keeping its order. O(1): the run is spliced, not walked.
   */
  moveFrontTo(last: number, count: number, dest: WaitList): void {
    const pool = this.pool;
    const first = this.head;
    const after = pool.next[last];
    this.head = after;
    if (after === NIL) this.tail = NIL;
    else pool.prev[after] = NIL;
    this.length -= count;
    pool.next[last] = NIL;
    pool.prev[first] = dest.tail;
    if (dest.tail === NIL) dest.head = first;
    else pool.next[dest.tail] = first;
    dest.tail = last;
    dest.length += count;
  }
}
