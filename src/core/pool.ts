/**
 * NodePool: preallocated waiter nodes as struct-of-arrays `Int32Array` columns.
 *
 * A node is a slot index. Its links (`next`, `prev`), the generation of the slot and three
 * integers for the owner (`needed`, `assigned`, `token`) live in typed-array columns, and
 * its waker in a preallocated array: 24 bytes of columns plus one waker reference per node,
 * allocated once, never per wait.
 *
 * Implementation notes:
 * - Free slots form a singly linked free list threaded through `next`; `prev` of a node
 *   that is in no list is `UNLINKED`, which is what makes removing it a no-op.
 * - A handle is `generation * SLOT_SPAN + slot`. Freeing a slot bumps its generation, so a
 *   handle kept past `free` is stale: `slotOf` answers `NIL` for it and nothing obeys it.
 *   Handles stay exact integers below 2**53 (generation < 2**31, slot < 2**22).
 * - Growth is the owner's choice: `capacity` slots up front, doubling up to `maxCapacity`.
 *   Growing replaces the column arrays, so never keep a column reference across `alloc`.
 *   A full pool makes `alloc` return `NIL`; nothing already allocated is touched.
 * - A grown pool that empties (`live` back to 0) shrinks to its initial capacity, so a burst
 *   of waiters leaves no memory behind once it is gone. Never keep a column reference across
 *   `free` either. Slots created by growth start at a generation above every generation ever
 *   issued, so a handle kept from before a shrink can never name a slot created after it.
 */

import { checkInteger, checkOptions, invalidArgument, KyotoError, poolExhaustedError } from "./errors";
import { Waker } from "./waker";

/** "No node": the end of a list, or a failed allocation. */
export const NIL = -1;
/** `prev` of a node that is not linked into any list. */
export const UNLINKED = -2;
/** Slots per generation step in a handle; also the largest capacity a pool can have. */
export const SLOT_SPAN = 4194304; // 2**22
const MAX_GENERATION = 2147483647;

export interface PoolOptions {
  /** Slots allocated up front (default 16). */
  capacity?: number;
  /** The pool doubles up to this many slots; equal to `capacity` for a fixed pool (default 65,536). */
  maxCapacity?: number;
  /** Named in `ERR_POOL_EXHAUSTED` errors and stats (default "waiters"). */
  name?: string;
}

export interface PoolStats {
  live: number;
  peak: number;
  capacity: number;
}

/**
 * Preallocated typed-array columns of waiter nodes shared by wait lists; it grows up to
 * `maxCapacity` and shrinks back once empty.
 *
 * @example
 * ```ts
 * const pool = new NodePool({ capacity: 64, maxCapacity: 4096, name: "app waiters" });
 * const sem = new Semaphore(1, { pool });
 * const lock = new Mutex(0, { pool }); // primitives may share one pool
 * console.log(pool.stats()); // { live, peak, capacity, … }
 * ```
 */
export class NodePool {
  readonly name: string;
  readonly maxCapacity: number;
  private readonly initialCapacity: number;
  /** The highest generation any slot has had: fresh slots start here. */
  private generationHigh = 1;
  /** Slots now: doubles when full, back to the initial size when the pool empties. */
  capacity!: number;
  /** Nodes allocated now. */
  live = 0;
  /** The most nodes ever allocated at once. */
  peak = 0;
  next!: Int32Array;
  prev!: Int32Array;
  gen!: Int32Array;
  /** Owner data: for the batch semaphore, permits the waiter still needs. */
  needed!: Int32Array;
  /** Owner data: for the batch semaphore, permits already handed to the waiter. */
  assigned!: Int32Array;
  /** Owner data: the token passed back to the waker. */
  token!: Int32Array;
  wakers!: Array<Waker | null>;
  private freeHead!: number;

  /** Allocates: on construction (the columns) and when growing. */
  constructor(options?: PoolOptions) {
    const o: PoolOptions = checkOptions(options) || {};
    const capacity = o.capacity === undefined ? 16 : checkInteger("options.capacity", o.capacity, 1, SLOT_SPAN);
    const maxCapacity = o.maxCapacity === undefined ? Math.max(65536, capacity) : checkInteger("options.maxCapacity", o.maxCapacity, capacity, SLOT_SPAN);
    if (o.name !== undefined && typeof o.name !== "string") throw invalidArgument("options.name", "a string", o.name);
    this.name = o.name || "waiters";
    this.maxCapacity = maxCapacity;
    this.initialCapacity = capacity;
    this.startOver();
  }

  /** Takes a free slot and returns it, or `NIL` when the pool is full. Allocates: only when growing. */
  alloc(): number {
    if (this.freeHead === NIL && !this.grow()) return NIL;
    const slot = this.freeHead;
    // A free slot's `prev` is already UNLINKED (set by `free` and `resize`; no list writes to
    // an unlinked node), so only `next`, the free-list link, needs resetting.
    this.freeHead = this.next[slot];
    this.next[slot] = NIL;
    this.needed[slot] = 0;
    this.assigned[slot] = 0;
    this.token[slot] = 0;
    if (++this.live > this.peak) this.peak = this.live;
    return slot;
  }

  /**
   * Returns an unlinked slot to the pool; every handle to it becomes stale. Allocates: never,
   * except when a grown pool empties and shrinks back to its initial capacity.
   */
  free(slot: number): void {
    const g = this.gen[slot];
    const next = g === MAX_GENERATION ? 1 : g + 1;
    this.gen[slot] = next;
    if (next > this.generationHigh) this.generationHigh = next;
    this.wakers[slot] = null;
    this.prev[slot] = UNLINKED;
    this.next[slot] = this.freeHead;
    this.freeHead = slot;
    if (--this.live === 0 && this.capacity > this.initialCapacity) this.startOver();
  }

  /** The handle naming this slot's current occupant. */
  handleOf(slot: number): number {
    return this.gen[slot] * SLOT_SPAN + slot;
  }

  /** The slot a handle names, or `NIL` when the handle is stale or out of range. */
  slotOf(handle: number): number {
    if (handle < 0) return NIL;
    // `&` reduces modulo 2**32 first, which keeps the low 22 bits exact for any handle.
    const slot = handle & (SLOT_SPAN - 1);
    if (slot >= this.capacity || (handle - slot) / SLOT_SPAN !== this.gen[slot]) return NIL;
    return slot;
  }

  /** The `ERR_POOL_EXHAUSTED` error for a wait this full pool refused. Allocates: the error. */
  exhausted(): KyotoError {
    return poolExhaustedError(this.name, this.capacity);
  }

  stats(): PoolStats {
    return { live: this.live, peak: this.peak, capacity: this.capacity };
  }

  private grow(): boolean {
    if (this.capacity >= this.maxCapacity) return false;
    this.resize(Math.min(this.capacity * 2, this.maxCapacity));
    return true;
  }

  /** Drops every slot (none is in use) and creates `initialCapacity` fresh ones. */
  private startOver(): void {
    this.capacity = 0;
    this.wakers = [];
    this.freeHead = NIL;
    this.resize(this.initialCapacity);
  }

  /** New columns of `capacity` slots keeping the first `this.capacity` (none when starting over). */
  private resize(capacity: number): void {
    const old = this.capacity;
    this.next = copyColumn(this.next, capacity, old);
    this.prev = copyColumn(this.prev, capacity, old);
    this.gen = copyColumn(this.gen, capacity, old);
    this.needed = copyColumn(this.needed, capacity, old);
    this.assigned = copyColumn(this.assigned, capacity, old);
    this.token = copyColumn(this.token, capacity, old);
    // New slots join the free list in index order, behind nothing: the list was empty or this is construction.
    for (let slot = capacity - 1; slot >= old; slot--) {
      this.next[slot] = this.freeHead;
      this.prev[slot] = UNLINKED;
      this.gen[slot] = this.generationHigh;
      this.wakers[slot] = null;
      this.freeHead = slot;
    }
    this.capacity = capacity;
  }
}

/** A column of `capacity` slots starting with `column`'s first `kept` (its length, or 0). */
function copyColumn(column: Int32Array, capacity: number, kept: number): Int32Array {
  const grown = new Int32Array(capacity);
  if (kept > 0) grown.set(column);
  return grown;
}
